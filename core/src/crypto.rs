//! Encryption at rest for installation and webhook tokens (XChaCha20-Poly1305).

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng},
    XChaCha20Poly1305, XNonce,
};

use crate::{Error, Result};

/// Nonce length of XChaCha20-Poly1305.
const NONCE_LEN: usize = 24;

/// A 32-byte secret key. Never printed.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(redacted)")
    }
}

impl SecretKey {
    pub fn generate() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        Self(key.into())
    }

    /// Parses a base64-encoded 32-byte key.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "the key is not valid base64".to_string())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| "the key must be 32 bytes".to_string())?;
        Ok(Self(bytes))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Encrypts and decrypts small secrets; the output is `base64(nonce || ciphertext)`.
#[derive(Clone, Debug)]
pub struct SecretBox {
    key: SecretKey,
}

impl SecretBox {
    pub fn new(key: SecretKey) -> Self {
        Self { key }
    }

    pub fn encrypt(&self, plaintext: &str) -> Result<String> {
        let cipher = XChaCha20Poly1305::new(self.key.0.as_ref().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .map_err(|_| Error::Internal("encryption failed".into()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(STANDARD.encode(sealed))
    }

    pub fn decrypt(&self, sealed: &str) -> Result<String> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| Error::Internal("stored secret is not base64".into()))?;
        if bytes.len() < NONCE_LEN {
            return Err(Error::Internal("stored secret is truncated".into()));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(self.key.0.as_ref().into());
        let plaintext = cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| Error::Internal("stored secret cannot be decrypted with this key".into()))?;
        String::from_utf8(plaintext).map_err(|_| Error::Internal("stored secret is not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_another_key() {
        let sealed_box = SecretBox::new(SecretKey::generate());
        let sealed = sealed_box.encrypt("installation-token").unwrap();
        assert!(!sealed.contains("installation-token"));
        assert_eq!(sealed_box.decrypt(&sealed).unwrap(), "installation-token");
        assert!(SecretBox::new(SecretKey::generate()).decrypt(&sealed).is_err());
    }

    #[test]
    fn parses_keys() {
        let key = SecretKey::generate();
        assert_eq!(SecretKey::from_base64(&key.to_base64()).unwrap().0, key.0);
        assert!(SecretKey::from_base64("c2hvcnQ=").is_err());
    }
}
