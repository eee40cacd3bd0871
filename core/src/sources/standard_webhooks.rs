//! The Standard Webhooks scheme (<https://www.standardwebhooks.com>, the format Svix and others
//! send).
//!
//! A request carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`: a
//! space-separated list of `<version>,<signature>` entries. Only `v1` (HMAC-SHA256, base64) is
//! supported; other versions (e.g. the asymmetric `v1a`) are ignored, and the request passes when
//! any `v1` entry matches. The signed content is `{webhook-id}.{webhook-timestamp}.{body}` with
//! the timestamp exactly as sent; the key is the base64-decoded part of the `whsec_…` secret.
//!
//! Written here on `hmac`/`sha2`/`base64` rather than with the `standardwebhooks` crate: that
//! crate's `verify` reads the wall clock itself with a fixed 300 s tolerance (we need an injected
//! `now` and a configurable tolerance), takes an `http::HeaderMap`, refuses bodies that are not
//! UTF-8, and brings a second base64 (0.21) and a second HMAC implementation. Its signing test
//! vector is among the tests below.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret::{decode_standard_webhooks_secret, InvalidSecret, BASE64_STANDARD_LENIENT};
use super::verify::{
    ct_eq_bytes, header_values, missing, single_header, RejectReason, Rejection, Secrets, Verified, WhichSecret,
};

/// Header with the message id.
pub const HEADER_ID: &str = "webhook-id";
/// Header with the Unix timestamp in seconds.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Header with the signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";

const VERSION: &str = "v1";
const MAC_LEN: usize = 32;

