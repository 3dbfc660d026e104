//! API keys live in the OS keychain and nowhere else: service `leadscout`, one account per
//! provider. Without a usable keychain nothing is stored and the user is told why; there is no
//! plain-text fallback. The calls block (D-Bus on Linux), so async callers run them on the
//! blocking pool.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{ApiKey, Url};

/// The keychain service name every key is stored under.
pub const KEYCHAIN_SERVICE: &str = "leadscout";

/// Why the keychain could not be used. Messages never include the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "No system keychain is available ({0}). Leadscout keeps API keys only in the system \
         keychain (on Linux, GNOME Keyring, KWallet or another Secret Service that is unlocked), \
         so nothing was saved."
    )]
    Unavailable(String),
    #[error("The system keychain refused the request: {0}")]
    Failed(String),
}

/// Where API keys are kept.
pub trait Keychain: Send + Sync {
    fn set(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError>;
    fn get(&self, account: &str) -> Result<Option<ApiKey>, KeychainError>;
    /// `false` when there was no key to delete.
    fn delete(&self, account: &str) -> Result<bool, KeychainError>;
}

/// The operating system's keychain (Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows) through the keyring crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeychain;

fn classify(err: keyring::Error) -> KeychainError {
    match err {
        keyring::Error::NoStorageAccess(inner) => {
            KeychainError::Unavailable(format!("it is locked or refused access: {inner}"))
        }
        keyring::Error::PlatformFailure(inner) => KeychainError::Unavailable(inner.to_string()),
        other => KeychainError::Failed(other.to_string()),
    }
}

fn entry(account: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(classify)
}

impl Keychain for OsKeychain {
    fn set(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
        entry(account)?.set_password(key.expose()).map_err(classify)
    }

    fn get(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
        match entry(account)?.get_password() {
            Ok(secret) => Ok(Some(ApiKey::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(classify(err)),
        }
    }

    fn delete(&self, account: &str) -> Result<bool, KeychainError> {
        match entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(err) => Err(classify(err)),
        }
    }
}

/// A keychain in memory, for tests of code that uses keys.
#[derive(Debug, Default)]
pub struct MemoryKeychain(Mutex<HashMap<String, ApiKey>>);

impl Keychain for MemoryKeychain {
    fn set(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account.to_owned(), key.clone());
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(account)
            .cloned())
    }

    fn delete(&self, account: &str) -> Result<bool, KeychainError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account)
            .is_some())
    }
}

/// The keychain account that holds the custom address chosen for a provider's key.
fn endpoint_account(account: &str) -> String {
    format!("{account}.endpoint")
}

/// Remembers beside the key the custom https address the user saved in Settings for it, or
/// forgets it (`None`). Settings live in the database, which a restored backup or another
/// program can write; the keychain answers only to the user's session, so research trusts a
/// custom address with a key only when the keychain names the same one
/// ([`crate::discovery::stored_endpoint`]).
pub fn remember_endpoint(
    keychain: &dyn Keychain,
    account: &str,
    url: Option<&Url>,
) -> Result<(), KeychainError> {
    let name = endpoint_account(account);
    match url {
        // An address is no secret, but it is stored the way a key is, beside it.
        Some(url) => keychain.set(&name, &ApiKey::new(url.as_str())),
        None => keychain.delete(&name).map(|_| ()),
    }
}

/// The custom address remembered for a provider's key, if there is one.
pub fn remembered_endpoint(
    keychain: &dyn Keychain,
    account: &str,
) -> Result<Option<String>, KeychainError> {
    Ok(keychain
        .get(&endpoint_account(account))?
        .map(|address| address.expose().to_owned()))
}

/// Checks what the user pasted before it goes to the keychain: something, on one line, of a
/// sane length. The message never repeats the key.
pub fn check_key(raw: &str) -> Result<ApiKey, String> {
    let key = raw.trim();
    if key.is_empty() {
        return Err("Paste the API key.".into());
    }
    if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("An API key is one word without spaces or line breaks; paste it again.".into());
    }
    if key.len() > 512 {
        return Err("That is longer than any API key; paste only the key.".into());
    }
    Ok(ApiKey::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_keys_are_checked_without_echoing_them() {
        assert_eq!(
            check_key("  sk-abc123 \n").unwrap(),
            ApiKey::new("sk-abc123")
        );
        assert!(check_key("").is_err());
        assert!(check_key("   ").is_err());
        for bad in ["sk-abc 123", "sk-\u{7}abc", &"k".repeat(600)] {
            let err = check_key(bad).unwrap_err();
            assert!(!err.contains(bad), "{err}");
        }
    }

    #[test]
    fn a_custom_address_is_remembered_beside_the_key_and_forgotten() {
        let chain = MemoryKeychain::default();
        chain.set("openai", &ApiKey::new("sk-1")).unwrap();
        assert_eq!(remembered_endpoint(&chain, "openai").unwrap(), None);
        let url = Url::parse("https://llm-gateway.example.com/v1").unwrap();
        remember_endpoint(&chain, "openai", Some(&url)).unwrap();
        assert_eq!(
            remembered_endpoint(&chain, "openai").unwrap().as_deref(),
            Some("https://llm-gateway.example.com/v1")
        );
        assert_eq!(chain.get("openai").unwrap(), Some(ApiKey::new("sk-1")));
        remember_endpoint(&chain, "openai", None).unwrap();
        assert_eq!(remembered_endpoint(&chain, "openai").unwrap(), None);
    }

    #[test]
    fn the_memory_keychain_round_trips() {
        let chain = MemoryKeychain::default();
        assert_eq!(chain.get("openai").unwrap(), None);
        chain.set("openai", &ApiKey::new("sk-1")).unwrap();
        assert_eq!(chain.get("openai").unwrap(), Some(ApiKey::new("sk-1")));
        assert!(chain.delete("openai").unwrap());
        assert!(!chain.delete("openai").unwrap());
    }
}
