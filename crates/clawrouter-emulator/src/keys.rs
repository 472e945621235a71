//! Proxy keys: their syntax and where the server reads them from (PROTOCOL.md §1, §4.2).
//!
//! Syntax: `clawrouter-live-<kid>-<secret>`, `clawrouter-test-<kid>-<secret>`,
//! `ocpk_live_<kid>_<secret>`, `ocpk_test_<kid>_<secret>`, kid ≥ 4 characters, secret ≥ 8.
//! The spec does not say which characters they may hold; the emulator accepts ASCII letters
//! and digits in the kid, and ASCII letters, digits, `-` and `_` in the secret.
//!
//! The key is read from, in this order: `Authorization: Bearer <key>`, `x-api-key`,
//! `x-goog-api-key`, `api-key`. No key at all → 401 `client_auth_required`; a key that breaks
//! the syntax → 401 `invalid_proxy_key`.

use std::fmt;

use axum::http::HeaderMap;
use serde::{Deserialize, Deserializer};

/// A proxy key. `Debug` and `Display` never show it; [`ProxyKey::expose`] does.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProxyKey(String);

impl ProxyKey {
    /// Checks the PROTOCOL.md §1 syntax.
    pub fn parse(key: &str) -> Result<Self, InvalidKey> {
        if is_valid_key(key) {
            Ok(ProxyKey(key.to_owned()))
        } else {
            Err(InvalidKey)
        }
    }

    /// The key itself. Callers must not print or log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ProxyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProxyKey(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for ProxyKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ProxyKey::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A string that is not a proxy key (the value itself is never included).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a ClawRouter proxy key: expected clawrouter-live-<kid>-<secret>, clawrouter-test-<kid>-<secret>, ocpk_live_<kid>_<secret> or ocpk_test_<kid>_<secret> (kid ≥ 4 letters or digits, secret ≥ 8 characters)"
)]
pub struct InvalidKey;

/// Whether `key` follows the PROTOCOL.md §1 syntax.
pub fn is_valid_key(key: &str) -> bool {
    let (rest, separator) = if let Some(rest) = key
        .strip_prefix("clawrouter-live-")
        .or_else(|| key.strip_prefix("clawrouter-test-"))
    {
        (rest, '-')
    } else if let Some(rest) = key
        .strip_prefix("ocpk_live_")
        .or_else(|| key.strip_prefix("ocpk_test_"))
    {
        (rest, '_')
    } else {
        return false;
    };
    let Some((kid, secret)) = rest.split_once(separator) else {
        return false;
    };
    kid.chars().count() >= 4
        && kid.chars().all(|c| c.is_ascii_alphanumeric())
        && secret.chars().count() >= 8
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The key a request presents, before it is looked up.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Presented<'a> {
    /// No credential header.
    Missing,
    /// A credential that breaks the key syntax.
    Malformed,
    /// A syntactically valid key.
    Key(&'a str),
}

/// Reads the key from the first credential header present (module docs).
pub(crate) fn presented_key(headers: &HeaderMap) -> Presented<'_> {
    let value = if let Some(value) = headers.get("authorization") {
        match value.to_str() {
            Ok(text) => {
                let text = text.trim();
                // `Bearer` alone (an empty token, trimmed by the client) is no key at all.
                match (text.get(..6), text.get(6..)) {
                    (Some(scheme), Some(token))
                        if scheme.eq_ignore_ascii_case("bearer")
                            && (token.is_empty() || token.starts_with(' ')) =>
                    {
                        token.trim()
                    }
                    _ => return Presented::Malformed,
                }
            }
            Err(_) => return Presented::Malformed,
        }
    } else if let Some(value) = ["x-api-key", "x-goog-api-key", "api-key"]
        .into_iter()
        .find_map(|name| headers.get(name))
    {
        match value.to_str() {
            Ok(text) => text.trim(),
            Err(_) => return Presented::Malformed,
        }
    } else {
        return Presented::Missing;
    };
    if value.is_empty() {
        Presented::Missing
    } else if is_valid_key(value) {
        Presented::Key(value)
    } else {
        Presented::Malformed
    }
}
