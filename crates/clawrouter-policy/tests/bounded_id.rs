//! PROTOCOL.md §7.3 golden vectors and §14 D1, exact.

use clawrouter_policy::bounded_id::{BoundedIdKind, sanitize_attribution_id, sanitize_request_id};

use BoundedIdKind::{Attribution, PrintableAttribution, RequestId};

/// `input` as UTF-16 units, with `\u{E000}`/`\u{E001}` standing for the lone surrogates
/// U+D800/U+D801 (a `&str` cannot hold them).
fn units(input: &str) -> Vec<u16> {
    input
        .encode_utf16()
        .map(|u| match u {
            0xe000 => 0xd800,
            0xe001 => 0xd801,
            u => u,
        })
        .collect()
}

fn check(kind: BoundedIdKind, input: &str, expected: Option<&str>) {
    let got = kind.sanitize_utf16(&units(input));
    assert_eq!(got.as_deref(), expected, "{kind:?} {input:?}");
    if let Some(got) = &got {
        assert!(got.len() <= kind.max_len());
        assert!(got.bytes().all(|b| (0x20..0x7f).contains(&b)), "{got:?}");
    }
}

/// The golden vectors whose attribution output is the same under OpenClaw's printable-ASCII
/// rule and under decision D1.
const ATTRIBUTION: &[(&str, Option<&str>)] = &[
    ("main", Some("main")),
    ("agent-😀中文-id", Some("agent-___-id~243bd58563ffe3a6")),
    ("agent-🚀中文-id", Some("agent-___-id~dd7d497128297002")),
    ("session-🚀测试-id", Some("session-___-id~67bc961fbf5d227e")),
    ("agent-😀", Some("agent-_~0ed511653b5810bb")),
    (
        "agent-_~0ed511653b5810bb",
        Some("agent-_~0ed511653b5810bb~09fe8388603a0f12"),
    ),
    ("agent-\u{E000}", Some("agent-_~b5bb5724a963ef36")),
    ("agent-\u{E001}", Some("agent-_~ea08c62b4c3003c4")),
    (
        "abc~0123456789abcdef",
        Some("abc~0123456789abcdef~e5da4af389c0a7c0"),
    ),
    ("bad\nagent", None),
    ("bad\rsession", None),
    ("", None),
    ("  \t ", None),
    ("\u{feff} main\u{3000}", Some("main")),
];

#[test]
fn attribution_golden_vectors() {
    for &(input, expected) in ATTRIBUTION {
        check(Attribution, input, expected);
        check(PrintableAttribution, input, expected);
    }
    // Printable ASCII passes OpenClaw's rule; D1 re-encodes it.
    check(PrintableAttribution, "my agent", Some("my agent"));
    check(Attribution, "my agent", Some("my_agent~3c743d64a56f0097"));
    check(
        Attribution,
        "a\"b,c#(d)",
        Some("a_b_c__d_~e9871fa9b38707c4"),
    );
}

#[test]
fn attribution_long_value_is_cut_to_256() {
    let input = format!("session-{}", "x".repeat(300));
    let expected = format!("{}~5e7dbc05fbac5351", &input[..239]);
    check(Attribution, &input, Some(&expected));
    check(PrintableAttribution, &input, Some(&expected));
    assert_eq!(expected.len(), 256);
}

#[test]
fn request_id_golden_vectors() {
    let cases: &[(&str, Option<&str>)] = &[
        ("request-1", Some("request-1")),
        ("sess-1:model:1", Some("sess-1:model:1")),
        ("turn-😀:model:3", Some("turn-_~4e897f1644ca34dc:model:3")),
        ("run id:model:7", Some("run_id~350e0e9baa677b35:model:7")),
        (
            "abc~0123456789abcdef:model:2",
            Some("abc~0123456789abcdef~b760e8e9bac088da:model:2"),
        ),
        ("bad\nrequest", None),
        ("\u{7f}", None),
    ];
    for &(input, expected) in cases {
        check(RequestId, input, expected);
    }
    for (n, hash) in [(1, "8071253a7ff20426"), (2, "d91e1642c10d3ca8")] {
        let input = format!("run-{}:model:{n}", "r".repeat(300));
        let expected = format!("{}~{hash}:model:{n}", &input[..103]);
        assert_eq!(expected.len(), 128);
        check(RequestId, &input, Some(&expected));
    }
}

#[test]
fn str_helpers_match_the_kinds() {
    assert_eq!(
        sanitize_attribution_id("my agent").as_deref(),
        Some("my_agent~3c743d64a56f0097")
    );
    assert_eq!(
        sanitize_request_id(" request-1 ").as_deref(),
        Some("request-1")
    );
    assert_eq!(sanitize_request_id("bad\nrequest"), None);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Output is ASCII of the kind's safe set, bounded, and a fixed point.
        #[test]
        fn bounded_safe_and_stable(units in proptest::collection::vec(any::<u16>(), 0..400)) {
            for kind in [Attribution, PrintableAttribution, RequestId] {
                if let Some(out) = kind.sanitize_utf16(&units) {
                    prop_assert!(out.len() <= kind.max_len());
                    prop_assert!(out.bytes().all(|b| (0x20..0x7f).contains(&b)));
                    if kind != PrintableAttribution {
                        prop_assert!(!out.contains(' '));
                    }
                    // Sanitizing an encoded value again re-encodes it (no aliasing), but an
                    // unchanged value stays unchanged.
                    let again = kind.sanitize(&out);
                    prop_assert!(again.is_some());
                }
            }
        }
    }
}

#[test]
fn json_string_literals_keep_lone_surrogates() {
    use clawrouter_policy::bounded_id::utf16_from_json_string;
    let cases: &[(&str, &[u16])] = &[
        (r#""main""#, &[0x6d, 0x61, 0x69, 0x6e]),
        (r#" "\ud800" "#, &[0xd800]),
        (r#""\uD83D\uDE00""#, &[0xd83d, 0xde00]),
        ("\"😀\"", &[0xd83d, 0xde00]),
        (
            r#""a\"\\\/\b\f\n\r\t""#,
            &[0x61, 0x22, 0x5c, 0x2f, 8, 12, 10, 13, 9],
        ),
    ];
    for (literal, units) in cases {
        assert_eq!(
            utf16_from_json_string(literal).as_deref(),
            Ok(*units),
            "{literal}"
        );
    }
    let errors: &[(&str, usize)] = &[
        ("main", 0),
        (r#""abc"#, 4),
        (r#""a" x"#, 4),
        (r#""\x""#, 1),
        (r#""\u12""#, 1),
        ("\"a\nb\"", 2),
    ];
    for (literal, offset) in errors {
        assert_eq!(
            utf16_from_json_string(literal).unwrap_err().offset,
            *offset,
            "{literal}"
        );
    }
    // The golden vector with a lone surrogate, from its JSON form.
    let units = utf16_from_json_string(r#""agent-\ud801""#).unwrap();
    assert_eq!(
        Attribution.sanitize_utf16(&units).as_deref(),
        Some("agent-_~ea08c62b4c3003c4")
    );
}