/// Signs a message the Standard Webhooks way; returns the `v1,<base64>` value for the
/// `webhook-signature` header. `secret` is `whsec_<base64>` (the prefix may be left out).
pub fn sign_standard_webhooks(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, InvalidSecret> {
    let key = decode_standard_webhooks_secret(secret)?;
    let mac = mac(&key, id, &timestamp.to_string(), body);
    Ok(format!(
        "{VERSION},{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, mac)
    ))
}

fn mac(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> [u8; MAC_LEN] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

pub(super) fn verify(
    tolerance_seconds: u64,
    secrets: Secrets<'_>,
    headers: &[(String, String)],
    body: &[u8],
    now: i64,
) -> Result<Verified, Rejection> {
    let keys: Vec<(WhichSecret, Vec<u8>)> = secrets
        .candidates()
        .filter_map(|(which, secret)| decode_standard_webhooks_secret(secret).ok().map(|key| (which, key)))
        .collect();
    if keys.is_empty() {
        return Err(Rejection::new(
            RejectReason::Misconfigured,
            "the source has no valid Standard Webhooks secret (whsec_ followed by base64)",
        ));
    }

    let id = single_header(headers, HEADER_ID)?;
    let timestamp_text = single_header(headers, HEADER_TIMESTAMP)?;
    if header_values(headers, HEADER_SIGNATURE).next().is_none() {
        return Err(missing(HEADER_SIGNATURE));
    }

    let timestamp = parse_timestamp(timestamp_text)?;
    check_timestamp(timestamp, now, tolerance_seconds)?;

    // Every `version,value` entry of every webhook-signature header.
    let mut entries = 0usize;
    let mut v1_entries = 0usize;
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    for entry in header_values(headers, HEADER_SIGNATURE).flat_map(str::split_ascii_whitespace) {
        let Some((version, value)) = entry.split_once(',') else {
            continue;
        };
        entries += 1;
        if version != VERSION {
            continue;
        }
        v1_entries += 1;
        if let Ok(bytes) = base64::Engine::decode(&BASE64_STANDARD_LENIENT, value) {
            if bytes.len() == MAC_LEN {
                candidates.push(bytes);
            }
        }
    }
    if entries == 0 {
        return Err(Rejection::new(
            RejectReason::Malformed,
            format!("{HEADER_SIGNATURE} has no entries of the form v1,<base64>"),
        ));
    }
    if v1_entries == 0 {
        return Err(Rejection::new(
            RejectReason::BadSignature,
            format!("{HEADER_SIGNATURE} has no v1 signature (other versions are not supported)"),
        ));
    }
    if candidates.is_empty() {
        return Err(Rejection::new(
            RejectReason::Malformed,
            format!("no v1 entry of {HEADER_SIGNATURE} is the base64 of a {MAC_LEN}-byte HMAC-SHA256"),
        ));
    }

    for (which, key) in &keys {
        let expected = mac(key, id, timestamp_text, body);
        // Compare against every candidate without stopping early.
        let matched = candidates
            .iter()
            .fold(false, |found, c| ct_eq_bytes(c, &expected) | found);
        if matched {
            return Ok(Verified {
                message_id: Some(id.to_owned()),
                secret_used: Some(*which),
            });
        }
    }
    Err(Rejection::new(
        RejectReason::BadSignature,
        format!("no v1 signature in {HEADER_SIGNATURE} matches the source's secret"),
    ))
}

/// Unix seconds as plain ASCII digits (what the spec sends); anything else is malformed.
fn parse_timestamp(text: &str) -> Result<i64, Rejection> {
    let malformed = || {
        Rejection::new(
            RejectReason::Malformed,
            format!("{HEADER_TIMESTAMP} is not a Unix timestamp in seconds"),
        )
    };
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    text.parse::<i64>().map_err(|_| malformed())
}

fn check_timestamp(timestamp: i64, now: i64, tolerance_seconds: u64) -> Result<(), Rejection> {
    let difference = now.abs_diff(timestamp);
    if difference <= tolerance_seconds {
        return Ok(());
    }
    let direction = if timestamp < now {
        "in the past"
    } else {
        "in the future"
    };
    Err(Rejection::new(
        RejectReason::StaleTimestamp,
        format!("{HEADER_TIMESTAMP} is {difference} seconds {direction}; at most {tolerance_seconds} are accepted"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{verify as verify_request, Scheme};

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const OTHER_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"type":"invoice.paid","id":42}"#;

    fn scheme() -> Scheme {
        Scheme::standard_webhooks()
    }

    fn headers(id: &str, timestamp: &str, signature: &str) -> Vec<(String, String)> {
        vec![
            (HEADER_ID.into(), id.into()),
            (HEADER_TIMESTAMP.into(), timestamp.into()),
            (HEADER_SIGNATURE.into(), signature.into()),
            ("content-type".into(), "application/json".into()),
        ]
    }

    fn signed(secret: &str, timestamp: i64, body: &[u8]) -> Vec<(String, String)> {
        let signature = sign_standard_webhooks(secret, "msg_1", timestamp, body).unwrap();
        headers("msg_1", &timestamp.to_string(), &signature)
    }

    fn check(secrets: Secrets<'_>, headers: &[(String, String)], body: &[u8], now: i64) -> Result<Verified, Rejection> {
        verify_request(&scheme(), secrets, headers, body, now)
    }

    fn reason(result: Result<Verified, Rejection>) -> RejectReason {
        result.expect_err("expected a rejection").reason
    }

    /// The example of the Standard Webhooks specification (and of Svix's documentation).
    /// Checked independently with:
    /// `python3 -c 'import hmac,hashlib,base64; k=base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    ///  print(base64.b64encode(hmac.new(k,b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}",
    ///  hashlib.sha256).digest()).decode())'`
    #[test]
    fn spec_test_vector() {
        let signature = sign_standard_webhooks(
            SECRET,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let hs = headers("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &signature);
        let ok = check(
            Secrets::current(SECRET),
            &hs,
            br#"{"test": 2432232314}"#,
            1614265330 + 10,
        )
        .unwrap();
        assert_eq!(ok.message_id.as_deref(), Some("msg_p5jXN8AQM9LWM0D4loKWxJek"));
    }

    /// The signing test of the reference Rust library in the standard-webhooks repository
    /// (`libraries/rust`, `test_sign`); also checked with Python's `hmac` as above.
    #[test]
    fn reference_library_test_vector() {
        let signature = sign_standard_webhooks(
            OTHER_SECRET,
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn valid_request_is_accepted() {
        let ok = check(Secrets::current(SECRET), &signed(SECRET, NOW, BODY), BODY, NOW).unwrap();
        assert_eq!(
            ok,
            Verified {
                message_id: Some("msg_1".into()),
                secret_used: Some(WhichSecret::Current)
            }
        );
        // Upper-case header names and surrounding whitespace are fine too.
        let shouting: Vec<_> = signed(SECRET, NOW, BODY)
            .into_iter()
            .map(|(n, v)| (n.to_uppercase(), format!(" {v} ")))
            .collect();
        check(Secrets::current(SECRET), &shouting, BODY, NOW).unwrap();
        // The secret without its whsec_ prefix works as well.
        check(
            Secrets::current(&SECRET["whsec_".len()..]),
            &signed(SECRET, NOW, BODY),
            BODY,
            NOW,
        )
        .unwrap();
    }

    #[test]
    fn tampered_body_is_rejected() {
        let hs = signed(SECRET, NOW, BODY);
        let err = check(
            Secrets::current(SECRET),
            &hs,
            br#"{"type":"invoice.paid","id":43}"#,
            NOW,
        )
        .unwrap_err();
        assert_eq!(err.reason, RejectReason::BadSignature);
        assert!(!err.message.contains(SECRET) && !err.message.contains(&SECRET[6..]));
        let expected = sign_standard_webhooks(SECRET, "msg_1", NOW, br#"{"type":"invoice.paid","id":43}"#).unwrap();
        assert!(!err.message.contains(&expected[3..]), "the expected signature leaked");
    }

    #[test]
    fn tampered_id_or_timestamp_is_rejected() {
        let signature = sign_standard_webhooks(SECRET, "msg_1", NOW, BODY).unwrap();
        let hs = headers("msg_2", &NOW.to_string(), &signature);
        assert_eq!(
            reason(check(Secrets::current(SECRET), &hs, BODY, NOW)),
            RejectReason::BadSignature
        );
        let hs = headers("msg_1", &(NOW + 1).to_string(), &signature);
        assert_eq!(
            reason(check(Secrets::current(SECRET), &hs, BODY, NOW)),
            RejectReason::BadSignature
        );
    }

    #[test]
    fn wrong_secret_is_rejected() {
        let hs = signed(OTHER_SECRET, NOW, BODY);
        assert_eq!(
            reason(check(Secrets::current(SECRET), &hs, BODY, NOW)),
            RejectReason::BadSignature
        );
    }

    #[test]
    fn missing_headers_are_rejected() {
        for name in [HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE] {
            let hs: Vec<_> = signed(SECRET, NOW, BODY)
                .into_iter()
                .filter(|(n, _)| n != name)
                .collect();
            let err = check(Secrets::current(SECRET), &hs, BODY, NOW).unwrap_err();
            assert_eq!(err.reason, RejectReason::MissingHeader, "{name}");
            assert_eq!(err.code(), "missing_signature");
            assert!(err.message.contains(name), "{}", err.message);
        }
        let hs = headers("msg_1", &NOW.to_string(), "   ");
        assert_eq!(
            reason(check(Secrets::current(SECRET), &hs, BODY, NOW)),
            RejectReason::MissingHeader
        );
    }

    #[test]
    fn stale_timestamps_are_rejected() {
        for offset in [-360, 360] {
            let hs = signed(SECRET, NOW + offset, BODY);
            let err = check(Secrets::current(SECRET), &hs, BODY, NOW).unwrap_err();
            assert_eq!(err.reason, RejectReason::StaleTimestamp, "{offset}");
            assert_eq!(err.code(), "stale_timestamp");
            assert!(err.message.contains("360 seconds"), "{}", err.message);
        }
        // The edges of the tolerance are still fine.
        for offset in [-300, 300] {
            check(Secrets::current(SECRET), &signed(SECRET, NOW + offset, BODY), BODY, NOW).unwrap();
        }
        // The tolerance is configurable.
        let strict = Scheme::StandardWebhooks { tolerance_seconds: 30 };
        let hs = signed(SECRET, NOW - 60, BODY);
        let err = verify_request(&strict, Secrets::current(SECRET), &hs, BODY, NOW).unwrap_err();
        assert_eq!(err.reason, RejectReason::StaleTimestamp);
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        let signature = sign_standard_webhooks(SECRET, "msg_1", NOW, BODY).unwrap();
        for ts in [
            "soon",
            "-1700000000",
            "+1700000000",
            "1700000000.5",
            "1e9",
            "99999999999999999999",
        ] {
            let err = check(Secrets::current(SECRET), &headers("msg_1", ts, &signature), BODY, NOW).unwrap_err();
            assert_eq!(err.reason, RejectReason::Malformed, "{ts}");
        }
    }

    #[test]
    fn several_signatures_one_matching_is_accepted() {
        let good = sign_standard_webhooks(SECRET, "msg_1", NOW, BODY).unwrap();
        let other = sign_standard_webhooks(OTHER_SECRET, "msg_1", NOW, BODY).unwrap();
        let list = format!("v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ= {other}  {good} v1,bm90LWEtbWFj");
        check(
            Secrets::current(SECRET),
            &headers("msg_1", &NOW.to_string(), &list),
            BODY,
            NOW,
        )
        .unwrap();
        // Spread over two webhook-signature headers.
        let mut hs = headers("msg_1", &NOW.to_string(), &other);
        hs.push((HEADER_SIGNATURE.into(), good.clone()));
        check(Secrets::current(SECRET), &hs, BODY, NOW).unwrap();
        // None of several matching.
        let list = format!("{other} v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ=");
        let hs = headers("msg_1", &NOW.to_string(), &list);
        assert_eq!(
            reason(check(Secrets::current(SECRET), &hs, BODY, NOW)),
            RejectReason::BadSignature
        );
    }

    #[test]
    fn other_versions_are_ignored() {
        let good = sign_standard_webhooks(SECRET, "msg_1", NOW, BODY).unwrap();
        let value = &good[3..];
        // A matching value under another version does not count...
        let hs = headers("msg_1", &NOW.to_string(), &format!("v2,{value} v1a,{value}"));
        let err = check(Secrets::current(SECRET), &hs, BODY, NOW).unwrap_err();
        assert_eq!(err.reason, RejectReason::BadSignature);
        assert!(err.message.contains("no v1 signature"), "{}", err.message);
        // ...and does not stop a v1 entry from matching.
        let hs = headers("msg_1", &NOW.to_string(), &format!("v1a,c29tZXRoaW5n {good}"));
        check(Secrets::current(SECRET), &hs, BODY, NOW).unwrap();
    }

    #[test]
    fn malformed_signatures_are_rejected() {
        for value in [
            "garbage",
            "v1",
            "v1,",
            "v1,!!!not base64!!!",
            "v1,dG9vIHNob3J0",
            "v1;abc",
        ] {
            let hs = headers("msg_1", &NOW.to_string(), value);
            let err = check(Secrets::current(SECRET), &hs, BODY, NOW).unwrap_err();
            assert_eq!(err.reason, RejectReason::Malformed, "{value}");
            assert_eq!(err.code(), "malformed_signature");
        }
    }

    #[test]
    fn previous_secret_is_accepted_during_rotation() {
        let hs = signed(OTHER_SECRET, NOW, BODY);
        let ok = check(Secrets::rotating(SECRET, OTHER_SECRET), &hs, BODY, NOW).unwrap();
        assert_eq!(ok.secret_used, Some(WhichSecret::Previous));
        let ok = check(
            Secrets::rotating(SECRET, OTHER_SECRET),
            &signed(SECRET, NOW, BODY),
            BODY,
            NOW,
        )
        .unwrap();
        assert_eq!(ok.secret_used, Some(WhichSecret::Current));
        // After the grace period the caller passes no previous secret.
        assert_eq!(
            reason(check(Secrets::current(SECRET), &hs, BODY, NOW)),
            RejectReason::BadSignature
        );
    }

    #[test]
    fn invalid_secrets() {
        assert!(sign_standard_webhooks("whsec_!!!", "id", NOW, BODY).is_err());
        assert!(sign_standard_webhooks("whsec_", "id", NOW, BODY).is_err());
        let hs = signed(SECRET, NOW, BODY);
        assert_eq!(
            reason(check(Secrets::current("whsec_!!!"), &hs, BODY, NOW)),
            RejectReason::Misconfigured
        );
        // A broken current secret does not stop a valid previous one.
        let ok = check(Secrets::rotating("whsec_!!!", SECRET), &hs, BODY, NOW).unwrap();
        assert_eq!(ok.secret_used, Some(WhichSecret::Previous));
    }

    #[test]
    fn conflicting_duplicate_ids_are_malformed() {
        let mut hs = signed(SECRET, NOW, BODY);
        hs.push((HEADER_ID.into(), "msg_other".into()));
        assert_eq!(
            reason(check(Secrets::current(SECRET), &hs, BODY, NOW)),
            RejectReason::Malformed
        );
    }

    #[test]
    fn binary_bodies_are_signed_as_bytes() {
        let body = [0xff, 0x00, 0xfe, b'.'];
        check(Secrets::current(SECRET), &signed(SECRET, NOW, &body), &body, NOW).unwrap();
    }
}
