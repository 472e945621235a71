//! POLICY.md §5 D (turn validation), E (thinking), F (S2), G (tool-call ids), H (pairing), and
//! the §2.9 worked examples through the whole pipeline. Each case asserts the exact output.

use clawrouter_policy::conversation::{Message, conversation_from_value, conversation_to_value};
use clawrouter_policy::replay::apply_replay_policy;
use clawrouter_policy::replay::hygiene::{
    is_canonical_base64, sanitize_blocks_and_signatures, strip_thought_signatures,
};
use clawrouter_policy::replay::pairing::{SYNTHETIC_RESULT_TEXT, repair_pairing};
use clawrouter_policy::replay::policy::{SanitizeThoughtSignatures, ToolCallIdMode};
use clawrouter_policy::replay::thinking::{
    drop_reasoning_from_history, drop_thinking_blocks, strip_invalid_thinking_signatures,
    strip_stale_signatures_after_compaction,
};
use clawrouter_policy::replay::tool_call_ids::{
    IdSanitizeOptions, sanitize_tool_call_id, sanitize_tool_call_id_list,
    sanitize_transcript_tool_call_ids,
};
use clawrouter_policy::replay::turns::{validate_anthropic_turns, validate_gemini_turns};
use clawrouter_wire::transport::Transport;
use serde_json::{Value, json};

fn conv(value: Value) -> Vec<Message> {
    conversation_from_value(value)
}

fn check(actual: &[Message], expected: &Value) {
    assert_eq!(&conversation_to_value(actual), expected);
}

// --- D. Turn validation ------------------------------------------------------------------

fn gemini(input: Value, expected: Value) {
    check(
        &validate_gemini_turns(conv(input), &mut Vec::new()),
        &expected,
    );
}

fn anthropic(input: Value, expected: Value) {
    check(
        &validate_anthropic_turns(conv(input), true, &mut Vec::new()),
        &expected,
    );
}

fn user(text: &str) -> Value {
    json!({"role":"user","content":text})
}

fn text(text: &str) -> Value {
    json!({"type":"text","text":text})
}

fn assistant(content: Value) -> Value {
    json!({"role":"assistant","content":content})
}

#[test]
fn d1_empty() {
    gemini(json!([]), json!([]));
    anthropic(json!([]), json!([]));
}

#[test]
fn d2_d3_gemini_merges_assistants() {
    gemini(
        json!([{"role":"assistant","content":[text("Part 1")],"usage":{"input":10,"output":5}},
               {"role":"assistant","content":[text("Part 2")],"usage":{"input":10,"output":10},"stopReason":"end_turn"}]),
        json!([{"role":"assistant","stopReason":"end_turn","usage":{"input":10,"output":10},"content":[text("Part 1"),text("Part 2")]}]),
    );
    let call = json!({"role":"assistant","content":[{"type":"toolUse","id":"tool-1","name":"t","input":{}}]});
    let result = json!({"role":"toolResult","toolUseId":"tool-1","content":[text("r")]});
    gemini(
        json!([
            user("Use tool"),
            call,
            result,
            assistant(json!([text("Answer")])),
            assistant(json!([text("Extra")])),
            user("Next")
        ]),
        json!([
            user("Use tool"),
            call,
            result,
            assistant(json!([text("Answer"), text("Extra")])),
            user("Next")
        ]),
    );
}

#[test]
fn d4_to_d8_user_merging() {
    let input = json!([
        user("Switch model"),
        user("Read notes.txt"),
        assistant(json!([text("Done")]))
    ]);
    check(
        &validate_anthropic_turns(conv(input.clone()), false, &mut Vec::new()),
        &input,
    );
    anthropic(
        json!([{"role":"user","content":[text("Old")],"timestamp":1000,"attachments":["old.png"]},
               {"role":"user","content":[text("New")],"timestamp":2000,"attachments":["new.png"],"someCustomField":"keep-me"}]),
        json!([{"role":"user","content":[text("Old"),text("New")],"timestamp":2000,"attachments":["new.png"],"someCustomField":"keep-me"}]),
    );
    anthropic(
        json!([{"role":"user","content":"before","timestamp":1000},{"role":"user","content":"after","timestamp":2000}]),
        json!([{"role":"user","content":[text("before"),text("after")],"timestamp":2000}]),
    );
    anthropic(
        json!([{"role":"user","content":"before","timestamp":1000},{"role":"user","content":"after"}]),
        json!([{"role":"user","content":[text("before"),text("after")],"timestamp":1000}]),
    );
}

#[test]
fn d6_assistants_merged_before_matching() {
    let thinking = json!({"type":"thinking","thinking":"plan","thinkingSignature":"sig_1"});
    let call = json!({"type":"toolCall","id":"tool-1","name":"gateway","arguments":{}});
    let result = json!({"role":"toolResult","toolUseId":"tool-1","toolName":"gateway","content":[text("ok")]});
    anthropic(
        json!([user("Use tool"),
               {"role":"assistant","stopReason":"toolUse","content":[thinking, call]},
               {"role":"assistant","stopReason":"stop","content":[text("Subagent completion delivered.")]},
               result]),
        json!([user("Use tool"),
               {"role":"assistant","stopReason":"stop","content":[thinking, call, text("Subagent completion delivered.")]},
               result]),
    );
}

