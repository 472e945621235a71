//! The `sse-parse` 0.1.0 conformance vectors (fixtures/sse-conformance): 34 explicit vectors,
//! each replayed with its own chunking, at every two-chunk split point, one byte at a time and
//! whole; and the two generators, fed one byte at a time.

use clawrouter_wire::sse::{SseDecoder, SseError};
use serde_json::Value;

use crate::support::{
    SseItem, SseRun, chunks_of, fixtures_dir, hex, run_sse, run_sse_owned_with, two_chunk_splits,
};

/// The expected outcome of one vector.
struct Expected {
    /// `(event, data, id, retry)` per dispatched event.
    events: Vec<(String, String, String, Option<u64>)>,
    final_last_event_id: String,
    retry_updates: Vec<u64>,
}

fn load() -> Vec<Value> {
    let path = fixtures_dir().join("sse-conformance/conformance-vectors.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let root: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(root["schema"], "sse-conformance-vectors/1");
    root["vectors"].as_array().unwrap().clone()
}

fn chunks(vector: &Value) -> Vec<Vec<u8>> {
    vector["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| match (c.get("text"), c.get("hex")) {
            (Some(Value::String(t)), None) => t.as_bytes().to_vec(),
            (None, Some(Value::String(h))) => hex(h),
            other => panic!("bad chunk {other:?}"),
        })
        .collect()
}

fn event_tuple(e: &Value) -> (String, String, String, Option<u64>) {
    (
        e["event"].as_str().unwrap().to_owned(),
        e["data"].as_str().unwrap().to_owned(),
        e["id"].as_str().unwrap().to_owned(),
        e["retry"].as_u64(),
    )
}

