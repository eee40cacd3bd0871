//! Verifying one incoming request against a source's [`Scheme`]: the entry point [`verify`], its
//! inputs ([`Secrets`]) and outcomes ([`Verified`], [`Rejection`]), and the small helpers every
//! scheme shares (header look-up, constant-time comparison).

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::scheme::Scheme;
use super::{credentials, generic_hmac, standard_webhooks};

/// The secrets a request may be signed with.
///
/// `previous` is the secret before the last rotation; pass it only while its grace period lasts
/// (the caller decides), otherwise `None`. Empty strings count as "no secret".
#[derive(Clone, Copy)]
pub struct Secrets<'a> {
    /// The source's current secret.
    pub current: &'a str,
    /// The previous secret, still accepted during the rotation grace period.
    pub previous: Option<&'a str>,
}

impl<'a> Secrets<'a> {
    /// Only a current secret.
    pub fn current(current: &'a str) -> Self {
        Secrets {
            current,
            previous: None,
        }
    }

    /// A current secret and the previous one, still within its grace period.
    pub fn rotating(current: &'a str, previous: &'a str) -> Self {
        Secrets {
            current,
            previous: Some(previous),
        }
    }

    /// The usable secrets, current first.
    pub(super) fn candidates(&self) -> impl Iterator<Item = (WhichSecret, &'a str)> {
        [
            (WhichSecret::Current, Some(self.current)),
            (WhichSecret::Previous, self.previous),
        ]
        .into_iter()
        .filter_map(|(which, s)| s.filter(|s| !s.is_empty()).map(|s| (which, s)))
    }
}

/// Never prints the secrets.
impl fmt::Debug for Secrets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("current", &"<redacted>")
            .field("previous", &self.previous.map(|_| "<redacted>"))
            .finish()
    }
}

/// Which secret a request was verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WhichSecret {
    /// The current secret.
    Current,
    /// The previous secret (rotation grace period); the sender should switch to the new one.
    Previous,
}

/// A request that passed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The sender's message id, where the scheme has one (`webhook-id` for Standard Webhooks);
    /// usable for de-duplication.
    pub message_id: Option<String>,
    /// The secret that matched; `None` for [`Scheme::None`], which checks no secret.
    pub secret_used: Option<WhichSecret>,
}

/// Why a request was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// A header the scheme needs is absent (or empty).
    MissingHeader,
    /// The signature is well-formed but matches none of the secrets.
    BadSignature,
    /// The signed timestamp is outside the tolerance (too old or too far in the future).
    StaleTimestamp,
    /// A header is present but cannot be understood (bad encoding, missing prefix, wrong
    /// length, not an integer timestamp, a header repeated with different values, …).
    Malformed,
    /// Basic auth or API key: the username, password or key is wrong.
    WrongCredentials,
    /// The source itself is unusable: no non-empty secret, or a Standard Webhooks secret that is
    /// not base64. Not the sender's fault; an admin has to fix the source (or rotate its secret).
    Misconfigured,
}

impl RejectReason {
    /// A stable, machine-readable code (for logs, metrics and the response body).
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::MissingHeader => "missing_signature",
            RejectReason::BadSignature => "bad_signature",
            RejectReason::StaleTimestamp => "stale_timestamp",
            RejectReason::Malformed => "malformed_signature",
            RejectReason::WrongCredentials => "wrong_credentials",
            RejectReason::Misconfigured => "source_misconfigured",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A rejected request: a reason with a stable code and a readable message. The message names
/// headers and what was wrong with them, never a secret or an expected signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The category, with a stable [`RejectReason::code`].
    pub reason: RejectReason,
    /// A readable explanation for the admin's delivery log.
    pub message: String,
}

impl Rejection {
    pub(super) fn new(reason: RejectReason, message: impl Into<String>) -> Self {
        Rejection {
            reason,
            message: message.into(),
        }
    }

    /// The stable code of the reason.
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason.code(), self.message)
    }
}

impl std::error::Error for Rejection {}

