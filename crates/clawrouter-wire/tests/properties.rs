//! Properties (proptest) of both decoders:
//! - any chunking of any input gives exactly the results of one feed (events, errors, the
//!   end-of-input result, last event ID, reconnection time), with several configurations;
//! - arbitrary bytes never panic (covered by the same runs);
//! - a model of SSE events, serialized with random line ends and comments, decodes back to the
//!   model at any chunking;
//! - random valid JSON arrays (compact and pretty elements, random whitespace) split into exactly
//!   the serialized elements at any chunking.

use clawrouter_wire::json_array::{JsonArrayConfig, JsonArraySplitter};
use clawrouter_wire::sse::{OwnedSseEvent, SseConfig, SseDecoder};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use crate::support::{
    JsonItem, drain_json, drain_sse, run_json_with, run_sse_owned_with, run_sse_with,
    split_at_points,
};

/// Sorted cut positions in `0..=len` from random indices.
fn cuts(len: usize, picks: &[Index]) -> Vec<usize> {
    let mut points: Vec<usize> = picks.iter().map(|i| i.index(len + 1)).collect();
    points.sort_unstable();
    points
}

/// Small pieces of SSE syntax, including the awkward bytes.
fn sse_token() -> impl Strategy<Value = &'static [u8]> {
    prop::sample::select(vec![
        &b"data"[..],
        b"event",
        b"id",
        b"retry",
        b":",
        b" ",
        b"\r",
        b"\n",
        b"\r\n",
        b"\xEF\xBB\xBF",
        b"\xEF",
        b"\0",
        b"\xFF",
        b"\xC3\xA9",
        b"\xC3",
        // Three- and four-byte characters, their prefixes, and sequences that look like them
        // but are invalid (a surrogate, beyond U+10FFFF): the decoder decodes at feed time and
        // holds an incomplete character back until the next feed.
        "€".as_bytes(),
        "😀".as_bytes(),
        b"\xE2\x82",
        b"\xF0\x9F\x98",
        b"\xED\xA0\x80",
        b"\xF4\x90\x80\x80",
        b"0",
        b"42",
        b"x",
        b"Data",
        b"data: ",
        b"data: a\n",
        b"\n\n",
        b"\r\n\r\n",
        b"data: b\r\n\r\n",
        b": c\n",
        b"\t",
    ])
}

fn sse_input() -> impl Strategy<Value = Vec<u8>> {
    let tokens = (any::<bool>(), prop::collection::vec(sse_token(), 0..64)).prop_map(|(bom, t)| {
        let mut input = if bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        input.extend(t.concat());
        input
    });
    // Runs of keep-alives long enough to fill the 64-byte blocks the decoder skips comments in,
    // broken by the lines that must stop such a skip (CR line ends, a CR inside a comment, data,
    // a comment longer than a block).
    let keepalives = prop::collection::vec(
        prop::sample::select(vec![
            &b": keepalive\n"[..],
            b":\n",
            b": ping\n",
            b": ping\r\n",
            b": a\rb\n",
            b": x\r",
            b"data: d\n",
            b"\n",
            b": a comment that is longer than one 64-byte block of the decoder's buffer.\n",
        ]),
        0..96,
    )
    .prop_map(|t| t.concat());
    prop_oneof![
        3 => tokens,
        1 => keepalives,
        1 => prop::collection::vec(any::<u8>(), 0..256)
    ]
}

/// Streams with long `data` lines (1–3 KiB values, past a 1 KiB feed) among SSE tokens: the
/// lines a feed of at least 1 KiB may decode without their field name.
fn sse_long_line_input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        2 => prop::collection::vec(sse_token(), 0..8).prop_map(|t| t.concat()),
        1 => (
            prop::sample::select(vec![&b"data: "[..], b"data:", b"data:  ", b"data: :"]),
            1000usize..3000,
            prop::sample::select(vec![&b"x"[..], "é".as_bytes(), b"\xFF", b"\r"]),
            prop::sample::select(vec![&b"\n\n"[..], b"\r\n\r\n", b"\r", b"\n", b""]),
        )
            .prop_map(|(field, len, filler, end)| {
                let mut line = field.to_vec();
                line.extend(std::iter::repeat_n(b'v', len));
                // One awkward byte somewhere inside the value.
                line.splice(field.len() + len / 2..field.len() + len / 2, filler.iter().copied());
                line.extend_from_slice(end);
                line
            }),
    ];
    prop::collection::vec(piece, 1..6).prop_map(|pieces| pieces.concat())
}

