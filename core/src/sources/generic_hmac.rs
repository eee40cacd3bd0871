//! The generic HMAC scheme: one header carrying an HMAC of the raw body, as GitHub
//! (`x-hub-signature-256: sha256=<hex>`), Shopify (`x-shopify-hmac-sha256: <base64>`) and many
//! others send it. The key is the secret's UTF-8 bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::scheme::{HmacAlgorithm, SignatureEncoding};
use super::secret::{BASE64_STANDARD_LENIENT, BASE64_URL_SAFE_LENIENT};
use super::verify::{ct_eq_bytes, no_secret, single_header, RejectReason, Rejection, Secrets, Verified};
use crate::hex;

/// The header value a sender would put in the scheme's header: `prefix` (if any) followed by the
/// HMAC of `body` keyed with `secret`'s bytes, as lower-case hex or standard padded base64.
pub fn sign_hmac(
    algorithm: HmacAlgorithm,
    encoding: SignatureEncoding,
    prefix: Option<&str>,
    secret: &str,
    body: &[u8],
) -> String {
    let mac = compute(algorithm, secret.as_bytes(), body);
    let encoded = match encoding {
        SignatureEncoding::Hex => hex::encode(&mac),
        SignatureEncoding::Base64 => STANDARD.encode(&mac),
    };
    format!("{}{encoded}", prefix.unwrap_or(""))
}

