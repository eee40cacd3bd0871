//! What each rejection reason means for the admin reading the webhook log, and what to check.
//! Rejected deliveries are counted by source and reason (`webhook_rejections`), never stored,
//! so this explanation is all the log can say about them.

/// A readable explanation of a rejection `reason` code, with what to check.
pub fn explain(reason: &str) -> &'static str {
    match reason {
        "missing_signature" => {
            "The request carried no signature (or credentials). Check that the sender signs its webhooks and which header it uses."
        }
        "bad_signature" => {
            "The signature did not match. The sender signs with another secret (was it rotated?) or the body changed on the way."
        }
        "stale_timestamp" => {
            "The signed timestamp is too far from now: a late retry, a replayed request, or a sender whose clock is off."
        }
        "malformed_signature" => {
            "The signature header is not in the format the scheme expects (Standard Webhooks: v1,<base64>)."
        }
        "wrong_credentials" => "The username, password or API key does not match this source's.",
        "source_misconfigured" => "This source's verification settings cannot be read; create the source again.",
        "missing_event_type" => "The event type was not where the source reads it from (its JSONPath or header).",
        "event_not_accepted" => {
            "The event type is not one this add-on takes in, or the workspace's \"Events to ingest\" setting leaves it out."
        }
        "invalid_json" => "The body is not valid JSON (Clockify's deliveries must be).",
        "too_large" => "The body is larger than the 1 MiB limit.",
        "not_installed" => {
            "The add-on or this source was disabled (or custom sources were turned off) when the request came."
        }
        _ => "The server could not take the request in; its logs say why.",
    }
}

#[cfg(test)]
mod tests {
    use super::explain;
    use crate::sources::RejectReason;

    #[test]
    fn every_reason_the_ingest_path_records_is_explained() {
        let fallback = explain("no such reason");
        let source_reasons = [
            RejectReason::MissingHeader,
            RejectReason::BadSignature,
            RejectReason::StaleTimestamp,
            RejectReason::Malformed,
            RejectReason::WrongCredentials,
            RejectReason::Misconfigured,
        ]
        .map(RejectReason::code);
        let other_reasons = [
            "missing_event_type",
            "event_not_accepted",
            "invalid_json",
            "too_large",
            "not_installed",
        ];
        for reason in source_reasons.iter().chain(&other_reasons) {
            assert_ne!(explain(reason), fallback, "{reason} has its own explanation");
        }
    }
}
