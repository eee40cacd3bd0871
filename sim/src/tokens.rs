//! The simulator's RS256 signing key and the claim sets Clockify puts in its tokens.
//!
//! Integration tests of other crates use [`Signer`] to forge good and bad tokens: build claims
//! with the helpers below, tweak them, and [`Signer::sign`] them.

use std::{
    path::Path,
    time::{SystemTime, UNIX_EPOCH},
};

use addon_core::claims::ClockifyClaims;
use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::{
    pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding},
    RsaPrivateKey, RsaPublicKey,
};

/// File name of the private key (PKCS#8 PEM) inside the data directory.
pub const PRIVATE_KEY_FILE: &str = "sim-private-key.pem";
/// File name of the public key (SPKI PEM, `BEGIN PUBLIC KEY`) inside the data directory.
pub const PUBLIC_KEY_FILE: &str = "sim-public-key.pem";
/// Lifetime of a user token, as in Clockify.
pub const USER_TOKEN_SECONDS: i64 = 30 * 60;

/// An RSA key pair that signs Clockify-shaped tokens with RS256.
#[derive(Clone)]
pub struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    public_pem: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads `sim-private-key.pem` from `dir`, or generates a 2048-bit key and writes it there;
    /// then (always) writes `sim-public-key.pem` beside it.
    pub fn load_or_create(dir: &Path) -> anyhow::Result<Signer> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the data directory {}", dir.display()))?;
        let private_path = dir.join(PRIVATE_KEY_FILE);
        let key = if private_path.exists() {
            let pem = std::fs::read_to_string(&private_path)
                .with_context(|| format!("reading {}", private_path.display()))?;
            RsaPrivateKey::from_pkcs8_pem(&pem)
                .with_context(|| format!("{} is not a PKCS#8 RSA key", private_path.display()))?
        } else {
            let key = generate_key()?;
            let pem = key.to_pkcs8_pem(LineEnding::LF).context("encoding the private key")?;
            std::fs::write(&private_path, pem.as_bytes())
                .with_context(|| format!("writing {}", private_path.display()))?;
            key
        };
        let signer = Signer::from_key(&key)?;
        let public_path = dir.join(PUBLIC_KEY_FILE);
        std::fs::write(&public_path, &signer.public_pem)
            .with_context(|| format!("writing {}", public_path.display()))?;
        Ok(signer)
    }

    /// A fresh key that lives only in memory (for tests).
    pub fn generate() -> anyhow::Result<Signer> {
        Signer::from_key(&generate_key()?)
    }

    fn from_key(key: &RsaPrivateKey) -> anyhow::Result<Signer> {
        let private_pem = key.to_pkcs8_pem(LineEnding::LF).context("encoding the private key")?;
        let public_pem = RsaPublicKey::from(key)
            .to_public_key_pem(LineEnding::LF)
            .context("encoding the public key")?;
        Ok(Signer {
            encoding: EncodingKey::from_rsa_pem(private_pem.as_bytes()).context("loading the private key")?,
            decoding: DecodingKey::from_rsa_pem(public_pem.as_bytes()).context("loading the public key")?,
            public_pem,
        })
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), for the add-on to trust.
    pub fn public_key_pem(&self) -> String {
        self.public_pem.clone()
    }

    /// Signs `claims` with RS256.
    pub fn sign(&self, claims: &ClockifyClaims) -> String {
        // Signing can only fail on a bad key or unserializable claims; the key was parsed
        // when the signer was built and the claims are plain strings and numbers.
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &self.encoding)
            .expect("an RSA key checked at construction signs any claims")
    }

    /// Verifies an RS256 token signed by this key (issuer `clockify`, `exp` if present) and
    /// returns its claims.
    pub fn verify(&self, token: &str) -> Result<ClockifyClaims, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&["clockify"]);
        validation.set_required_spec_claims(&["iss", "sub"]);
        jsonwebtoken::decode::<ClockifyClaims>(token, &self.decoding, &validation).map(|data| data.claims)
    }
}

fn generate_key() -> anyhow::Result<RsaPrivateKey> {
    RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).context("generating an RSA key")
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