fn compute(algorithm: HmacAlgorithm, key: &[u8], body: &[u8]) -> Vec<u8> {
    const ANY_KEY: &str = "HMAC accepts keys of any length";
    match algorithm {
        HmacAlgorithm::Sha256 => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect(ANY_KEY);
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        HmacAlgorithm::Sha1 => {
            let mut mac = Hmac::<Sha1>::new_from_slice(key).expect(ANY_KEY);
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        HmacAlgorithm::Sha512 => {
            let mut mac = Hmac::<Sha512>::new_from_slice(key).expect(ANY_KEY);
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
    }
}

fn algorithm_name(algorithm: HmacAlgorithm) -> &'static str {
    match algorithm {
        HmacAlgorithm::Sha256 => "HMAC-SHA256",
        HmacAlgorithm::Sha1 => "HMAC-SHA1",
        HmacAlgorithm::Sha512 => "HMAC-SHA512",
    }
}

pub(super) fn verify(
    header: &str,
    algorithm: HmacAlgorithm,
    encoding: SignatureEncoding,
    prefix: Option<&str>,
    secrets: Secrets<'_>,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Verified, Rejection> {
    if secrets.candidates().next().is_none() {
        return Err(no_secret());
    }
    let value = single_header(headers, header)?;
    let encoded = match prefix {
        Some(prefix) => strip_prefix_ignore_case(value, prefix).ok_or_else(|| {
            Rejection::new(
                RejectReason::Malformed,
                format!("header {header} does not start with {prefix:?}"),
            )
        })?,
        None => value,
    };
    let decoded = match encoding {
        SignatureEncoding::Hex => hex::decode(encoded),
        SignatureEncoding::Base64 => BASE64_STANDARD_LENIENT
            .decode(encoded)
            .or_else(|_| BASE64_URL_SAFE_LENIENT.decode(encoded))
            .ok(),
    };
    let Some(signature) = decoded else {
        let what = match encoding {
            SignatureEncoding::Hex => "hex",
            SignatureEncoding::Base64 => "base64",
        };
        return Err(Rejection::new(
            RejectReason::Malformed,
            format!("header {header} is not {what}"),
        ));
    };
    if signature.len() != algorithm.mac_len() {
        return Err(Rejection::new(
            RejectReason::Malformed,
            format!(
                "header {header} holds {} bytes; an {} has {}",
                signature.len(),
                algorithm_name(algorithm),
                algorithm.mac_len()
            ),
        ));
    }
    for (which, secret) in secrets.candidates() {
        if ct_eq_bytes(&signature, &compute(algorithm, secret.as_bytes(), body)) {
            return Ok(Verified {
                message_id: None,
                secret_used: Some(which),
            });
        }
    }
    Err(Rejection::new(
        RejectReason::BadSignature,
        format!(
            "the {} in header {header} does not match the source's secret",
            algorithm_name(algorithm)
        ),
    ))
}

fn strip_prefix_ignore_case<'v>(value: &'v str, prefix: &str) -> Option<&'v str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &value[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{verify as verify_request, Scheme, WhichSecret};

    const SECRET: &str = "It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const ALGORITHMS: [HmacAlgorithm; 3] = [HmacAlgorithm::Sha256, HmacAlgorithm::Sha1, HmacAlgorithm::Sha512];
    const ENCODINGS: [SignatureEncoding; 2] = [SignatureEncoding::Hex, SignatureEncoding::Base64];

    fn scheme(algorithm: HmacAlgorithm, encoding: SignatureEncoding, prefix: Option<&str>) -> Scheme {
        Scheme::Hmac {
            header: "x-signature".into(),
            algorithm,
            encoding,
            prefix: prefix.map(str::to_owned),
        }
    }

    fn with_header(value: &str) -> Vec<(String, String)> {
        vec![
            ("x-signature".into(), value.into()),
            ("content-type".into(), "text/plain".into()),
        ]
    }

    fn check(scheme: &Scheme, secrets: Secrets<'_>, value: &str, body: &[u8]) -> Result<Verified, Rejection> {
        verify_request(scheme, secrets, &with_header(value), body, 0)
    }

    /// GitHub's documented example (docs "Validating webhook deliveries"): secret
    /// "It's a Secret to Everybody", payload "Hello, World!". Also checked with
    /// `python3 -c 'import hmac,hashlib; print(hmac.new(b"It'"'"'s a Secret to Everybody", b"Hello, World!",
    ///  hashlib.sha256).hexdigest())'`.
    #[test]
    fn github_example_vector() {
        let value = sign_hmac(
            HmacAlgorithm::Sha256,
            SignatureEncoding::Hex,
            Some("sha256="),
            SECRET,
            BODY,
        );
        assert_eq!(
            value,
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
        let github = Scheme::Hmac {
            header: "X-Hub-Signature-256".into(),
            algorithm: HmacAlgorithm::Sha256,
            encoding: SignatureEncoding::Hex,
            prefix: Some("sha256=".into()),
        };
        let headers = vec![("x-hub-signature-256".to_string(), value)];
        verify_request(&github, Secrets::current(SECRET), &headers, BODY, 0).unwrap();
    }

    /// SHA-1 and SHA-512 (hex and base64) of the same input, computed with
    /// `python3 -c 'import hmac,hashlib,base64; [print(hmac.new(b"It'"'"'s a Secret to Everybody", b"Hello, World!",
    ///  h).hexdigest(), base64.b64encode(hmac.new(b"It'"'"'s a Secret to Everybody", b"Hello, World!",
    ///  h).digest()).decode()) for h in (hashlib.sha1, hashlib.sha256, hashlib.sha512)]'`
    #[test]
    fn python_vectors() {
        for (algorithm, hex, b64) in PYTHON_VECTORS {
            assert_eq!(sign_hmac(algorithm, SignatureEncoding::Hex, None, SECRET, BODY), hex);
            assert_eq!(sign_hmac(algorithm, SignatureEncoding::Base64, None, SECRET, BODY), b64);
        }
    }

    const PYTHON_VECTORS: [(HmacAlgorithm, &str, &str); 3] = [
        (HmacAlgorithm::Sha1, PY_SHA1_HEX, PY_SHA1_B64),
        (HmacAlgorithm::Sha256, PY_SHA256_HEX, PY_SHA256_B64),
        (HmacAlgorithm::Sha512, PY_SHA512_HEX, PY_SHA512_B64),
    ];
    const PY_SHA1_HEX: &str = "01dc10d0c83e72ed246219cdd91669667fe2ca59";
    const PY_SHA1_B64: &str = "AdwQ0Mg+cu0kYhnN2RZpZn/iylk=";
    const PY_SHA256_HEX: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const PY_SHA256_B64: &str = "dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=";
    const PY_SHA512_HEX: &str = "11ed355a617e98134e842012a7944ccf59c10256cb182357bd7e3a42013ff07c376f8c14cf5cc1923da20b51d64256b2fb8ebbf100aa67a61326f61fea8111bc";
    const PY_SHA512_B64: &str =
        "Ee01WmF+mBNOhCASp5RMz1nBAlbLGCNXvX46QgE/8Hw3b4wUz1zBkj2iC1HWQlay+4678QCqZ6YTJvYf6oERvA==";

    #[test]
    fn every_algorithm_encoding_and_prefix() {
        for algorithm in ALGORITHMS {
            for encoding in ENCODINGS {
                for prefix in [None, Some("sha256=")] {
                    let scheme = scheme(algorithm, encoding, prefix);
                    let label = format!("{algorithm:?}/{encoding:?}/{prefix:?}");
                    let value = sign_hmac(algorithm, encoding, prefix, SECRET, BODY);

                    // Valid.
                    let ok = check(&scheme, Secrets::current(SECRET), &value, BODY).expect(&label);
                    assert_eq!(
                        ok,
                        Verified {
                            message_id: None,
                            secret_used: Some(WhichSecret::Current)
                        }
                    );

                    // Tampered body.
                    let err = check(&scheme, Secrets::current(SECRET), &value, b"Hello, World?").unwrap_err();
                    assert_eq!(err.reason, RejectReason::BadSignature, "{label}");
                    assert!(!err.message.contains(SECRET), "{label}: {}", err.message);
                    let expected = sign_hmac(algorithm, encoding, None, SECRET, b"Hello, World?");
                    assert!(!err.message.contains(&expected), "{label}: expected signature leaked");

                    // Wrong secret.
                    let err = check(&scheme, Secrets::current("another secret"), &value, BODY).unwrap_err();
                    assert_eq!(err.reason, RejectReason::BadSignature, "{label}");

                    // Missing header.
                    let err = verify_request(&scheme, Secrets::current(SECRET), &[], BODY, 0).unwrap_err();
                    assert_eq!(err.code(), "missing_signature", "{label}");
                    assert!(err.message.contains("x-signature"), "{label}");

                    // Previous secret during rotation.
                    let ok = check(&scheme, Secrets::rotating("new secret", SECRET), &value, BODY).expect(&label);
                    assert_eq!(ok.secret_used, Some(WhichSecret::Previous), "{label}");

                    // A prefix that is configured must be there; one that is not configured may not.
                    let other = match prefix {
                        Some(p) => value[p.len()..].to_string(),
                        None => format!("sha256={value}"),
                    };
                    let err = check(&scheme, Secrets::current(SECRET), &other, BODY).unwrap_err();
                    assert_eq!(err.reason, RejectReason::Malformed, "{label}");
                }
            }
        }
    }

    #[test]
    fn upper_case_hex_and_prefix_are_accepted() {
        let scheme = scheme(HmacAlgorithm::Sha256, SignatureEncoding::Hex, Some("sha256="));
        let value = sign_hmac(
            HmacAlgorithm::Sha256,
            SignatureEncoding::Hex,
            Some("sha256="),
            SECRET,
            BODY,
        );
        let upper = format!("sha256={}", value["sha256=".len()..].to_uppercase());
        assert_ne!(upper, value);
        check(&scheme, Secrets::current(SECRET), &upper, BODY).unwrap();
        check(&scheme, Secrets::current(SECRET), &value.to_uppercase(), BODY).unwrap();
    }

    #[test]
    fn base64_variants_are_accepted() {
        let scheme = scheme(HmacAlgorithm::Sha512, SignatureEncoding::Base64, None);
        let standard = sign_hmac(HmacAlgorithm::Sha512, SignatureEncoding::Base64, None, SECRET, BODY);
        let mac = STANDARD.decode(&standard).unwrap();
        for value in [
            standard.clone(),
            standard.trim_end_matches('=').to_string(),
            base64::engine::general_purpose::URL_SAFE.encode(&mac),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&mac),
        ] {
            check(&scheme, Secrets::current(SECRET), &value, BODY).unwrap();
        }
    }

    #[test]
    fn malformed_values() {
        let hex = scheme(HmacAlgorithm::Sha256, SignatureEncoding::Hex, None);
        let b64 = scheme(HmacAlgorithm::Sha256, SignatureEncoding::Base64, None);
        let sha1_value = sign_hmac(HmacAlgorithm::Sha1, SignatureEncoding::Hex, None, SECRET, BODY);
        for (scheme, value) in [
            (&hex, "zz"),
            (&hex, "abc"),
            (&hex, "é5"),
            (&hex, sha1_value.as_str()),
            (&b64, "!!!"),
            (&b64, "dG9vIHNob3J0"),
        ] {
            let err = check(scheme, Secrets::current(SECRET), value, BODY).unwrap_err();
            assert_eq!(err.code(), "malformed_signature", "{value}");
        }
        let err = check(&hex, Secrets::current(SECRET), &sha1_value, BODY).unwrap_err();
        assert!(err.message.contains("20 bytes"), "{}", err.message);
    }

    #[test]
    fn prefixes_match_in_either_case() {
        assert_eq!(strip_prefix_ignore_case("SHA256=ab", "sha256="), Some("ab"));
        assert_eq!(strip_prefix_ignore_case("é", "sha256="), None);
        assert_eq!(strip_prefix_ignore_case("sha2éé", "sha256="), None);
    }
}
