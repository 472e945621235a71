//! `clawrouter_catalog::usage_snapshot` on arbitrary bytes: never panics; a non-2xx status is
//! always the HTTP error; a snapshot's percent is within 0–100 and its JSON is valid JSON.
#![no_main]

use clawrouter_catalog::{UsageError, json, usage_snapshot};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the status: even → 200, odd → 100 + byte.
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let status = if selector % 2 == 0 { 200 } else { 100 + u16::from(selector) };
    match usage_snapshot(status, body, 0) {
        Ok(snapshot) => {
            assert!((200..300).contains(&status));
            if let Some(percent) = snapshot.used_percent() {
                assert!((0.0..=100.0).contains(&percent), "{percent}");
            }
            let text = json::to_js_string(&snapshot.to_openclaw_json());
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{text}");
        }
        Err(UsageError::Http { status: got }) => assert_eq!(got, status),
        Err(_) => assert!(body.len() > clawrouter_catalog::MAX_USAGE_BODY_BYTES),
    }
});
