//! The `futures_core::Stream` adapters (feature `stream`): same frames as the sans-IO core,
//! transport errors passed through with the frames before them kept, truncation reported, and
//! correct behaviour when the inner stream returns `Pending`.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use clawrouter_wire::json_array::{JsonArrayErrorKind, JsonArraySplitter, OwnedJsonFrame};
use clawrouter_wire::sse::{OwnedSseEvent, SseConfig, SseDecoder, SseError};
use clawrouter_wire::stream::{JsonArrayStream, SseStream, StreamError};
use futures_core::Stream;
use futures_executor::block_on;
use futures_util::StreamExt;

use crate::support::{
    JsonItem, chunks_of, ev, ev_id, fixtures_dir, run_json, run_sse, run_sse_owned_with,
    run_sse_with,
};

type Chunk = Result<Bytes, io::Error>;

fn ok_chunks(body: &[u8], size: usize) -> Vec<Chunk> {
    ok_pieces(&chunks_of(body, size))
}

fn ok_pieces(pieces: &[&[u8]]) -> Vec<Chunk> {
    pieces
        .iter()
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect()
}

fn text_chunks(parts: &[&str]) -> Vec<Chunk> {
    parts
        .iter()
        .map(|p| Ok(Bytes::copy_from_slice(p.as_bytes())))
        .collect()
}

fn reset_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "peer reset")
}

fn collect_sse<S>(stream: SseStream<S>) -> Vec<Result<OwnedSseEvent, StreamError<io::Error>>>
where
    SseStream<S>: Stream<Item = Result<OwnedSseEvent, StreamError<io::Error>>>,
{
    block_on(stream.collect::<Vec<_>>())
}

/// The events `SseStream` yields over `chunks` with a decoder configured by `config`; its errors
/// are left out (the callers compare with the events of the sans-IO decoder).
fn adapter_events(chunks: Vec<Chunk>, config: SseConfig) -> Vec<OwnedSseEvent> {
    let stream = SseStream::with_decoder(
        futures_util::stream::iter(chunks),
        SseDecoder::with_config(config),
    );
    collect_sse(stream)
        .into_iter()
        .filter_map(Result::ok)
        .collect()
}

fn collect_json<S>(
    stream: JsonArrayStream<S>,
) -> Vec<Result<OwnedJsonFrame, StreamError<io::Error>>>
where
    JsonArrayStream<S>: Stream<Item = Result<OwnedJsonFrame, StreamError<io::Error>>>,
{
    block_on(stream.collect::<Vec<_>>())
}

/// Events of a stream that must not contain errors.
fn all_ok<T, E: std::fmt::Debug>(items: Vec<Result<T, E>>) -> Vec<T> {
    items.into_iter().map(|r| r.unwrap()).collect()
}

/// An inner stream that returns `Pending` (after waking itself) before every item, and counts
/// how often it was polled after it ended or failed.
struct Stutter {
    items: VecDeque<Chunk>,
    pending_next: bool,
    polls_after_end: usize,
    ended: bool,
}

impl Stutter {
    fn new(items: Vec<Chunk>) -> Self {
        Self {
            items: items.into(),
            pending_next: true,
            polls_after_end: 0,
            ended: false,
        }
    }
}

impl Stream for Stutter {
    type Item = Chunk;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        if self.ended {
            self.polls_after_end += 1;
            return Poll::Ready(None);
        }
        if self.pending_next {
            self.pending_next = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pending_next = true;
        let item = self.items.pop_front();
        if matches!(item, None | Some(Err(_))) {
            self.ended = true;
        }
        Poll::Ready(item)
    }
}

fn wire_body(prefix: &str) -> Vec<u8> {
    let root = fixtures_dir().join("wire");
    let dir = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap();
    std::fs::read(dir.join("body")).unwrap()
}