#[test]
fn d9_to_d15_dangling_tool_calls() {
    let tool_use = |id: &str| json!({"type":"toolUse","id":id,"name":"t","input":{}});
    anthropic(
        json!([user("Use tool"), {"role":"assistant","stopReason":"stop","content":[tool_use("tool-1")]}, user("Hello")]),
        json!([user("Use tool"), {"role":"assistant","stopReason":"stop","content":[text("[tool calls omitted]")]}, user("Hello")]),
    );
    anthropic(
        json!([user("Use tool"), {"role":"assistant","stopReason":"aborted","content":[tool_use("tool-1")]}, user("Hello")]),
        json!([user("Use tool"), {"role":"assistant","stopReason":"aborted","content":[]}, user("Hello")]),
    );
    // D10: an embedded result keeps its call; the dangling one goes.
    let embedded_user = json!({"role":"user","content":[{"type":"toolResult","toolUseId":"tool-1","content":[text("r")]}, text("Thanks")]});
    anthropic(
        json!([
            assistant(json!([
                tool_use("tool-1"),
                tool_use("tool-2"),
                text("Done")
            ])),
            embedded_user
        ]),
        json!([
            assistant(json!([tool_use("tool-1"), text("Done")])),
            embedded_user
        ]),
    );
    // D11: a legacy `tool` message answers a functionCall.
    let d11 = json!([assistant(json!([{"type":"functionCall","id":"tool-1","name":"t","arguments":{}}, text("Checking")])),
                     user("waiting"), {"role":"tool","toolCallId":"tool-1"}, user("Continue")]);
    anthropic(d11.clone(), d11);
    // D12: embedded results are not trusted for signed thinking.
    let signed = json!({"type":"thinking","thinking":"x","thinkingSignature":"sig_1"});
    anthropic(
        json!([
            assistant(json!([signed, tool_use("tool-1")])),
            embedded_user
        ]),
        json!([
            assistant(json!([text("[tool calls omitted]")])),
            embedded_user
        ]),
    );
    // D13: any alias of a trusted result matches.
    let d13 = json!([assistant(json!([signed, {"type":"toolCall","id":"tool-current","name":"gateway","arguments":{}}])),
                     {"role":"toolResult","toolCallId":"tool-current","toolUseId":"tool-stale","toolName":"gateway","content":[]},
                     user("next")]);
    anthropic(d13.clone(), d13);
    // D14: a result with another tool name does not match a signed call.
    anthropic(
        json!([assistant(json!([signed, {"type":"toolCall","id":"tool-1","name":"gateway","arguments":{}}])),
               {"role":"toolResult","toolCallId":"tool-1","toolName":"exec","content":[]}]),
        json!([assistant(json!([text("[tool calls omitted]")])),
               {"role":"toolResult","toolCallId":"tool-1","toolName":"exec","content":[]}]),
    );
    // D15: redacted thinking counts as thinking.
    anthropic(
        json!([
            assistant(json!([{"type":"redacted_thinking","data":"blob"}, tool_use("tool-1")])),
            user("hi")
        ]),
        json!([assistant(json!([text("[tool calls omitted]")])), user("hi")]),
    );
}

#[test]
fn d16_d18_older_validate_turns() {
    let alternating = json!([user("a"), assistant(json!([text("b")])), user("c")]);
    anthropic(alternating.clone(), alternating);
    anthropic(
        json!([user("1"), user("2"), user("3")]),
        json!([{"role":"user","content":[text("1"),text("2"),text("3")]}]),
    );
    let image = |d: &str| json!({"type":"image","data":d,"mimeType":"image/png"});
    anthropic(
        json!([{"role":"user","content":[image("A")]},{"role":"user","content":[text("x"), image("B")]}]),
        json!([{"role":"user","content":[image("A"), text("x"), image("B")]}]),
    );
    let out = validate_anthropic_turns(
        conv(
            json!([user("u"), {"role":"assistant","stopReason":"error","content":[]}, user("a"), user("b")]),
        ),
        true,
        &mut Vec::new(),
    );
    assert_eq!(out.len(), 3);
    assert_eq!(out[2].blocks().len(), 2);
    let tool_use = |id: &str| json!({"type":"toolUse","id":id,"name":"t","input":{}});
    anthropic(
        json!([assistant(json!([tool_use("a"), text("kept")])), user("x")]),
        json!([assistant(json!([text("kept")])), user("x")]),
    );
    anthropic(
        json!([
            assistant(json!([tool_use("a"), tool_use("b"), text("Done")])),
            user("x")
        ]),
        json!([assistant(json!([text("Done")])), user("x")]),
    );
    // D17 in its baseline form: consecutive assistants are merged (2 messages).
    let out = validate_anthropic_turns(
        conv(json!([
            user("u"),
            assistant(json!([text("A1")])),
            assistant(json!([text("A2")]))
        ])),
        true,
        &mut Vec::new(),
    );
    assert_eq!(out.len(), 2);
    assert_eq!(
        validate_gemini_turns(
            conv(json!([
                user("u"),
                assistant(json!([text("a1")])),
                assistant(json!([text("a2")]))
            ])),
            &mut Vec::new()
        )
        .len(),
        2
    );
    assert_eq!(
        validate_anthropic_turns(
            conv(json!([
                user("u1"),
                user("u2"),
                assistant(json!([text("a")]))
            ])),
            true,
            &mut Vec::new()
        )
        .len(),
        2
    );
}

