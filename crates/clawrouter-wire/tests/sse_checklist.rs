//! WIRE.md §1.8: the 31-row SSE edge-case checklist, each row replayed with its own chunking, at
//! every two-chunk split point, one byte at a time and whole; then end of stream (truncation,
//! lenient flushing), the event size limit and `reset()`.

use clawrouter_wire::sse::{OwnedSseEvent, SseConfig, SseDecoder, SseError};

use crate::support::{
    SseItem, SseRun, chunks_of, ev, ev_id, run_sse, run_sse_with, two_chunk_splits,
};

/// Runs `chunks` and asserts the events; then asserts that every other chunking of the same
/// bytes gives exactly the same run (events, errors, last event ID, reconnection time).
fn check_with(
    config: SseConfig,
    row: &str,
    chunks: &[&[u8]],
    expected: &[OwnedSseEvent],
) -> SseRun {
    let run = run_sse_with(SseDecoder::with_config(config), chunks.iter().copied());
    assert_eq!(run.events(), expected, "row {row}: events");
    let whole = chunks.concat();
    let same = |how: &str, other: SseRun| assert_eq!(other, run, "row {row}: {how} differs");
    same(
        "whole",
        run_sse_with(SseDecoder::with_config(config), [whole.as_slice()]),
    );
    same(
        "1 byte at a time",
        run_sse_with(SseDecoder::with_config(config), chunks_of(&whole, 1)),
    );
    for (at, two) in two_chunk_splits(&whole) {
        same(
            &format!("split at {at}"),
            run_sse_with(SseDecoder::with_config(config), two),
        );
    }
    run
}

/// [`check_with`] with the default configuration, also asserting a clean end (no errors).
fn check(row: &str, chunks: &[&[u8]], expected: &[OwnedSseEvent]) -> SseRun {
    let run = check_with(SseConfig::default(), row, chunks, expected);
    assert_eq!(run.errors(), [], "row {row}: errors");
    run
}

fn with_retry(mut e: OwnedSseEvent, retry: u64) -> OwnedSseEvent {
    e.retry = Some(retry);
    e
}

#[test]
fn row_01_simple_event() {
    let run = check("1", &[b"data: a\n\n"], &[ev("message", "a")]);
    assert_eq!(run.last_event_id, "");
    assert_eq!(run.reconnection_time, None);
}

#[test]
fn row_02_space_after_colon_is_optional() {
    let a = check("2", &[b"data:a\n\n"], &[ev("message", "a")]);
    let b = check("2", &[b"data: a\n\n"], &[ev("message", "a")]);
    assert_eq!(a.items, b.items);
}

#[test]
fn row_03_only_one_space_removed() {
    check("3", &[b"data:  a\n\n"], &[ev("message", " a")]);
}

#[test]
fn row_04_tab_not_stripped() {
    check("4", &[b"data:\ta\n\n"], &[ev("message", "\ta")]);
}

#[test]
fn row_05_data_lines_joined_with_lf() {
    check("5", &[b"data: a\ndata: b\n\n"], &[ev("message", "a\nb")]);
    // The join does not trim: empty values and trailing spaces are kept.
    check(
        "5",
        &[b"data: a \ndata:\ndata: b\n\n"],
        &[ev("message", "a \n\nb")],
    );
}

#[test]
fn row_06_bare_data_dispatches_empty_event() {
    check("6", &[b"data\n\n"], &[ev("message", "")]);
    check("6", &[b"data:\n\n"], &[ev("message", "")]);
    check("6", &[b"data: \n\n"], &[ev("message", "")]);
}

#[test]
fn row_07_two_bare_data_lines() {
    check("7", &[b"data\ndata\n\n"], &[ev("message", "\n")]);
}

#[test]
fn row_08_event_without_data_dispatches_nothing_and_resets_type() {
    check("8", &[b"event: x\n\n"], &[]);
    check("8", &[b"event: x\n\ndata: 1\n\n"], &[ev("message", "1")]);
}