#[test]
fn sse_stream_matches_core_on_fixtures() {
    for prefix in ["02-", "08-", "13-", "15-", "24-"] {
        let body = wire_body(prefix);
        let expected = run_sse([body.as_slice()]).events();
        assert!(!expected.is_empty());
        for size in [1, 7, 1460, 0] {
            let got = all_ok(collect_sse(SseStream::new(futures_util::stream::iter(
                ok_chunks(&body, size),
            ))));
            assert_eq!(got, expected, "{prefix} at read size {size}");
        }
        // Through an inner stream that returns Pending before every chunk.
        let got = all_ok(collect_sse(SseStream::new(Stutter::new(ok_chunks(
            &body, 64,
        )))));
        assert_eq!(got, expected, "{prefix} with Pending");
    }
}

#[test]
fn sse_stream_chunk_types() {
    // &[u8], Vec<u8> and Bytes chunks all work.
    let slices = vec![Ok::<_, io::Error>(&b"data: a\r"[..]), Ok(&b"\n\r\n"[..])];
    let got = block_on(SseStream::new(futures_util::stream::iter(slices)).collect::<Vec<_>>());
    assert_eq!(
        got.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [ev("message", "a")]
    );
    let vecs = vec![
        Ok::<_, io::Error>(b"id: 1\ndata: b".to_vec()),
        Ok(b"\n\n".to_vec()),
    ];
    let got = block_on(SseStream::new(futures_util::stream::iter(vecs)).collect::<Vec<_>>());
    assert_eq!(
        got.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [ev_id("message", "b", "1")]
    );
}

#[test]
fn sse_stream_transport_error_keeps_earlier_events() {
    let mut chunks = text_chunks(&["event: x\ndata: a\n\ndata: b\n", "\ndata: half"]);
    chunks.push(Err(reset_error()));
    chunks.extend(text_chunks(&["\n\ndata: never\n\n"]));
    let mut inner = Stutter::new(chunks);
    let mut stream = SseStream::new(&mut inner);
    let items = block_on(async {
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item);
        }
        // Polling again after the end keeps returning None.
        assert!(stream.next().await.is_none());
        items
    });
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap(), &ev("x", "a"));
    assert_eq!(items[1].as_ref().unwrap(), &ev("message", "b"));
    match &items[2] {
        Err(StreamError::Transport(e)) => {
            assert_eq!(
                (e.kind(), e.to_string().as_str()),
                (io::ErrorKind::ConnectionReset, "peer reset")
            );
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    // The chunk after the error was never read, and the failed inner stream was not polled again.
    assert_eq!((inner.items.len(), inner.polls_after_end), (1, 0));
}

#[test]
fn sse_stream_reports_truncation_at_end() {
    let items = collect_sse(SseStream::new(futures_util::stream::iter(text_chunks(&[
        "data: a\n\nid: 4\ndata: ",
        "b",
    ]))));
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap(), &ev("message", "a"));
    match &items[1] {
        Err(StreamError::Sse(e)) => {
            assert_eq!(
                *e,
                SseError::Truncated {
                    unterminated_bytes: 13,
                    pending_data: true
                }
            );
        }
        other => panic!("expected a truncation, got {other:?}"),
    }
    // A clean end has no error, and an empty body gives nothing.
    let items = collect_sse(SseStream::new(futures_util::stream::iter(text_chunks(&[
        "data: a\n\n",
    ]))));
    assert_eq!(all_ok(items), [ev("message", "a")]);
    assert!(
        collect_sse(SseStream::new(futures_util::stream::iter(
            Vec::<Chunk>::new()
        )))
        .is_empty()
    );
    assert!(
        collect_sse(SseStream::new(futures_util::stream::iter(text_chunks(&[
            "", ""
        ]))))
        .is_empty()
    );
}

