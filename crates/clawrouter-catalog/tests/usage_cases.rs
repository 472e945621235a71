//! PROTOCOL.md §12.4 (usage) and the number rules of §8.3, as exact snapshots.

use clawrouter_catalog::json::to_js_string;
use clawrouter_catalog::{
    BaseUrl, MAX_USAGE_BODY_BYTES, NetworkMode, RouterRequest, usage_snapshot,
};
use serde_json::{Value, json};

use crate::support::fixture;

/// `usage summarize` of a 200 body, as JSON text (key order checked).
fn summarize(body: &[u8]) -> String {
    to_js_string(&usage_snapshot(200, body, 1_000).unwrap().to_openclaw_json())
}

const MALFORMED: &str = r#"{"provider":"clawrouter","displayName":"ClawRouter","windows":[],"error":"Malformed usage response"}"#;

/// Cases 41 and 51 (mode `trusted_env_proxy`) and §14 D5: usage and pool honour the environment
/// proxy on every origin; HTTPS is required only on the public one. The request through a real
/// proxy is in `crates/clawrouter-cli/tests/proxy.rs`.
#[test]
fn usage_and_pool_honour_the_env_proxy_on_every_origin() {
    for (input, require_https) in [
        (None, true),
        (Some("https://clawrouter.openclaw.ai/v1/"), true),
        (Some("https://clawrouter.example/v1"), false),
        (Some("http://127.0.0.1:8080"), false),
    ] {
        let base = BaseUrl::new(input);
        for kind in [RouterRequest::Usage, RouterRequest::Pool] {
            assert_eq!(
                base.network_mode(kind),
                NetworkMode::TrustedEnvProxy { require_https },
                "{input:?} {kind:?}"
            );
        }
    }
}

