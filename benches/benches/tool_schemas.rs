//! Tool-schema normalization (POLICY.md §4): the Gemini cleaner, DeepSeek and Perplexity on the
//! 50-tool set with `$defs` of `clawrouter_benches::tool_schemas` (µs per call = per 50 tools),
//! and the openai pass-through, which returns the input slice itself (its allocation count is in
//! the `tool_schemas_alloc` bench binary).
//!
//! Group `tool_schemas`, functions `gemini_50`, `deepseek_50`, `perplexity_50`,
//! `openai_passthrough_50`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::borrow::Cow;
use std::hint::black_box;
use std::time::Duration;

use clawrouter_benches::tool_schemas::tool_set;
use clawrouter_policy::tools::normalize_tools;
use criterion::{Criterion, Throughput};

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let tools = tool_set();

    // Before timing: the work is what it should be.
    let gemini = normalize_tools("google/gemini-3.5-flash", &tools);
    assert!(!gemini.diagnostics.is_empty());
    assert!(
        !serde_json::to_string(&gemini.tools[..])
            .unwrap()
            .contains("$ref")
    );
    assert!(matches!(
        normalize_tools("openai/gpt-5.5", &tools).tools,
        Cow::Borrowed(_)
    ));

    let mut group = c.benchmark_group("tool_schemas");
    group.throughput(Throughput::Elements(tools.len() as u64));
    for (name, model) in [
        ("gemini_50", "google/gemini-3.5-flash"),
        ("deepseek_50", "deepseek/deepseek-v4-flash"),
        ("perplexity_50", "perplexity/sonar-pro"),
        ("openai_passthrough_50", "openai/gpt-5.5"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(normalize_tools(black_box(model), black_box(&tools))));
        });
    }
    group.finish();
    c.final_summary();
}
