//! PROTOCOL.md §14 D6: the catalog order is `localeCompare` (ICU root collation). The ASCII
//! shortcut must agree with ICU itself on every input.

use std::cmp::Ordering;

use clawrouter_catalog::collate::{icu_compare, locale_compare};
use proptest::prelude::*;
use serde_json::json;

use crate::support::{ids, provider, resolve};

fn sorted(items: &[&str]) -> Vec<String> {
    let mut items: Vec<String> = items.iter().rev().map(|s| (*s).to_owned()).collect();
    items.sort_by(|a, b| locale_compare(a, b));
    items
}

/// Vectors from Node (ICU 78.2, en-US), and mixed case / digits / punctuation / non-ASCII.
#[test]
fn orders_like_node() {
    let vectors: &[&[&str]] = &[
        &["a", "A", "b", "B"],
        &["a", "a_b", "a-b", "a:b", "a.b", "B"],
        &["x1", "x10", "x2"],
        &["openai/gpt_5", "openai/gpt-5-mini", "openai/gpt-5.5"],
        &[
            "anthropic/claude-sonnet-4-6",
            "Codex-beta",
            "codex-latest",
            "deepseek/deepseek-v4-flash",
            "google/gemini-3.5-flash",
            "openai/gpt-5.6",
        ],
        &[
            "_", "-", ",", ";", ":", "!", "?", ".", "'", "\"", "(", ")", "[", "]", "{", "}", "@",
            "*", "/", "\\", "&", "#", "%", "`", "^", "+", "<", "=", ">", "|", "~", "$", "0", "9",
            "a", "A", "z", "Z",
        ],
        &["ab", "aB", "Ab", "AB", "abc"],
        &["a", "A", "á", "Á", "b"],
        &["e", "é", "ëa", "f"],
        &["zeta", "Ωmega", "ωmega2", "中文"],
    ];
    for expected in vectors {
        let expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        let strs: Vec<&str> = expected.iter().map(String::as_str).collect();
        assert_eq!(sorted(&strs), expected);
    }
}

/// Control characters are ignorable: strings that differ only in them compare equal, and the
/// catalog's stable sort keeps their body order.
#[test]
fn ignorable_controls_keep_body_order() {
    assert_eq!(locale_compare("a\u{1}b", "ab"), Ordering::Equal);
    let body = json!({"providers": [provider("p", true, json!([]), json!([
        {"id": "ab\u{1}", "upstream": "m", "capabilities": ["llm.chat"]},
        {"id": "ab", "upstream": "m", "capabilities": ["llm.chat"]},
        {"id": "AB", "upstream": "m", "capabilities": ["llm.chat"]},
        {"id": "Ωmega", "upstream": "m", "capabilities": ["llm.chat"]},
    ]))]});
    assert_eq!(ids(&resolve(&body, None)), ["ab\u{1}", "ab", "AB", "Ωmega"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        // PROPTEST_CASES, when set, overrides this count (`with_cases` alone ignores it).
        std::env::var("PROPTEST_CASES").map_or(2000, |_| ProptestConfig::default().cases)
    ))]

    /// The ASCII sort key agrees with ICU on random ASCII strings (controls included).
    #[test]
    fn ascii_rule_agrees_with_icu(a in "[\\x00-\\x7F]{0,12}", b in "[\\x00-\\x7F]{0,12}") {
        prop_assert_eq!(locale_compare(&a, &b), icu_compare(&a, &b));
    }

    /// Ids that look like catalog ids stress the common prefixes.
    #[test]
    fn id_like_strings_agree_with_icu(a in "[a-cA-C0-2./_:-]{0,10}", b in "[a-cA-C0-2./_:-]{0,10}") {
        prop_assert_eq!(locale_compare(&a, &b), icu_compare(&a, &b));
    }
}
