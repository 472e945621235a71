//! The JSON-array splitter (WIRE.md §2d, §3.4): table tests, each replayed whole, one byte at a
//! time and at every two-chunk split point, with exact elements and exact error offsets.

use clawrouter_wire::json_array::{
    JsonArrayConfig, JsonArrayErrorKind, JsonArraySplitter, JsonFrame, OwnedJsonFrame,
};

use crate::support::{JsonItem, chunks_of, run_json_with, two_chunk_splits};

/// One expected result.
#[derive(Debug)]
enum Want {
    /// An array element, as its exact raw text.
    El(&'static str),
    /// The bare-object body, as its exact raw text.
    Obj(&'static str),
    /// The error that ends the body: offset and kind.
    Err(u64, JsonArrayErrorKind),
}
use Want::{El, Err, Obj};

fn unexpected(found: u8, expected: &'static str) -> JsonArrayErrorKind {
    JsonArrayErrorKind::UnexpectedByte { found, expected }
}

fn truncated(expected: &'static str) -> JsonArrayErrorKind {
    JsonArrayErrorKind::Truncated { expected }
}

fn matches_want(got: &JsonItem, want: &Want) -> bool {
    match (got, want) {
        (JsonItem::Element(raw), El(text)) | (JsonItem::Object(raw), Obj(text)) => {
            raw.as_slice() == text.as_bytes()
        }
        (JsonItem::Error(e), Err(offset, kind)) => e.offset() == *offset && e.kind() == kind,
        _ => false,
    }
}

fn check_with(config: JsonArrayConfig, input: &[u8], want: &[Want]) {
    let shown = String::from_utf8_lossy(input);
    let run = |chunks: Vec<&[u8]>| run_json_with(JsonArraySplitter::with_config(config), chunks);
    let whole = run(vec![input]);
    assert!(
        whole.len() == want.len() && whole.iter().zip(want).all(|(g, w)| matches_want(g, w)),
        "{shown:?}:\n   got {whole:?}\n  want {want:?}"
    );
    assert_eq!(
        run(chunks_of(input, 1)),
        whole,
        "{shown:?}: 1 byte at a time"
    );
    for (at, two) in two_chunk_splits(input) {
        assert_eq!(run(two.to_vec()), whole, "{shown:?}: split at {at}");
    }
}

fn check(input: &[u8], want: &[Want]) {
    check_with(JsonArrayConfig::default(), input, want);
}

#[test]
fn empty_arrays() {
    check(b"[]", &[]);
    check(b"[ ]", &[]);
    check(b" \r\n\t[ \n\r\t] \r\n", &[]);
}

#[test]
fn scalar_elements() {
    check(
        b"[1,\"x\",true,null]",
        &[El("1"), El("\"x\""), El("true"), El("null")],
    );
    check(
        b"[ -1.5e+3 , 0 ,\n\"a b\"\t,false ]",
        &[El("-1.5e+3"), El("0"), El("\"a b\""), El("false")],
    );
    check(b"[\"\"]", &[El("\"\"")]);
}

#[test]
fn whitespace_and_gemini_separators() {
    check(
        b"[{\"a\":1}\n,\r\n{\"b\":2}\n]",
        &[El("{\"a\":1}"), El("{\"b\":2}")],
    );
    check(
        b"[{\n  \"a\": 1\n}\n,\r\n{\n  \"b\": [\n    2\n  ]\n}\n]",
        &[El("{\n  \"a\": 1\n}"), El("{\n  \"b\": [\n    2\n  ]\n}")],
    );
    check(b"\t[\r{}\r,\t[]\n]\n\n", &[El("{}"), El("[]")]);
}

#[test]
fn nesting() {
    check(
        b"[{\"a\":[1,{\"b\":[]}]},[[],{}],[[[[]]]]]",
        &[El("{\"a\":[1,{\"b\":[]}]}"), El("[[],{}]"), El("[[[[]]]]")],
    );
}

#[test]
fn structure_inside_strings() {
    check(br#"[{"k":"a]}\"["}]"#, &[El(r#"{"k":"a]}\"["}"#)]);
    check(
        br#"["a]}\"[", "]}{[,"]"#,
        &[El(r#""a]}\"[""#), El(r#""]}{[,""#)],
    );
    // An escaped backslash right before the closing quote: the quote closes the string.
    check(
        br#"["a\\",{"b":"\\\\"},"\\\""]"#,
        &[El(r#""a\\""#), El(r#"{"b":"\\\\"}"#), El(r#""\\\"""#)],
    );
    // Escapes of every kind, including \u escapes of structural characters.
    check(
        br#"[{"s":"\u005d\u007d\"\\\/\b\f\n\r\t"}]"#,
        &[El(r#"{"s":"\u005d\u007d\"\\\/\b\f\n\r\t"}"#)],
    );
    // Multi-byte UTF-8 next to structure, raw (the splitter passes it through).
    check(
        "[\"é]\",{\"😀\":\"}\"}]".as_bytes(),
        &[El("\"é]\""), El("{\"😀\":\"}\"}")],
    );
}

#[test]
fn bare_object_is_gemini_error_form() {
    check(
        br#"{"error":{"code":429}}"#,
        &[Obj(r#"{"error":{"code":429}}"#)],
    );
    check(
        b"\n{\n  \"error\": {\n    \"code\": 429,\n    \"message\": \"]\"\n  }\n}\n",
        &[Obj(
            "{\n  \"error\": {\n    \"code\": 429,\n    \"message\": \"]\"\n  }\n}",
        )],
    );
    check(b"\xEF\xBB\xBF{}", &[Obj("{}")]);
    // An error element inside the array is an ordinary element.
    check(
        br#"[{"error":{"code":500}}]"#,
        &[El(r#"{"error":{"code":500}}"#)],
    );
    // Only one object.
    check(
        br#"{"a":1} {"b":2}"#,
        &[
            Obj(r#"{"a":1}"#),
            Err(8, unexpected(b'{', "nothing after the JSON object")),
        ],
    );
    check(
        br#"{"a":1]"#,
        &[Err(6, unexpected(b']', "'}' to close the object"))],
    );
}

#[test]
fn separator_errors() {
    check(
        b"[1,,2]",
        &[El("1"), Err(3, unexpected(b',', "a JSON value"))],
    );
    check(
        b"[1 2]",
        &[
            El("1"),
            Err(3, unexpected(b'2', "',' or ']' after an element")),
        ],
    );
    check(
        b"[{} {}]",
        &[
            El("{}"),
            Err(4, unexpected(b'{', "',' or ']' after an element")),
        ],
    );
    check(b"[,1]", &[Err(1, unexpected(b',', "a JSON value"))]);
    check(
        b"[1,]",
        &[El("1"), Err(3, unexpected(b']', "a JSON value"))],
    );
    check(b"[}", &[Err(1, unexpected(b'}', "a JSON value"))]);
    check(b"[:]", &[Err(1, unexpected(b':', "a JSON value"))]);
    check(b"x", &[Err(0, unexpected(b'x', "'[' to open the array"))]);
    check(
        b"  \"s\"",
        &[Err(2, unexpected(b'"', "'[' to open the array"))],
    );
}

#[test]
fn bracket_mismatch_inside_an_element() {
    check(
        b"[{]}",
        &[Err(2, unexpected(b']', "'}' to close the object"))],
    );
    check(
        b"[[}]",
        &[Err(2, unexpected(b'}', "']' to close the array"))],
    );
    check(
        br#"[{"a":[1}]"#,
        &[Err(8, unexpected(b'}', "']' to close the array"))],
    );
    check(
        br#"[{"a":1},{"b":{]}]"#,
        &[
            El(r#"{"a":1}"#),
            Err(15, unexpected(b']', "'}' to close the object")),
        ],
    );
}

#[test]
fn trailing_garbage() {
    check(
        b"[1]x",
        &[
            El("1"),
            Err(3, unexpected(b'x', "nothing after the closing ']'")),
        ],
    );
    check(
        b"[1] \n ]",
        &[
            El("1"),
            Err(6, unexpected(b']', "nothing after the closing ']'")),
        ],
    );
    check(
        b"[][]",
        &[Err(2, unexpected(b'[', "nothing after the closing ']'"))],
    );
    check(
        b"[]\0",
        &[Err(2, unexpected(0, "nothing after the closing ']'"))],
    );
}

#[test]
fn truncated_bodies() {
    check(b"", &[Err(0, truncated("'[' to open the array"))]);
    check(b" \n ", &[Err(3, truncated("'[' to open the array"))]);
    check(b"[", &[Err(1, truncated("an element or ']'"))]);
    check(
        b"[1,",
        &[El("1"), Err(3, truncated("an element after ','"))],
    );
    check(
        b"[1,2",
        &[El("1"), Err(4, truncated("the end of the element"))],
    );
    check(
        br#"[{"a":1}"#,
        &[El(r#"{"a":1}"#), Err(8, truncated("',' or ']'"))],
    );
    check(
        b"[{\"a\":1}\n,\r\n{\"b\"",
        &[
            El(r#"{"a":1}"#),
            Err(16, truncated("the end of the element")),
        ],
    );
    check(br#"["abc"#, &[Err(5, truncated("the end of the element"))]);
    check(br#"["a\"#, &[Err(4, truncated("the end of the element"))]);
    check(
        br#"{"a":"#,
        &[Err(5, truncated("the end of the JSON object"))],
    );
    check(
        b"\xEF\xBB\xBF",
        &[Err(3, truncated("'[' to open the array"))],
    );
}

#[test]
fn max_depth() {
    let depth2 = JsonArrayConfig {
        max_depth: 2,
        ..JsonArrayConfig::default()
    };
    check_with(
        depth2,
        b"[[[1]],{\"a\":{}}]",
        &[El("[[1]]"), El("{\"a\":{}}")],
    );
    check_with(
        depth2,
        b"[[[[1]]]]",
        &[Err(3, JsonArrayErrorKind::TooDeep { limit: 2 })],
    );
    check_with(
        depth2,
        br#"[{},{"a":{"b":[]}}]"#,
        &[El("{}"), Err(14, JsonArrayErrorKind::TooDeep { limit: 2 })],
    );
    // Brackets inside strings do not count.
    check_with(depth2, br#"[{"a":"[[[{{{"}]"#, &[El(r#"{"a":"[[[{{{"}"#)]);
    // The default is serde_json's 128.
    let ok = format!("[{}{}]", "[".repeat(128), "]".repeat(128));
    let deep = format!("[{}{}]", "[".repeat(129), "]".repeat(129));
    let whole = run_json_with(JsonArraySplitter::new(), [ok.as_bytes()]);
    assert_eq!(whole.len(), 1);
    let whole = run_json_with(JsonArraySplitter::new(), [deep.as_bytes()]);
    let [JsonItem::Error(e)] = whole.as_slice() else {
        panic!("{whole:?}")
    };
    assert_eq!(
        (e.offset(), e.kind()),
        (129, &JsonArrayErrorKind::TooDeep { limit: 128 })
    );
}

#[test]
fn max_element_size() {
    let max8 = JsonArrayConfig {
        max_element_size: 8,
        ..JsonArrayConfig::default()
    };
    // Exactly 8 bytes fit, of every kind.
    check_with(
        max8,
        br#"[12345678,"123456",{"a":12},[1,2,3]]"#,
        &[
            El("12345678"),
            El("\"123456\""),
            El("{\"a\":12}"),
            El("[1,2,3]"),
        ],
    );
    // 9 bytes do not; the offset is the element's first byte.
    let too_large = JsonArrayErrorKind::ElementTooLarge { limit: 8 };
    check_with(
        max8,
        br#"[1,{"a":123}]"#,
        &[El("1"), Err(3, too_large.clone())],
    );
    check_with(max8, b"[123456789]", &[Err(1, too_large.clone())]);
    check_with(max8, br#"[ "1234567"]"#, &[Err(2, too_large.clone())]);
    check_with(max8, b"[[1,2,3,4]]", &[Err(1, too_large.clone())]);
    // An oversized element is reported even when it never ends.
    check_with(max8, br#"[{"a":"bcdefghijkl"#, &[Err(1, too_large.clone())]);
    // A bare object too.
    check_with(max8, br#"{"error":1}"#, &[Err(0, too_large)]);
}

#[test]
fn bom_is_skipped_once() {
    check(b"\xEF\xBB\xBF[1]", &[El("1")]);
    check(b"\xEF\xBB\xBF\n[ {\"a\":1} ]", &[El("{\"a\":1}")]);
    // Offsets count the BOM.
    check(
        b"\xEF\xBB\xBF[1,,2]",
        &[El("1"), Err(6, unexpected(b',', "a JSON value"))],
    );
    // A second BOM, or a partial one, is an unexpected byte.
    check(
        b"\xEF\xBB\xBF\xEF\xBB\xBF[]",
        &[Err(3, unexpected(0xEF, "'[' to open the array"))],
    );
    check(
        b"\xEF\xBB[]",
        &[Err(0, unexpected(0xEF, "'[' to open the array"))],
    );
    check(
        b"\xEF",
        &[Err(0, unexpected(0xEF, "'[' to open the array"))],
    );
    // Split one byte per feed, explicitly.
    let items = run_json_with(
        JsonArraySplitter::new(),
        [&b"\xEF"[..], b"\xBB", b"\xBF", b"[", b"2", b"]"],
    );
    assert_eq!(items, [JsonItem::Element(b"2".to_vec())]);
}

#[test]
fn poisoned_after_error() {
    let mut s = JsonArraySplitter::new();
    s.feed(b"[1,,2]");
    assert_eq!(s.next_frame(), Ok(Some(JsonFrame::Element(&b"1"[..]))));
    let e = s.next_frame().unwrap_err();
    assert_eq!(
        (e.offset(), e.kind()),
        (3, &unexpected(b',', "a JSON value"))
    );
    for _ in 0..3 {
        assert_eq!(s.next_frame().unwrap_err(), e);
    }
    s.feed(b"[3]");
    assert_eq!(s.next_frame().unwrap_err(), e);
    s.finish();
    assert_eq!(s.next_frame().unwrap_err(), e);
    // The message names the byte and the offset.
    assert_eq!(
        e.to_string(),
        "unexpected ',' in streamed JSON array, expected a JSON value at byte 3"
    );
    // reset() clears the poison.
    s.reset();
    s.feed(b"[3]");
    s.finish();
    assert_eq!(s.next_frame(), Ok(Some(JsonFrame::Element(&b"3"[..]))));
    assert_eq!(s.next_frame(), Ok(None));
}

#[test]
fn frames_are_available_as_soon_as_complete() {
    let mut s = JsonArraySplitter::new();
    s.feed(b"[{\"a\":1}");
    assert_eq!(
        s.next_frame(),
        Ok(Some(JsonFrame::Element(&b"{\"a\":1}"[..])))
    );
    assert_eq!(s.next_frame(), Ok(None));
    assert!(!s.is_done());
    // A scalar needs its delimiter to be known complete.
    s.feed(b",12");
    assert_eq!(s.next_frame(), Ok(None));
    s.feed(b"3]");
    let frame = s.next_frame().unwrap().unwrap();
    assert_eq!(frame.bytes(), b"123");
    assert_eq!(frame.into_owned(), OwnedJsonFrame::Element(b"123".to_vec()));
    assert_eq!(s.next_frame(), Ok(None));
    assert!(s.is_done());
    s.finish();
    assert_eq!(s.next_frame(), Ok(None));
    assert_eq!(s.stream_offset(), 13);
}

/// Regression: the element size limit must win over a structural error that lies beyond it,
/// whatever the chunking (the splitter documents that only the first `max_element_size + 1`
/// bytes of an element are scanned). Here byte 6 (`]`) is past the 5 scannable bytes `{1234`.
#[test]
fn size_limit_wins_over_later_mismatch_at_any_chunking() {
    let max4 = JsonArrayConfig {
        max_element_size: 4,
        ..JsonArrayConfig::default()
    };
    check_with(
        max4,
        b"[{1234]",
        &[Err(1, JsonArrayErrorKind::ElementTooLarge { limit: 4 })],
    );
    check_with(
        max4,
        b"[[1234}",
        &[Err(1, JsonArrayErrorKind::ElementTooLarge { limit: 4 })],
    );
}

#[test]
fn debug_output_does_not_leak_body_content() {
    let mut s = JsonArraySplitter::new();
    s.feed(b"[{\"text\":\"secret-one\"},{\"text\":\"secret-partial");
    let _ = s.next_frame().unwrap();
    let shown = format!("{s:?}");
    assert!(!shown.contains("secret"), "{shown}");
}
