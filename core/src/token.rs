//! Verification of the RS256 tokens Clockify signs (PLATFORM.md §3.3).
//!
//! The algorithm is fixed to RS256: the token header's `alg` is never trusted, so `none`
//! and HS256-signed-with-the-public-key forgeries fail.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use crate::{claims::ClockifyClaims, Error, Result};

/// Clockify's published add-on verification key.
pub const CLOCKIFY_PUBLIC_KEY_PEM: &str = include_str!("../assets/clockify-addon-public-key.pem");

/// Clock skew tolerated on `exp`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// Verifies tokens with one trusted RSA public key.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenVerifier")
    }
}

impl TokenVerifier {
    /// Trusts a PEM public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self> {
        let key = DecodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|error| Error::Internal(format!("invalid RSA public key: {error}")))?;
        Ok(Self { key })
    }

    /// Trusts Clockify's published key (production).
    pub fn clockify() -> Result<Self> {
        Self::from_pem(CLOCKIFY_PUBLIC_KEY_PEM)
    }

    /// Verifies signature, expiry, `iss`, `type` and `sub` (= the add-on key).
    pub fn verify(&self, token: &str, addon_key: &str) -> Result<ClockifyClaims> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.algorithms = vec![Algorithm::RS256];
        validation.set_issuer(&["clockify"]);
        validation.sub = Some(addon_key.to_string());
        validation.set_required_spec_claims(&["iss", "sub"]);
        validation.validate_aud = false;
        validation.leeway = LEEWAY_SECONDS;
        let data = jsonwebtoken::decode::<ClockifyClaims>(token.trim(), &self.key, &validation).map_err(|error| {
            use jsonwebtoken::errors::ErrorKind;
            let reason = match error.kind() {
                ErrorKind::ExpiredSignature => "the token has expired",
                ErrorKind::InvalidIssuer => "the token was not issued by Clockify",
                ErrorKind::InvalidSubject => "the token is for another add-on",
                ErrorKind::InvalidAlgorithm => "the token is not signed with RS256",
                ErrorKind::InvalidSignature => "the token's signature is not valid",
                ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
                _ => "the token is malformed",
            };
            Error::unauthorized("invalid_token", reason)
        })?;
        if data.claims.token_type != "addon" {
            return Err(Error::unauthorized("invalid_token", "the token is not an add-on token"));
        }
        Ok(data.claims)
    }
}
