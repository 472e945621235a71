//! `GET root/v1/catalog` and the catalog cache (PROTOCOL.md §4.1, §5.1, §14 D12).
//!
//! [`Client::fetch_catalog_raw`] is the transport: one request with `Accept: application/json`
//! and the key (when there is one, §3.2), retried only for retryable failures, the whole fetch
//! bounded by the 5 s budget of §4.1 and the body by 4 MiB (reading stops beyond it). 401/403 are
//! [`ClientError::Auth`]; nothing falls back to other credentials or an anonymous catalog. A body
//! carrying a pagination key is [`ClientError::PaginatedCatalog`] (§14 D12): the catalog is one
//! page.
//!
//! [`CatalogCache`] caches what a parse closure makes of the body — typically
//! `clawrouter_catalog::resolve_catalog(body, &base)` — per (endpoint, key fingerprint) for the
//! client's TTL (60 s), sharing loads in flight, and keeps a result only when the raw
//! `providers` array was non-empty (§5.1). Not yet implemented: the runtime model snapshots of
//! §5.2 (a registry per caller scope), which belong with the catalog resolution.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use clawrouter_catalog::BaseUrl;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use tracing::Instrument;

use crate::cache::{CacheKey, Loaded, SharedCache};
use crate::client::{Client, within_budget};
use crate::error::{ClientError, Operation, SharedSource};
use crate::retry;

/// The catalog body cap: 4 MiB (PROTOCOL.md §4.1).
pub const CATALOG_BODY_LIMIT: usize = 4 * 1024 * 1024;

impl Client {
    /// Fetches `GET root/v1/catalog` and returns the body, unparsed.
    ///
    /// # Errors
    ///
    /// [`ClientError::Auth`] for 401/403 (no fallback), the other status classes, a
    /// [`ClientError::Timeout`] when the 5 s budget runs out, [`ClientError::BodyTooLarge`]
    /// beyond 4 MiB, [`ClientError::PaginatedCatalog`] for a body with pagination keys.
    pub async fn fetch_catalog_raw(&self) -> Result<Bytes, ClientError> {
        self.fetch_catalog().await.map(|(body, _)| body)
    }

    /// The catalog fetch, in a `clawrouter.catalog` span (no key, no body).
    async fn fetch_catalog(&self) -> Result<(Bytes, Envelope), ClientError> {
        let span = tracing::info_span!(
            "clawrouter.catalog",
            http.request.method = "GET",
            url.full = %self.base_url().catalog_url(),
            error.type = tracing::field::Empty,
        );
        let result = self.fetch_catalog_in().instrument(span.clone()).await;
        if let Err(error) = &result {
            span.record("error.type", error.kind());
        }
        result
    }

    /// The body and what its envelope says.
    async fn fetch_catalog_in(&self) -> Result<(Bytes, Envelope), ClientError> {
        let operation = Operation::Catalog;
        let outgoing = self.json_get(operation, &self.base_url().catalog_url())?;
        let budget = self.timeouts().catalog;
        let deadline = crate::retry::deadline_after(budget);
        let fetch = async {
            let response = retry::run(&self.inner.retry, true, Some(deadline), || {
                self.send_checked(&outgoing)
            })
            .await?;
            // The idle timeout is the budget left (§4.1): `read_body` bounds by the deadline.
            self.read_body(operation, response, CATALOG_BODY_LIMIT, budget, deadline)
                .await
        };
        let body = within_budget(operation, budget, deadline, fetch).await?;
        let envelope = Envelope::read(&body);
        if let Some(key) = envelope.pagination_key {
            return Err(ClientError::PaginatedCatalog { key });
        }
        Ok((body, envelope))
    }
}

/// The parse step of a [`CatalogCache`].
type Parse<T> = dyn Fn(&[u8], &BaseUrl) -> Result<T, SharedSource> + Send + Sync;

