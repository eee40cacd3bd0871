//! How a source proves that a webhook came from it: the [`Scheme`] an admin picks for a source,
//! stored as JSON.
//!
//! JSON shape (internally tagged by `kind`, snake_case):
//!
//! ```json
//! {"kind": "standard_webhooks", "tolerance_seconds": 300}
//! {"kind": "hmac", "header": "x-hub-signature-256", "algorithm": "sha256", "encoding": "hex", "prefix": "sha256="}
//! {"kind": "basic_auth", "username": "clockify"}
//! {"kind": "api_key", "header": "x-api-key"}
//! {"kind": "none"}
//! ```
//!
//! Parsing is strict: an unknown `kind`, an unknown field, a missing field, an unknown algorithm
//! or encoding, an empty or invalid header name, a username containing `:` or a tolerance outside
//! 1..=[`MAX_TOLERANCE_SECONDS`] all fail. Callers treat a scheme that fails to parse as "reject
//! every request" (fail closed). `tolerance_seconds` may be left out (defaults to
//! [`DEFAULT_TOLERANCE_SECONDS`]); `prefix` may be left out, and an empty prefix means none.

use serde::{Deserialize, Serialize};

/// Default accepted clock difference for Standard Webhooks timestamps (± 5 minutes, as the spec
/// recommends).
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// Largest accepted `tolerance_seconds` (one day); a larger window would make replays too easy.
pub const MAX_TOLERANCE_SECONDS: u64 = 86_400;

/// The verification scheme of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "SchemeRepr")]
pub enum Scheme {
    /// <https://www.standardwebhooks.com>: headers `webhook-id`, `webhook-timestamp` and
    /// `webhook-signature` (space-separated `v1,<base64>` entries; several are allowed, for
    /// rotation on the sender's side). Signed content `{id}.{timestamp}.{body}`, HMAC-SHA256 keyed
    /// with the base64-decoded part of a `whsec_…` secret. The timestamp must be within
    /// ± `tolerance_seconds` of now.
    StandardWebhooks {
        /// Accepted clock difference in seconds, both into the past and into the future.
        #[serde(default = "default_tolerance")]
        tolerance_seconds: u64,
    },
    /// A generic HMAC over the raw body, sent in one header (GitHub, Shopify, many others). The
    /// HMAC key is the secret's UTF-8 bytes, as written.
    Hmac {
        /// Header carrying the signature, e.g. `x-hub-signature-256` (matched case-insensitively).
        header: String,
        /// Hash function of the HMAC.
        algorithm: HmacAlgorithm,
        /// How the MAC is written in the header.
        encoding: SignatureEncoding,
        /// Text in front of the encoded MAC, e.g. `sha256=`; stripped before comparing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
    },
    /// HTTP Basic authentication: the username is fixed here, the password is the secret. Does
    /// not protect the body's integrity (use TLS).
    BasicAuth {
        /// The expected username (may not contain `:`).
        username: String,
    },
    /// A header carrying the secret itself, e.g. `x-api-key`. Does not protect the body's
    /// integrity (use TLS).
    ApiKey {
        /// Header carrying the key (matched case-insensitively).
        header: String,
    },
    /// No verification at all. Only allowed after an explicit confirmation, which the caller
    /// records; [`verify`](super::verify) simply accepts.
    None,
}

/// Hash function of a generic HMAC scheme. JSON: `"sha256"`, `"sha1"`, `"sha512"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HmacAlgorithm {
    /// HMAC-SHA256 (32-byte MAC).
    Sha256,
    /// HMAC-SHA1 (20-byte MAC), for older senders.
    Sha1,
    /// HMAC-SHA512 (64-byte MAC).
    Sha512,
}

impl HmacAlgorithm {
    /// Length of the MAC in bytes.
    pub fn mac_len(self) -> usize {
        match self {
            HmacAlgorithm::Sha256 => 32,
            HmacAlgorithm::Sha1 => 20,
            HmacAlgorithm::Sha512 => 64,
        }
    }
}