// --- E. Thinking ----------------------------------------------------------------------------

fn thinking(text: &str) -> Value {
    json!({"type":"thinking","thinking":text})
}

fn signed(text: &str, sig: &str) -> Value {
    json!({"type":"thinking","thinking":text,"thinkingSignature":sig})
}

fn run(
    step: fn(&mut [Message], &mut Vec<clawrouter_policy::diagnostic::Diagnostic>),
    input: Value,
) -> Value {
    let mut messages = conv(input);
    step(&mut messages, &mut Vec::new());
    conversation_to_value(&messages)
}

#[test]
fn e1_to_e6_drop_thinking_blocks() {
    let plain = json!([user("hello"), assistant(json!([text("world")]))]);
    assert_eq!(run(drop_thinking_blocks, plain.clone()), plain);
    assert_eq!(run(drop_reasoning_from_history, plain.clone()), plain);
    let single = json!([assistant(json!([thinking("internal"), text("final")]))]);
    assert_eq!(run(drop_thinking_blocks, single.clone()), single);
    let only = json!([assistant(json!([thinking("internal-only")]))]);
    assert_eq!(run(drop_thinking_blocks, only.clone()), only);
    let latest = assistant(json!([signed("latest", "sig_latest"), text("latest text")]));
    assert_eq!(
        run(
            drop_thinking_blocks,
            json!([
                user("first"),
                assistant(json!([thinking("old"), text("old text")])),
                user("second"),
                latest
            ])
        ),
        json!([
            user("first"),
            assistant(json!([text("old text")])),
            user("second"),
            latest
        ])
    );
    assert_eq!(
        run(
            drop_thinking_blocks,
            json!([
                assistant(json!([signed("old", "sig_old")])),
                user("u"),
                latest
            ])
        ),
        json!([
            assistant(json!([text("[assistant reasoning omitted]")])),
            user("u"),
            latest
        ])
    );
    assert_eq!(
        run(
            drop_thinking_blocks,
            json!([
                assistant(json!([{"type":"redacted_thinking","data":"opaque"}])),
                user("u"),
                latest
            ])
        ),
        json!([
            assistant(json!([text("[assistant reasoning omitted]")])),
            user("u"),
            latest
        ])
    );
}

#[test]
fn e7_to_e10_drop_reasoning_from_history() {
    assert_eq!(
        run(
            drop_reasoning_from_history,
            json!([
                user("u"),
                assistant(json!([thinking("private"), text("visible")])),
                user("v")
            ])
        ),
        json!([user("u"), assistant(json!([text("visible")])), user("v")])
    );
    assert_eq!(
        run(
            drop_reasoning_from_history,
            json!([
                user("u"),
                assistant(json!([thinking("private")])),
                user("v")
            ])
        ),
        json!([
            user("u"),
            assistant(json!([text("[assistant reasoning omitted]")])),
            user("v")
        ])
    );
    let call = json!({"type":"toolCall","id":"call123456","name":"lookup","arguments":{}});
    let result = json!({"role":"toolResult","toolCallId":"call123456","content":"42"});
    let active = json!([user("u"), assistant(json!([thinking("t"), call])), result]);
    assert_eq!(run(drop_reasoning_from_history, active.clone()), active);
    assert_eq!(
        run(
            drop_reasoning_from_history,
            json!([
                user("u"),
                assistant(json!([thinking("t"), call])),
                result,
                assistant(json!([text("42")])),
                user("thanks")
            ])
        ),
        json!([
            user("u"),
            assistant(json!([call])),
            result,
            assistant(json!([text("42")])),
            user("thanks")
        ])
    );
}

