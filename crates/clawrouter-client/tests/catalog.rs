//! `GET /v1/catalog` and the catalog cache (PROTOCOL.md §4.1, §5.1, §14 D12) against wiremock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clawrouter_catalog::BaseUrl;
use clawrouter_client::{
    CATALOG_BODY_LIMIT, CacheKey, CatalogCache, ClientError, Loaded, SharedCache, TimeoutPhase,
};
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TEST_KEY, builder, client};

const CATALOG: &str = r#"{"version":"clawrouter.client-catalog.v1","providers":[{"id":"openai","nativeBaseUrl":"/v1/native/openai","openaiCompatible":true,"models":[{"id":"openai/gpt-5.6","upstream":"gpt-5.6","capabilities":["llm.responses"]}]}]}"#;

fn json_cache() -> CatalogCache<Value> {
    CatalogCache::new(|body: &[u8], _base: &BaseUrl| serde_json::from_slice::<Value>(body))
}

async fn catalog_server(body: &str, delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/catalog"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body.as_bytes().to_vec(), "application/json")
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn fetch_sends_accept_and_the_key_to_the_catalog_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/catalog"))
        .and(header("accept", "application/json"))
        .and(header(
            "authorization",
            format!("Bearer {TEST_KEY}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(CATALOG))
        .expect(1)
        .mount(&server)
        .await;
    // A base URL given with `/v1/` still reaches `/v1/catalog` (PROTOCOL.md §2).
    let client = client(&format!("{}/v1/", server.uri()));
    let body = client.fetch_catalog_raw().await.unwrap();
    assert_eq!(&body[..], CATALOG.as_bytes());
}

#[tokio::test]
async fn no_key_means_no_authorization_header() {
    let server = catalog_server(CATALOG, Duration::ZERO).await;
    let client = clawrouter_client::Client::builder()
        .base_url(BaseUrl::new(Some(&server.uri())))
        .api_key("CLAWROUTER_API_KEY".into()) // the env-var marker counts as no key (§3.3)
        .build()
        .unwrap();
    client.fetch_catalog_raw().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].headers.contains_key("authorization"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_share_one_request() {
    let server = catalog_server(CATALOG, Duration::from_millis(300)).await;
    let client = client(&server.uri());
    let cache = json_cache();
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let cache = cache.clone();
            let client = client.clone();
            tokio::spawn(async move { cache.get(&client).await })
        })
        .collect();
    let mut values = Vec::new();
    for caller in callers {
        values.push(caller.await.unwrap().unwrap());
    }
    assert_eq!(request_count(&server).await, 1);
    assert!(values.iter().all(|value| Arc::ptr_eq(value, &values[0])));
    assert_eq!(values[0]["providers"][0]["id"], "openai");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_share_one_failure_which_is_not_cached() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(r#"{"error":{"code":"invalid_proxy_key","message":"bad key"}}"#)
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let cache = json_cache();
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let cache = cache.clone();
            let client = client.clone();
            tokio::spawn(async move { cache.get(&client).await })
        })
        .collect();
    for caller in callers {
        let error = caller.await.unwrap().unwrap_err();
        assert!(matches!(error, ClientError::Auth { .. }), "{error}");
    }
    assert_eq!(request_count(&server).await, 1);
    // Not cached: the next call asks again.
    cache.get(&client).await.unwrap_err();
    assert_eq!(request_count(&server).await, 2);
    assert!(cache.entries().is_empty());
}

/// PROTOCOL.md §12.1 case 11: two identical builds within the TTL make one request (its
/// `authorization: Bearer <key>` is checked in `fetch_sends_accept_and_the_key_to_the_catalog_endpoint`).
#[tokio::test]
async fn the_cache_keeps_a_catalog_for_its_ttl() {
    let server = catalog_server(CATALOG, Duration::ZERO).await;
    let client = builder(&server.uri())
        .catalog_ttl(Duration::from_millis(400))
        .build()
        .unwrap();
    let cache = json_cache();
    let first = cache.get(&client).await.unwrap();
    let second = cache.get(&client).await.unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(request_count(&server).await, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let third = cache.get(&client).await.unwrap();
    assert_eq!(request_count(&server).await, 2);
    // The new snapshot replaced the old one; holders of the old one keep it intact.
    assert!(!Arc::ptr_eq(&first, &third));
    assert_eq!(first, third);
}

#[tokio::test]
async fn an_empty_catalog_is_not_cached() {
    let server = catalog_server(r#"{"providers":[]}"#, Duration::ZERO).await;
    let client = client(&server.uri());
    let cache = json_cache();
    cache.get(&client).await.unwrap();
    cache.get(&client).await.unwrap();
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_catalog_of_only_invalid_rows_is_cached() {
    // §5.1: the predicate counts the raw `providers` array, before row validation.
    let server = catalog_server(r#"{"providers":[42, null]}"#, Duration::ZERO).await;
    let client = client(&server.uri());
    let cache = json_cache();
    cache.get(&client).await.unwrap();
    cache.get(&client).await.unwrap();
    assert_eq!(request_count(&server).await, 1);
}

/// PROTOCOL.md §12.1 case 7: no cache bleed across keys or endpoints.
#[tokio::test]
async fn different_keys_and_endpoints_never_share_an_entry() {
    let server = catalog_server(CATALOG, Duration::ZERO).await;
    let cache = json_cache();
    let a = client(&server.uri());
    let b = builder(&server.uri())
        .api_key("public-workload-test-key".into())
        .build()
        .unwrap();
    let c = client(&format!("{}/private", server.uri()));
    cache.get(&a).await.unwrap();
    cache.get(&b).await.unwrap();
    let _ = cache.get(&c).await; // 404 at /private/v1/catalog: an error, not a shared hit
    cache.get(&a).await.unwrap();
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(cache.entries().len(), 2);
}

#[tokio::test]
async fn a_parse_failure_is_a_typed_error_and_not_cached() {
    let server = catalog_server(r#"{"providers":[1]}"#, Duration::ZERO).await;
    let client = client(&server.uri());
    let cache: CatalogCache<u32> = CatalogCache::new(|_body: &[u8], _base: &BaseUrl| {
        Err::<u32, _>(std::io::Error::other(
            "ClawRouter catalog response must contain providers[]",
        ))
    });
    let error = cache.get(&client).await.unwrap_err();
    assert!(matches!(error, ClientError::Parse { .. }), "{error}");
    assert!(error.to_string().contains("must contain providers[]"));
    cache.get(&client).await.unwrap_err();
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn pagination_keys_are_an_error() {
    for (body, key) in [
        (r#"{"providers":[1],"next":"https://x.example/p2"}"#, "next"),
        (r#"{"providers":[1],"links":{"next":"/p2"}}"#, "links.next"),
        (r#"{"providers":[1],"has_more":true}"#, "has_more"),
        (r#"{"providers":[1],"next_cursor":"c2"}"#, "next_cursor"),
        (r#"{"providers":[1],"nextPageToken":"t"}"#, "nextPageToken"),
    ] {
        let server = catalog_server(body, Duration::ZERO).await;
        let error = client(&server.uri()).fetch_catalog_raw().await.unwrap_err();
        match &error {
            ClientError::PaginatedCatalog { key: found } => assert_eq!(*found, key, "{body}"),
            other => panic!("{body}: {other}"),
        }
        assert!(
            error
                .to_string()
                .contains("did not include a supported next page")
        );
        assert_eq!(
            request_count(&server).await,
            1,
            "{body}: no page is followed"
        );
    }
}

#[tokio::test]
async fn a_body_over_4_mib_is_refused() {
    let mut body = br#"{"providers":[],"pad":""#.to_vec();
    body.resize(CATALOG_BODY_LIMIT + 1, b' ');
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let error = client(&server.uri()).fetch_catalog_raw().await.unwrap_err();
    match error {
        ClientError::BodyTooLarge {
            limit, received, ..
        } => assert_eq!((limit, received), (4_194_304, 4_194_305)),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn the_catalog_time_budget_covers_the_whole_fetch() {
    let server = catalog_server(CATALOG, Duration::from_millis(1500)).await;
    let client = builder(&server.uri())
        .catalog_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.fetch_catalog_raw().await.unwrap_err();
    match error {
        ClientError::Timeout { phase, after, .. } => {
            assert_eq!(
                (phase, after),
                (TimeoutPhase::Total, Duration::from_millis(300))
            );
        }
        other => panic!("{other}"),
    }
}

/// The cache's own rules with tokio's clock paused: expiry counted from load completion,
/// abandoned loads dropped, TTL zero never caching.
#[tokio::test(start_paused = true)]
async fn shared_cache_expiry_is_counted_from_load_completion() {
    let cache: SharedCache<u32> = SharedCache::new();
    let key = CacheKey::catalog("https://r.example/v1/catalog", None);
    let loads = Arc::new(AtomicUsize::new(0));
    let ttl = Duration::from_secs(60);
    let load = |delay: Duration| {
        let loads = Arc::clone(&loads);
        move || async move {
            loads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            Ok(Loaded {
                value: 7,
                cacheable: true,
            })
        }
    };
    // A slow load (30 s) still gets the full 60 s from its completion.
    cache
        .get_or_load(key, ttl, load(Duration::from_secs(30)))
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(59)).await;
    cache
        .get_or_load(key, ttl, load(Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    cache
        .get_or_load(key, ttl, load(Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 2);
    // TTL zero never caches.
    let other = CacheKey::catalog("https://r.example/v1/catalog", Some(&"k".into()));
    cache
        .get_or_load(other, Duration::ZERO, load(Duration::ZERO))
        .await
        .unwrap();
    cache
        .get_or_load(other, Duration::ZERO, load(Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn shared_cache_drops_a_load_when_its_last_waiter_leaves() {
    let cache: SharedCache<u32> = SharedCache::new();
    let key = CacheKey::catalog("https://r.example/v1/catalog", None);
    let started = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let load = || {
        let started = Arc::clone(&started);
        let finished = Arc::clone(&finished);
        move || async move {
            started.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(10)).await;
            finished.fetch_add(1, Ordering::SeqCst);
            Ok(Loaded {
                value: 1,
                cacheable: true,
            })
        }
    };
    // Two waiters give up after 1 s: the load is abandoned, not finished in the background.
    let waiter = || {
        tokio::time::timeout(
            Duration::from_secs(1),
            cache.get_or_load(key, Duration::from_secs(60), load()),
        )
    };
    let (a, b) = tokio::join!(waiter(), waiter());
    assert!(a.is_err() && b.is_err());
    tokio::time::advance(Duration::from_secs(20)).await;
    assert_eq!(
        (
            started.load(Ordering::SeqCst),
            finished.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
    // The next caller starts a fresh load.
    cache
        .get_or_load(key, Duration::from_secs(60), load())
        .await
        .unwrap();
    assert_eq!(
        (
            started.load(Ordering::SeqCst),
            finished.load(Ordering::SeqCst)
        ),
        (2, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn shared_cache_holds_at_most_100_entries() {
    let cache: SharedCache<usize> = SharedCache::new();
    for index in 0..150 {
        let key = CacheKey::catalog(&format!("https://r{index}.example/v1/catalog"), None);
        cache
            .get_or_load(key, Duration::from_secs(60), move || async move {
                Ok(Loaded {
                    value: index,
                    cacheable: true,
                })
            })
            .await
            .unwrap();
    }
    assert_eq!(cache.len(), 100);
    // The oldest were pruned, the newest kept.
    let newest = CacheKey::catalog("https://r149.example/v1/catalog", None);
    let value = cache
        .get_or_load(newest, Duration::from_secs(60), || async {
            unreachable!("cached")
        })
        .await
        .unwrap();
    assert_eq!(*value, 149);
}