/// How a generic HMAC is written in its header. JSON: `"hex"`, `"base64"`.
///
/// When verifying, hex is accepted in either case, and base64 in the standard or URL-safe
/// alphabet, with or without padding. When signing, hex is lower-case and base64 is standard
/// with padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureEncoding {
    /// Hexadecimal.
    Hex,
    /// Base64.
    Base64,
}

impl Scheme {
    /// The Standard Webhooks scheme with the default tolerance.
    pub fn standard_webhooks() -> Self {
        Scheme::StandardWebhooks {
            tolerance_seconds: DEFAULT_TOLERANCE_SECONDS,
        }
    }

    /// The `kind` tag of this scheme as it appears in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Scheme::StandardWebhooks { .. } => "standard_webhooks",
            Scheme::Hmac { .. } => "hmac",
            Scheme::BasicAuth { .. } => "basic_auth",
            Scheme::ApiKey { .. } => "api_key",
            Scheme::None => "none",
        }
    }

    /// Whether this scheme checks a secret at all (everything but [`Scheme::None`]).
    pub fn uses_secret(&self) -> bool {
        !matches!(self, Scheme::None)
    }

    /// Checks the rules that parsing enforces; useful for a scheme built in code. Returns a
    /// readable description of the first problem.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Scheme::StandardWebhooks { tolerance_seconds } => {
                if *tolerance_seconds == 0 || *tolerance_seconds > MAX_TOLERANCE_SECONDS {
                    return Err(format!(
                        "tolerance_seconds must be between 1 and {MAX_TOLERANCE_SECONDS}, got {tolerance_seconds}"
                    ));
                }
            }
            Scheme::Hmac { header, prefix, .. } => {
                validate_header_name(header)?;
                if let Some(prefix) = prefix {
                    if prefix.is_empty() || prefix.len() > 64 || prefix.chars().any(|c| c.is_control()) {
                        return Err("prefix must be 1 to 64 characters without control characters".into());
                    }
                }
            }
            Scheme::BasicAuth { username } => {
                if username.is_empty() || username.len() > 256 {
                    return Err("username must be 1 to 256 characters".into());
                }
                if username.contains(':') || username.chars().any(|c| c.is_control()) {
                    return Err("username may not contain ':' or control characters".into());
                }
            }
            Scheme::ApiKey { header } => validate_header_name(header)?,
            Scheme::None => {}
        }
        Ok(())
    }
}

/// A header name must be a non-empty HTTP token (RFC 9110 `tchar`s), at most 128 characters.
fn validate_header_name(name: &str) -> Result<(), String> {
    let is_tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || name.len() > 128 || !name.chars().all(is_tchar) {
        return Err(format!("{name:?} is not a valid HTTP header name"));
    }
    Ok(())
}

fn default_tolerance() -> u64 {
    DEFAULT_TOLERANCE_SECONDS
}

/// What the JSON literally says; turned into a [`Scheme`] only after validation.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum SchemeRepr {
    StandardWebhooks {
        #[serde(default = "default_tolerance")]
        tolerance_seconds: u64,
    },
    Hmac {
        header: String,
        algorithm: HmacAlgorithm,
        encoding: SignatureEncoding,
        #[serde(default)]
        prefix: Option<String>,
    },
    BasicAuth {
        username: String,
    },
    ApiKey {
        header: String,
    },
    // A struct variant, not a unit one: serde ignores unknown fields next to the tag of a unit
    // variant even with `deny_unknown_fields`.
    None {},
}

impl TryFrom<SchemeRepr> for Scheme {
    type Error = String;