#[test]
fn e11_to_e16_invalid_signatures() {
    let strip = |input: Value, preserve: Option<bool>| {
        let mut messages = conv(input);
        strip_invalid_thinking_signatures(&mut messages, preserve, &mut Vec::new());
        conversation_to_value(&messages)
    };
    let ok = json!([user("u"), assistant(json!([signed("t", "sig"), text("a")]))]);
    assert_eq!(strip(ok.clone(), None), ok);
    let latest = json!([
        user("u"),
        assistant(json!([
            thinking("a"),
            signed("b", ""),
            signed("c", "   "),
            signed("d", "sig"),
            text("x")
        ]))
    ]);
    assert_eq!(strip(latest.clone(), None), latest);
    assert_eq!(
        strip(
            json!([
                user("u"),
                assistant(json!([thinking("m"), signed("s", "sig"), text("x")]))
            ]),
            Some(false)
        ),
        json!([user("u"), assistant(json!([signed("s", "sig"), text("x")]))])
    );
    let tail = assistant(json!([text("latest")]));
    assert_eq!(
        strip(
            json!([
                assistant(json!([
                    thinking("a"),
                    signed("b", ""),
                    signed("c", "   "),
                    signed("signed", "sig"),
                    text("answer")
                ])),
                user("u"),
                tail
            ]),
            None
        ),
        json!([
            assistant(json!([signed("signed", "sig"), text("answer")])),
            user("u"),
            tail
        ])
    );
    assert_eq!(
        strip(
            json!([assistant(json!([signed("reasoning", "")])), user("u"), tail]),
            None
        ),
        json!([
            assistant(json!([text("[assistant reasoning omitted]")])),
            user("u"),
            tail
        ])
    );
    assert_eq!(
        strip(
            json!([
                assistant(
                    json!([{"type":"redacted_thinking","data":""},{"type":"redacted_thinking","signature":"   "},
                                      {"type":"redacted_thinking","data":"opaque"}, text("answer")])
                ),
                user("u"),
                tail
            ]),
            None
        ),
        json!([
            assistant(json!([{"type":"redacted_thinking","data":"opaque"}, text("answer")])),
            user("u"),
            tail
        ])
    );
}

#[test]
fn e17_stale_signatures_after_compaction() {
    let old = json!({"role":"assistant","timestamp":50,"content":[signed("t", "s"), {"type":"redacted_thinking","data":"d"}]});
    let new = json!({"role":"assistant","timestamp":150,"content":[signed("t", "s")]});
    assert_eq!(
        run(
            strip_stale_signatures_after_compaction,
            json!([old, {"role":"compactionSummary","timestamp":100}, new])
        ),
        json!([{"role":"assistant","timestamp":50,"content":[thinking("t"), {"type":"redacted_thinking"}]},
               {"role":"compactionSummary","timestamp":100}, new])
    );
}

// --- F. S2 ------------------------------------------------------------------------------------

fn s2(input: Value, preserve: bool, sanitize: Option<SanitizeThoughtSignatures>) -> Value {
    conversation_to_value(&sanitize_blocks_and_signatures(
        conv(input),
        preserve,
        sanitize,
        &mut Vec::new(),
    ))
}

#[test]
fn f1_f2_ids_with_strict_sanitisation() {
    let options = IdSanitizeOptions {
        mode: ToolCallIdMode::Strict,
        preserve_native_anthropic: false,
        duplicate_style_openai: false,
        preserve_replay_safe_thinking_ids: false,
        allowed_tools: None,
    };
    let mut out = conv(
        json!([assistant(json!([{"type":"toolCall","id":"call_123|fc_456","name":"r","arguments":{}}])),
                              {"role":"toolResult","toolCallId":"call_123|fc_456","content":[]}]),
    );
    assert!(sanitize_transcript_tool_call_ids(
        &mut out,
        &options,
        &mut Vec::new()
    ));
    check(
        &out,
        &json!([assistant(json!([{"type":"toolCall","id":"call123fc456","name":"r","arguments":{}}])),
                {"role":"toolResult","toolCallId":"call123fc456","content":[]}]),
    );
    let mut out = conv(
        json!([assistant(json!([{"type":"toolUse","id":"call_abc|item:123","name":"r","input":{}},
                                               {"type":"toolCall","id":"call_abc|item:456","name":"r","arguments":{}}])),
                              {"role":"toolResult","toolUseId":"call_abc|item:123","content":[]}]),
    );
    assert!(sanitize_transcript_tool_call_ids(
        &mut out,
        &options,
        &mut Vec::new()
    ));
    check(
        &out,
        &json!([assistant(json!([{"type":"toolUse","id":"callabcitem123","name":"r","input":{}},
                                 {"type":"toolCall","id":"callabcitem456","name":"r","arguments":{}}])),
                {"role":"toolResult","toolCallId":"callabcitem123","content":[],"toolUseId":"callabcitem123"}]),
    );
}

#[test]
fn f3_f4_empty_blocks() {
    assert_eq!(
        s2(
            json!([user("hello"), assistant(json!([text(" ")])), {"role":"assistant","stopReason":"error","content":[]}]),
            false,
            None
        ),
        json!([user("hello")])
    );
    assert_eq!(
        s2(
            json!([{"role":"user","content":[text(""), text("hello")]},
                  {"role":"toolResult","toolCallId":"a","content":[text("   "), text("hello")]}]),
            false,
            None
        ),
        json!([{"role":"user","content":[text("hello")]}, {"role":"toolResult","toolCallId":"a","content":[text("hello")]}])
    );
    assert_eq!(
        s2(
            json!([{"role":"user","content":[text(""), text("")]},
                  {"role":"toolResult","toolCallId":"a","content":[text("   "), text("")]}]),
            false,
            None
        ),
        json!([{"role":"user","content":[text("[empty content omitted]")]},
               {"role":"toolResult","toolCallId":"a","content":[text("[empty content omitted]")]}])
    );
}

