//! SSE decoder with a tiny `max_event_size` (first input byte: limit 0..=63, bit 6 =
//! `dispatch_unterminated_at_eof`): over-limit events must become `EventTooLarge` errors,
//! decoding must go on, and the result must not depend on the split.
#![no_main]

mod common;

use clawrouter_wire::sse::{SseConfig, SseError};
use common::{bytewise, hash, one_shot, random, run_sse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&param, data)) = input.split_first() else {
        return;
    };
    let limit = usize::from(param & 0x3f);
    let config = SseConfig {
        max_event_size: limit,
        dispatch_unterminated_at_eof: param & 0x40 != 0,
        keep_ignored_lines: if param & 0x80 != 0 { 64 } else { 0 },
    };

    let whole = run_sse(config, data, &one_shot(data.len()));
    let bytes = run_sse(config, data, &bytewise(data.len()));
    assert_eq!(whole, bytes, "one feed vs one byte per feed");
    let split = run_sse(config, data, &random(data.len(), hash(input)));
    assert_eq!(whole, split, "one feed vs random split");

    for output in &whole.outputs {
        match output {
            // The limit counts raw bytes; U+FFFD replacement can triple invalid bytes.
            Ok(event) => assert!(
                event.data.len() <= 3 * limit,
                "event data of {} bytes passed a {limit}-byte limit",
                event.data.len()
            ),
            Err(SseError::EventTooLarge {
                limit: reported,
                offset,
            }) => {
                assert_eq!(*reported, limit);
                assert!(
                    *offset <= data.len() as u64,
                    "offset {offset} past the input"
                );
            }
            Err(_) => {}
        }
    }
});
