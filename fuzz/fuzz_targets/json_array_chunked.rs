//! JSON-array splitter: the same input fed in one piece, one byte at a time and in a
//! pseudo-random schedule (derived from the input) must give identical frames and the same
//! first error. Oracle: whenever serde_json accepts the input as an array
//! (`Vec<&RawValue>`), the splitter must accept it too and yield exactly serde_json's element
//! bytes; whenever serde_json accepts it as one object, the splitter must yield that object.
//! A second, tiny config (limit and depth from the input's hash) is checked for split
//! invariance only.
#![no_main]

mod common;

use clawrouter_wire::json_array::{JsonArrayConfig, JsonArrayErrorKind, OwnedJsonFrame};
use common::{bytewise, hash, one_shot, random, run_json};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;

fuzz_target!(|data: &[u8]| {
    let seed = hash(data);
    let config = JsonArrayConfig::default();

    let whole = run_json(config, data, &one_shot(data.len()));
    let bytes = run_json(config, data, &bytewise(data.len()));
    assert_eq!(whole, bytes, "one feed vs one byte per feed");
    let split = run_json(config, data, &random(data.len(), seed));
    assert_eq!(whole, split, "one feed vs random split");

    if whole.error.is_none() {
        assert!(whole.done, "finished without error but not done");
    }

    // The oracle. serde_json's `RawValue` skips values iteratively, without a recursion limit,
    // so the nesting depth is checked here against the splitter's `max_depth` (the element
    // itself is depth 1); fuzz inputs are far below the 16 MiB element limit.
    let too_deep = whole
        .error
        .as_ref()
        .is_some_and(|e| matches!(e.kind(), JsonArrayErrorKind::TooDeep { .. }));
    if let Ok(elements) = serde_json::from_slice::<Vec<&RawValue>>(data) {
        let expected: Vec<OwnedJsonFrame> = elements
            .iter()
            .map(|raw| OwnedJsonFrame::Element(raw.get().as_bytes().to_vec()))
            .collect();
        if elements
            .iter()
            .all(|raw| depth(raw.get().as_bytes()) <= config.max_depth)
        {
            assert_eq!(
                whole.error, None,
                "serde_json accepts the array, the splitter does not"
            );
            assert_eq!(
                whole.frames, expected,
                "element bytes differ from serde_json's"
            );
        } else {
            assert!(
                too_deep,
                "too deep for the splitter but no TooDeep: {:?}",
                whole.error
            );
            assert!(
                expected.starts_with(&whole.frames),
                "frames before TooDeep differ"
            );
        }
    } else if let Ok(value) = serde_json::from_slice::<&RawValue>(data) {
        if value.get().starts_with('{') {
            if depth(value.get().as_bytes()) <= config.max_depth {
                assert_eq!(
                    whole.error, None,
                    "serde_json accepts the object, the splitter does not"
                );
                assert_eq!(
                    whole.frames,
                    vec![OwnedJsonFrame::Object(value.get().as_bytes().to_vec())]
                );
            } else {
                assert!(
                    too_deep,
                    "too deep for the splitter but no TooDeep: {:?}",
                    whole.error
                );
            }
        }
    }

    // Every element the splitter yields is one balanced value without surrounding whitespace.
    for frame in &whole.frames {
        let bytes = frame.bytes();
        assert!(!bytes.is_empty(), "empty frame");
        assert!(
            !bytes.first().is_some_and(u8::is_ascii_whitespace),
            "leading whitespace"
        );
        assert!(
            !bytes.last().is_some_and(u8::is_ascii_whitespace),
            "trailing whitespace"
        );
    }

    let tiny = JsonArrayConfig {
        max_element_size: (seed % 64) as usize,
        max_depth: ((seed >> 8) % 8) as usize,
    };
    let tiny_whole = run_json(tiny, data, &one_shot(data.len()));
    let tiny_split = run_json(tiny, data, &random(data.len(), seed >> 16));
    assert_eq!(
        tiny_whole, tiny_split,
        "tiny config: one feed vs random split"
    );
    for frame in &tiny_whole.frames {
        assert!(
            frame.bytes().len() <= tiny.max_element_size,
            "element over the size limit"
        );
    }
});

/// Deepest bracket nesting of one valid JSON value (brackets inside strings do not count).
fn depth(value: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in value {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}