#[test]
fn row_09_type_resets_after_dispatch() {
    check(
        "9",
        &[b"event: x\ndata: 1\n\ndata: 2\n\n"],
        &[ev("x", "1"), ev("message", "2")],
    );
    // The last event field of a block wins; its position relative to data does not matter.
    check("9", &[b"data: 1\nevent: x\nevent: y\n\n"], &[ev("y", "1")]);
}

#[test]
fn row_10_empty_event_type_is_message() {
    check("10", &[b"event:\ndata: 1\n\n"], &[ev("message", "1")]);
    check(
        "10",
        &[b"event: x\nevent\ndata: 1\n\n"],
        &[ev("message", "1")],
    );
}

#[test]
fn row_11_comments() {
    check("11", &[b": comment\n\n"], &[]);
    check("11", &[b":\n\n"], &[]);
    // A comment inside a block does not disturb it.
    check(
        "11",
        &[b"data: a\n: keep-alive\ndata: b\n\n"],
        &[ev("message", "a\nb")],
    );
}

#[test]
fn row_12_field_names_are_literal() {
    check("12", &[b"Data: a\n\n"], &[]);
    check("12", &[b"foo: a\n\n"], &[]);
    check("12", &[b" data: a\n\n"], &[]);
    check("12", &[b"data : a\n\n"], &[]);
    check("12", &[b"DATA: a\nEvent: x\nID: 1\nRetry: 5\n\n"], &[]);
}

#[test]
fn row_13_split_at_first_colon_only() {
    check("13", &[b"data: a:b:c\n\n"], &[ev("message", "a:b:c")]);
    check("13", &[b"data::\n\n"], &[ev("message", ":")]);
}

#[test]
fn row_14_line_ends() {
    check("14", &[b"data: a\r\n\r\n"], &[ev("message", "a")]);
    check("14", &[b"data: a\r\r"], &[ev("message", "a")]);
    check(
        "14",
        &[b"data: a\rdata: b\r\ndata: c\n\n"],
        &[ev("message", "a\nb\nc")],
    );
    check("14", &[b"data: a\n\r\n"], &[ev("message", "a")]);
    check("14", &[b"data: a\r\n\n"], &[ev("message", "a")]);
    // `\r\r\n\n` is three line ends (CR, CRLF, LF): the second is the blank line, the third is
    // another blank line that dispatches nothing.
    check(
        "14",
        &[b"data: a\r\r\n\ndata: b\n\n"],
        &[ev("message", "a"), ev("message", "b")],
    );
    // `\n\r` is LF then CR: two line ends.
    check(
        "14",
        &[b"data: a\n\rdata: b\n\n"],
        &[ev("message", "a"), ev("message", "b")],
    );
}

#[test]
fn row_15_crlf_split_across_chunks() {
    check(
        "15",
        &[b"data: a\r", b"\ndata: b\r\n\r\n"],
        &[ev("message", "a\nb")],
    );
    // Also the blank line's CRLF.
    check(
        "15",
        &[b"data: a\r\n\r", b"\ndata: b\r\n\r\n"],
        &[ev("message", "a"), ev("message", "b")],
    );
    // And a CR with empty feeds in between.
    check(
        "15",
        &[b"data: a\r", b"", b"\n", b"", b"\r", b"\n"],
        &[ev("message", "a")],
    );
}

#[test]
fn row_16_cr_then_non_lf_across_chunks() {
    check(
        "16",
        &[b"data: a\r", b"data: b\n\n"],
        &[ev("message", "a\nb")],
    );
}

#[test]
fn row_17_cr_at_eof_is_a_line_end() {
    let run = check("17", &[b"data: a\r\r"], &[ev("message", "a")]);
    assert_eq!(run.after_finish, 0);
    // The final CR arrives alone, and the decoder sees finish() while waiting for a possible LF.
    check("17", &[b"data: a\r", b"\r"], &[ev("message", "a")]);
}

#[test]
fn row_18_leading_bom_stripped() {
    let input = b"\xEF\xBB\xBFdata: a\n\n";
    check("18", &[input], &[ev("message", "a")]);
    check(
        "18",
        &[b"\xEF", b"\xBB", b"\xBF", b"data: a\n\n"],
        &[ev("message", "a")],
    );
    check(
        "18",
        &[b"\xEF\xBB", b"\xBFdata: a\n\n"],
        &[ev("message", "a")],
    );
    // A BOM alone is an empty stream.
    check("18", &[b"\xEF\xBB\xBF"], &[]);
}

