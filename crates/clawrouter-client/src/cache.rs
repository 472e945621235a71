//! A TTL cache with in-flight sharing, generic over the cached value (PROTOCOL.md §5.1).
//!
//! [`SharedCache`] implements the HTTP catalog cache's rules independently of what is cached:
//!
//! - entries are keyed by a [`CacheKey`], a SHA-256 fingerprint — never the key itself;
//! - concurrent callers of one key share one in-flight load (1 000 callers → 1 request); each
//!   caller may abandon its own wait, and the load is dropped (its request aborted) only when
//!   the last waiting caller leaves;
//! - a result is kept only when the load succeeded and the loader said it may be kept (the
//!   catalog's "raw `providers` array is non-empty"); failed loads are never cached and their
//!   entry is removed;
//! - expiry is computed when the load **completes**, so a slow load still gets the full TTL;
//!   a TTL of zero never caches;
//! - a new value replaces the old one atomically (an `Arc` swap under the lock): readers hold
//!   either the old snapshot or the new one, never a mix;
//! - at most [`MAX_ENTRIES`] entries; an insert prunes the oldest.
//!
//! Time is tokio's clock ([`tokio::time::Instant`]), so tests can pause and advance it.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared, WeakShared};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::error::ClientError;

/// The most entries a cache holds (PROTOCOL.md §5.1).
pub const MAX_ENTRIES: usize = 100;

/// A cache key: SHA-256 of the JSON array
/// `["clawrouter","model-rows",<endpoint URL>,<bearer key or null>]` (PROTOCOL.md §5.1).
///
/// The key is hashed, never stored; `Debug` shows only the first 8 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

impl CacheKey {
    /// The key of the catalog at `endpoint` fetched with `bearer`.
    ///
    /// ```
    /// use clawrouter_client::CacheKey;
    ///
    /// let a = CacheKey::catalog("https://r.example/v1/catalog", Some(&"key-a".into()));
    /// let b = CacheKey::catalog("https://r.example/v1/catalog", Some(&"key-b".into()));
    /// let anonymous = CacheKey::catalog("https://r.example/v1/catalog", None);
    /// assert!(a != b && a != anonymous);
    /// assert!(!format!("{a:?}").contains("key-a"));
    /// ```
    pub fn catalog(endpoint: &str, bearer: Option<&SecretString>) -> Self {
        let json = serde_json::json!([
            "clawrouter",
            "model-rows",
            endpoint,
            bearer.map(ExposeSecret::expose_secret),
        ]);
        let mut hasher = Sha256::new();
        hasher.update(json.to_string().as_bytes());
        Self(hasher.finalize().into())
    }

    /// The fingerprint as lowercase hex.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.to_hex();
        write!(f, "CacheKey({}…)", hex.get(..8).unwrap_or_default())
    }
}

/// What a loader produced: the value, and whether the cache may keep it.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The value handed to every waiting caller.
    pub value: T,
    /// Whether the value may be cached (false for an empty catalog, PROTOCOL.md §5.1).
    pub cacheable: bool,
}

type LoadResult<T> = Result<Arc<T>, ClientError>;
type SharedLoad<T> = Shared<BoxFuture<'static, LoadResult<T>>>;

enum Entry<T> {
    Ready {
        value: Arc<T>,
        expires: Instant,
        sequence: u64,
    },
    Loading {
        load: WeakShared<BoxFuture<'static, LoadResult<T>>>,
        sequence: u64,
    },
}

impl<T> Entry<T> {
    fn sequence(&self) -> u64 {
        match self {
            Entry::Ready { sequence, .. } | Entry::Loading { sequence, .. } => *sequence,
        }
    }
}

struct State<T> {
    entries: HashMap<CacheKey, Entry<T>>,
    next_sequence: u64,
}

/// A TTL cache with in-flight sharing. See the [module docs](self). Cheap to clone: clones share
/// the entries.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use clawrouter_client::{CacheKey, Loaded, SharedCache};
///
/// let cache: SharedCache<String> = SharedCache::new();
/// let key = CacheKey::catalog("https://r.example/v1/catalog", None);
/// let ttl = Duration::from_secs(60);
/// let first = cache
///     .get_or_load(key, ttl, || async { Ok(Loaded { value: "rows".to_owned(), cacheable: true }) })
///     .await
///     .unwrap();
/// // A hit: the loader is not called again.
/// let second = cache
///     .get_or_load(key, ttl, || async { unreachable!("cached") })
///     .await
///     .unwrap();
/// assert!(std::sync::Arc::ptr_eq(&first, &second));
/// # }
/// ```
pub struct SharedCache<T> {
    state: Arc<Mutex<State<T>>>,
}

