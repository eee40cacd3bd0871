//! Schemes where the request carries the secret itself rather than a signature: HTTP Basic
//! authentication (fixed username, the secret as password) and an API key header. Neither
//! protects the body's integrity; that rests on TLS.

use super::secret::BASE64_STANDARD_LENIENT;
use super::verify::{ct_eq_secret, no_secret, single_header, RejectReason, Rejection, Secrets, Verified};

/// Header carrying HTTP Basic credentials.
pub const AUTHORIZATION: &str = "authorization";

/// The `authorization` value for HTTP Basic: `Basic base64(username:password)`.
pub fn basic_authorization(username: &str, password: &str) -> String {
    let credentials = format!("{username}:{password}");
    format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, credentials)
    )
}

pub(super) fn verify_basic_auth(
    username: &str,
    secrets: Secrets<'_>,
    headers: &[(String, String)],
) -> Result<Verified, Rejection> {
    if secrets.candidates().next().is_none() {
        return Err(no_secret());
    }
    let value = single_header(headers, AUTHORIZATION)?;
    let malformed = |what: &str| Rejection::new(RejectReason::Malformed, format!("header {AUTHORIZATION} {what}"));
    let (auth_scheme, encoded) = value
        .split_once(' ')
        .ok_or_else(|| malformed("is not HTTP Basic credentials"))?;
    if !auth_scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed("is not HTTP Basic credentials"));
    }
    let decoded = base64::Engine::decode(&BASE64_STANDARD_LENIENT, encoded.trim())
        .map_err(|_| malformed("does not hold base64 credentials"))?;
    let colon = decoded
        .iter()
        .position(|&b| b == b':')
        .ok_or_else(|| malformed("has no username:password"))?;
    let (given_user, given_password) = (&decoded[..colon], &decoded[colon + 1..]);

    let user_ok = ct_eq_secret(given_user, username.as_bytes());
    for (which, secret) in secrets.candidates() {
        // `&`, not `&&`: the password is compared whether or not the username matched.
        if ct_eq_secret(given_password, secret.as_bytes()) & user_ok {
            return Ok(Verified {
                message_id: None,
                secret_used: Some(which),
            });
        }
    }
    Err(Rejection::new(
        RejectReason::WrongCredentials,
        "wrong username or password",
    ))
}