/// The catalog cache (PROTOCOL.md §5.1), generic over the parsed catalog. See the
/// [module docs](self).
///
/// One cache can serve many clients: entries are keyed by endpoint and key fingerprint, so
/// different keys or origins never share a result.
///
/// ```no_run
/// # async fn demo() -> Result<(), clawrouter_client::ClientError> {
/// use clawrouter_client::{CatalogCache, Client};
///
/// // The lead's resolver plugs in here: `|body, base| resolve_catalog(body, base)`.
/// let cache = CatalogCache::new(|body: &[u8], _base: &clawrouter_catalog::BaseUrl| {
///     serde_json::from_slice::<serde_json::Value>(body)
/// });
/// let client = Client::from_env()?;
/// let catalog = cache.get(&client).await?; // one request per 60 s, shared by concurrent callers
/// println!("{}", catalog["providers"]);
/// # Ok(()) }
/// ```
pub struct CatalogCache<T> {
    cache: SharedCache<T>,
    parse: Arc<Parse<T>>,
}

impl<T> Clone for CatalogCache<T> {
    fn clone(&self) -> Self {
        Self {
            cache: self.cache.clone(),
            parse: Arc::clone(&self.parse),
        }
    }
}

impl<T> fmt::Debug for CatalogCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CatalogCache")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl<T: Send + Sync + 'static> CatalogCache<T> {
    /// A cache whose values are `parse(body, base_url)`.
    pub fn new<E, F>(parse: F) -> Self
    where
        F: Fn(&[u8], &BaseUrl) -> Result<T, E> + Send + Sync + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        Self {
            cache: SharedCache::new(),
            parse: Arc::new(move |body, base| {
                parse(body, base).map_err(|error| Arc::new(error) as SharedSource)
            }),
        }
    }

    /// The catalog for `client`'s endpoint and key: cached, joined in flight, or fetched.
    ///
    /// # Errors
    ///
    /// Those of [`Client::fetch_catalog_raw`], and [`ClientError::Parse`] when the parse closure
    /// rejects the body. Errors are not cached.
    pub async fn get(&self, client: &Client) -> Result<Arc<T>, ClientError> {
        let key = Self::key(client);
        let client = client.clone();
        let parse = Arc::clone(&self.parse);
        self.cache
            .get_or_load(key, client.inner.catalog_ttl, move || async move {
                let (body, envelope) = client.fetch_catalog().await?;
                let value =
                    parse(&body, client.base_url()).map_err(|source| ClientError::Parse {
                        operation: Operation::Catalog,
                        source,
                    })?;
                Ok(Loaded {
                    value,
                    cacheable: envelope.providers.is_some_and(|count| count > 0),
                })
            })
            .await
    }

    /// Forgets the entry of `client`'s endpoint and key.
    pub fn invalidate(&self, client: &Client) {
        self.cache.invalidate(&Self::key(client));
    }

    /// The underlying cache.
    pub fn entries(&self) -> &SharedCache<T> {
        &self.cache
    }

    fn key(client: &Client) -> CacheKey {
        CacheKey::catalog(&client.base_url().catalog_url(), client.key())
    }
}

/// What the client itself reads of a catalog body: the raw `providers` count (the cache
/// predicate of §5.1) and the first pagination key (§4.1, §14 D12). Everything else is the
/// parser's business.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Envelope {
    /// The length of the top-level `providers` array, when it is an array.
    pub providers: Option<usize>,
    /// The pagination key found, when one is.
    pub pagination_key: Option<&'static str>,
}

impl Envelope {
    /// Reads the envelope. A body that is not a JSON object (or not JSON) has none: the parser
    /// reports it.
    pub fn read(body: &[u8]) -> Envelope {
        // A leading UTF-8 BOM is skipped, as the reference's `TextDecoder` does (§14 D18).
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        deserializer
            .deserialize_any(EnvelopeVisitor)
            .unwrap_or_default()
    }
}

/// The JSON type of a value, read without building it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// A string; whether it is non-empty.
    Str(bool),
    Number,
    Bool(bool),
    Null,
    Other,
}

impl Shape {
    /// Whether a cursor field holds a usable cursor.
    fn is_cursor(self) -> bool {
        matches!(self, Shape::Str(true) | Shape::Number)
    }
}

