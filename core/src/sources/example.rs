//! A valid header set for any scheme: for the UI's "example request" (e.g. a curl command), for
//! tests, and for our own load benchmark.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;

use super::credentials::{basic_authorization, AUTHORIZATION};
use super::generic_hmac::sign_hmac;
use super::scheme::Scheme;
use super::secret::{validate_secret, InvalidSecret};
use super::standard_webhooks::{sign_standard_webhooks, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};

/// Headers (names lower-cased) that make a request with `body`, sent at `now_unix_seconds`, pass
/// [`verify`](super::verify) for `scheme` with `secret` as the current secret.
///
/// Standard Webhooks gets a fresh random `webhook-id` (`msg_…`) on every call, so repeated
/// example requests are not taken for re-deliveries. [`Scheme::None`] needs no headers. Fails
/// only when `secret` cannot be used with the scheme (see
/// [`validate_secret`](super::validate_secret)).
pub fn example_headers(
    scheme: &Scheme,
    secret: &str,
    body: &[u8],
    now_unix_seconds: i64,
) -> Result<Vec<(String, String)>, InvalidSecret> {
    validate_secret(scheme, secret)?;
    let headers = match scheme {
        Scheme::StandardWebhooks { .. } => {
            let mut random = [0u8; 16];
            OsRng.fill_bytes(&mut random);
            let id = format!("msg_{}", URL_SAFE_NO_PAD.encode(random));
            let signature = sign_standard_webhooks(secret, &id, now_unix_seconds, body)?;
            vec![
                (HEADER_ID.to_owned(), id),
                (HEADER_TIMESTAMP.to_owned(), now_unix_seconds.to_string()),
                (HEADER_SIGNATURE.to_owned(), signature),
            ]
        }
        Scheme::Hmac {
            header,
            algorithm,
            encoding,
            prefix,
        } => vec![(
            header.to_ascii_lowercase(),
            sign_hmac(*algorithm, *encoding, prefix.as_deref(), secret, body),
        )],
        Scheme::BasicAuth { username } => vec![(AUTHORIZATION.to_owned(), basic_authorization(username, secret))],
        Scheme::ApiKey { header } => vec![(header.to_ascii_lowercase(), secret.to_owned())],
        Scheme::None => Vec::new(),
    };
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{verify, HmacAlgorithm, Secrets, SignatureEncoding, WhichSecret};

    #[test]
    fn shapes() {
        let sw = example_headers(
            &Scheme::standard_webhooks(),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            b"{}",
            42,
        )
        .unwrap();
        let names: Vec<_> = sw.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["webhook-id", "webhook-timestamp", "webhook-signature"]);
        assert!(sw[0].1.starts_with("msg_"));
        assert_eq!(sw[1].1, "42");
        assert!(sw[2].1.starts_with("v1,"));
        let again = example_headers(
            &Scheme::standard_webhooks(),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            b"{}",
            42,
        )
        .unwrap();
        assert_ne!(sw[0].1, again[0].1, "ids repeat");

        let hmac = Scheme::Hmac {
            header: "X-Hub-Signature-256".into(),
            algorithm: HmacAlgorithm::Sha256,
            encoding: SignatureEncoding::Hex,
            prefix: Some("sha256=".into()),
        };
        let headers = example_headers(&hmac, "s3cret", b"{}", 0).unwrap();
        assert_eq!(headers[0].0, "x-hub-signature-256");
        assert!(headers[0].1.starts_with("sha256="));
        let ok = verify(&hmac, Secrets::current("s3cret"), &headers, b"{}", 0).unwrap();
        assert_eq!(ok.secret_used, Some(WhichSecret::Current));

        assert!(example_headers(&Scheme::None, "", b"{}", 0).unwrap().is_empty());
    }

    #[test]
    fn unusable_secrets() {
        assert_eq!(
            example_headers(&Scheme::standard_webhooks(), "not base64!", b"", 0),
            Err(InvalidSecret::NotStandardWebhooks)
        );
        let key = Scheme::ApiKey {
            header: "x-api-key".into(),
        };
        assert_eq!(example_headers(&key, "", b"", 0), Err(InvalidSecret::Empty));
    }
}