fn sse_config() -> impl Strategy<Value = SseConfig> {
    prop_oneof![
        Just(SseConfig::default()),
        (prop_oneof![0usize..4, 0usize..40], any::<bool>()).prop_map(
            |(max_event_size, dispatch_unterminated_at_eof)| {
                SseConfig {
                    max_event_size,
                    dispatch_unterminated_at_eof,
                    keep_ignored_lines: max_event_size,
                }
            }
        ),
        Just(SseConfig {
            dispatch_unterminated_at_eof: true,
            ..SseConfig::default()
        }),
    ]
}

/// Small pieces of JSON-array syntax.
fn json_token() -> impl Strategy<Value = &'static [u8]> {
    prop::sample::select(vec![
        &b"["[..],
        b"]",
        b"{",
        b"}",
        b"\"",
        b"\\",
        b"\\\"",
        b",",
        b":",
        b" ",
        b"\n",
        b"\r\n",
        b"1",
        b"-2.5",
        b"true",
        b"null",
        b"a",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\xC3\xA9",
        b"{\"a\":1}",
        b"[]",
        b"1234",
        b"\"ab\"",
    ])
}

fn json_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(json_token(), 0..48).prop_map(|t| t.concat()),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

fn json_config() -> impl Strategy<Value = JsonArrayConfig> {
    prop_oneof![
        Just(JsonArrayConfig::default()),
        (0usize..24).prop_map(|max_element_size| JsonArrayConfig {
            max_element_size,
            ..JsonArrayConfig::default()
        }),
        (0usize..5).prop_map(|max_depth| JsonArrayConfig {
            max_depth,
            ..JsonArrayConfig::default()
        }),
        (0usize..24, 0usize..5).prop_map(|(max_element_size, max_depth)| JsonArrayConfig {
            max_element_size,
            max_depth
        }),
    ]
}

/// One event of the SSE model.
#[derive(Debug, Clone)]
struct ModelEvent {
    comment: Option<String>,
    event: Option<String>,
    id: Option<String>,
    retry: Option<u64>,
    data: Vec<String>,
}

fn model_event() -> impl Strategy<Value = ModelEvent> {
    (
        prop::option::of("[^\r\n]{0,8}"),
        prop::option::of("[^\r\n]{1,8}"),
        prop::option::of("[^\r\n\0]{0,6}"),
        prop::option::of(any::<u64>()),
        prop::collection::vec("[^\r\n]{0,12}", 1..4),
    )
        .prop_map(|(comment, event, id, retry, data)| ModelEvent {
            comment,
            event,
            id,
            retry,
            data,
        })
}

/// Serializes the model with the given line ends (cycled), and the events it must decode to.
fn serialize_model(events: &[ModelEvent], bom: bool, ends: &[u8]) -> (Vec<u8>, Vec<OwnedSseEvent>) {
    let mut lines: Vec<String> = Vec::new();
    let mut expected = Vec::new();
    let mut last_id: Option<String> = None;
    for e in events {
        if let Some(c) = &e.comment {
            lines.push(format!(":{c}"));
        }
        if let Some(t) = &e.event {
            lines.push(format!("event: {t}"));
        }
        if let Some(id) = &e.id {
            lines.push(format!("id: {id}"));
            last_id = Some(id.clone());
        }
        if let Some(r) = e.retry {
            lines.push(format!("retry: {r}"));
        }
        for d in &e.data {
            lines.push(format!("data: {d}"));
        }
        lines.push(String::new());
        expected.push(OwnedSseEvent {
            event: e
                .event
                .clone()
                .unwrap_or_else(|| "message".to_owned())
                .into(),
            data: e.data.join("\n"),
            id: last_id.clone(),
            retry: e.retry,
        });
    }
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut prev_cr = false;
    for (i, line) in lines.iter().enumerate() {
        out.extend_from_slice(line.as_bytes());
        let mut end: &[u8] = match ends[i % ends.len()] {
            0 => b"\n",
            1 => b"\r",
            _ => b"\r\n",
        };
        // A CR followed by an LF is one line end: an empty line after a CR must not use LF.
        if prev_cr && line.is_empty() && end == b"\n" {
            end = b"\r\n";
        }
        prev_cr = end == b"\r";
        out.extend_from_slice(end);
    }
    (out, expected)
}

