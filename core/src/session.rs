//! UI sessions. Clockify shows our pages in a cross-site iframe, where cookies are unreliable,
//! so after the `auth_token` is verified the server hands the page a short-lived signed session
//! token that the page sends with every server-function call.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{
    claims::{ClockifyClaims, Theme},
    crypto::SecretKey,
    Error, Result,
};

/// Longest a session lives, whatever the user token says.
pub const MAX_SESSION_SECONDS: i64 = 30 * 60;

/// What a verified session grants: one add-on, one workspace, one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub addon_key: String,
    pub workspace_id: String,
    pub user_id: String,
    pub workspace_role: Option<String>,
    pub theme: Theme,
    pub language: String,
    /// Unix seconds.
    pub expires_at: i64,
}

impl Session {
    /// A session for a verified user token, capped at [`MAX_SESSION_SECONDS`].
    pub fn from_user_token(claims: &ClockifyClaims, now: i64) -> Result<Self> {
        let user_id = claims
            .user
            .clone()
            .ok_or_else(|| Error::unauthorized("invalid_token", "the token names no user"))?;
        let cap = now + MAX_SESSION_SECONDS;
        Ok(Self {
            addon_key: claims.sub.clone(),
            workspace_id: claims.workspace_id.clone(),
            user_id,
            workspace_role: claims.workspace_role.clone(),
            theme: Theme::from_claim(claims.theme.as_deref()),
            language: claims.language.clone().unwrap_or_else(|| "EN".into()),
            expires_at: claims.exp.map_or(cap, |exp| exp.min(cap)),
        })
    }
}

/// Signs and verifies session tokens with HMAC-SHA256 (`payload.mac`, both base64url).
#[derive(Clone)]
pub struct SessionSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for SessionSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionSigner")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl SessionSigner {
    /// Derives the signing key from the server's secret key, so one secret serves both uses.
    pub fn new(secret: &SecretKey) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
        mac.update(b"ui-session-v1");
        Self {
            key: mac.finalize().into_bytes().into(),
        }
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(payload.as_bytes());
        mac
    }

    pub fn issue(&self, session: &Session) -> Result<String> {
        let json = serde_json::to_vec(session).map_err(|e| Error::Internal(e.to_string()))?;
        let payload = URL_SAFE_NO_PAD.encode(json);
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        Ok(format!("{payload}.{tag}"))
    }

    /// Verifies the signature and expiry; `now` is unix seconds.
    pub fn verify(&self, token: &str, now: i64) -> Result<Session> {
        let invalid = || Error::unauthorized("invalid_session", "the session is not valid; reload the page");
        let (payload, tag) = token.split_once('.').ok_or_else(invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        self.mac(payload).verify_slice(&tag).map_err(|_| invalid())?;
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let session: Session = serde_json::from_slice(&json).map_err(|_| invalid())?;
        if session.expires_at <= now {
            return Err(Error::unauthorized(
                "session_expired",
                "the session has expired; reopen the add-on from Clockify",
            ));
        }
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(expires_at: i64) -> Session {
        Session {
            addon_key: "api-studio".into(),
            workspace_id: "w1".into(),
            user_id: "u1".into(),
            workspace_role: Some("OWNER".into()),
            theme: Theme::Dark,
            language: "EN".into(),
            expires_at,
        }
    }

    #[test]
    fn verifies_its_own_sessions_only() {
        let signer = SessionSigner::new(&SecretKey::generate());
        let token = signer.issue(&session(100)).unwrap();
        assert_eq!(signer.verify(&token, 50).unwrap(), session(100));
        assert_eq!(signer.verify(&token, 100).unwrap_err().code(), "session_expired");
        let other = SessionSigner::new(&SecretKey::generate());
        assert_eq!(other.verify(&token, 50).unwrap_err().code(), "invalid_session");
        let (payload, tag) = token.split_once('.').unwrap();
        let tampered = format!("{}x.{tag}", payload);
        assert!(signer.verify(&tampered, 50).is_err());
        assert!(signer.verify("garbage", 50).is_err());
    }
}
