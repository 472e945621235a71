//! The recorded LLM streaming bodies of fixtures/wire, replayed at many read sizes: SSE bodies
//! must give exactly `expected_frames.jsonl`; JSON-array bodies must split into elements equal
//! (as parsed JSON values) to its lines.

use std::path::{Path, PathBuf};

use clawrouter_wire::json_array::JsonArraySplitter;
use serde_json::Value;

use crate::support::{JsonItem, chunks_of, fixtures_dir, run_json, run_sse};

struct Case {
    name: String,
    framing: String,
    body: Vec<u8>,
    /// The lines of `expected_frames.jsonl`, parsed.
    frames: Vec<Value>,
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    let path = dir.join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cases() -> Vec<Case> {
    let root = fixtures_dir().join("wire");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.join("meta.json").is_file())
        .collect();
    dirs.sort();
    dirs.iter()
        .map(|dir| {
            let meta: Value = serde_json::from_slice(&read(dir, "meta.json")).unwrap();
            let frames = String::from_utf8(read(dir, "expected_frames.jsonl")).unwrap();
            Case {
                name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                framing: meta["framing"].as_str().unwrap().to_owned(),
                body: read(dir, "body"),
                frames: frames
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect(),
            }
        })
        .collect()
}

/// Read sizes: whole (0), the required 1, 7 and whole, plus cheap extras.
const SIZES: [usize; 8] = [0, 1, 2, 3, 7, 64, 1460, 4096];

#[test]
fn fixture_set_is_complete() {
    let cases = cases();
    assert_eq!(cases.len(), 24);
    let arrays: Vec<&str> = cases
        .iter()
        .filter(|c| c.framing == "json-array")
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        arrays,
        [
            "19-gemini-array-reasoning-reframed",
            "21-gemini-array-tool-call-reframed",
            "22-gemini-array-text-reframed"
        ]
    );
    assert_eq!(cases.iter().filter(|c| c.framing == "sse").count(), 21);
    // Bodies must be byte-exact (no CRLF normalisation by Git): the CRLF cases still hold CRs.
    for c in cases.iter().filter(|c| c.name.contains("crlf")) {
        assert!(
            c.body.windows(4).any(|w| w == b"\r\n\r\n"),
            "{}: CRLF lost",
            c.name
        );
    }
    let case13 = cases.iter().find(|c| c.name.starts_with("13-")).unwrap();
    assert_eq!((case13.body.len(), case13.frames.len()), (165_740, 679));
}