#[test]
fn f5_to_f7_thought_signatures() {
    assert_eq!(
        s2(
            json!([assistant(
                json!([{"type":"text","text":"hello","thought_signature":"msg_abc123"},
                                   {"type":"thinking","thinking":"t","thought_signature":"AQID"}])
            )]),
            false,
            None
        ),
        json!([assistant(
            json!([text("hello"), {"type":"thinking","thinking":"t","thought_signature":"AQID"}])
        )])
    );
    let base64 = Some(SanitizeThoughtSignatures {
        allow_base64_only: true,
        include_camel_case: true,
    });
    assert_eq!(
        s2(
            json!([assistant(
                json!([{"type":"thinking","thinking":"internal","thought_signature":"msg_abc123"}, text(" "), text("visible")])
            )]),
            false,
            base64
        ),
        json!([assistant(json!([thinking("internal"), text("visible")]))])
    );
    let f7 = |with_empty: bool| {
        let mut blocks =
            vec![json!({"type":"thinking","thinking":"t","thought_signature":"sig-1"})];
        if with_empty {
            blocks.push(text(""));
        }
        blocks.extend([
            text("visible"),
            json!({"type":"redacted_thinking","data":"opaque","thought_signature":"sig-2"}),
            text("tail"),
        ]);
        json!([assistant(Value::Array(blocks))])
    };
    assert_eq!(s2(f7(true), true, None), f7(false));
}

#[test]
fn f9_f10_strip_camel_case() {
    let mut blocks = conv(json!([assistant(json!([
        {"type":"thinking","thinking":"t","thinkingSignature":"keep_me","thoughtSignature":"msg_123"},
        {"type":"redacted_thinking","thinkingSignature":"keep_me_too","thoughtSignature":"msg_456"},
        {"type":"text","text":"x","thoughtSignature":"msg_789"}]))]));
    let Message::Assistant(a) = &mut blocks[0] else {
        panic!()
    };
    let Some(clawrouter_policy::conversation::Content::Blocks(content)) = &mut a.content else {
        panic!()
    };
    let options = SanitizeThoughtSignatures {
        allow_base64_only: false,
        include_camel_case: true,
    };
    assert_eq!(strip_thought_signatures(content, options), 3);
    check(
        &blocks,
        &json!([assistant(json!([
            {"type":"thinking","thinking":"t","thinkingSignature":"keep_me"},
            {"type":"redacted_thinking","thinkingSignature":"keep_me_too"},
            {"type":"text","text":"x"}]))]),
    );
    let plain = json!([assistant(json!([text("a"), thinking("b")]))]);
    assert_eq!(s2(plain.clone(), false, None), plain);
}

#[test]
fn f11_canonical_base64() {
    for (signature, valid) in [
        ("c2ln", true),
        ("msg_abc123", false),
        ("{\"id\":1}", false),
        ("AQID", true),
        ("", false),
        ("YQ", true),
        ("YR==", false),
        ("AAAAAAAAAAAAAAAAAAAAAA==", true),
        (" c2 ln ", true),
        ("A", false),
    ] {
        assert_eq!(is_canonical_base64(signature), valid, "{signature:?}");
    }
}

// --- G. Tool-call ids ---------------------------------------------------------------------------

fn ids(mode: ToolCallIdMode, preserve_native: bool, openai_style: bool, input: Value) -> Value {
    let options = IdSanitizeOptions {
        mode,
        preserve_native_anthropic: preserve_native,
        duplicate_style_openai: openai_style,
        preserve_replay_safe_thinking_ids: false,
        allowed_tools: None,
    };
    let mut messages = conv(input.clone());
    let changed = sanitize_transcript_tool_call_ids(&mut messages, &options, &mut Vec::new());
    let out = conversation_to_value(&messages);
    assert_eq!(changed, out != input, "the changed flag tells");
    out
}

fn call(id: &str) -> Value {
    json!({"type":"toolCall","id":id,"name":"t","arguments":{}})
}

fn result(id: &str) -> Value {
    json!({"role":"toolResult","toolCallId":id,"content":[]})
}