pub(super) fn verify_api_key(
    header: &str,
    secrets: Secrets<'_>,
    headers: &[(String, String)],
) -> Result<Verified, Rejection> {
    if secrets.candidates().next().is_none() {
        return Err(no_secret());
    }
    let given = single_header(headers, header)?;
    for (which, secret) in secrets.candidates() {
        if ct_eq_secret(given.as_bytes(), secret.as_bytes()) {
            return Ok(Verified {
                message_id: None,
                secret_used: Some(which),
            });
        }
    }
    Err(Rejection::new(
        RejectReason::WrongCredentials,
        format!("the key in header {header} is wrong"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{verify, Scheme, WhichSecret};

    const PASSWORD: &str = "correct horse battery staple";
    const BODY: &[u8] = b"{\"a\":1}";

    fn basic() -> Scheme {
        Scheme::BasicAuth {
            username: "clockify".into(),
        }
    }

    fn api_key() -> Scheme {
        Scheme::ApiKey {
            header: "X-Api-Key".into(),
        }
    }

    fn auth(value: &str) -> Vec<(String, String)> {
        vec![(AUTHORIZATION.into(), value.into())]
    }

    fn reason(result: Result<Verified, Rejection>) -> RejectReason {
        result.expect_err("expected a rejection").reason
    }

    #[test]
    fn basic_auth_valid() {
        let value = basic_authorization("clockify", PASSWORD);
        // RFC 7617's example shape: "Basic " + base64("user:pass").
        assert_eq!(
            basic_authorization("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        let ok = verify(&basic(), Secrets::current(PASSWORD), &auth(&value), BODY, 0).unwrap();
        assert_eq!(
            ok,
            Verified {
                message_id: None,
                secret_used: Some(WhichSecret::Current)
            }
        );
        // Scheme name in any case, padding optional, a password containing ':'.
        let value = format!("bAsIc {}", value["Basic ".len()..].trim_end_matches('='));
        verify(&basic(), Secrets::current(PASSWORD), &auth(&value), BODY, 0).unwrap();
        let value = basic_authorization("clockify", "pa:ss");
        verify(&basic(), Secrets::current("pa:ss"), &auth(&value), BODY, 0).unwrap();
    }

    #[test]
    fn basic_auth_body_is_not_authenticated() {
        // Credentials say nothing about the body: a changed body with valid credentials passes.
        let value = basic_authorization("clockify", PASSWORD);
        verify(
            &basic(),
            Secrets::current(PASSWORD),
            &auth(&value),
            b"something else",
            0,
        )
        .unwrap();
    }

    #[test]
    fn basic_auth_wrong_username_or_password() {
        for (user, password) in [
            ("clockify", "wrong"),
            ("someone", PASSWORD),
            ("someone", "wrong"),
            ("", ""),
        ] {
            let value = basic_authorization(user, password);
            let err = verify(&basic(), Secrets::current(PASSWORD), &auth(&value), BODY, 0).unwrap_err();
            assert_eq!(err.reason, RejectReason::WrongCredentials, "{user}:{password}");
            assert_eq!(err.code(), "wrong_credentials");
            assert!(!err.message.contains(PASSWORD));
        }
    }

    #[test]
    fn basic_auth_missing_and_malformed() {
        let err = verify(&basic(), Secrets::current(PASSWORD), &[], BODY, 0).unwrap_err();
        assert_eq!(err.code(), "missing_signature");
        for value in [
            "Bearer abc",
            "Basic",
            "Basic !!!",
            "Basic bm8tY29sb24=",
            "Digest username=x",
        ] {
            let result = verify(&basic(), Secrets::current(PASSWORD), &auth(value), BODY, 0);
            assert_eq!(reason(result), RejectReason::Malformed, "{value}");
        }
    }

    #[test]
    fn basic_auth_rotation() {
        let old = basic_authorization("clockify", "old password");
        let ok = verify(
            &basic(),
            Secrets::rotating(PASSWORD, "old password"),
            &auth(&old),
            BODY,
            0,
        )
        .unwrap();
        assert_eq!(ok.secret_used, Some(WhichSecret::Previous));
        let result = verify(&basic(), Secrets::current(PASSWORD), &auth(&old), BODY, 0);
        assert_eq!(reason(result), RejectReason::WrongCredentials);
    }

    #[test]
    fn api_key_valid_wrong_missing() {
        let headers = vec![("x-api-key".to_string(), PASSWORD.to_string())];
        let ok = verify(&api_key(), Secrets::current(PASSWORD), &headers, BODY, 0).unwrap();
        assert_eq!(ok.secret_used, Some(WhichSecret::Current));
        // The body is not covered.
        verify(&api_key(), Secrets::current(PASSWORD), &headers, b"other", 0).unwrap();

        let wrong = vec![("x-api-key".to_string(), "correct horse battery stapl".to_string())];
        let err = verify(&api_key(), Secrets::current(PASSWORD), &wrong, BODY, 0).unwrap_err();
        assert_eq!(err.code(), "wrong_credentials");
        assert!(!err.message.contains(PASSWORD));
        let result = verify(&api_key(), Secrets::current("another key"), &headers, BODY, 0);
        assert_eq!(reason(result), RejectReason::WrongCredentials);

        let err = verify(&api_key(), Secrets::current(PASSWORD), &auth(PASSWORD), BODY, 0).unwrap_err();
        assert_eq!(err.code(), "missing_signature");
        assert!(err.message.contains("X-Api-Key"), "{}", err.message);
    }

    #[test]
    fn api_key_rotation() {
        let headers = vec![("x-api-key".to_string(), "old key".to_string())];
        let ok = verify(&api_key(), Secrets::rotating(PASSWORD, "old key"), &headers, BODY, 0).unwrap();
        assert_eq!(ok.secret_used, Some(WhichSecret::Previous));
    }
}