#[test]
fn sse_bodies_at_every_read_size() {
    let mut checked = 0;
    for case in cases().iter().filter(|c| c.framing == "sse") {
        let expected: Vec<(String, String)> = case
            .frames
            .iter()
            .map(|f| {
                (
                    f["event"].as_str().unwrap().to_owned(),
                    f["data"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(!expected.is_empty(), "{}", case.name);
        for size in SIZES {
            let run = run_sse(chunks_of(&case.body, size));
            assert_eq!(
                run.errors(),
                [],
                "{} at read size {size}: errors",
                case.name
            );
            let got = run.event_data();
            assert_eq!(
                got.len(),
                expected.len(),
                "{} at read size {size}: frame count",
                case.name
            );
            for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert_eq!(g, e, "{} at read size {size}: frame #{i}", case.name);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 21);
}

/// Every two-chunk split of the small SSE bodies gives the same frames as one read.
#[test]
fn small_sse_bodies_at_every_split_point() {
    for case in cases()
        .iter()
        .filter(|c| c.framing == "sse" && c.body.len() <= 1_400)
    {
        let whole = run_sse([case.body.as_slice()]);
        for at in 0..=case.body.len() {
            let (a, b) = case.body.split_at(at);
            assert_eq!(run_sse([a, b]), whole, "{}: split at {at}", case.name);
        }
    }
}

#[test]
fn sse_quirks() {
    let cases = cases();
    let frames = |prefix: &str| {
        let case = cases.iter().find(|c| c.name.starts_with(prefix)).unwrap();
        run_sse([case.body.as_slice()]).event_data()
    };
    // Anthropic pads JSON with spaces before the closing brace; the data keeps them.
    assert!(frames("01-").iter().any(|(_, d)| d.ends_with("        }")));
    // OpenRouter's `: OPENROUTER PROCESSING` comments produce no frames.
    assert!(
        frames("08-")
            .iter()
            .all(|(_, d)| !d.contains("OPENROUTER PROCESSING"))
    );
    // OpenCode sends one more event after [DONE]; the framing layer delivers it.
    let f10 = frames("10-");
    let done = f10.iter().position(|(_, d)| d == "[DONE]").unwrap();
    assert_eq!(done, f10.len() - 2);
    // Gemini alt=sse ends events with CRLF CRLF: no CR may leak into the data.
    for prefix in ["15-", "16-", "17-", "24-"] {
        assert!(
            frames(prefix)
                .iter()
                .all(|(e, d)| e == "message" && !d.contains('\r'))
        );
    }
}

#[test]
fn json_array_bodies_at_every_read_size() {
    let mut checked = 0;
    for case in cases().iter().filter(|c| c.framing == "json-array") {
        let expected = &case.frames;
        assert!(!expected.is_empty(), "{}", case.name);
        for size in SIZES {
            let items = run_json(chunks_of(&case.body, size));
            let mut got = Vec::new();
            for item in &items {
                match item {
                    JsonItem::Element(raw) => {
                        // Raw element bytes: a whole pretty-printed object, no surrounding space.
                        assert_eq!(raw.first(), Some(&b'{'), "{} at {size}", case.name);
                        assert_eq!(raw.last(), Some(&b'}'), "{} at {size}", case.name);
                        got.push(serde_json::from_slice::<Value>(raw).unwrap());
                    }
                    other => panic!("{} at read size {size}: unexpected {other:?}", case.name),
                }
            }
            assert_eq!(&got, expected, "{} at read size {size}", case.name);
        }
        checked += 1;
    }
    assert_eq!(checked, 3);
}

/// The element bytes are exactly the body's bytes between the array's separators.
#[test]
fn json_array_elements_are_exact_body_slices() {
    for case in cases().iter().filter(|c| c.framing == "json-array") {
        // The re-framed bodies are `[` + elements joined by `\n,\r\n` + `\n]`.
        let body = &case.body;
        assert!(
            body.starts_with(b"[{") && body.ends_with(b"\n}\n]"),
            "{}",
            case.name
        );
        let inner = &body[1..body.len() - 2];
        let parts: Vec<&[u8]> = split_on(inner, b"\n,\r\n");
        let mut s = JsonArraySplitter::new();
        s.feed(body);
        s.finish();
        let mut got = Vec::new();
        while let Some(frame) = s.next_frame().unwrap() {
            got.push(frame.bytes().to_vec());
        }
        assert_eq!(got, parts, "{}", case.name);
        assert!(s.is_done());
    }
}

fn split_on<'a>(haystack: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + sep.len() <= haystack.len() {
        if &haystack[i..i + sep.len()] == sep {
            out.push(&haystack[start..i]);
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&haystack[start..]);
    out
}

/// Every two-chunk split of one array body (the smallest) gives the same elements.
#[test]
fn json_array_body_at_every_split_point() {
    let cases = cases();
    let case = cases
        .iter()
        .filter(|c| c.framing == "json-array")
        .min_by_key(|c| c.body.len())
        .unwrap();
    let whole = run_json([case.body.as_slice()]);
    assert_eq!(whole.len(), case.frames.len());
    for at in 0..=case.body.len() {
        let (a, b) = case.body.split_at(at);
        assert_eq!(run_json([a, b]), whole, "{}: split at {at}", case.name);
    }
}