/// Cases 41–45 and 50 from the fixtures.
#[test]
fn numbered_cases_from_fixtures() {
    let cases: [(&str, &str); 6] = [
        // 41.
        (
            "usage/budget.json",
            r#"{"provider":"clawrouter","displayName":"ClawRouter","windows":[{"label":"Monthly budget","usedPercent":25,"resetAt":1785542400000}],"billing":[{"type":"budget","used":25,"limit":100,"unit":"USD","period":"month","resetAt":1785542400000}],"summary":"12 requests · 34,567 tokens · $25.00 used","plan":"Managed monthly budget"}"#,
        ),
        // 42.
        (
            "usage/numeric-strings.json",
            r#"{"provider":"clawrouter","displayName":"ClawRouter","windows":[],"plan":"Managed monthly budget"}"#,
        ),
        // 43, 44, 45.
        ("usage/truncated.json", MALFORMED),
        ("usage/null.json", MALFORMED),
        ("usage/invalid-utf8.json", MALFORMED),
        // 50.
        (
            "usage/unmetered.json",
            r#"{"provider":"clawrouter","displayName":"ClawRouter","windows":[],"billing":[{"type":"spend","amount":0,"unit":"USD"}],"summary":"0 requests · 0 tokens · $0.00 used","plan":"Unmetered proxy key"}"#,
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(summarize(&fixture(path)), expected, "{path}");
    }
    // Case 41: resetAt is 2026-08-01T00:00:00Z.
    let snapshot = usage_snapshot(200, &fixture("usage/budget.json"), 7).unwrap();
    assert_eq!(snapshot.reset_at_ms(), Some(1_785_542_400_000));
    assert_eq!(snapshot.used_percent(), Some(25.0));
    assert_eq!(snapshot.fetched_at_ms(), 7);
    assert_eq!(snapshot.plan(), Some("Managed monthly budget"));
}

/// Cases 47, 48 (the status part) and 49; case 51's summary.
#[test]
fn failures_and_summary_only() {
    for status in [503, 403, 401, 404, 199, 300, 500] {
        assert_eq!(
            usage_snapshot(status, b"secret details", 0)
                .unwrap_err()
                .to_string(),
            format!("ClawRouter usage request failed (HTTP {status})")
        );
    }
    let mut big = br#"{"pad":""#.to_vec();
    big.resize(MAX_USAGE_BODY_BYTES + 1, b' ');
    let error = usage_snapshot(200, &big, 0).unwrap_err().to_string();
    assert!(
        error.starts_with("ClawRouter usage response exceeds"),
        "{error}"
    );
    assert_eq!(error, "ClawRouter usage response exceeds 1048576 bytes");
    // 51: a key with totals only.
    let body = br#"{"budget":{"configured":false,"ledger":"unmetered"},"usage":{"summary":{"requestCount":2,"totalTokens":8,"actualCostMicros":0}}}"#;
    assert_eq!(
        usage_snapshot(204, body, 0).unwrap().summary(),
        Some("2 requests · 8 tokens · $0.00 used")
    );
}

/// §8.3 rules 3–10 one by one.
#[test]
fn snapshot_rules() {
    let cases: [(Value, Value); 12] = [
        // Non-object roots.
        (
            json!([1]),
            json!({"windows": [], "error": "Malformed usage response"}),
        ),
        (
            json!("x"),
            json!({"windows": [], "error": "Malformed usage response"}),
        ),
        // Empty object: unmetered, nothing known.
        (
            json!({}),
            json!({"windows": [], "plan": "Unmetered proxy key"}),
        ),
        // limit 0 → 100 %.
        (
            json!({"budget": {"configured": true, "limitMicros": 0, "spentMicros": 0, "windowKey": "t/p/2026-12"}}),
            json!({"windows": [{"label": "Monthly budget", "usedPercent": 100, "resetAt": 1_798_761_600_000_i64}],
                "billing": [{"type": "budget", "used": 0, "limit": 0, "unit": "USD", "period": "month", "resetAt": 1_798_761_600_000_i64}],
                "plan": "Managed monthly budget"}),
        ),
        // Overspent is capped at 100; percent not rounded; bad window key → no resetAt.
        (
            json!({"budget": {"configured": true, "limitMicros": 3, "spentMicros": 1, "windowKey": "2026-07"}}),
            json!({"windows": [{"label": "Monthly budget", "usedPercent": 33.33333333333333}],
                "billing": [{"type": "budget", "used": 0.000001, "limit": 0.000003, "unit": "USD", "period": "month"}],
                "plan": "Managed monthly budget"}),
        ),
        (
            json!({"budget": {"configured": true, "limitMicros": 1, "spentMicros": 5}}),
            json!({"windows": [{"label": "Monthly budget", "usedPercent": 100}],
                "billing": [{"type": "budget", "used": 0.000005, "limit": 0.000001, "unit": "USD", "period": "month"}],
                "plan": "Managed monthly budget"}),
        ),
        // configured must be exactly true.
        (
            json!({"budget": {"configured": "true", "limitMicros": 1, "spentMicros": 0}, "usage": {"summary": {"actualCostMicros": 5000}}}),
            json!({"windows": [], "billing": [{"type": "spend", "amount": 0.005, "unit": "USD"}], "summary": "$0.0050 used", "plan": "Unmetered proxy key"}),
        ),
        // Configured but spent unknown (per-principal / ledger error): spend billing if cost is valid.
        (
            json!({"budget": {"configured": true, "ledger": "per_principal", "limitMicros": 5, "spentMicros": null}, "usage": {"summary": {"requestCount": 1234567}}}),
            json!({"windows": [], "summary": "1,234,567 requests", "plan": "Managed monthly budget"}),
        ),
        // Negative and non-finite numbers are invalid (1e400 reads as Infinity, D18).
        (
            json!({"usage": {"summary": {"requestCount": -1, "totalTokens": 12.5, "actualCostMicros": 1}}}),
            json!({"windows": [], "billing": [{"type": "spend", "amount": 0.000001, "unit": "USD"}], "summary": "13 tokens · $0.0000 used", "plan": "Unmetered proxy key"}),
        ),
        (
            json!({"usage": {"summary": {"actualCostMicros": 1_234_500_000_i64}}}),
            json!({"windows": [], "billing": [{"type": "spend", "amount": 1234.5, "unit": "USD"}], "summary": "$1234.50 used", "plan": "Unmetered proxy key"}),
        ),
        (
            json!({"usage": {"summary": {"actualCostMicros": 10_000}}}),
            json!({"windows": [], "billing": [{"type": "spend", "amount": 0.01, "unit": "USD"}], "summary": "$0.01 used", "plan": "Unmetered proxy key"}),
        ),
        (
            json!({"budget": null, "usage": {"summary": null}}),
            json!({"windows": [], "plan": "Unmetered proxy key"}),
        ),
    ];
    for (body, expected) in cases {
        let mut expected_full = serde_json::Map::new();
        expected_full.insert("provider".into(), "clawrouter".into());
        expected_full.insert("displayName".into(), "ClawRouter".into());
        for (key, value) in expected.as_object().unwrap() {
            expected_full.insert(key.clone(), value.clone());
        }
        let got = usage_snapshot(200, &serde_json::to_vec(&body).unwrap(), 0)
            .unwrap()
            .to_openclaw_json();
        assert_eq!(
            to_js_string(&got),
            to_js_string(&Value::Object(expected_full)),
            "{body}"
        );
    }
    // JavaScript's number text for small amounts.
    assert_eq!(
        summarize(br#"{"budget":{"configured":true,"limitMicros":3,"spentMicros":1}}"#),
        r#"{"provider":"clawrouter","displayName":"ClawRouter","windows":[{"label":"Monthly budget","usedPercent":33.33333333333333}],"billing":[{"type":"budget","used":0.000001,"limit":0.000003,"unit":"USD","period":"month"}],"plan":"Managed monthly budget"}"#
    );
    // D18 in usage: BOM and 1e400.
    let body = "\u{FEFF}{\"usage\":{\"summary\":{\"requestCount\":1e400,\"totalTokens\":3}}}";
    assert_eq!(
        usage_snapshot(200, body.as_bytes(), 0).unwrap().summary(),
        Some("3 tokens")
    );
}