/// Verifies one request against a source's scheme.
///
/// `headers` are the request's headers (names are matched case-insensitively, values are
/// trimmed); `body` is the raw body exactly as received; `now_unix_seconds` is the current time
/// (only Standard Webhooks uses it). Tries the current secret first, then the previous one.
/// Never panics, whatever the input; all secret comparisons are constant-time.
pub fn verify(
    scheme: &Scheme,
    secrets: Secrets<'_>,
    headers: &[(String, String)],
    body: &[u8],
    now_unix_seconds: i64,
) -> Result<Verified, Rejection> {
    match scheme {
        Scheme::StandardWebhooks { tolerance_seconds } => {
            standard_webhooks::verify(*tolerance_seconds, secrets, headers, body, now_unix_seconds)
        }
        Scheme::Hmac {
            header,
            algorithm,
            encoding,
            prefix,
        } => generic_hmac::verify(header, *algorithm, *encoding, prefix.as_deref(), secrets, headers, body),
        Scheme::BasicAuth { username } => credentials::verify_basic_auth(username, secrets, headers),
        Scheme::ApiKey { header } => credentials::verify_api_key(header, secrets, headers),
        Scheme::None => Ok(Verified {
            message_id: None,
            secret_used: None,
        }),
    }
}

/// The single (trimmed) value of header `name`, matched case-insensitively. Absent or empty:
/// `MissingHeader`. Repeated with different values: `Malformed` (which one would count is
/// ambiguous).
pub(super) fn single_header<'h>(headers: &'h [(String, String)], name: &str) -> Result<&'h str, Rejection> {
    let mut found: Option<&str> = None;
    for value in header_values(headers, name) {
        match found {
            Some(first) if first != value => {
                return Err(Rejection::new(
                    RejectReason::Malformed,
                    format!("header {name} appears more than once with different values"),
                ));
            }
            _ => found = Some(value),
        }
    }
    found.ok_or_else(|| missing(name))
}

