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

use clawrouter_benches::catalog_corpus::catalog_body;
use clawrouter_catalog::{BaseUrl, ResolveOptions, json, resolve_catalog, resolve_catalog_value};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench_catalog(c: &mut Criterion) {
    let body = catalog_body();
    let base = BaseUrl::new(Some("https://clawrouter.example/v1"));
    let resolved = resolve_catalog(&body, &base).unwrap();
    assert_eq!(resolved.models.len(), 1_000);
    let parsed = json::parse(&body).unwrap();
    json::validate(&body).unwrap();

    let mut group = c.benchmark_group("catalog");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("resolve_1000_models", |b| {
        b.iter(|| resolve_catalog(black_box(&body), &base))
    });
    group.bench_function("parse_body_only", |b| {
        b.iter(|| json::parse(black_box(&body)))
    });
    // From a serde_json::Value (includes borrowing it into the catalog's tree).
    group.bench_function("resolve_serde_value", |b| {
        b.iter(|| resolve_catalog_value(black_box(&parsed), &base, ResolveOptions::default()))
    });
    group.bench_function("to_openclaw_json", |b| {
        b.iter(|| black_box(&resolved).to_openclaw_json(true))
    });
    group.finish();
}

criterion_group!(benches, bench_catalog);
criterion_main!(benches);