#[test]
fn sse_stream_continues_after_event_too_large() {
    let decoder = SseDecoder::with_config(SseConfig {
        max_event_size: 8,
        ..SseConfig::default()
    });
    let stream = SseStream::with_decoder(
        futures_util::stream::iter(text_chunks(&["data: 0123", "456789\n\n", "data: ok\n\n"])),
        decoder,
    );
    let items = collect_sse(stream);
    assert_eq!(items.len(), 2, "{items:?}");
    match &items[0] {
        Err(StreamError::Sse(e)) => assert_eq!(
            *e,
            SseError::EventTooLarge {
                limit: 8,
                offset: 0
            }
        ),
        other => panic!("expected EventTooLarge, got {other:?}"),
    }
    assert_eq!(items[1].as_ref().unwrap(), &ev("message", "ok"));
}

#[test]
fn sse_stream_exposes_decoder_state() {
    let mut stream = SseStream::new(futures_util::stream::iter(text_chunks(&[
        "retry: 250\nid: 7\ndata: a\n\n",
    ])));
    let first = block_on(stream.next()).unwrap().unwrap();
    assert_eq!(first.retry, Some(250));
    assert_eq!(stream.decoder().last_event_id(), "7");
    assert_eq!(stream.decoder().reconnection_time(), Some(250));
    assert!(block_on(stream.next()).is_none());
    let (_inner, decoder) = stream.into_parts();
    assert_eq!(decoder.last_event_id(), "7");
}

#[test]
fn json_array_stream_matches_core_on_fixtures() {
    for prefix in ["19-", "21-", "22-"] {
        let body = wire_body(prefix);
        let expected: Vec<OwnedJsonFrame> = run_json([body.as_slice()])
            .into_iter()
            .map(|item| match item {
                JsonItem::Element(raw) => OwnedJsonFrame::Element(raw),
                other => panic!("{prefix}: {other:?}"),
            })
            .collect();
        assert!(!expected.is_empty());
        for size in [1, 7, 1460, 0] {
            let got = all_ok(collect_json(JsonArrayStream::new(
                futures_util::stream::iter(ok_chunks(&body, size)),
            )));
            assert_eq!(got, expected, "{prefix} at read size {size}");
        }
        let got = all_ok(collect_json(JsonArrayStream::new(Stutter::new(ok_chunks(
            &body, 100,
        )))));
        assert_eq!(got, expected, "{prefix} with Pending");
    }
}

#[test]
fn json_array_stream_bare_object() {
    let items = collect_json(JsonArrayStream::new(futures_util::stream::iter(
        text_chunks(&["{\"error\":{\"co", "de\":429}}\n"]),
    )));
    assert_eq!(
        all_ok(items),
        [OwnedJsonFrame::Object(
            b"{\"error\":{\"code\":429}}".to_vec()
        )]
    );
}

#[test]
fn json_array_stream_transport_error_keeps_earlier_frames() {
    let mut chunks = text_chunks(&["[{\"a\":1},", "{\"b\":"]);
    chunks.push(Err(reset_error()));
    chunks.extend(text_chunks(&["2}]"]));
    let mut inner = Stutter::new(chunks);
    let items = collect_json(JsonArrayStream::new(&mut inner));
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        items[0].as_ref().unwrap(),
        &OwnedJsonFrame::Element(b"{\"a\":1}".to_vec())
    );
    assert!(
        matches!(&items[1], Err(StreamError::Transport(e)) if e.kind() == io::ErrorKind::ConnectionReset),
        "{:?}",
        items[1]
    );
    assert_eq!((inner.items.len(), inner.polls_after_end), (1, 0));
}

#[test]
fn adapters_do_not_poll_an_ended_inner_stream() {
    let mut inner = Stutter::new(text_chunks(&["data: a\n\n"]));
    let items = collect_sse(SseStream::new(&mut inner));
    assert_eq!(all_ok(items), [ev("message", "a")]);
    assert_eq!(inner.polls_after_end, 0);
    let mut inner = Stutter::new(text_chunks(&["[1]"]));
    let items = collect_json(JsonArrayStream::new(&mut inner));
    assert_eq!(all_ok(items), [OwnedJsonFrame::Element(b"1".to_vec())]);
    assert_eq!(inner.polls_after_end, 0);
}

