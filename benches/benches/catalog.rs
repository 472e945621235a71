//! Resolving a 1 000-model `/v1/catalog` body (issue 5: target < 2 ms), split into the body
//! parse (`json::parse`, PROTOCOL.md §14 D18) and the resolution proper (§4.3–§4.9, dedupe,
//! `localeCompare` order) so that the parse share can be reported.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;

use clawrouter_catalog::{BaseUrl, ResolveOptions, json, resolve_catalog, resolve_catalog_value};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// 10 providers × 100 models, every transport, pricing and efforts on some, ids in
/// mixed case with digits and punctuation.
fn catalog_body() -> Vec<u8> {
    let mut providers = Vec::new();
    for p in 0..10 {
        let (compatible, routes) = match p % 4 {
            0 | 1 => (true, String::from("[]")),
            2 => (
                false,
                String::from(
                    r#"[{"path":"/v1/messages","methods":["POST"],"requestFormat":"anthropic.messages"}]"#,
                ),
            ),
            _ => (
                false,
                String::from(
                    r#"[{"path":"/v1beta/models/${model}:generateContent","methods":["POST"],"requestFormat":"google.generate_content"},{"path":"/v1beta/models/${model}:streamGenerateContent","methods":["POST"],"requestFormat":"google.generate_content"}]"#,
                ),
            ),
        };
        let caps = match p % 4 {
            0 => r#"["llm.responses","llm.chat"]"#,
            1 => r#"["llm.chat"]"#,
            2 => r#"["llm.messages","llm.count_tokens"]"#,
            _ => r#"["llm.generate","llm.stream"]"#,
        };
        let mut models = Vec::new();
        for m in 0..100 {
            let extras = if m % 3 == 0 {
                r#","supportedReasoningEfforts":["none","low","medium","high","xhigh","max"],"pricing":{"inputMicrosPerMillion":3000000,"outputMicrosPerMillion":15000000,"cachedInputMicrosPerMillion":300000,"cacheWrite5mInputMicrosPerMillion":3750000,"maxInputTokens":1000000,"defaultMaxOutputTokens":64000}"#
            } else {
                ""
            };
            models.push(format!(
                r#"{{"id":"vendor{p}/Model-{m}.{}_x","upstream":"model-{m}","capabilities":{caps},"pricing_ref":"ref-{m}"{extras}}}"#,
                m % 7
            ));
        }
        providers.push(format!(
            r#"{{"id":"vendor{p}","displayName":"Vendor {p}","allowed":true,"executable":true,"openaiCompatible":{compatible},"nativeBaseUrl":"/v1/native/vendor{p}","policies":["team"],"routes":{routes},"models":[{}]}}"#,
            models.join(",")
        ));
    }
    format!(
        r#"{{"version":"clawrouter.client-catalog.v1","providers":[{}]}}"#,
        providers.join(",")
    )
    .into_bytes()
}

fn bench_catalog(c: &mut Criterion) {
    let body = catalog_body();
    let base = BaseUrl::new(Some("https://clawrouter.example/v1"));
    let resolved = resolve_catalog(&body, &base).unwrap();
    assert_eq!(resolved.models.len(), 1_000);
    let parsed = json::parse(&body).unwrap();

    let mut group = c.benchmark_group("catalog");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("resolve_1000_models", |b| {
        b.iter(|| resolve_catalog(black_box(&body), &base))
    });
    group.bench_function("parse_body_only", |b| {
        b.iter(|| json::parse(black_box(&body)))
    });
    group.bench_function("resolve_parsed_value", |b| {
        b.iter(|| resolve_catalog_value(black_box(&parsed), &base, ResolveOptions::default()))
    });
    group.bench_function("to_openclaw_json", |b| {
        b.iter(|| black_box(&resolved).to_openclaw_json(true))
    });
    group.finish();
}

criterion_group!(benches, bench_catalog);
criterion_main!(benches);