fn base_claims(addon_key: &str, workspace_id: &str, addon_id: &str) -> ClockifyClaims {
    ClockifyClaims {
        iss: "clockify".into(),
        sub: addon_key.into(),
        token_type: "addon".into(),
        workspace_id: workspace_id.into(),
        addon_id: addon_id.into(),
        exp: None,
        iat: Some(now()),
        backend_url: None,
        reports_url: None,
        locations_url: None,
        screenshots_url: None,
        pto_url: None,
        user: None,
        language: None,
        theme: None,
        workspace_role: None,
    }
}

/// Claims of the `X-Addon-Lifecycle-Token` sent with every lifecycle POST.
pub fn lifecycle_claims(addon_key: &str, workspace_id: &str, addon_id: &str) -> ClockifyClaims {
    base_claims(addon_key, workspace_id, addon_id)
}

/// Claims of a webhook signature (`clockify-signature`, and `webhooks[].authToken` in INSTALLED).
pub fn webhook_claims(addon_key: &str, workspace_id: &str, addon_id: &str) -> ClockifyClaims {
    base_claims(addon_key, workspace_id, addon_id)
}

fn with_urls(mut claims: ClockifyClaims, public_url: &str, user_id: &str) -> ClockifyClaims {
    let base = public_url.trim_end_matches('/');
    claims.backend_url = Some(format!("{base}/api"));
    claims.reports_url = Some(format!("{base}/reports"));
    claims.locations_url = Some(format!("{base}/locations"));
    claims.screenshots_url = Some(format!("{base}/screenshots"));
    claims.pto_url = Some(format!("{base}/pto"));
    claims.user = Some(user_id.into());
    claims
}

/// Claims of the installation token (`authToken` in INSTALLED): never expires, carries the
/// API base URLs (all under `public_url`) and the workspace owner as `user`.
pub fn installation_claims(
    addon_key: &str,
    workspace_id: &str,
    addon_id: &str,
    public_url: &str,
    owner_id: &str,
) -> ClockifyClaims {
    with_urls(base_claims(addon_key, workspace_id, addon_id), public_url, owner_id)
}

/// Claims of a user token (the iframe's `auth_token`): the viewing user, their role,
/// `theme` (`DEFAULT` or `DARK`), language `EN`, expiring in 30 minutes.
pub fn user_claims(
    addon_key: &str,
    workspace_id: &str,
    addon_id: &str,
    public_url: &str,
    user_id: &str,
    role: &str,
    theme: &str,
) -> ClockifyClaims {
    let mut claims = with_urls(base_claims(addon_key, workspace_id, addon_id), public_url, user_id);
    claims.exp = claims.iat.map(|iat| iat + USER_TOKEN_SECONDS);
    claims.workspace_role = Some(role.into());
    claims.theme = Some(theme.into());
    claims.language = Some("EN".into());
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_user_tokens() {
        let signer = Signer::generate().unwrap();
        let claims = user_claims("k", "ws", "addon", "http://sim/", "u1", "OWNER", "DARK");
        let verified = signer.verify(&signer.sign(&claims)).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.backend_url.as_deref(), Some("http://sim/api"));
        assert_eq!(verified.exp, Some(verified.iat.unwrap() + USER_TOKEN_SECONDS));
        assert!(signer.public_key_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn another_key_does_not_verify() {
        let token = Signer::generate().unwrap().sign(&lifecycle_claims("k", "ws", "a"));
        assert!(Signer::generate().unwrap().verify(&token).is_err());
    }

    #[test]
    fn reloads_the_same_key_from_disk() {
        let dir = std::env::temp_dir().join(format!("sim-key-{}", rand::random::<u64>()));
        let first = Signer::load_or_create(&dir).unwrap();
        let second = Signer::load_or_create(&dir).unwrap();
        assert_eq!(first.public_key_pem(), second.public_key_pem());
        let on_disk = std::fs::read_to_string(dir.join(PUBLIC_KEY_FILE)).unwrap();
        assert_eq!(on_disk, first.public_key_pem());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