impl<T> Clone for SharedCache<T> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
        }
    }
}

impl<T> Default for SharedCache<T> {
    fn default() -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                entries: HashMap::new(),
                next_sequence: 0,
            })),
        }
    }
}

impl<T> fmt::Debug for SharedCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedCache")
            .field("entries", &self.len())
            .finish()
    }
}

/// The lock, even after a panic elsewhere: the map is always left consistent between statements.
fn lock<T>(state: &Mutex<State<T>>) -> MutexGuard<'_, State<T>> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T: Send + Sync + 'static> SharedCache<T> {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached value of `key` if it has not expired; otherwise joins the load in flight for
    /// `key`, or starts one with `load`. The value is kept for `ttl` from the moment the load
    /// completes, when the loader marks it cacheable.
    ///
    /// # Errors
    ///
    /// The load's error, shared by every caller that waited on it. It is not cached.
    pub async fn get_or_load<F, Fut>(
        &self,
        key: CacheKey,
        ttl: Duration,
        load: F,
    ) -> Result<Arc<T>, ClientError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Loaded<T>, ClientError>> + Send + 'static,
    {
        let shared = {
            let mut state = lock(&self.state);
            let in_flight = match state.entries.get(&key) {
                Some(Entry::Ready { value, expires, .. }) if *expires > Instant::now() => {
                    return Ok(Arc::clone(value));
                }
                // `None` when every waiter left, which dropped the load: start afresh.
                Some(Entry::Loading { load, .. }) => load.upgrade(),
                _ => None,
            };
            match in_flight {
                Some(shared) => shared,
                None => self.start(&mut state, key, ttl, load()),
            }
        };
        shared.await
    }

    fn start<Fut>(
        &self,
        state: &mut State<T>,
        key: CacheKey,
        ttl: Duration,
        load: Fut,
    ) -> SharedLoad<T>
    where
        Fut: Future<Output = Result<Loaded<T>, ClientError>> + Send + 'static,
    {
        let sequence = state.next_sequence;
        state.next_sequence += 1;
        let cache = Arc::downgrade(&self.state);
        let future: BoxFuture<'static, LoadResult<T>> = async move {
            let result = load.await;
            let published = match result {
                Ok(Loaded { value, cacheable }) => Ok((Arc::new(value), cacheable)),
                Err(error) => Err(error),
            };
            if let Some(state) = cache.upgrade() {
                complete(&state, key, sequence, ttl, &published);
            }
            published.map(|(value, _)| value)
        }
        .boxed();
        let shared = future.shared();
        if let Some(weak) = shared.downgrade() {
            state.entries.insert(
                key,
                Entry::Loading {
                    load: weak,
                    sequence,
                },
            );
            prune(state);
        }
        shared
    }

    /// Forgets `key` (a load in flight still completes for its waiters but is not published).
    pub fn invalidate(&self, key: &CacheKey) {
        lock(&self.state).entries.remove(key);
    }

    /// Forgets everything.
    pub fn clear(&self) {
        lock(&self.state).entries.clear();
    }
}

impl<T> SharedCache<T> {
    /// How many entries (cached values and loads in flight) the cache holds.
    pub fn len(&self) -> usize {
        lock(&self.state).entries.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Publishes a finished load: the value when cacheable and still wanted, else removes the entry.
fn complete<T>(
    state: &Mutex<State<T>>,
    key: CacheKey,
    sequence: u64,
    ttl: Duration,
    result: &Result<(Arc<T>, bool), ClientError>,
) {
    let mut state = lock(state);
    let ours = state
        .entries
        .get(&key)
        .is_some_and(|entry| entry.sequence() == sequence);
    if !ours {
        // Invalidated, pruned or replaced while loading: the result goes to its waiters only.
        return;
    }
    match result {
        Ok((value, true)) if !ttl.is_zero() => {
            state.entries.insert(
                key,
                Entry::Ready {
                    value: Arc::clone(value),
                    expires: crate::retry::deadline_after(ttl),
                    sequence,
                },
            );
        }
        _ => {
            state.entries.remove(&key);
        }
    }
}

/// Drops the oldest entries beyond [`MAX_ENTRIES`].
fn prune<T>(state: &mut State<T>) {
    while state.entries.len() > MAX_ENTRIES {
        let oldest = state
            .entries
            .iter()
            .min_by_key(|(_, entry)| entry.sequence())
            .map(|(key, _)| *key);
        match oldest {
            Some(key) => {
                state.entries.remove(&key);
            }
            None => break,
        }
    }
}
