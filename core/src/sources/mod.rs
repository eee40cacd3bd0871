//! Verification of webhooks from custom sources (the "Universal Webhook").
//!
//! An admin registers a *source* for any system that sends webhooks and picks how its requests
//! prove where they come from: a [`Scheme`] (stored as JSON, see [`scheme`]). The ingest route
//! hands each raw request to [`verify`] with the source's [`Secrets`] and gets either
//! [`Verified`] (with the message id for de-duplication and which secret matched) or a
//! [`Rejection`] whose [`RejectReason::code`] is stable.
//!
//! | scheme | what the request carries | body covered |
//! | --- | --- | --- |
//! | [`Scheme::StandardWebhooks`] | `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` | yes, plus id and time |
//! | [`Scheme::Hmac`] | one header with an HMAC (SHA-256/1/512, hex or base64, optional prefix) of the body | yes |
//! | [`Scheme::BasicAuth`] | `authorization: Basic …`, the secret as password | no |
//! | [`Scheme::ApiKey`] | one header holding the secret | no |
//! | [`Scheme::None`] | nothing (allowed only after an explicit confirmation) | no |
//!
//! Rotation: the caller passes the previous secret in [`Secrets::previous`] for as long as its
//! grace period lasts; a request it verifies is reported as [`WhichSecret::Previous`].
//!
//! Guarantees: [`verify`] never panics, compares secrets and MACs in constant time (`subtle`;
//! keys and passwords through their SHA-256 so lengths do not leak either), and its messages
//! never contain a secret or an expected signature. A scheme that fails to parse must make the
//! caller reject every request (fail closed).
//!
//! Secrets: [`generate_secret`] makes one in the scheme's format, [`validate_secret`] checks a
//! pasted one, [`secret_hint`] is what the UI shows after the secret was shown once. Signing
//! helpers ([`sign_standard_webhooks`], [`sign_hmac`], [`basic_authorization`],
//! [`example_headers`]) produce valid requests for tests, the UI's example request and the
//! benchmark.

mod credentials;
mod example;
mod generic_hmac;
pub mod scheme;
mod secret;
mod standard_webhooks;
mod verify;

pub use credentials::basic_authorization;
pub use example::example_headers;
pub use generic_hmac::sign_hmac;
pub use scheme::{HmacAlgorithm, Scheme, SignatureEncoding, DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS};
pub use secret::{generate_secret, secret_hint, validate_secret, InvalidSecret, STANDARD_WEBHOOKS_SECRET_PREFIX};
pub use standard_webhooks::{sign_standard_webhooks, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
pub use verify::{verify, RejectReason, Rejection, Secrets, Verified, WhichSecret};
