//! What the key may use and has used: the resolved catalog (PROTOCOL.md §4, cached per §5.1)
//! and the usage snapshot (§8.3), composed from `clawrouter-catalog` over the fetches of
//! [`catalog`](crate::catalog) and [`usage`](crate::usage).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use clawrouter_catalog::{
    CatalogModel, CatalogResolution, UsageSnapshot, resolve_catalog, usage_snapshot,
};

use crate::catalog::CatalogCache;
use crate::client::Client;
use crate::error::{ClientError, Operation};

/// The cache of resolved catalogs every [`Client`] holds (one entry per endpoint and key).
pub(crate) fn resolved_catalog_cache() -> CatalogCache<CatalogResolution> {
    CatalogCache::new(resolve_catalog)
}

impl Client {
    /// The resolved catalog of this client's key: every granted model with its transport,
    /// endpoint, pricing and limits, and every dropped row with its reason.
    ///
    /// Cached for the catalog TTL (60 s by default) per endpoint and key; concurrent callers
    /// share one request; failures and empty catalogs are not cached (PROTOCOL.md §5.1).
    ///
    /// # Errors
    ///
    /// Those of [`Client::fetch_catalog_raw`], and [`ClientError::Parse`] when the body is not a
    /// catalog PROTOCOL.md §4.3 accepts.
    pub async fn catalog(&self) -> Result<Arc<CatalogResolution>, ClientError> {
        self.inner.models.get(self).await
    }

    /// Forgets the cached catalog of this client's endpoint and key, so the next
    /// [`Client::catalog`] fetches it again.
    pub fn invalidate_catalog(&self) {
        self.inner.models.invalidate(self);
    }

    /// The granted model `model_ref` (`clawrouter/<catalog id>`), from the cached catalog.
    ///
    /// # Errors
    ///
    /// [`ClientError::Model`] (`Unknown model: …` with the closest granted refs, or a text that
    /// is not a ref), and those of [`Client::catalog`].
    pub async fn model(&self, model_ref: &str) -> Result<CatalogModel, ClientError> {
        let catalog = self.catalog().await?;
        catalog
            .select(model_ref, None)
            .cloned()
            .map_err(|error| ClientError::Model { error })
    }

    /// The usage snapshot of this client's key (PROTOCOL.md §8.3), computed at the current time.
    ///
    /// A malformed body is not an error: the snapshot carries `"Malformed usage response"`
    /// ([`UsageSnapshot::error`]). Nothing here is cached, and a failure never affects model
    /// calls: show it and carry on.
    ///
    /// # Errors
    ///
    /// Those of [`Client::fetch_usage`], and [`ClientError::Usage`] for a non-2xx status.
    pub async fn usage(&self) -> Result<UsageSnapshot, ClientError> {
        let response = self.fetch_usage().await?;
        usage_snapshot(response.status, &response.body, now_ms()).map_err(|error| {
            ClientError::Usage {
                operation: Operation::Usage,
                error,
            }
        })
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