#[test]
fn g1_to_g7_strict() {
    let g1 = json!([assistant(json!([call("call1")])), result("call1")]);
    assert_eq!(ids(ToolCallIdMode::Strict, false, false, g1.clone()), g1);
    assert_eq!(
        ids(
            ToolCallIdMode::Strict,
            false,
            false,
            json!([
                assistant(json!([call("call|item:123")])),
                result("call|item:123")
            ])
        ),
        json!([
            assistant(json!([call("callitem123")])),
            result("callitem123")
        ])
    );
    let g3 = ids(
        ToolCallIdMode::Strict,
        false,
        false,
        json!([
            assistant(json!([call("call_a|b"), call("call_a:b")])),
            result("call_a|b"),
            result("call_a:b")
        ]),
    );
    assert_eq!(
        g3,
        json!([
            assistant(json!([call("callab"), call("callab164e5cbf")])),
            result("callab"),
            result("callab164e5cbf")
        ])
    );
    let long_a = format!("call_{}", "a".repeat(60));
    let long_b = format!("call_{}b", "a".repeat(59));
    let g4 = ids(
        ToolCallIdMode::Strict,
        false,
        false,
        json!([assistant(json!([call(&long_a), call(&long_b)]))]),
    );
    let (a, b) = (
        g4[0]["content"][0]["id"].as_str().unwrap(),
        g4[0]["content"][1]["id"].as_str().unwrap(),
    );
    assert_ne!(a, b);
    for id in [a, b] {
        assert!(
            id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{id}"
        );
    }
    let very_long = format!("call_{}", "x".repeat(434));
    let g5 = ids(
        ToolCallIdMode::Strict,
        false,
        false,
        json!([assistant(json!([call(&very_long)])), result(&very_long)]),
    );
    let id = g5[0]["content"][0]["id"].as_str().unwrap();
    assert!(!id.is_empty() && id.len() <= 40);
    assert_eq!(g5[1]["toolCallId"], id);
    assert_eq!(
        sanitize_tool_call_id(
            Some("whatsapp_login_1768799841527_1"),
            ToolCallIdMode::Strict
        ),
        "whatsapplogin17687998415271"
    );
}

#[test]
fn g8_strict9() {
    assert_eq!(
        ids(
            ToolCallIdMode::Strict9,
            false,
            false,
            json!([
                assistant(json!([
                    call("call_abc|item:123"),
                    call("call_abc|item:456")
                ])),
                result("call_abc|item:123"),
                result("call_abc|item:456")
            ])
        ),
        json!([
            assistant(json!([call("callabcit"), call("15b81aaaa")])),
            result("callabcit"),
            result("15b81aaaa")
        ])
    );
}

#[test]
fn g9_native_anthropic_ids() {
    assert_eq!(
        ids(
            ToolCallIdMode::Strict,
            true,
            false,
            json!([
                assistant(json!([call("toolu_01ABC")])),
                result("toolu_01ABC"),
                user("again"),
                assistant(json!([call("toolu_01ABC")])),
                result("toolu_01ABC")
            ])
        ),
        json!([
            assistant(json!([call("toolu_01ABC")])),
            result("toolu_01ABC"),
            user("again"),
            assistant(json!([call("toolu01ABC2")])),
            result("toolu01ABC2")
        ])
    );
}

#[test]
fn g10_openai_duplicate_style() {
    assert_eq!(
        ids(
            ToolCallIdMode::Strict,
            false,
            true,
            json!([
                assistant(json!([call("call_x")])),
                result("call_x"),
                assistant(json!([call("call_x")])),
                result("call_x")
            ])
        ),
        json!([
            assistant(json!([call("call_x")])),
            result("call_x"),
            assistant(json!([call("call_be19bc8ce9ae73d03193a19a")])),
            result("call_be19bc8ce9ae73d03193a19a")
        ])
    );
}

#[test]
fn g11_to_g13_orphans_kimi_defaults() {
    assert_eq!(
        ids(
            ToolCallIdMode::Strict,
            false,
            false,
            json!([result("call_orphan")])
        ),
        json!([result("callorphantoolresult1")])
    );
    assert_eq!(
        sanitize_tool_call_id(Some("functions.read:0"), ToolCallIdMode::Strict),
        "functions.read:0"
    );
    assert_eq!(
        sanitize_tool_call_id(None, ToolCallIdMode::Strict),
        "defaulttoolid"
    );
    assert_eq!(
        sanitize_tool_call_id(Some(""), ToolCallIdMode::Strict),
        "defaulttoolid"
    );
    assert_eq!(
        sanitize_tool_call_id(None, ToolCallIdMode::Strict9),
        "defaultid"
    );
    assert_eq!(
        sanitize_tool_call_id(Some("---"), ToolCallIdMode::Strict),
        "sanitizedtoolid"
    );
    // The list form used by `clawrouter policy ids`.
    assert_eq!(
        sanitize_tool_call_id_list(
            &[Some("call_a|b"), Some("call_a:b"), Some("call_a|b"), None],
            ToolCallIdMode::Strict
        ),
        ["callab", "callab164e5cbf", "callab", "defaulttoolid"]
    );
}

// --- H. Pairing repair ---------------------------------------------------------------------------