/// All non-empty (trimmed) values of header `name`, matched case-insensitively.
pub(super) fn header_values<'h>(headers: &'h [(String, String)], name: &str) -> impl Iterator<Item = &'h str> {
    let name = name.to_owned();
    headers
        .iter()
        .filter(move |(n, _)| n.trim().eq_ignore_ascii_case(&name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

pub(super) fn missing(name: &str) -> Rejection {
    Rejection::new(RejectReason::MissingHeader, format!("header {name} is missing"))
}

/// Rejection for a source with no usable secret.
pub(super) fn no_secret() -> Rejection {
    Rejection::new(RejectReason::Misconfigured, "the source has no secret configured")
}

/// Constant-time equality of two MACs (lengths are public).
pub(super) fn ct_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Constant-time equality of two secrets that hides their lengths too: compares their SHA-256
/// digests.
pub(super) fn ct_eq_secret(a: &[u8], b: &[u8]) -> bool {
    bool::from(Sha256::digest(a).ct_eq(&Sha256::digest(b)))
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::sources::scheme::{HmacAlgorithm, SignatureEncoding};
    use crate::sources::{example_headers, generate_secret};

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(RejectReason::MissingHeader.code(), "missing_signature");
        assert_eq!(RejectReason::BadSignature.code(), "bad_signature");
        assert_eq!(RejectReason::StaleTimestamp.code(), "stale_timestamp");
        assert_eq!(RejectReason::Malformed.code(), "malformed_signature");
        assert_eq!(RejectReason::WrongCredentials.code(), "wrong_credentials");
        assert_eq!(RejectReason::Misconfigured.code(), "source_misconfigured");
        let r = Rejection::new(RejectReason::BadSignature, "no match");
        assert_eq!(r.to_string(), "bad_signature: no match");
        assert_eq!(r.code(), "bad_signature");
    }

    #[test]
    fn none_accepts_anything() {
        let ok = verify(&Scheme::None, Secrets::current(""), &[], b"whatever", 0).unwrap();
        assert_eq!(
            ok,
            Verified {
                message_id: None,
                secret_used: None
            }
        );
    }

    #[test]
    fn single_header_rules() {
        let headers = h(&[("X-Key", " a "), ("x-key", "a"), ("other", "b"), ("empty", "  ")]);
        assert_eq!(single_header(&headers, "x-key").unwrap(), "a");
        assert_eq!(
            single_header(&headers, "empty").unwrap_err().reason,
            RejectReason::MissingHeader
        );
        assert_eq!(
            single_header(&headers, "nope").unwrap_err().reason,
            RejectReason::MissingHeader
        );
        let dup = h(&[("x-key", "a"), ("x-key", "b")]);
        assert_eq!(
            single_header(&dup, "x-key").unwrap_err().reason,
            RejectReason::Malformed
        );
    }

    #[test]
    fn secrets_debug_is_redacted() {
        let text = format!("{:?}", Secrets::rotating("hunter2-current", "hunter2-previous"));
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn empty_secrets_are_not_candidates() {
        let s = Secrets {
            current: "",
            previous: Some(""),
        };
        assert_eq!(s.candidates().count(), 0);
        let s = Secrets {
            current: "",
            previous: Some("p"),
        };
        assert_eq!(s.candidates().collect::<Vec<_>>(), vec![(WhichSecret::Previous, "p")]);
    }

    #[test]
    fn no_secret_is_misconfigured_for_every_secret_scheme() {
        for scheme in schemes() {
            if !scheme.uses_secret() {
                continue;
            }
            let headers = example_headers(&scheme, &generate_secret(&scheme), b"{}", 1_700_000_000).unwrap();
            let err = verify(&scheme, Secrets::current(""), &headers, b"{}", 1_700_000_000).unwrap_err();
            assert_eq!(err.reason, RejectReason::Misconfigured, "{scheme:?}");
        }
    }

    fn schemes() -> Vec<Scheme> {
        let mut all = vec![
            Scheme::standard_webhooks(),
            Scheme::BasicAuth {
                username: "clockify".into(),
            },
            Scheme::ApiKey {
                header: "x-api-key".into(),
            },
            Scheme::None,
        ];
        for algorithm in [HmacAlgorithm::Sha256, HmacAlgorithm::Sha1, HmacAlgorithm::Sha512] {
            for encoding in [SignatureEncoding::Hex, SignatureEncoding::Base64] {
                for prefix in [None, Some("sha256=".to_string())] {
                    all.push(Scheme::Hmac {
                        header: "x-signature".into(),
                        algorithm,
                        encoding,
                        prefix,
                    });
                }
            }
        }
        all
    }

    /// Garbage in every shape: random names (mostly the ones the schemes read), random values
    /// (ASCII, control characters, non-ASCII, near-valid prefixes), random bodies, extreme
    /// timestamps and odd secrets. Nothing may panic, and nothing random may be accepted.
    #[test]
    fn garbage_never_panics_and_never_passes() {
        let mut rng = StdRng::seed_from_u64(0x005e_ed50);
        let names = [
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "x-signature",
            "authorization",
            "x-api-key",
            "Webhook-Signature",
            "",
            "é",
        ];
        let fragments = [
            "v1,",
            "v1",
            ",",
            " ",
            "v2,abc",
            "sha256=",
            "Basic ",
            "basic",
            ":",
            "==",
            "-",
            "9",
            "999999999999999999999",
            "-9223372036854775808",
            "é",
            "\u{0}",
            "\n",
            "ffff",
            "FFFF",
            "zz",
            "/",
            "+",
            "_",
        ];
        // None of these can come out of `random_text` by chance (for the key and password schemes).
        let secrets = [
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "whsec_!!!!!!!!!!!!",
            "plain-secret-value",
            "ünïcödé-sêcret",
            "",
            "whsec_",
        ];
        let schemes = schemes();
        for round in 0..20_000u32 {
            let mut headers = Vec::new();
            for _ in 0..rng.gen_range(0..6) {
                let name = if rng.gen_bool(0.85) {
                    names[rng.gen_range(0..names.len())].to_string()
                } else {
                    random_text(&mut rng, &fragments)
                };
                headers.push((name, random_text(&mut rng, &fragments)));
            }
            let body: Vec<u8> = (0..rng.gen_range(0..64)).map(|_| rng.gen()).collect();
            let now = match round % 4 {
                0 => i64::MIN,
                1 => i64::MAX,
                _ => rng.gen_range(0..2_000_000_000),
            };
            let secrets = Secrets {
                current: secrets[rng.gen_range(0..secrets.len())],
                previous: rng.gen_bool(0.5).then(|| secrets[rng.gen_range(0..secrets.len())]),
            };
            for scheme in &schemes {
                let result = verify(scheme, secrets, &headers, &body, now);
                if scheme.uses_secret() {
                    let err = result.expect_err("garbage was accepted");
                    assert!(!err.message.is_empty());
                    for secret in [secrets.current, secrets.previous.unwrap_or("")] {
                        if secret.len() > 6 {
                            assert!(!err.message.contains(secret), "secret leaked: {}", err.message);
                        }
                    }
                }
            }
        }
    }

    /// Random edits of valid requests (value truncated at any byte, a character inserted or
    /// replaced, a header dropped or repeated, the body changed). Nothing may panic; a request
    /// whose signed body changed may not pass.
    #[test]
    fn mutated_valid_requests_never_panic() {
        let mut rng = StdRng::seed_from_u64(7);
        let now = 1_700_000_000;
        for scheme in schemes() {
            let secret = generate_secret(&scheme);
            let body = br#"{"id":1,"name":"caf\u00e9"}"#.to_vec();
            let valid = example_headers(&scheme, &secret, &body, now).unwrap();
            for _ in 0..2_000 {
                let mut headers = valid.clone();
                let mut body = body.clone();
                let mut body_changed = false;
                for _ in 0..rng.gen_range(1..4) {
                    if headers.is_empty() || rng.gen_bool(0.15) {
                        if !body.is_empty() {
                            let i = rng.gen_range(0..body.len());
                            let old = body[i];
                            body[i] = rng.gen();
                            body_changed |= body[i] != old;
                        }
                        continue;
                    }
                    let i = rng.gen_range(0..headers.len());
                    match rng.gen_range(0..5) {
                        0 => {
                            let value = headers[i].1.as_bytes();
                            let cut = rng.gen_range(0..=value.len());
                            headers[i].1 = String::from_utf8_lossy(&value[..cut]).into_owned();
                        }
                        1 => {
                            let value = &mut headers[i].1;
                            let mut at = rng.gen_range(0..=value.len());
                            while !value.is_char_boundary(at) {
                                at -= 1;
                            }
                            value.insert(at, rng.gen());
                        }
                        2 => {
                            headers.remove(i);
                        }
                        3 => {
                            let copy = headers[i].clone();
                            headers.push(copy);
                        }
                        _ => {
                            let value: String = headers[i].1.chars().rev().collect();
                            headers[i].1 = value;
                        }
                    }
                }
                let result = verify(&scheme, Secrets::current(&secret), &headers, &body, now);
                let body_covered = matches!(scheme, Scheme::StandardWebhooks { .. } | Scheme::Hmac { .. });
                if body_changed && body_covered {
                    assert!(result.is_err(), "{scheme:?}: changed body accepted");
                }
            }
        }
    }

    fn random_text(rng: &mut StdRng, fragments: &[&str]) -> String {
        let mut s = String::new();
        for _ in 0..rng.gen_range(0..8) {
            match rng.gen_range(0..3) {
                0 => s.push_str(fragments[rng.gen_range(0..fragments.len())]),
                1 => s.push(char::from(rng.gen_range(0x20u8..0x7f))),
                _ => s.push(rng.gen::<char>()),
            }
        }
        s
    }

    /// A valid request for each scheme, with the generated secret, passes; the example headers
    /// of one secret fail against another.
    #[test]
    fn generated_secret_and_example_headers_round_trip() {
        for scheme in schemes() {
            let secret = generate_secret(&scheme);
            let other = generate_secret(&scheme);
            let body = br#"{"event":"created"}"#;
            let headers = example_headers(&scheme, &secret, body, 1_700_000_000).unwrap();
            let ok = verify(&scheme, Secrets::current(&secret), &headers, body, 1_700_000_000).unwrap();
            if scheme.uses_secret() {
                assert_eq!(ok.secret_used, Some(WhichSecret::Current), "{scheme:?}");
                let err = verify(&scheme, Secrets::current(&other), &headers, body, 1_700_000_000).unwrap_err();
                assert!(
                    matches!(err.reason, RejectReason::BadSignature | RejectReason::WrongCredentials),
                    "{scheme:?}: {err}"
                );
            }
        }
    }
}