impl<'de> de::Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ShapeVisitor;
        impl<'de> Visitor<'de> for ShapeVisitor {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, value: &str) -> Result<Shape, E> {
                Ok(Shape::Str(!value.is_empty()))
            }
            fn visit_bool<E>(self, value: bool) -> Result<Shape, E> {
                Ok(Shape::Bool(value))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::Number)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::Number)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::Number)
            }
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Shape::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Shape::Other)
            }
        }
        deserializer.deserialize_any(ShapeVisitor)
    }
}

/// `links`: whether it is an object whose `next` is a string.
struct LinksNext(bool);

impl<'de> de::Deserialize<'de> for LinksNext {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LinksVisitor;
        impl<'de> Visitor<'de> for LinksVisitor {
            type Value = LinksNext;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LinksNext, A::Error> {
                let mut next = false;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == "next" {
                        next = matches!(map.next_value::<Shape>()?, Shape::Str(_));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(LinksNext(next))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LinksNext, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| LinksNext(false))
            }
            fn visit_str<E>(self, _: &str) -> Result<LinksNext, E> {
                Ok(LinksNext(false))
            }
            fn visit_bool<E>(self, _: bool) -> Result<LinksNext, E> {
                Ok(LinksNext(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<LinksNext, E> {
                Ok(LinksNext(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<LinksNext, E> {
                Ok(LinksNext(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<LinksNext, E> {
                Ok(LinksNext(false))
            }
            fn visit_unit<E>(self) -> Result<LinksNext, E> {
                Ok(LinksNext(false))
            }
        }
        deserializer.deserialize_any(LinksVisitor)
    }
}

/// `providers`: its length when it is an array.
struct ArrayLength(Option<usize>);

impl<'de> de::Deserialize<'de> for ArrayLength {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LengthVisitor;
        impl<'de> Visitor<'de> for LengthVisitor {
            type Value = ArrayLength;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ArrayLength, A::Error> {
                let mut count = 0usize;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(ArrayLength(Some(count)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ArrayLength, A::Error> {
                IgnoredAny.visit_map(map).map(|_| ArrayLength(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<ArrayLength, E> {
                Ok(ArrayLength(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<ArrayLength, E> {
                Ok(ArrayLength(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<ArrayLength, E> {
                Ok(ArrayLength(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<ArrayLength, E> {
                Ok(ArrayLength(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<ArrayLength, E> {
                Ok(ArrayLength(None))
            }
            fn visit_unit<E>(self) -> Result<ArrayLength, E> {
                Ok(ArrayLength(None))
            }
        }
        deserializer.deserialize_any(LengthVisitor)
    }
}

/// The cursor keys of §4.1, in the order OpenClaw's loader checks them.
const CURSOR_KEYS: [&str; 5] = [
    "next_cursor",
    "last_id",
    "lastId",
    "nextPageToken",
    "next_page_token",
];

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let mut providers = None;
        let mut next = false;
        let mut links_next = false;
        let mut has_more = None;
        let mut cursors = [false; CURSOR_KEYS.len()];
        // Duplicate keys: the last one wins, as with `JSON.parse`.
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "providers" => providers = map.next_value::<ArrayLength>()?.0,
                "next" => next = matches!(map.next_value::<Shape>()?, Shape::Str(_)),
                "links" => links_next = map.next_value::<LinksNext>()?.0,
                "has_more" => has_more = Some(map.next_value::<Shape>()?),
                other => match CURSOR_KEYS.iter().position(|name| *name == other) {
                    Some(at) => {
                        let present = map.next_value::<Shape>()?.is_cursor();
                        if let Some(slot) = cursors.get_mut(at) {
                            *slot = present;
                        }
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
        }
        let pagination_key = if next {
            Some("next")
        } else if links_next {
            Some("links.next")
        } else if has_more == Some(Shape::Bool(true)) {
            Some("has_more")
        } else if has_more == Some(Shape::Bool(false)) {
            None
        } else {
            CURSOR_KEYS
                .iter()
                .zip(cursors)
                .find_map(|(name, present)| present.then_some(*name))
        };
        Ok(Envelope {
            providers,
            pagination_key,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Envelope, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| Envelope::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<Envelope, E> {
        Ok(Envelope::default())
    }
    fn visit_bool<E>(self, _: bool) -> Result<Envelope, E> {
        Ok(Envelope::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Envelope, E> {
        Ok(Envelope::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Envelope, E> {
        Ok(Envelope::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Envelope, E> {
        Ok(Envelope::default())
    }
    fn visit_unit<E>(self) -> Result<Envelope, E> {
        Ok(Envelope::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PROTOCOL.md §4.1 pagination keys and §5.1's providers count, as the envelope reads them.
    #[test]
    fn envelope_table() {
        let check = |body: &str, providers: Option<usize>, key: Option<&'static str>| {
            assert_eq!(
                Envelope::read(body.as_bytes()),
                Envelope {
                    providers,
                    pagination_key: key
                },
                "{body}"
            );
        };
        check(r#"{"providers":[]}"#, Some(0), None);
        check(r#"{"providers":[{"id":"a"},1,null]}"#, Some(3), None);
        check(r#"{"version":"v1","providers":{"a":1}}"#, None, None);
        check("\u{feff}{\"providers\":[1]}", Some(1), None);
        check(
            r#"{"providers":[1],"next":"https://x/2"}"#,
            Some(1),
            Some("next"),
        );
        check(r#"{"providers":[1],"next":null}"#, Some(1), None);
        check(
            r#"{"providers":[1],"links":{"next":"/p2"}}"#,
            Some(1),
            Some("links.next"),
        );
        check(r#"{"providers":[1],"links":{"self":"/p1"}}"#, Some(1), None);
        check(r#"{"providers":[1],"links":"next"}"#, Some(1), None);
        check(
            r#"{"providers":[1],"has_more":true}"#,
            Some(1),
            Some("has_more"),
        );
        check(r#"{"providers":[1],"has_more":false}"#, Some(1), None);
        check(
            r#"{"providers":[1],"next_cursor":"c2"}"#,
            Some(1),
            Some("next_cursor"),
        );
        check(r#"{"providers":[1],"last_id":7}"#, Some(1), Some("last_id"));
        check(r#"{"providers":[1],"lastId":"x"}"#, Some(1), Some("lastId"));
        check(
            r#"{"providers":[1],"nextPageToken":"t"}"#,
            Some(1),
            Some("nextPageToken"),
        );
        check(
            r#"{"providers":[1],"next_page_token":"t"}"#,
            Some(1),
            Some("next_page_token"),
        );
        check(
            r#"{"providers":[1],"next_page_token":"t","has_more":false}"#,
            Some(1),
            None,
        );
        check(r#"{"providers":[1],"next_cursor":""}"#, Some(1), None);
        check(r#"{"providers":[1],"next_cursor":null}"#, Some(1), None);
        check(
            r#"{"providers":[1],"meta":{"next":"x","has_more":true}}"#,
            Some(1),
            None,
        );
        check(r#"[{"providers":[1]}]"#, None, None);
        check("null", None, None);
        check("{\"providers\":", None, None);
        check(r#"{"providers":[1e400]}"#, Some(1), None);
    }

    proptest::proptest! {
        /// Any bytes: no panic, and a body that is not a JSON object has no envelope.
        #[test]
        fn envelope_of_arbitrary_bytes(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let envelope = Envelope::read(&body);
            if !body.contains(&b'{') {
                proptest::prop_assert_eq!(envelope, Envelope::default());
            }
        }

        /// The providers count of any array of small values is its length.
        #[test]
        fn providers_count(values in proptest::collection::vec(0u32..1000, 0..50)) {
            let body = serde_json::json!({"providers": values, "version": "v1"}).to_string();
            proptest::prop_assert_eq!(Envelope::read(body.as_bytes()).providers, Some(values.len()));
        }
    }
}