fn pair(input: Value) -> Value {
    conversation_to_value(&repair_pairing(
        conv(input),
        SYNTHETIC_RESULT_TEXT,
        &mut Vec::new(),
    ))
}

fn named_call(id: &str, name: &str) -> Value {
    json!({"type":"toolCall","id":id,"name":name,"arguments":{}})
}

fn named_result(id: &str, name: &str, text_: &str) -> Value {
    json!({"role":"toolResult","toolCallId":id,"toolName":name,"content":[text(text_)]})
}

fn synthetic(id: &str, name: &str) -> Value {
    json!({"role":"toolResult","toolCallId":id,"toolName":name,"isError":true,
           "content":[text(SYNTHETIC_RESULT_TEXT)],
           "details":{"openclawSyntheticMissingToolResult":true,"reason":"missing_tool_result"}})
}

#[test]
fn h1_to_h6() {
    let a = assistant(json!([
        named_call("call_1", "read"),
        named_call("call_2", "exec")
    ]));
    assert_eq!(
        pair(json!([a, user("…"), named_result("call_2", "exec", "two")])),
        json!([
            a,
            synthetic("call_1", "read"),
            named_result("call_2", "exec", "two"),
            user("…")
        ])
    );
    let one = assistant(json!([named_call("call_1", "read")]));
    assert_eq!(
        pair(json!([
            one,
            named_result("call_1", "read", "first"),
            named_result("call_1", "read", "second"),
            user("u")
        ])),
        json!([one, named_result("call_1", "read", "first"), user("u")])
    );
    let ok = assistant(json!([text("ok")]));
    assert_eq!(
        pair(json!([
            one,
            named_result("call_1", "read", "first"),
            ok,
            named_result("call_1", "read", "second")
        ])),
        json!([one, named_result("call_1", "read", "first"), ok])
    );
    assert_eq!(
        pair(
            json!([user("u"), {"role":"assistant","stopReason":"error","content":[named_call("call_err", "r")]},
                    named_result("call_err", "r", "x"), user("v")])
        ),
        json!([user("u"), user("v")])
    );
    let h5 = json!([user("u"), {"role":"assistant","stopReason":"error","content":[text("partial")]}, user("v")]);
    assert_eq!(pair(h5.clone()), h5);
    assert_eq!(
        pair(json!([
            user("u"),
            named_result("call_orphan", "r", "x"),
            assistant(json!([text("t")]))
        ])),
        json!([user("u"), assistant(json!([text("t")]))])
    );
}

#[test]
fn h7_to_h10() {
    // H7: synthetic text per API, "unknown" name.
    let out = repair_pairing(
        conv(json!([assistant(
            json!([{"type":"toolCall","id":"c1","arguments":{}}])
        )])),
        "aborted",
        &mut Vec::new(),
    );
    assert_eq!(
        conversation_to_value(&out)[1],
        json!({"role":"toolResult","toolCallId":"c1","toolName":"unknown","isError":true,"content":[text("aborted")],
               "details":{"openclawSyntheticMissingToolResult":true,"reason":"missing_tool_result"}})
    );
    let c1 = assistant(json!([named_call("c1", "read")]));
    assert_eq!(
        pair(json!([c1, {"role":"toolResult","toolName":"read","content":[text("r")]}])),
        json!([c1, {"role":"toolResult","toolCallId":"c1","toolName":"read","isError":true,"content":[text("r")]}])
    );
    let c2 = assistant(json!([named_call("c2", "read")]));
    assert_eq!(
        pair(json!([
            c1,
            user("u"),
            c2,
            named_result("c2", "read", "two"),
            named_result("c1", "read", "one")
        ])),
        json!([
            c1,
            named_result("c1", "read", "one"),
            user("u"),
            c2,
            named_result("c2", "read", "two")
        ])
    );
    assert_eq!(
        pair(json!([
            c1,
            synthetic("c1", "read"),
            named_result("c1", "read", "real")
        ])),
        json!([c1, named_result("c1", "read", "real")])
    );
}

// --- The pipeline: §2.9 worked examples ------------------------------------------------------------