#[test]
fn json_array_stream_reports_truncation_and_malformed_bodies() {
    // Missing `]`: the elements before it, then the truncation, then the end.
    let items = collect_json(JsonArrayStream::new(futures_util::stream::iter(
        text_chunks(&["[{\"a\":1}\n,\r\n{\"b\"", ":2}"]),
    )));
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(
        items[1].as_ref().unwrap(),
        &OwnedJsonFrame::Element(b"{\"b\":2}".to_vec())
    );
    match &items[2] {
        Err(StreamError::JsonArray(e)) => {
            assert_eq!(e.offset(), 19);
            assert_eq!(
                e.kind(),
                &JsonArrayErrorKind::Truncated {
                    expected: "',' or ']'"
                }
            );
        }
        other => panic!("expected a truncation, got {other:?}"),
    }
    // A malformed body ends the stream at the error, without reading the rest.
    let mut inner = Stutter::new(text_chunks(&["[1,", ",2]", "[3]"]));
    let items = collect_json(JsonArrayStream::with_splitter(
        &mut inner,
        JsonArraySplitter::new(),
    ));
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        items[0].as_ref().unwrap(),
        &OwnedJsonFrame::Element(b"1".to_vec())
    );
    match &items[1] {
        Err(StreamError::JsonArray(e)) => {
            assert_eq!(e.offset(), 3);
            assert_eq!(
                e.kind(),
                &JsonArrayErrorKind::UnexpectedByte {
                    found: b',',
                    expected: "a JSON value"
                }
            );
        }
        other => panic!("expected a malformed-body error, got {other:?}"),
    }
    assert_eq!((inner.items.len(), inner.polls_after_end), (1, 0));
}

/// Events of 64 KiB and more, which `next_owned_event` (and so the adapter) hands out without
/// copying: a single `data` line with and without the space, two joined lines, an event type and
/// an ID, a CRLF, a small event after each big one in the same chunk, a truncated big line at
/// the end, and one over the size limit. At many chunkings the results are those of
/// `next_event` + `into_owned`, and the adapter yields the same events.
#[test]
fn long_events_are_the_same_owned_and_borrowed() {
    let big = |seed: u8, len: usize| -> String {
        (0..len)
            .map(|i| char::from(b'a' + ((i * 7 + usize::from(seed)) % 26) as u8))
            .collect()
    };
    let mut body = String::new();
    body.push_str(&format!("data: {}\n\n", big(1, 70_000)));
    body.push_str("data: small\n\n");
    body.push_str(&format!("data:{}\n\n", big(2, 65_536)));
    body.push_str(&format!(
        "event: long\nid: 9\ndata: {}\r\n\r\n",
        big(3, 90_000)
    ));
    body.push_str(&format!(
        "data: {}\ndata: {}\n\n",
        big(4, 40_000),
        big(5, 40_000)
    ));
    body.push_str(&format!(
        ": comment\ndata: {}\n\ndata: tail\n\n",
        big(6, 64 * 1024 - 1)
    ));
    body.push_str(&format!("data: é{}\n\n", big(7, 80_000)));
    body.push_str(&format!("data: {}", big(8, 90_000)));
    let body = body.into_bytes();
    let strict = SseConfig {
        max_event_size: 95_000,
        ..SseConfig::default()
    };
    let lenient = SseConfig {
        dispatch_unterminated_at_eof: true,
        ..strict
    };
    let mut with_oversize = body.clone();
    with_oversize.splice(0..0, format!("data: {}\n\n", big(9, 96_000)).into_bytes());

    for (input, config) in [
        (&body, strict),
        (&with_oversize, strict),
        (&body, lenient),
        (&with_oversize, lenient),
    ] {
        let want = run_sse_with(SseDecoder::with_config(config), [input.as_slice()]);
        assert!(want.events().len() >= 7, "{:?}", want.errors());
        for size in [1, 7, 64, 1_000, 1_460, 4_096, 65_536, 200_000, input.len()] {
            let pieces = chunks_of(input, size);
            let owned = run_sse_owned_with(SseDecoder::with_config(config), pieces.clone());
            assert_eq!(owned, want, "next_owned_event, chunks of {size}");
            let borrowed = run_sse_with(SseDecoder::with_config(config), pieces);
            assert_eq!(borrowed, want, "next_event, chunks of {size}");
        }
        let events = adapter_events(ok_chunks(input, 1_460), config);
        assert_eq!(events, want.events(), "the adapter");
    }
}