/// A JSON value with structural characters likely inside strings and keys.
fn json_value() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        ".{0,8}",
        prop::sample::select(vec![
            "]", "}", "[", "{", "\"", "\\", "\\\"", "a]}\"[", ",", "\r\n"
        ])
        .prop_map(str::to_owned),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1_000_000i32..1_000_000).prop_map(|n| Value::from(f64::from(n) / 8.0)),
        text.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn whitespace() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "", " ", "\n", "\r\n", "\t", "\n  ", " \r\n "])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        // PROPTEST_CASES, when set, overrides this count (`with_cases` alone ignores it).
        std::env::var("PROPTEST_CASES").map_or(256, |_| ProptestConfig::default().cases)
    ))]

    /// Any chunking of any input gives the same results as one feed; nothing panics.
    #[test]
    fn sse_chunking_invariance(
        input in sse_input(),
        picks in prop::collection::vec(any::<Index>(), 0..12),
        config in sse_config(),
    ) {
        let whole = run_sse_with(SseDecoder::with_config(config), [input.as_slice()]);
        let points = cuts(input.len(), &picks);
        let chunked = run_sse_with(SseDecoder::with_config(config), split_at_points(&input, &points));
        prop_assert_eq!(&chunked, &whole, "cuts {:?}", points);
        let bytewise = run_sse_with(SseDecoder::with_config(config), input.chunks(1));
        prop_assert_eq!(&bytewise, &whole, "one byte at a time");
        let owned =
            run_sse_owned_with(SseDecoder::with_config(config), split_at_points(&input, &points));
        prop_assert_eq!(&owned, &whole, "next_owned_event, cuts {:?}", points);
    }

    /// Long `data` lines fed in pieces of at least 1 KiB (so that a piece may start one on an
    /// empty buffer and the value is decoded without its field name) and pulled either way give
    /// the results of one feed and of a byte at a time; with size limits around their lengths.
    #[test]
    fn sse_long_lines_chunking_invariance(
        input in sse_long_line_input(),
        picks in prop::collection::vec(any::<Index>(), 0..6),
        max_event_size in prop_oneof![Just(usize::MAX), 900usize..4000],
        dispatch_unterminated_at_eof: bool,
    ) {
        let config = SseConfig {
            max_event_size,
            dispatch_unterminated_at_eof,
            ..SseConfig::default()
        };
        let whole = run_sse_with(SseDecoder::with_config(config), [input.as_slice()]);
        let bytewise = run_sse_with(SseDecoder::with_config(config), input.chunks(1));
        prop_assert_eq!(&bytewise, &whole, "one byte at a time");
        // Cut points at least 1 KiB apart where possible.
        let points: Vec<usize> = cuts(input.len(), &picks)
            .into_iter()
            .scan(0usize, |last, p| {
                let keep = p >= *last + 1024;
                if keep {
                    *last = p;
                }
                Some(keep.then_some(p))
            })
            .flatten()
            .collect();
        let chunked = run_sse_with(SseDecoder::with_config(config), split_at_points(&input, &points));
        prop_assert_eq!(&chunked, &whole, "cuts {:?}", points);
        let owned =
            run_sse_owned_with(SseDecoder::with_config(config), split_at_points(&input, &points));
        prop_assert_eq!(&owned, &whole, "next_owned_event, cuts {:?}", points);
    }

    /// Feeding several chunks before pulling anything gives the same results as pulling after
    /// every chunk (the buffer is compacted only while nothing is borrowed from it).
    #[test]
    fn feeding_ahead_of_pulling(
        sse in sse_input(),
        json in json_input(),
        picks in prop::collection::vec(any::<Index>(), 0..12),
        pull_after in prop::collection::vec(any::<bool>(), 13),
    ) {
        let mut d = SseDecoder::new();
        let mut items = Vec::new();
        for (i, chunk) in split_at_points(&sse, &cuts(sse.len(), &picks)).into_iter().enumerate() {
            d.feed(chunk);
            if pull_after[i] {
                drain_sse(&mut d, &mut items);
            }
        }
        d.finish();
        drain_sse(&mut d, &mut items);
        let whole = run_sse_with(SseDecoder::new(), [sse.as_slice()]);
        prop_assert_eq!(items, whole.items);
        prop_assert_eq!(d.last_event_id(), whole.last_event_id.as_str());

        let mut s = JsonArraySplitter::new();
        let mut items = Vec::new();
        let mut failed = false;
        for (i, chunk) in split_at_points(&json, &cuts(json.len(), &picks)).into_iter().enumerate() {
            s.feed(chunk);
            if pull_after[i] && !failed {
                failed = drain_json(&mut s, &mut items);
            }
        }
        s.finish();
        if !failed {
            drain_json(&mut s, &mut items);
        }
        prop_assert_eq!(items, run_json_with(JsonArraySplitter::new(), [json.as_slice()]));
    }

    /// `dispatch_unterminated_at_eof` behaves as if the stream had ended with a blank line.
    #[test]
    fn sse_lenient_eof_equals_appending_blank_lines(
        input in sse_input(),
        picks in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let lenient = SseConfig { dispatch_unterminated_at_eof: true, ..SseConfig::default() };
        let points = cuts(input.len(), &picks);
        let got = run_sse_with(SseDecoder::with_config(lenient), split_at_points(&input, &points));
        let closed = [input.as_slice(), b"\n\n"].concat();
        let want = run_sse_with(SseDecoder::new(), [closed.as_slice()]);
        prop_assert_eq!(got.items, want.items);
        prop_assert_eq!(got.last_event_id, want.last_event_id);
        prop_assert_eq!(got.reconnection_time, want.reconnection_time);
    }

    /// Well-formed streams decode to exactly the events they were built from.
    #[test]
    fn sse_model_round_trip(
        events in prop::collection::vec(model_event(), 0..8),
        bom in any::<bool>(),
        ends in prop::collection::vec(0u8..3, 1..16),
        picks in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let (input, expected) = serialize_model(&events, bom, &ends);
        let points = cuts(input.len(), &picks);
        let run = run_sse_with(SseDecoder::new(), split_at_points(&input, &points));
        prop_assert_eq!(run.errors(), vec![]);
        prop_assert_eq!(run.events(), expected);
        let last_id = events.iter().rev().find_map(|e| e.id.clone()).unwrap_or_default();
        prop_assert_eq!(run.last_event_id, last_id);
        prop_assert_eq!(run.reconnection_time, events.iter().rev().find_map(|e| e.retry));
    }

    /// Any chunking of any input gives the same frames and the same error; nothing panics.
    #[test]
    fn json_chunking_invariance(
        input in json_input(),
        picks in prop::collection::vec(any::<Index>(), 0..12),
        config in json_config(),
    ) {
        let whole = run_json_with(JsonArraySplitter::with_config(config), [input.as_slice()]);
        let points = cuts(input.len(), &picks);
        let chunked =
            run_json_with(JsonArraySplitter::with_config(config), split_at_points(&input, &points));
        prop_assert_eq!(&chunked, &whole, "cuts {:?}", points);
        let bytewise = run_json_with(JsonArraySplitter::with_config(config), input.chunks(1));
        prop_assert_eq!(&bytewise, &whole, "one byte at a time");
    }

    /// Valid arrays split into exactly their serialized elements, equal to the originals.
    #[test]
    fn json_valid_arrays_split_exactly(
        elements in prop::collection::vec((json_value(), any::<bool>()), 0..6),
        spaces in prop::collection::vec(whitespace(), 16),
        bom in any::<bool>(),
        picks in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let texts: Vec<String> = elements
            .iter()
            .map(|(v, pretty)| {
                if *pretty { serde_json::to_string_pretty(v) } else { serde_json::to_string(v) }
                    .unwrap()
            })
            .collect();
        let mut ws = spaces.iter().cycle();
        let mut body = String::new();
        body.push_str(ws.next().unwrap());
        body.push('[');
        for (i, text) in texts.iter().enumerate() {
            if i > 0 {
                body.push_str(ws.next().unwrap());
                body.push(',');
            }
            body.push_str(ws.next().unwrap());
            body.push_str(text);
        }
        body.push_str(ws.next().unwrap());
        body.push(']');
        body.push_str(ws.next().unwrap());
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend_from_slice(body.as_bytes());

        let points = cuts(bytes.len(), &picks);
        let items = run_json_with(JsonArraySplitter::new(), split_at_points(&bytes, &points));
        let expected: Vec<JsonItem> =
            texts.iter().map(|t| JsonItem::Element(t.clone().into_bytes())).collect();
        prop_assert_eq!(&items, &expected);
        for (item, (value, _)) in items.iter().zip(&elements) {
            let JsonItem::Element(raw) = item else { unreachable!() };
            prop_assert_eq!(&serde_json::from_slice::<Value>(raw).unwrap(), value);
        }
    }

    /// A body that is one bare object is one `Object` frame at any chunking.
    #[test]
    fn json_bare_object(
        value in prop::collection::btree_map(".{0,6}", json_value(), 0..4),
        pretty in any::<bool>(),
        before in whitespace(),
        after in whitespace(),
        picks in prop::collection::vec(any::<Index>(), 0..8),
    ) {
        let value = Value::Object(value.into_iter().collect());
        let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }
            .unwrap();
        let body = format!("{before}{text}{after}");
        let points = cuts(body.len(), &picks);
        let items = run_json_with(JsonArraySplitter::new(), split_at_points(body.as_bytes(), &points));
        prop_assert_eq!(items, vec![JsonItem::Object(text.into_bytes())]);
    }
}
