//! Webhook ingestion: Clockify's deliveries (and, through `crate::sources`, any other
//! system's) are verified over the raw bytes, then persisted with their flow job by one
//! writer that group-commits, and answered 2xx only after that commit.
//!
//! - [`clockify`]: verifies a Clockify delivery (signature token, installation, event type).
//! - [`headers`]: which headers are kept and how secrets in them are redacted.
//! - [`writer`]: the single writer that batches deliveries into one transaction.
//! - [`retention`]: deletes old events in small batches.
//! - [`rejections`]: what each rejection reason means, for the webhook log.
//! - [`subscriptions`]: Universal Webhook's workspace webhooks for the events beyond the manifest.

pub mod clockify;
pub mod headers;
pub mod rejections;
pub mod retention;
pub mod subscriptions;
pub mod writer;

/// Largest accepted body (1 MiB); larger deliveries are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The dedupe window when a profile has no setting for it (72 hours).
pub const DEFAULT_DEDUPE_HOURS: i64 = 72;

/// SHA-256 of `parts` joined by a zero byte, hex: the dedupe key of deliveries without an id.
pub fn content_hash(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            hasher.update([0u8]);
        }
        hasher.update(part);
    }
    crate::hex::encode(&hasher.finalize())
}