#[test]
fn e2_gemini_assistant_first() {
    let (out, diagnostics) = apply_replay_policy(
        Transport::GoogleGenerativeAi,
        "google/gemini-3.5-flash",
        &conv(json!([assistant(json!([text("hello")]))])),
    );
    check(
        &out,
        &json!([
            user("(session bootstrap)"),
            assistant(json!([text("hello")]))
        ]),
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
}

#[test]
fn e3_anthropic_legacy_claude_thinking_history() {
    let input = json!([
        user("u1"),
        assistant(json!([signed("t1", "s1"), text("a")])),
        user("u2"),
        assistant(json!([signed("t2", "s2"), text("b")]))
    ]);
    let (out, _) = apply_replay_policy(
        Transport::AnthropicMessages,
        "anthropic/claude-3-7-sonnet-20250219",
        &conv(input),
    );
    check(
        &out,
        &json!([
            user("u1"),
            assistant(json!([text("a")])),
            user("u2"),
            assistant(json!([signed("t2", "s2"), text("b")]))
        ]),
    );
    let (out, _) = apply_replay_policy(
        Transport::AnthropicMessages,
        "anthropic/claude-3-7-sonnet-20250219",
        &conv(json!([
            user("u1"),
            assistant(json!([signed("t1", "s1")])),
            user("u2"),
            assistant(json!([text("b")]))
        ])),
    );
    check(
        &out,
        &json!([
            user("u1"),
            assistant(json!([text("[assistant reasoning omitted]")])),
            user("u2"),
            assistant(json!([text("b")]))
        ]),
    );
}

#[test]
fn responses_pipeline_normalises_ids_and_answers_calls() {
    let input = json!([user("go"),
        {"role":"assistant","stopReason":"toolUse","content":[{"type":"toolCall","id":"call_9|fc_9","name":"exec","arguments":{}},
                                                             {"type":"toolCall","id":"weird id!","name":"exec","arguments":{}}]},
        {"role":"toolResult","toolCallId":"weird id!","toolName":"exec","content":[text("x")]}]);
    let (out, diagnostics) =
        apply_replay_policy(Transport::OpenAiResponses, "openai/gpt-5.5", &conv(input));
    // `weird id!` → call_ + `weird_id` + `_` + SHA-256 prefix; `call_9|fc_9` has no reasoning
    // item before it, so it is downgraded to `call_9`.
    let weird = format!("call_weird_id_{}", &sha256_hex("weird id!")[..10]);
    check(
        &out,
        &json!([user("go"),
            {"role":"assistant","stopReason":"toolUse","content":[{"type":"toolCall","id":"call_9","name":"exec","arguments":{}},
                                                                 {"type":"toolCall","id":weird,"name":"exec","arguments":{}}]},
            {"role":"toolResult","toolCallId":"call_9","toolName":"exec","isError":true,"content":[text("aborted")]},
            {"role":"toolResult","toolCallId":weird,"toolName":"exec","content":[text("x")]}]),
    );
    assert!(
        diagnostics
            .iter()
            .all(|d| d.kind != clawrouter_policy::diagnostic::DiagnosticKind::InvariantViolated)
    );
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn responses_invariant_names_the_violation() {
    use clawrouter_policy::replay::responses::{InvariantViolation, check_responses_invariant};
    assert_eq!(
        check_responses_invariant(&conv(json!([
            assistant(json!([call("call_a")])),
            user("u")
        ]))),
        Err(InvariantViolation::DanglingToolCall {
            id: "call_a".into(),
            index: 0
        })
    );
    let orphan =
        check_responses_invariant(&conv(json!([user("u"), result("call_b")]))).unwrap_err();
    assert_eq!(
        orphan.to_string(),
        "invalid_replay_transcript: OpenAI Responses replay contains orphan_tool_result \"call_b\" (message 1)"
    );
    assert_eq!(
        check_responses_invariant(&conv(json!([
            assistant(json!([call("call_a")])),
            result("call_a"),
            user("u")
        ]))),
        Ok(())
    );
}

#[test]
fn anthropic_signed_thinking_turn_is_replayed_verbatim() {
    let input = json!([user("read"),
        {"role":"assistant","stopReason":"toolUse","content":[signed("plan", "sig"),
            {"type":"toolCall","id":"toolu_01A","name":"read","arguments":{"p":1}}]},
        {"role":"toolResult","toolCallId":"toolu_01A","toolName":"read","isError":false,"content":[text("r")]},
        assistant(json!([text("done")]))]);
    let (out, diagnostics) = apply_replay_policy(
        Transport::AnthropicMessages,
        "anthropic/claude-sonnet-4-6",
        &conv(input.clone()),
    );
    check(&out, &input);
    assert_eq!(diagnostics, []);
}

#[test]
fn s7a_stale_openai_reasoning_after_a_model_switch() {
    use clawrouter_policy::replay::responses::drop_stale_openai_reasoning;
    let reasoning = signed("r", "{\"type\":\"reasoning\",\"id\":\"rs_1\"}");
    let phased = json!({"type":"text","text":"t","textSignature":"{\"v\":1,\"id\":\"msg_1\",\"phase\":\"final_answer\"}"});
    let input = json!([
        {"role":"assistant","timestamp":10,"content":[reasoning, phased, {"type":"text","text":"u","textSignature":"msg_2"}]},
        {"role":"assistant","timestamp":20,"content":[reasoning]},
        {"role":"assistant","timestamp":30,"content":[reasoning, text("new")]}]);
    let out = drop_stale_openai_reasoning(conv(input), 20.0, &mut Vec::new());
    check(
        &out,
        &json!([
            {"role":"assistant","timestamp":10,"content":[
                {"type":"text","text":"t","textSignature":"{\"v\":1,\"phase\":\"final_answer\"}"}, text("u")]},
            {"role":"assistant","timestamp":30,"content":[reasoning, text("new")]}]),
    );
}
