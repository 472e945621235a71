//! Base-URL normalization (PROTOCOL.md §2): the configured `baseUrl` becomes a root URL and an
//! API base URL, and every ClawRouter endpoint is built from the root.

use std::fmt;

/// ClawRouter's public origin, used when no base URL is configured.
pub const DEFAULT_ROOT_URL: &str = "https://clawrouter.openclaw.ai";

/// A normalized ClawRouter base URL (PROTOCOL.md §2).
///
/// Normalization only trims, strips every trailing `/` and then one trailing `/v1`; nothing else
/// is validated (scheme, host and path prefix are kept as given), exactly as OpenClaw does.
///
/// ```
/// use clawrouter_catalog::BaseUrl;
///
/// let base = BaseUrl::new(Some("https://router.example/v1///"));
/// assert_eq!(base.root(), "https://router.example");
/// assert_eq!(base.api_base(), "https://router.example/v1");
/// assert_eq!(base.catalog_url(), "https://router.example/v1/catalog");
/// assert_eq!(BaseUrl::new(None).root(), "https://clawrouter.openclaw.ai");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    root: String,
}

impl BaseUrl {
    /// Normalizes a configured base URL; `None`, `""` or whitespace mean the default origin.
    pub fn new(configured: Option<&str>) -> Self {
        let trimmed = configured.map(str::trim).unwrap_or_default();
        if trimmed.is_empty() {
            return Self {
                root: DEFAULT_ROOT_URL.to_owned(),
            };
        }
        let without_slashes = trimmed.trim_end_matches('/');
        let root = without_slashes
            .strip_suffix("/v1")
            .unwrap_or(without_slashes);
        Self {
            root: root.to_owned(),
        }
    }

    /// The root URL, without a trailing `/` (`https://clawrouter.openclaw.ai`).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The API base URL: root + `/v1`. The two OpenAI transports are served under it.
    pub fn api_base(&self) -> String {
        format!("{}/v1", self.root)
    }

    /// `root + /v1/catalog`.
    pub fn catalog_url(&self) -> String {
        format!("{}/v1/catalog", self.root)
    }

    /// `root + /v1/usage`.
    pub fn usage_url(&self) -> String {
        format!("{}/v1/usage", self.root)
    }

    /// `root + /v1/pool`.
    pub fn pool_url(&self) -> String {
        format!("{}/v1/pool", self.root)
    }

    /// Whether this is ClawRouter's public origin (PROTOCOL.md §4.1: the catalog request then
    /// honours the environment proxy and requires HTTPS; any other origin is strict direct).
    pub fn is_default_origin(&self) -> bool {
        self.root == DEFAULT_ROOT_URL
    }

    /// How a request of `kind` to this origin reaches the network by default (PROTOCOL.md §4.1,
    /// §8.1, §9.1, §14 D5).
    ///
    /// OpenClaw's rule, pinned by its tests (§12.2 cases 16–19, §12.4 cases 41 and 51): the
    /// catalog honours the environment proxy and requires HTTPS on the public origin only, and
    /// is strictly direct anywhere else; usage and pool honour the environment proxy on every
    /// origin. A model call carries the key to the same origin as the catalog request, so it
    /// follows the catalog's rule (the spec is silent on it).
    ///
    /// ```
    /// use clawrouter_catalog::{BaseUrl, NetworkMode, RouterRequest};
    ///
    /// let public = BaseUrl::new(None);
    /// let private = BaseUrl::new(Some("https://router.example/v1"));
    /// let env = NetworkMode::TrustedEnvProxy { require_https: true };
    /// assert_eq!(public.network_mode(RouterRequest::Catalog), env);
    /// assert_eq!(private.network_mode(RouterRequest::Catalog), NetworkMode::StrictDirect);
    /// assert_eq!(
    ///     private.network_mode(RouterRequest::Usage),
    ///     NetworkMode::TrustedEnvProxy { require_https: false }
    /// );
    /// ```
    pub fn network_mode(&self, kind: RouterRequest) -> NetworkMode {
        let public = self.is_default_origin();
        match kind {
            RouterRequest::Catalog | RouterRequest::Dispatch if !public => {
                NetworkMode::StrictDirect
            }
            _ => NetworkMode::TrustedEnvProxy {
                require_https: public,
            },
        }
    }

    /// `root + path` for a path that starts with `/` (a catalog row's `nativeBaseUrl`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.root, path)
    }
}

/// A request the client sends to ClawRouter, for [`BaseUrl::network_mode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RouterRequest {
    /// `GET /v1/catalog` (PROTOCOL.md §4.1).
    Catalog,
    /// `GET /v1/usage` (PROTOCOL.md §8.1).
    Usage,
    /// `GET /v1/pool` (PROTOCOL.md §9.1).
    Pool,
    /// A model call on one of the four transports (PROTOCOL.md §7).
    Dispatch,
}

/// How a request reaches the network (PROTOCOL.md §4.1, §14 D5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NetworkMode {
    /// OpenClaw's "trusted env proxy" mode: `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and
    /// `NO_PROXY` from the environment are honoured.
    TrustedEnvProxy {
        /// Whether a plain `http://` URL must be refused (the public origin is HTTPS only).
        require_https: bool,
    },
    /// A direct connection; the environment proxy is ignored.
    StrictDirect,
}

impl NetworkMode {
    /// Whether the environment proxy is honoured.
    pub fn uses_env_proxy(self) -> bool {
        matches!(self, NetworkMode::TrustedEnvProxy { .. })
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        Self::new(None)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl").field(&self.root).finish()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PROTOCOL.md §2, the whole table.
    #[test]
    fn protocol_section_2_table() {
        let cases: &[(Option<&str>, &str, &str)] = &[
            (
                None,
                "https://clawrouter.openclaw.ai",
                "https://clawrouter.openclaw.ai/v1",
            ),
            (
                Some(""),
                "https://clawrouter.openclaw.ai",
                "https://clawrouter.openclaw.ai/v1",
            ),
            (
                Some("   "),
                "https://clawrouter.openclaw.ai",
                "https://clawrouter.openclaw.ai/v1",
            ),
            (
                Some("https://clawrouter.example/v1"),
                "https://clawrouter.example",
                "https://clawrouter.example/v1",
            ),
            (
                Some("https://clawrouter.openclaw.ai/v1/"),
                "https://clawrouter.openclaw.ai",
                "https://clawrouter.openclaw.ai/v1",
            ),
            (
                Some("https://clawrouter.example/private"),
                "https://clawrouter.example/private",
                "https://clawrouter.example/private/v1",
            ),
            (
                Some("https://router.example/v1///"),
                "https://router.example",
                "https://router.example/v1",
            ),
            (
                Some("https://x.example/v1/v1"),
                "https://x.example/v1",
                "https://x.example/v1/v1",
            ),
        ];
        for &(input, root, api) in cases {
            let base = BaseUrl::new(input);
            assert_eq!(
                (base.root(), base.api_base().as_str()),
                (root, api),
                "input {input:?}"
            );
        }
    }
}