    fn try_from(repr: SchemeRepr) -> Result<Self, String> {
        let scheme = match repr {
            SchemeRepr::StandardWebhooks { tolerance_seconds } => Scheme::StandardWebhooks { tolerance_seconds },
            SchemeRepr::Hmac {
                header,
                algorithm,
                encoding,
                prefix,
            } => Scheme::Hmac {
                header,
                algorithm,
                encoding,
                prefix: prefix.filter(|p| !p.is_empty()),
            },
            SchemeRepr::BasicAuth { username } => Scheme::BasicAuth { username },
            SchemeRepr::ApiKey { header } => Scheme::ApiKey { header },
            SchemeRepr::None {} => Scheme::None,
        };
        scheme.validate()?;
        Ok(scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_schemes() -> Vec<Scheme> {
        vec![
            Scheme::standard_webhooks(),
            Scheme::StandardWebhooks { tolerance_seconds: 60 },
            Scheme::Hmac {
                header: "x-hub-signature-256".into(),
                algorithm: HmacAlgorithm::Sha256,
                encoding: SignatureEncoding::Hex,
                prefix: Some("sha256=".into()),
            },
            Scheme::Hmac {
                header: "X-Shopify-Hmac-Sha256".into(),
                algorithm: HmacAlgorithm::Sha512,
                encoding: SignatureEncoding::Base64,
                prefix: None,
            },
            Scheme::BasicAuth {
                username: "clockify".into(),
            },
            Scheme::ApiKey {
                header: "x-api-key".into(),
            },
            Scheme::None,
        ]
    }

    #[test]
    fn json_round_trip() {
        for scheme in all_schemes() {
            let json = serde_json::to_string(&scheme).unwrap();
            let back: Scheme = serde_json::from_str(&json).unwrap();
            assert_eq!(back, scheme, "{json}");
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["kind"], scheme.kind());
        }
    }

    #[test]
    fn documented_json_shapes_parse() {
        let parse = |s: &str| serde_json::from_str::<Scheme>(s).unwrap();
        assert_eq!(parse(r#"{"kind":"standard_webhooks"}"#), Scheme::standard_webhooks());
        assert_eq!(
            parse(r#"{"kind":"hmac","header":"x-sig","algorithm":"sha1","encoding":"base64","prefix":""}"#),
            Scheme::Hmac {
                header: "x-sig".into(),
                algorithm: HmacAlgorithm::Sha1,
                encoding: SignatureEncoding::Base64,
                prefix: None
            }
        );
        assert_eq!(parse(r#"{"kind":"none"}"#), Scheme::None);
        assert_eq!(
            serde_json::to_string(&Scheme::ApiKey {
                header: "x-api-key".into()
            })
            .unwrap(),
            r#"{"kind":"api_key","header":"x-api-key"}"#
        );
    }

    #[test]
    fn bad_json_fails_to_parse() {
        for bad in [
            r#"{"kind":"stripe"}"#,
            r#"{"kind":"StandardWebhooks"}"#,
            r#"{"tolerance_seconds":300}"#,
            r#"{"kind":"standard_webhooks","tolerance_seconds":0}"#,
            r#"{"kind":"standard_webhooks","tolerance_seconds":-5}"#,
            r#"{"kind":"standard_webhooks","tolerance_seconds":999999}"#,
            r#"{"kind":"standard_webhooks","tolerance":300}"#,
            r#"{"kind":"hmac","header":"x-sig","algorithm":"md5","encoding":"hex"}"#,
            r#"{"kind":"hmac","header":"x-sig","algorithm":"sha256","encoding":"base32"}"#,
            r#"{"kind":"hmac","header":"x-sig","algorithm":"sha256"}"#,
            r#"{"kind":"hmac","header":"","algorithm":"sha256","encoding":"hex"}"#,
            r#"{"kind":"hmac","header":"x sig","algorithm":"sha256","encoding":"hex"}"#,
            r#"{"kind":"hmac","header":"x-sig","algorithm":"sha256","encoding":"hex","extra":1}"#,
            r#"{"kind":"basic_auth","username":"a:b"}"#,
            r#"{"kind":"basic_auth","username":""}"#,
            r#"{"kind":"basic_auth"}"#,
            r#"{"kind":"api_key","header":"x-api-key\n"}"#,
            r#"{"kind":"none","header":"x"}"#,
            r#"{"kind":null}"#,
            r#""none""#,
            r#"[]"#,
        ] {
            assert!(serde_json::from_str::<Scheme>(bad).is_err(), "{bad} parsed");
        }
    }
}