fn expected(vector: &Value) -> Expected {
    let exp = &vector["expected"];
    let events = match &exp["events"] {
        Value::Array(list) => list.iter().map(event_tuple).collect(),
        Value::Object(o) => match o["kind"].as_str().unwrap() {
            "repeat" => {
                let one = event_tuple(&o["event"]);
                vec![one; usize::try_from(o["count"].as_u64().unwrap()).unwrap()]
            }
            "single_fill_event" => {
                let n = usize::try_from(o["fill_count"].as_u64().unwrap()).unwrap();
                vec![(
                    o["event"].as_str().unwrap().to_owned(),
                    o["fill_char"].as_str().unwrap().repeat(n),
                    o["id"].as_str().unwrap().to_owned(),
                    o["retry"].as_u64(),
                )]
            }
            k => panic!("unknown expected.events kind {k}"),
        },
        other => panic!("bad expected.events {other:?}"),
    };
    Expected {
        events,
        final_last_event_id: exp["final_last_event_id"].as_str().unwrap().to_owned(),
        retry_updates: exp["retry_updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect(),
    }
}

/// Vectors whose stream ends inside a block: `finish()` must report the truncation, with the
/// number of bytes after the last blank line (`data:\n`, `data: lost\n`, `data: hal`).
const TRUNCATED: [(&str, u64); 3] = [
    ("v03-whatwg-two-events", 6),
    ("v32-eof-discards-unterminated-block", 11),
    ("v33-eof-discards-partial-line", 9),
];

fn check(id: &str, how: &str, run: &SseRun, exp: &Expected) {
    let got: Vec<(String, String, String, Option<u64>)> = run
        .events()
        .into_iter()
        .map(|e| {
            (
                e.event.into_owned(),
                e.data,
                e.id.unwrap_or_default(),
                e.retry,
            )
        })
        .collect();
    assert_eq!(
        got.len(),
        exp.events.len(),
        "{id} ({how}): number of events"
    );
    for (i, (g, e)) in got.iter().zip(&exp.events).enumerate() {
        assert_eq!(g, e, "{id} ({how}): event #{i}");
    }
    assert_eq!(
        run.last_event_id, exp.final_last_event_id,
        "{id} ({how}): final last event id"
    );
    assert_eq!(
        run.reconnection_time,
        exp.retry_updates.last().copied(),
        "{id} ({how}): reconnection time"
    );
    // Errors: only a truncation, only for the vectors that end inside a block, only at the end.
    let errors = run.errors();
    if let Some(&(_, bytes)) = TRUNCATED.iter().find(|(v, _)| *v == id) {
        assert_eq!(errors.len(), 1, "{id} ({how}): errors {errors:?}");
        let truncated = SseError::Truncated {
            unterminated_bytes: bytes,
            pending_data: true,
        };
        assert_eq!(
            run.items.last(),
            Some(&SseItem::Error(truncated)),
            "{id} ({how}): the truncation must be the last result"
        );
        assert_eq!(run.after_finish, 1, "{id} ({how}): reported after finish()");
    } else {
        assert!(
            errors.is_empty(),
            "{id} ({how}): unexpected errors {errors:?}"
        );
    }
}

#[test]
fn vector_file_has_34_explicit_vectors_and_2_generators() {
    let vectors = load();
    assert_eq!(vectors.len(), 36);
    let explicit = vectors.iter().filter(|v| v.get("chunks").is_some()).count();
    let generators = vectors
        .iter()
        .filter(|v| v.get("generator").is_some())
        .count();
    assert_eq!((explicit, generators), (34, 2));
}

#[test]
fn explicit_vectors_every_chunking() {
    let mut replayed = 0;
    for vector in load().iter().filter(|v| v.get("chunks").is_some()) {
        let id = vector["id"].as_str().unwrap();
        let exp = expected(vector);
        let own = chunks(vector);
        let whole = own.concat();

        let run = run_sse(own.iter().map(Vec::as_slice));
        check(id, "own chunking", &run, &exp);
        check(id, "whole", &run_sse([whole.as_slice()]), &exp);
        check(id, "1 byte at a time", &run_sse(chunks_of(&whole, 1)), &exp);
        for (at, two) in two_chunk_splits(&whole) {
            check(id, &format!("split at {at}"), &run_sse(two), &exp);
            let owned = run_sse_owned_with(SseDecoder::new(), two);
            check(
                id,
                &format!("next_owned_event, split at {at}"),
                &owned,
                &exp,
            );
        }
        // Same results, not just the same events: errors and their fields too.
        assert_eq!(
            run,
            run_sse([whole.as_slice()]),
            "{id}: own chunking vs whole"
        );
        replayed += 1;
    }
    assert_eq!(replayed, 34);
}

/// Own chunking, then the same stream again after `reset()` on the same decoder.
#[test]
fn explicit_vectors_after_reset() {
    for vector in load().iter().filter(|v| v.get("chunks").is_some()) {
        let id = vector["id"].as_str().unwrap();
        let exp = expected(vector);
        let whole = chunks(vector).concat();
        let mut d = SseDecoder::new();
        // Dirty the decoder: a partial event, an id, a retry, half a BOM-less line.
        d.feed(b"id: dirty\nretry: 1\n\nevent: x\ndata: partial\r");
        while let Ok(Some(_)) = d.next_event() {}
        d.reset();
        let run = crate::support::run_sse_with(d, [whole.as_slice()]);
        check(id, "after reset", &run, &exp);
    }
}

#[test]
fn generators_one_byte_at_a_time() {
    let mut replayed = 0;
    for vector in load().iter().filter(|v| v.get("generator").is_some()) {
        let id = vector["id"].as_str().unwrap();
        let g = &vector["generator"];
        let input: Vec<u8> = match g["kind"].as_str().unwrap() {
            "repeat_stream" => g["unit_text"]
                .as_str()
                .unwrap()
                .repeat(usize::try_from(g["count"].as_u64().unwrap()).unwrap())
                .into_bytes(),
            "long_line" => format!(
                "{}{}{}",
                g["prefix"].as_str().unwrap(),
                g["fill_char"]
                    .as_str()
                    .unwrap()
                    .repeat(usize::try_from(g["fill_count"].as_u64().unwrap()).unwrap()),
                g["suffix"].as_str().unwrap()
            )
            .into_bytes(),
            k => panic!("unknown generator kind {k}"),
        };
        let chunk = usize::try_from(g["chunk_bytes"].as_u64().unwrap()).unwrap();
        assert_eq!(chunk, 1);
        let exp = expected(vector);
        check(
            id,
            "generator chunking",
            &run_sse(chunks_of(&input, chunk)),
            &exp,
        );
        check(id, "whole", &run_sse([input.as_slice()]), &exp);
        replayed += 1;
    }
    assert_eq!(replayed, 2);
}
