//! A source's secret: generating one, checking one an admin pasted, and the short hint the UI
//! shows once the secret itself has been shown.

use base64::alphabet;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;

use super::scheme::Scheme;

/// Prefix of Standard Webhooks secrets.
pub const STANDARD_WEBHOOKS_SECRET_PREFIX: &str = "whsec_";

/// Standard base64 alphabet, padding optional (senders differ).
pub(super) const BASE64_STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// URL-safe base64 alphabet, padding optional.
pub(super) const BASE64_URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A secret that cannot be used with its scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSecret {
    /// Empty secret.
    #[error("the secret is empty")]
    Empty,
    /// A Standard Webhooks secret that is not `whsec_` followed by (non-empty) base64.
    #[error("a Standard Webhooks secret is whsec_ followed by base64")]
    NotStandardWebhooks,
}

/// A fresh random secret for `scheme`.
///
/// Standard Webhooks: `whsec_` + standard base64 of 24 random bytes (the spec's format; 38
/// characters). Every other scheme: 32 random bytes as URL-safe base64 without padding (43
/// characters; for HMAC the key is these characters' bytes, as the sender will use them). Uses the
/// operating system's random number generator.
pub fn generate_secret(scheme: &Scheme) -> String {
    match scheme {
        Scheme::StandardWebhooks { .. } => {
            let mut bytes = [0u8; 24];
            OsRng.fill_bytes(&mut bytes);
            format!("{STANDARD_WEBHOOKS_SECRET_PREFIX}{}", STANDARD.encode(bytes))
        }
        _ => {
            let mut bytes = [0u8; 32];
            OsRng.fill_bytes(&mut bytes);
            URL_SAFE_NO_PAD.encode(bytes)
        }
    }
}

/// Checks a secret an admin pasted (e.g. one the other system generated) before storing it:
/// non-empty, and for Standard Webhooks `whsec_<base64>` (the prefix may be left out).
/// [`Scheme::None`] accepts anything.
pub fn validate_secret(scheme: &Scheme, secret: &str) -> Result<(), InvalidSecret> {
    match scheme {
        Scheme::None => Ok(()),
        Scheme::StandardWebhooks { .. } => decode_standard_webhooks_secret(secret).map(|_| ()),
        _ if secret.is_empty() => Err(InvalidSecret::Empty),
        _ => Ok(()),
    }
}

/// A hint that lets an admin recognise a secret without revealing it: the first few characters
/// followed by `…`. A leading `whsec_` is kept and not counted; at most 4 further characters are
/// shown, and fewer for short secrets (one per 8 characters, so a secret under 8 characters shows
/// none).
pub fn secret_hint(secret: &str) -> String {
    let (prefix, rest) = match secret.strip_prefix(STANDARD_WEBHOOKS_SECRET_PREFIX) {
        Some(rest) => (STANDARD_WEBHOOKS_SECRET_PREFIX, rest),
        None => ("", secret),
    };
    let shown = (rest.chars().count() / 8).min(4);
    let start: String = rest.chars().take(shown).collect();
    format!("{prefix}{start}…")
}

/// The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (prefix optional,
/// padding optional). An empty key is invalid.
pub(super) fn decode_standard_webhooks_secret(secret: &str) -> Result<Vec<u8>, InvalidSecret> {
    let encoded = secret.strip_prefix(STANDARD_WEBHOOKS_SECRET_PREFIX).unwrap_or(secret);
    match BASE64_STANDARD_LENIENT.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        _ => Err(InvalidSecret::NotStandardWebhooks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::scheme::{HmacAlgorithm, SignatureEncoding};

    #[test]
    fn standard_webhooks_secret_format() {
        let secret = generate_secret(&Scheme::standard_webhooks());
        assert!(secret.starts_with("whsec_"), "{secret}");
        assert_eq!(secret.len(), 6 + 32);
        assert_eq!(decode_standard_webhooks_secret(&secret).unwrap().len(), 24);
        assert_ne!(secret, generate_secret(&Scheme::standard_webhooks()));
        validate_secret(&Scheme::standard_webhooks(), &secret).unwrap();
    }

    #[test]
    fn other_secret_format() {
        let schemes = [
            Scheme::Hmac {
                header: "x-sig".into(),
                algorithm: HmacAlgorithm::Sha256,
                encoding: SignatureEncoding::Hex,
                prefix: None,
            },
            Scheme::BasicAuth { username: "u".into() },
            Scheme::ApiKey {
                header: "x-api-key".into(),
            },
            Scheme::None,
        ];
        for scheme in schemes {
            let secret = generate_secret(&scheme);
            assert_eq!(secret.len(), 43, "{secret}");
            assert!(
                secret
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{secret}"
            );
            assert_eq!(URL_SAFE_NO_PAD.decode(&secret).unwrap().len(), 32);
            assert_ne!(secret, generate_secret(&scheme));
            validate_secret(&scheme, &secret).unwrap();
        }
    }

    #[test]
    fn validation() {
        let sw = Scheme::standard_webhooks();
        assert_eq!(validate_secret(&sw, "whsec_"), Err(InvalidSecret::NotStandardWebhooks));
        assert_eq!(
            validate_secret(&sw, "whsec_not base64"),
            Err(InvalidSecret::NotStandardWebhooks)
        );
        validate_secret(&sw, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let key = Scheme::ApiKey {
            header: "x-api-key".into(),
        };
        assert_eq!(validate_secret(&key, ""), Err(InvalidSecret::Empty));
        validate_secret(&Scheme::None, "").unwrap();
    }

    #[test]
    fn hints() {
        assert_eq!(secret_hint("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "whsec_MfKQ…");
        assert_eq!(secret_hint("q3Vx8yJ0ZpL2mN5bR7tW9aC1dE4fG6hI8jK0lM2nO4p"), "q3Vx…");
        assert_eq!(secret_hint("sixteen-chars-pw"), "si…");
        assert_eq!(secret_hint("short"), "…");
        assert_eq!(secret_hint(""), "…");
        assert_eq!(secret_hint("ééééééééééééééééé"), "éé…");
    }
}