#[test]
fn row_19_second_bom_is_content() {
    check("19", &[b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n"], &[]);
    // The stripped BOM does not make a following `\u{FEFF}` vanish either when split.
    check(
        "19",
        &[b"\xEF\xBB\xBF", b"\xEF\xBB\xBF", b"data: a\n\n"],
        &[],
    );
}

#[test]
fn row_20_bom_mid_stream_is_content() {
    check(
        "20",
        &[b"data: a\n\n\xEF\xBB\xBFdata: b\n\n"],
        &[ev("message", "a")],
    );
    // Inside a value it is kept.
    check(
        "20",
        &[b"data: \xEF\xBB\xBFb\n\n"],
        &[ev("message", "\u{FEFF}b")],
    );
}

#[test]
fn row_20b_partial_bom_prefix_is_content() {
    // EF BB without BF is not a BOM: it is (invalid UTF-8) content of the field name.
    check("20b", &[b"\xEF\xBBdata: a\n\n"], &[]);
    // A lone EF at the very end of a stream is a partial line.
    let run = check_with(SseConfig::default(), "20b", &[b"\xEF"], &[]);
    assert_eq!(
        run.errors(),
        [SseError::Truncated {
            unterminated_bytes: 1,
            pending_data: false
        }]
    );
}

#[test]
fn row_21_id_persists() {
    let run = check(
        "21",
        &[b"id: 7\ndata: a\n\ndata: b\n\n"],
        &[ev_id("message", "a", "7"), ev_id("message", "b", "7")],
    );
    assert_eq!(run.last_event_id, "7");
}

#[test]
fn row_21b_id_reset_to_empty() {
    // `id` with no value (bare, or empty after the colon) sets the buffer to "": `Some("")`.
    let run = check(
        "21b",
        &[b"id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\n\nid:\ndata: c\n\n"],
        &[
            ev_id("message", "a", "1"),
            ev_id("message", "b", ""),
            ev_id("message", "c", ""),
        ],
    );
    assert_eq!(run.last_event_id, "");
    // Before any id field, events carry `None`.
    check("21b", &[b"data: a\n\n"], &[ev("message", "a")]);
    // The id applies to the event of its own block, wherever it is in the block.
    check(
        "21b",
        &[b"data: a\nid: 5\n\n"],
        &[ev_id("message", "a", "5")],
    );
    // Only one space is stripped; the rest is part of the id.
    check(
        "21b",
        &[b"id:  x \ndata: a\n\n"],
        &[ev_id("message", "a", " x ")],
    );
}

#[test]
fn row_22_id_only_block_commits_id() {
    let run = check("22", &[b"id: 7\n\n"], &[]);
    assert_eq!(run.last_event_id, "7");
}

#[test]
fn row_22b_id_committed_only_at_blank_line() {
    // The id of an unterminated block is never committed.
    let run = check_with(SseConfig::default(), "22b", &[b"id: 1\n\nid: 2\n"], &[]);
    assert_eq!(run.last_event_id, "1");
    assert_eq!(
        run.errors(),
        [SseError::Truncated {
            unterminated_bytes: 6,
            pending_data: false
        }]
    );
    // Mid-stream, last_event_id() lags until the blank line.
    let mut d = SseDecoder::new();
    d.feed(b"id: 1\n\nid: 2\n");
    assert!(d.next_event().unwrap().is_none());
    assert_eq!(d.last_event_id(), "1");
    d.feed(b"\n");
    assert!(d.next_event().unwrap().is_none());
    assert_eq!(d.last_event_id(), "2");
}

#[test]
fn row_23_id_with_nul_ignored() {
    let run = check(
        "23",
        &[b"id: 1\n\nid: a\0b\ndata: x\n\n"],
        &[ev_id("message", "x", "1")],
    );
    assert_eq!(run.last_event_id, "1");
    // Without an earlier id, the event has none.
    let run = check("23", &[b"id: a\0b\ndata: x\n\n"], &[ev("message", "x")]);
    assert_eq!(run.last_event_id, "");
    // NUL anywhere, also first or last.
    check(
        "23",
        &[b"id: 1\nid: \0\nid: x\0\ndata: x\n\n"],
        &[ev_id("message", "x", "1")],
    );
}

#[test]
fn row_24_retry_validation() {
    let run = check(
        "24",
        &[b"retry: 100\ndata: x\n\n"],
        &[with_retry(ev("message", "x"), 100)],
    );
    assert_eq!(run.reconnection_time, Some(100));
    for invalid in [
        &b"retry: 1x\n"[..],
        b"retry:\n",
        b"retry\n",
        b"retry: +5\n",
        b"retry: -5\n",
        b"retry:  5\n",
        b"retry: 5 \n",
        b"retry: 1.5\n",
        b"retry: \xD9\xA1\n", // ARABIC-INDIC DIGIT ONE is not an ASCII digit
        b"retry: 99999999999999999999999\n", // overflows u64: ignored
    ] {
        let input = [invalid, b"data: x\n\n"].concat();
        let run = check("24", &[&input], &[ev("message", "x")]);
        assert_eq!(
            run.reconnection_time,
            None,
            "{:?}",
            String::from_utf8_lossy(invalid)
        );
    }
    // Only the first of the four checklist lines is valid; an invalid one does not clear it.
    let run = check(
        "24",
        &[b"retry: 100\nretry: 1x\nretry:\nretry: +5\ndata: x\n\n"],
        &[with_retry(ev("message", "x"), 100)],
    );
    assert_eq!(run.reconnection_time, Some(100));
    // Extremes: 0, leading zeros, u64::MAX.
    let run = check(
        "24",
        &[b"retry: 0\ndata: x\n\n"],
        &[with_retry(ev("message", "x"), 0)],
    );
    assert_eq!(run.reconnection_time, Some(0));
    check(
        "24",
        &[b"retry: 007\ndata: x\n\n"],
        &[with_retry(ev("message", "x"), 7)],
    );
    let run = check(
        "24",
        &[b"retry: 18446744073709551615\ndata: x\n\n"],
        &[with_retry(ev("message", "x"), u64::MAX)],
    );
    assert_eq!(run.reconnection_time, Some(u64::MAX));
}

#[test]
fn row_24b_retry_takes_effect_when_processed() {
    // A retry in a block that dispatches nothing is attached to the next event, and only to it.
    let run = check(
        "24b",
        &[b"retry: 5000\n\ndata: x\n\ndata: y\n\n"],
        &[with_retry(ev("message", "x"), 5000), ev("message", "y")],
    );
    assert_eq!(run.reconnection_time, Some(5000));
    // The most recent valid value wins.
    let run = check(
        "24b",
        &[b"retry: 1\nretry: 2\ndata: x\n\nretry: 3\n\n"],
        &[with_retry(ev("message", "x"), 2)],
    );
    assert_eq!(run.reconnection_time, Some(3));
    // Even when its block is cut off at EOF.
    let run = check_with(SseConfig::default(), "24b", &[b"retry: 9\n"], &[]);
    assert_eq!(run.reconnection_time, Some(9));
}

#[test]
fn row_25_unterminated_block_discarded() {
    let run = check_with(SseConfig::default(), "25", &[b"data: a\n"], &[]);
    assert_eq!(
        run.items,
        [SseItem::Error(SseError::Truncated {
            unterminated_bytes: 8,
            pending_data: true
        })]
    );
    assert_eq!(run.after_finish, 1);
}

#[test]
fn row_26_partial_line_discarded() {
    let run = check_with(SseConfig::default(), "26", &[b"data: a"], &[]);
    assert_eq!(
        run.items,
        [SseItem::Error(SseError::Truncated {
            unterminated_bytes: 7,
            pending_data: true
        })]
    );
    assert_eq!(run.after_finish, 1);
}

/// `pending_data` for a partial last line: true exactly when that line is a `data` field (its
/// name, up to the first colon or the end, is `data`).
#[test]
fn row_26_partial_line_pending_data_is_exact() {
    let mut wrong = Vec::new();
    for (input, bytes, pending_data) in [
        (&b"data"[..], 4, true),
        (b"data:", 5, true),
        (b"data: x", 7, true),
        (b"event: a\ndata", 13, true),
        (b"dat", 3, false),
        (b"datax: 1", 8, false),
        (b"data-x", 6, false),
        (b"database", 8, false),
        (b"Data: x", 7, false),
        (b" data: x", 8, false),
        (b"id: 1\ndat", 9, false),
        (b": data", 6, false),
    ] {
        let run = check_with(SseConfig::default(), "26", &[input], &[]);
        let want = [SseItem::Error(SseError::Truncated {
            unterminated_bytes: bytes,
            pending_data,
        })];
        if run.items != want {
            wrong.push(format!(
                "{:?}: {:?}",
                String::from_utf8_lossy(input),
                run.items
            ));
        }
    }
    assert!(wrong.is_empty(), "wrong results:\n{}", wrong.join("\n"));
}

#[test]
fn row_25_26_truncation_after_events() {
    // Only the bytes after the last blank line are counted; earlier events are kept.
    let run = check_with(
        SseConfig::default(),
        "25",
        &[b"data: kept\n\nevent: x\ndata: lost\nda"],
        &[ev("message", "kept")],
    );
    assert_eq!(
        run.items.last(),
        Some(&SseItem::Error(SseError::Truncated {
            unterminated_bytes: 22,
            pending_data: true
        }))
    );
    // A block with fields but no data: truncated, no data lost.
    let run = check_with(SseConfig::default(), "25", &[b"event: x\nid: 3\n"], &[]);
    assert_eq!(
        run.items,
        [SseItem::Error(SseError::Truncated {
            unterminated_bytes: 15,
            pending_data: false
        })]
    );
    // A CRLF stream cut before its final blank line.
    let run = check_with(
        SseConfig::default(),
        "25",
        &[b"data: a\r\n\r\ndata: b\r\n"],
        &[ev("message", "a")],
    );
    assert_eq!(
        run.items.last(),
        Some(&SseItem::Error(SseError::Truncated {
            unterminated_bytes: 9,
            pending_data: true
        }))
    );
    // The BOM is not part of the unterminated block.
    let run = check_with(SseConfig::default(), "25", &[b"\xEF\xBB\xBFdata: a\n"], &[]);
    assert_eq!(
        run.items,
        [SseItem::Error(SseError::Truncated {
            unterminated_bytes: 8,
            pending_data: true
        })]
    );
}

#[test]
fn clean_ends_report_no_truncation() {
    for input in [
        &b""[..],
        b"data: a\n\n",
        b"data: a\r\n\r\n",
        b"data: a\r\r",
        b"data: a\n\n: trailing comment\n",
        b": only a comment\n",
        b"\n\n\n",
        b"event: x\n\n",
        b"\xEF\xBB\xBF",
    ] {
        let run = check_with(
            SseConfig::default(),
            "clean",
            &[input],
            &run_sse([input]).events(),
        );
        assert_eq!(run.errors(), [], "{:?}", String::from_utf8_lossy(input));
        assert_eq!(run.after_finish, 0);
    }
}

#[test]
fn truncation_reported_once_then_none() {
    let mut d = SseDecoder::new();
    d.feed(b"data: a\n");
    assert!(d.next_event().unwrap().is_none());
    d.finish();
    assert_eq!(
        d.next_event().map(|e| e.map(|e| e.into_owned())),
        Err(SseError::Truncated {
            unterminated_bytes: 8,
            pending_data: true
        })
    );
    assert!(d.next_event().unwrap().is_none());
    assert!(d.next_event().unwrap().is_none());
    d.finish();
    assert!(d.next_event().unwrap().is_none());
}

#[test]
fn row_27_multibyte_split() {
    check("27", &[b"data: \xC3", b"\xA9\n\n"], &[ev("message", "é")]);
    // A 4-byte character split three ways.
    check(
        "27",
        &[b"data: \xF0\x9F", b"\x98", b"\x80\n\n"],
        &[ev("message", "😀")],
    );
}

#[test]
fn row_28_invalid_utf8_replaced() {
    check("28", &[b"data: \xFF\n\n"], &[ev("message", "\u{FFFD}")]);
    // A truncated sequence followed by ASCII, and an invalid sequence in the event type and id.
    check(
        "28",
        &[b"event: \xC3x\nid: \xFE\ndata: \xE2\x82 \xC3\xA9\n\n"],
        &[ev_id("\u{FFFD}x", "\u{FFFD} é", "\u{FFFD}")],
    );
    // A truncated character at the end of a data line is not completed by the next line.
    check(
        "28",
        &[b"data: \xC3\ndata: \xA9\n\n"],
        &[ev("message", "\u{FFFD}\n\u{FFFD}")],
    );
    // The stream goes on after it.
    check(
        "28",
        &[b"data: \xFF\n\ndata: ok\n\n"],
        &[ev("message", "\u{FFFD}"), ev("message", "ok")],
    );
}

#[test]
fn row_29_nul_kept_in_data() {
    check("29", &[b"data: a\0b\n\n"], &[ev("message", "a\0b")]);
    check("29", &[b"event: \0\ndata: \0\n\n"], &[ev("\0", "\0")]);
}

#[test]
fn row_30_one_mib_line() {
    const FILL: usize = 1 << 20;
    let mut input = b"data: ".to_vec();
    input.extend(std::iter::repeat_n(b'x', FILL));
    input.extend_from_slice(b"\n\n");
    let expected = [ev("message", &"x".repeat(FILL))];
    for size in [1, 1460] {
        let run = run_sse(chunks_of(&input, size));
        assert_eq!(run.events(), expected, "chunk size {size}");
        assert_eq!(run.errors(), [], "chunk size {size}");
    }
    // Same line with CRLF ends and multi-line data, in 1460-byte reads.
    let line = "y".repeat(FILL / 2);
    let input = format!("data: {line}\r\ndata: {line}\r\n\r\n");
    let run = run_sse(chunks_of(input.as_bytes(), 1460));
    assert_eq!(run.events(), [ev("message", &format!("{line}\n{line}"))]);
}

#[test]
fn row_31_100k_tiny_events_in_one_chunk() {
    const N: usize = 100_000;
    let input = "data: x\n\n".repeat(N);
    let run = run_sse([input.as_bytes()]);
    assert_eq!(run.items.len(), N);
    assert!(run.events().iter().all(|e| *e == ev("message", "x")));
    // Mixed types and ids, CRLF, in one chunk and in 1460-byte reads.
    let input: String = (0..N)
        .map(|i| format!("event: e{i}\r\nid: {i}\r\ndata: {i}\r\n\r\n"))
        .collect();
    let expected: Vec<OwnedSseEvent> = (0..N)
        .map(|i| ev_id(&format!("e{i}"), &i.to_string(), &i.to_string()))
        .collect();
    for size in [0, 1460] {
        let run = run_sse(chunks_of(input.as_bytes(), size));
        assert_eq!(run.events(), expected, "chunk size {size}");
        assert_eq!(run.errors(), []);
        assert_eq!(run.last_event_id, (N - 1).to_string());
    }
}

fn lenient() -> SseConfig {
    SseConfig {
        dispatch_unterminated_at_eof: true,
        ..SseConfig::default()
    }
}

#[test]
fn lenient_eof_dispatches_pending_block() {
    let run = check_with(lenient(), "lenient", &[b"data: a\n"], &[ev("message", "a")]);
    assert_eq!(run.errors(), []);
    let run = check_with(lenient(), "lenient", &[b"data: a"], &[ev("message", "a")]);
    assert_eq!(run.errors(), []);
    // With its type, id and retry; the id is committed.
    let run = check_with(
        lenient(),
        "lenient",
        &[b"data: 0\n\nevent: x\nid: 4\nretry: 50\ndata: a\ndata: b"],
        &[ev("message", "0"), with_retry(ev_id("x", "a\nb", "4"), 50)],
    );
    assert_eq!(run.errors(), []);
    assert_eq!(run.last_event_id, "4");
    // A pending block without data dispatches nothing, but its id is committed.
    let run = check_with(lenient(), "lenient", &[b"id: 9\n"], &[]);
    assert_eq!((run.errors(), run.last_event_id.as_str()), (vec![], "9"));
    // A clean stream is unaffected, and nothing is dispatched twice.
    let run = check_with(
        lenient(),
        "lenient",
        &[b"data: a\n\n"],
        &[ev("message", "a")],
    );
    assert_eq!(run.errors(), []);
    // A partial comment line is not an event.
    let run = check_with(
        lenient(),
        "lenient",
        &[b"data: a\n\n: keep"],
        &[ev("message", "a")],
    );
    assert_eq!(run.errors(), []);
    // A partial `data` with an invalid UTF-8 tail.
    check_with(
        lenient(),
        "lenient",
        &[b"data: a\xC3"],
        &[ev("message", "a\u{FFFD}")],
    );
}

fn limited(max_event_size: usize) -> SseConfig {
    SseConfig {
        max_event_size,
        ..SseConfig::default()
    }
}

#[test]
fn event_too_large_one_long_line() {
    // Limit 16: "data: " + 20 bytes is a 26-byte line.
    let input = b"data: 01234567890123456789\n\ndata: ok\n\n";
    let run = check_with(limited(16), "too large", &[input], &[ev("message", "ok")]);
    assert_eq!(
        run.items,
        [
            SseItem::Error(SseError::EventTooLarge {
                limit: 16,
                offset: 0
            }),
            SseItem::Event(ev("message", "ok")),
        ]
    );
    // The rest of the oversized block is discarded, including its id and later data lines, but
    // the stream goes on.
    let input = b"data: a\n\nid: 5\ndata: 01234567890123456789\ndata: b\nid: 6\n\ndata: c\n\n";
    let run = check_with(
        limited(16),
        "too large",
        &[input],
        &[ev("message", "a"), ev_id("message", "c", "5")],
    );
    assert_eq!(
        run.errors(),
        [SseError::EventTooLarge {
            limit: 16,
            offset: 15
        }]
    );
}

#[test]
fn event_too_large_many_data_lines() {
    // Each line is 10 bytes ("data: aaaa"); the data grows by 4 + 1 per line.
    let mut input = b"data: ok\n\n".to_vec();
    for _ in 0..10 {
        input.extend_from_slice(b"data: aaaa\n");
    }
    input.extend_from_slice(b"\ndata: after\n\n");
    let run = check_with(
        limited(24),
        "many lines",
        &[&input],
        &[ev("message", "ok"), ev("message", "after")],
    );
    // Held data after n lines: 4, 9, 14, 19 bytes. The 4th line fits exactly (14 + 10 = 24); the
    // 5th (19 + 10 > 24, at offset 10 + 4 * 11 = 54) crosses the limit.
    assert_eq!(
        run.errors(),
        [SseError::EventTooLarge {
            limit: 24,
            offset: 54
        }]
    );
    // Exactly at the limit: fits.
    let run = check_with(
        limited(24),
        "at limit",
        &[b"data: aaaa\ndata: aaaa\ndata: aaaa\ndata: aaaa\n\n"],
        &[ev("message", "aaaa\naaaa\naaaa\naaaa")],
    );
    assert_eq!(run.errors(), []);
}

#[test]
fn event_too_large_boundary() {
    // A line of exactly max_event_size bytes is accepted; one more byte is not.
    let run = check_with(
        limited(10),
        "boundary",
        &[b"data: 1234\n\n"],
        &[ev("message", "1234")],
    );
    assert_eq!(run.errors(), []);
    let run = check_with(
        limited(10),
        "boundary",
        &[b"data: 12345\n\ndata: x\n\n"],
        &[ev("message", "x")],
    );
    assert_eq!(
        run.errors(),
        [SseError::EventTooLarge {
            limit: 10,
            offset: 0
        }]
    );
}

#[test]
fn event_too_large_partial_line_at_eof() {
    // An oversized line that never ends: one EventTooLarge, no truncation on top.
    let run = check_with(
        limited(8),
        "partial",
        &[b"data: a\n\ndata: 0123456789"],
        &[ev("message", "a")],
    );
    assert_eq!(
        run.errors(),
        [SseError::EventTooLarge {
            limit: 8,
            offset: 9
        }]
    );
}

#[test]
fn reset_starts_a_new_stream() {
    let mut d = SseDecoder::new();
    d.feed(b"\xEF\xBB\xBFid: 3\nretry: 70\n\nevent: t\ndata: half");
    assert!(d.next_event().unwrap().is_none());
    assert_eq!((d.last_event_id(), d.reconnection_time()), ("3", Some(70)));
    d.reset();
    assert_eq!((d.last_event_id(), d.reconnection_time()), ("", None));
    // Fresh state: the BOM is stripped again, no id, no type, no data carried over.
    let run = run_sse_with(d, [&b"\xEF\xBB\xBFdata: new\n\n"[..]]);
    assert_eq!(run.items, [SseItem::Event(ev("message", "new"))]);
    // Reset keeps the configuration.
    let mut d = SseDecoder::with_config(limited(8));
    d.reset();
    assert_eq!(*d.config(), limited(8));
    // Reset in the middle of a CR (a pending LF swallow) and after finish.
    let mut d = SseDecoder::new();
    d.feed(b"data: a\r");
    while d.next_event().unwrap().is_some() {}
    d.finish();
    while d.next_event().is_err() {}
    d.reset();
    let run = run_sse_with(d, [&b"\ndata: b\n\n"[..]]);
    assert_eq!(run.items, [SseItem::Event(ev("message", "b"))]);
}

#[test]
fn borrowed_event_fields() {
    let mut d = SseDecoder::new();
    d.feed(b"event: e\nid: i\nretry: 3\ndata: d\n\n");
    let e = d.next_event().unwrap().unwrap();
    assert_eq!(
        (e.event, e.data, e.id, e.retry),
        ("e", "d", Some("i"), Some(3))
    );
    let owned = e.into_owned();
    assert_eq!(owned, with_retry(ev_id("e", "d", "i"), 3));
    assert!(d.next_event().unwrap().is_none());
}

/// Regression: with a limit below 3, a BOM that arrives in pieces must not count as line bytes
/// (fed whole, it is stripped before any line is read).
#[test]
fn event_too_large_ignores_a_split_bom() {
    for limit in 0..=2 {
        let run = check_with(limited(limit), "split BOM", &[b"\xEF\xBB\xBF\n"], &[]);
        assert_eq!(run.errors(), [], "limit {limit}");
    }
}

#[test]
fn feeding_after_finish_continues_the_stream() {
    // `finish()` only says "no more bytes for now": the truncation is reported, the pending block
    // is dropped, and later bytes are decoded as a continuation.
    let mut d = SseDecoder::new();
    d.feed(b"id: 1\ndata: a\n\ndata: b");
    assert_eq!(
        d.next_event().unwrap().map(|e| e.into_owned()),
        Some(ev_id("message", "a", "1"))
    );
    assert!(d.next_event().unwrap().is_none());
    d.finish();
    assert_eq!(
        d.next_event().map(|e| e.map(|e| e.into_owned())),
        Err(SseError::Truncated {
            unterminated_bytes: 7,
            pending_data: true
        })
    );
    assert!(d.next_event().unwrap().is_none());
    d.feed(b"data: c\n\n");
    assert_eq!(
        d.next_event().unwrap().map(|e| e.into_owned()),
        Some(ev_id("message", "c", "1"))
    );
    d.finish();
    assert!(d.next_event().unwrap().is_none());
}

#[test]
fn debug_output_does_not_leak_stream_content() {
    let mut d = SseDecoder::new();
    d.feed(b"event: private-type\ndata: secret-one\n\ndata: secret-two\ndata: secret-partial");
    let _ = d.next_event().unwrap();
    let shown = format!("{d:?}");
    for word in ["private-type", "secret-one", "secret-two", "secret-partial"] {
        assert!(!shown.contains(word), "{shown}");
    }
}