/// Splits `body` after every byte for which `cut_after` holds.
fn cut_after(body: &[u8], cut_after: impl Fn(u8) -> bool) -> Vec<&[u8]> {
    body.split_inclusive(|&byte| cut_after(byte)).collect()
}

/// A CRLF stream cut after every CR (the LF of each line end starts the next chunk, and `\n\r`
/// arrives alone between events) and after every line-end byte: a data line then waits for its
/// blank line across feeds, so compaction is put off while its value sits in the buffer, and the
/// line ends alone skip the stage. Whatever follows the data line (fields, comments, more data, a
/// long value, invalid UTF-8, a BOM, a truncated end) gives the events of one feed, borrowed,
/// owned and through the adapter.
#[test]
fn crlf_streams_cut_after_every_cr_decode_as_one_feed() {
    let long = "y".repeat(70_000);
    let mut fields = String::new();
    for i in 0..2_000 {
        fields.push_str(&format!("id: {i}\r\n"));
    }
    let bodies: Vec<Vec<u8>> = vec![
        b"\xEF\xBB\xBFdata: first\r\n\r\ndata: {\"a\":1}\r\n\r\n".to_vec(),
        b"data: a\r\ndata: b\r\n\r\nevent: x\r\ndata: c\r\nid: 7\r\nretry: 30\r\n\r\n".to_vec(),
        b"data: v\r\n: keep-alive\r\n\r\n\r\n\r\n: ping\r\n\r\ndata: w\r\n\r\n".to_vec(),
        format!("data: kept\r\n{fields}\r\ndata: next\r\n\r\n").into_bytes(),
        format!("data: {long}\r\n\r\ndata: short\r\n\r\ndata: s\r\ndata: {long}\r\n\r\n")
            .into_bytes(),
        b"data: bad \xFF byte\r\n\r\ndata: split \xC3\r\n\r\n".to_vec(),
        b"data: \r\n\r\n\r\rdata: cr only\r\r\n\n\r\ndata: end\r\n\r\ndata: cut".to_vec(),
    ];
    for body in &bodies {
        for dispatch_unterminated_at_eof in [false, true] {
            let config = SseConfig {
                dispatch_unterminated_at_eof,
                ..SseConfig::default()
            };
            let want = run_sse_with(SseDecoder::with_config(config), [body.as_slice()]);
            assert!(!want.events().is_empty());
            for (name, pieces) in [
                ("after CR", cut_after(body, |b| b == b'\r')),
                (
                    "after CR and LF",
                    cut_after(body, |b| b == b'\r' || b == b'\n'),
                ),
            ] {
                let borrowed = run_sse_with(SseDecoder::with_config(config), pieces.clone());
                assert_eq!(borrowed, want, "next_event, cut {name}");
                let owned = run_sse_owned_with(SseDecoder::with_config(config), pieces.clone());
                assert_eq!(owned, want, "next_owned_event, cut {name}");
                let events = adapter_events(ok_pieces(&pieces), config);
                assert_eq!(events, want.events(), "the adapter, cut {name}");
            }
        }
    }
}
