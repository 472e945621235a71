//! `GET /v1/usage` and the ledger (PROTOCOL.md §8.2, §11 item 5).

use std::time::SystemTime;

use clawrouter_emulator::reply::word_deltas;
use clawrouter_emulator::{Pricing, expected_reply_text};
use serde_json::{Value, json};

use crate::support::{DEMO, TIGHT, UNMETERED, get, post, start};

const CHAT: &str =
    r#"{"model":"openai/gpt-4.1-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"#;

/// `default/<policy>/<YYYY-MM>` of the current UTC month, computed here independently.
fn this_month() -> String {
    let days = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    // Walk the calendar from 1970: slow but obviously right.
    let (mut year, mut left) = (1970u64, days);
    loop {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let length = if leap { 366 } else { 365 };
        if left < length {
            let months = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            let mut month = 1;
            for days_in_month in months {
                if left < days_in_month {
                    break;
                }
                left -= days_in_month;
                month += 1;
            }
            return format!("{year:04}-{month:02}");
        }
        left -= length;
        year += 1;
    }
}

fn assert_numbers(value: &Value, path: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                assert_numbers(child, &format!("{path}.{key}"));
            }
        }
        Value::String(text) => assert!(
            text.parse::<f64>().is_err(),
            "{path}: a number sent as a string"
        ),
        _ => {}
    }
}

#[tokio::test]
async fn usage_bodies() {
    let emulator = start().await;
    let month = this_month();
    let metered = get(&emulator, "/v1/usage", DEMO).await;
    assert_eq!(metered.status, 200);
    assert_eq!(metered.header("cache-control").as_deref(), Some("no-store"));
    let body = metered.json();
    assert_numbers(&body, "");
    let (year, month_number): (i32, u32) =
        (month[..4].parse().unwrap(), month[5..].parse().unwrap());
    let reset = if month_number == 12 {
        format!("{:04}-01-01T00:00:00.000Z", year + 1)
    } else {
        format!("{year:04}-{:02}-01T00:00:00.000Z", month_number + 1)
    };
    assert_eq!(
        body,
        json!({
            "policyId": "team",
            "budget": {"configured": true, "ledger": "durable_object",
                       "windowKey": format!("default/team/{month}"),
                       "limitMicros": 5_000_000, "spentMicros": 1_250_000, "remainingMicros": 3_750_000,
                       "resetAt": reset},
            "usage": {"ledger": "durable_object",
                      "summary": {"requestCount": 0, "successCount": 0, "errorCount": 0,
                                  "inputTokens": 0, "outputTokens": 0, "totalTokens": 0,
                                  "actualCostMicros": 0},
                      "providers": [], "daily": [], "events": []}
        })
    );
    let unmetered = get(&emulator, "/v1/usage", UNMETERED).await.json();
    assert_eq!(
        unmetered["budget"],
        json!({"configured": false, "ledger": "unmetered", "windowKey": null,
               "limitMicros": null, "spentMicros": null, "remainingMicros": null})
    );
    assert_eq!(unmetered["policyId"], "lab");
}

#[tokio::test]
async fn every_served_call_charges_the_ledger() {
    let emulator = start().await;
    let received = post(&emulator, "/v1/chat/completions", DEMO, CHAT).await;
    assert_eq!(received.status, 200);
    let input = CHAT.len().div_ceil(4) as u64;
    let output = word_deltas(&expected_reply_text("hi")).len() as u64;
    // gpt-4.1-mini: $0.40 / $1.60 per million, rounded up to a whole micro-USD.
    let cost = (input * 400_000 + output * 1_600_000).div_ceil(1_000_000);
    let pricing_cost = Pricing::default().cost_micros(input, output);
    assert_eq!(pricing_cost, 0);
    let body = get(&emulator, "/v1/usage", DEMO).await.json();
    assert_eq!(
        body["usage"]["summary"],
        json!({"requestCount": 1, "successCount": 1, "errorCount": 0,
               "inputTokens": input, "outputTokens": output, "totalTokens": input + output,
               "actualCostMicros": cost})
    );
    assert_eq!(body["budget"]["spentMicros"], 1_250_000 + cost);
    assert_eq!(body["budget"]["remainingMicros"], 3_750_000 - cost);
    let report = emulator.usage_of(DEMO).unwrap();
    assert_eq!(report.spent_micros, 1_250_000 + cost);
    assert_eq!(report.totals.success_count, 1);
    assert!(
        emulator
            .usage_of("clawrouter-test-none-0123456789")
            .is_none()
    );
    // Another key of another policy is not charged.
    assert_eq!(
        emulator.usage_of(UNMETERED).unwrap().totals.request_count,
        0
    );
}

/// A $0.01 budget: calls succeed until the ledger reaches the limit, then 402.
#[tokio::test]
async fn budget_runs_out_after_enough_calls() {
    let emulator = start().await;
    // Claude costs 3 + 15 $/M: a bigger prompt makes each call cost more than 100 micro-USD.
    let prompt = "word ".repeat(200);
    let body = format!(
        r#"{{"model":"claude-sonnet-4-6","stream":true,"max_tokens":64,"messages":[{{"role":"user","content":"{prompt}"}}]}}"#
    );
    let mut served = 0;
    loop {
        let received = post(&emulator, "/v1/native/anthropic/v1/messages", TIGHT, &body).await;
        if received.status == 402 {
            assert_eq!(received.error_code(), "budget_exhausted");
            break;
        }
        assert_eq!(received.status, 200, "{}", received.text());
        served += 1;
        assert!(served < 100, "the budget never ran out");
    }
    let report = emulator.usage_of(TIGHT).unwrap();
    assert!(report.exhausted());
    assert!(report.spent_micros >= 10_000);
    let one_call = report.spent_micros / served;
    assert_eq!(served, 10_000u64.div_ceil(one_call));
    // Rejected calls are not counted.
    assert_eq!(report.totals.request_count, served);
    let usage = get(&emulator, "/v1/usage", TIGHT).await.json();
    assert_eq!(usage["budget"]["remainingMicros"], 0);
}
