//! SSE decoder, default limits: the same input fed in one piece, one byte at a time and in a
//! pseudo-random schedule (derived from the input) must give identical events, errors and final
//! state; with the default config the events must also match a direct transcription of the
//! WHATWG algorithm (`common::sse_model`).
#![no_main]

mod common;

use clawrouter_wire::sse::{SseConfig, SseError};
use common::{bytewise, hash, one_shot, random, run_sse, run_sse_owned, sse_model};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let seed = hash(data);
    let config = SseConfig {
        dispatch_unterminated_at_eof: seed & 1 == 1,
        ..SseConfig::default()
    };

    let whole = run_sse(config, data, &one_shot(data.len()));
    let bytes = run_sse(config, data, &bytewise(data.len()));
    assert_eq!(whole, bytes, "one feed vs one byte per feed");
    let split = run_sse(config, data, &random(data.len(), seed >> 1));
    assert_eq!(whole, split, "one feed vs random split");
    let owned = run_sse_owned(config, data, &random(data.len(), seed >> 9));
    assert_eq!(whole, owned, "one feed vs random split, pulled with next_owned_event");
    assert_eq!(whole.stream_offset, data.len() as u64);

    let model = sse_model(data);
    let events: Vec<_> = whole
        .outputs
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .cloned()
        .collect();
    let errors: Vec<_> = whole
        .outputs
        .iter()
        .filter_map(|o| o.as_ref().err())
        .collect();
    if config.dispatch_unterminated_at_eof {
        // The unterminated tail may add one event at the end; everything before it is the spec's.
        assert!(
            events.len() == model.events.len() || events.len() == model.events.len() + 1,
            "event count {} vs model {}",
            events.len(),
            model.events.len()
        );
        assert_eq!(&events[..model.events.len()], &model.events[..]);
        assert!(
            errors.is_empty(),
            "errors with dispatch_unterminated_at_eof: {errors:?}"
        );
    } else {
        assert_eq!(events, model.events, "decoder vs WHATWG model");
        assert_eq!(whole.last_event_id, model.last_event_id);
        assert_eq!(whole.reconnection_time, model.reconnection_time);
        // With the 16 MiB default limit the only possible error is one Truncated, at the end.
        match &errors[..] {
            [] => assert!(
                !model.truncated,
                "model says truncated, decoder did not report it"
            ),
            [SseError::Truncated { .. }] => {
                assert!(
                    model.truncated,
                    "decoder reported Truncated, model says clean end"
                );
                assert!(
                    whole.outputs.last().is_some_and(|o| o.is_err()),
                    "Truncated not last"
                );
            }
            other => panic!("unexpected errors: {other:?}"),
        }
    }
});
