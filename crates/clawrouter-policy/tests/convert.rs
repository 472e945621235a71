//! POLICY.md §3: `transformMessages` (§5 N) and the per-API request bodies (§5 O and the §3.2
//! rules), asserting exact outputs.

use clawrouter_policy::ToolDefinition;
use clawrouter_policy::conversation::{Message, conversation_from_value, conversation_to_value};
use clawrouter_policy::convert::ids::IdNormalizer;
use clawrouter_policy::convert::{RequestSpec, Target, build_request_body, transform_messages};
use clawrouter_wire::transport::Transport;
use serde_json::{Value, json};

fn messages(value: Value) -> Vec<Message> {
    conversation_from_value(value)
}

/// Runs `transformMessages` and compares with `expected`.
fn check_transform(target: Target<'_>, normalize: IdNormalizer, input: Value, expected: Value) {
    let mut diagnostics = Vec::new();
    let out = transform_messages(&messages(input), &target, &normalize, &mut diagnostics);
    assert_eq!(conversation_to_value(&out), expected);
}

const COPILOT_CLAUDE: Target<'static> = Target {
    provider: "github-copilot",
    api: "anthropic-messages",
    model: "claude-sonnet-4",
    images: true,
};

#[test]
fn n1_cross_model_thinking_becomes_text() {
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","api":"openai-completions","provider":"github-copilot","model":"gpt-4o",
            "content":[{"type":"thinking","thinking":"Let me think…","thinkingSignature":"reasoning_content"},
                       {"type":"text","text":"Hi there!"}]}]),
        json!([{"role":"assistant","api":"openai-completions","provider":"github-copilot","model":"gpt-4o",
            "content":[{"type":"text","text":"Let me think…"},{"type":"text","text":"Hi there!"}]}]),
    );
}

#[test]
fn n2_cross_model_call_loses_thought_signature() {
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","api":"openai-responses","provider":"openai","model":"gpt-5","stopReason":"toolUse",
            "content":[{"type":"toolCall","id":"call_123","name":"get","arguments":{},"thoughtSignature":"sig"}]},
            {"role":"toolResult","toolCallId":"call_123","toolName":"get","content":[{"type":"text","text":"ok"}],"isError":false}]),
        json!([{"role":"assistant","api":"openai-responses","provider":"openai","model":"gpt-5","stopReason":"toolUse",
            "content":[{"type":"toolCall","id":"call_123","name":"get","arguments":{}}]},
            {"role":"toolResult","toolCallId":"call_123","toolName":"get","isError":false,"content":[{"type":"text","text":"ok"}]}]),
    );
}

#[test]
fn n3_empty_signed_thinking_same_vs_cross_model() {
    let same = json!({"role":"assistant","api":"anthropic-messages","provider":"github-copilot","model":"claude-sonnet-4",
        "content":[{"type":"thinking","thinking":"","thinkingSignature":"{\"enc\":1}"}]});
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([same]),
        json!([same]),
    );
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","api":"openai-responses","provider":"openai","model":"gpt-5",
            "content":[{"type":"thinking","thinking":"","thinkingSignature":"{\"enc\":1}"},
                       {"type":"thinking","thinking":"visible","thinkingSignature":"{\"enc\":2}"}]}]),
        json!([{"role":"assistant","api":"openai-responses","provider":"openai","model":"gpt-5",
            "content":[{"type":"text","text":"visible"}]}]),
    );
}

#[test]
fn n4_unanswered_call_gets_synthetic_result_before_user() {
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","content":[{"type":"toolCall","id":"a","name":"read","arguments":{}}]},
               {"role":"user","content":"next"}]),
        json!([{"role":"assistant","content":[{"type":"toolCall","id":"a","name":"read","arguments":{}}]},
               {"role":"toolResult","toolCallId":"a","toolName":"read","isError":true,"content":[{"type":"text","text":"No result provided"}]},
               {"role":"user","content":"next"}]),
    );
}

#[test]
fn n5_errored_assistant_removed_result_kept() {
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","stopReason":"error","content":[{"type":"toolCall","id":"a","name":"read","arguments":{}}]},
               {"role":"toolResult","toolCallId":"a","toolName":"read","content":[{"type":"text","text":"x"}]}]),
        json!([{"role":"toolResult","toolCallId":"a","toolName":"read","content":[{"type":"text","text":"x"}]}]),
    );
}

#[test]
fn n6_trailing_unanswered_call_is_answered() {
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","content":[{"type":"toolCall","id":"a","name":"read","arguments":{}}]}]),
        json!([{"role":"assistant","content":[{"type":"toolCall","id":"a","name":"read","arguments":{}}]},
               {"role":"toolResult","toolCallId":"a","toolName":"read","isError":true,"content":[{"type":"text","text":"No result provided"}]}]),
    );
}

#[test]
fn n7_images_become_one_placeholder_without_image_input() {
    let target = Target {
        images: false,
        ..COPILOT_CLAUDE
    };
    check_transform(
        target,
        IdNormalizer::Anthropic,
        json!([{"role":"user","content":[{"type":"image","data":"AAAA","mimeType":"image/png"},
                                          {"type":"image","data":"BBBB","mimeType":"image/png"},
                                          {"type":"text","text":"what is this"}]},
               {"role":"toolResult","toolCallId":"x","content":[{"type":"image","data":"AAAA","mimeType":"image/png"}]}]),
        json!([{"role":"user","content":[{"type":"text","text":"(image omitted: model does not support images)"},
                                          {"type":"text","text":"what is this"}]},
               {"role":"toolResult","toolCallId":"x","content":[{"type":"text","text":"(tool image omitted: model does not support images)"}]}]),
    );
}

#[test]
fn n8_failed_turns() {
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","stopReason":"aborted","content":[{"type":"text","text":"partial answer"}]},
               {"role":"assistant","stopReason":"error","content":[{"type":"text","text":"x"},{"type":"toolCall","id":"a","name":"r","arguments":{}}]},
               {"role":"assistant","stopReason":"error","content":[{"type":"text","text":"  "}]}]),
        json!([{"role":"assistant","stopReason":"aborted","content":[{"type":"text","text":"[This turn failed before it completed. Do not redo its work without confirming with the user first.]"}]}]),
    );
}

#[test]
fn cross_model_ids_are_normalised_and_results_follow() {
    check_transform(
        COPILOT_CLAUDE,
        IdNormalizer::Anthropic,
        json!([{"role":"assistant","provider":"openai","api":"openai-responses","model":"gpt-5",
                "content":[{"type":"toolCall","id":" call_1|fc:1 ","name":"r","arguments":{}}]},
               {"role":"toolResult","toolCallId":"call_1|fc:1","toolName":"r","content":[]}]),
        json!([{"role":"assistant","provider":"openai","api":"openai-responses","model":"gpt-5",
                "content":[{"type":"toolCall","id":"call_1_fc_1","name":"r","arguments":{}}]},
               {"role":"toolResult","toolCallId":"call_1_fc_1","toolName":"r","content":[]}]),
    );
}

// --- O. Google conversion -----------------------------------------------------------------

fn google_body(model: &str, conversation: Value) -> Value {
    let messages = messages(conversation);
    let spec = RequestSpec::new(model, &messages);
    build_request_body(Transport::GoogleGenerativeAi, &spec).0
}

#[test]
fn o2_same_model_valid_signature_forwarded() {
    let body = google_body(
        "google/gemini-3.5-flash",
        json!([{"role":"user","content":"go"},
               {"role":"assistant","provider":"clawrouter","api":"google-generative-ai","model":"google/gemini-3.5-flash",
                "content":[{"type":"toolCall","id":"c1","name":"read","arguments":{"p":1},"thoughtSignature":"AAAAAAAAAAAAAAAAAAAAAA=="}]}]),
    );
    assert_eq!(
        body["contents"][1],
        json!({"role":"model","parts":[{"functionCall":{"name":"read","args":{"p":1},"id":"c1"},"thoughtSignature":"AAAAAAAAAAAAAAAAAAAAAA=="}]})
    );
}

#[test]
fn o3_unsigned_foreign_call_on_gemini_2_5_has_no_signature() {
    let body = google_body(
        "gemini-2.5-flash",
        json!([{"role":"assistant","provider":"other","api":"openai-completions","model":"x",
                "content":[{"type":"toolCall","id":"c1","name":"read","arguments":{}}]}]),
    );
    assert_eq!(
        body["contents"][0],
        json!({"role":"model","parts":[{"functionCall":{"name":"read","args":{}}}]})
    );
}

#[test]
fn o5_only_first_unsigned_call_gets_the_sentinel() {
    let body = google_body(
        "gemini-3-pro-preview",
        json!([{"role":"assistant","provider":"other","api":"openai-completions","model":"x",
                "content":[{"type":"toolCall","id":"c1","name":"a","arguments":{}},
                           {"type":"toolCall","id":"c2","name":"b","arguments":{}}]}]),
    );
    assert_eq!(
        body["contents"][0]["parts"],
        json!([{"functionCall":{"name":"a","args":{}},"thoughtSignature":"skip_thought_signature_validator"},
               {"functionCall":{"name":"b","args":{}}}])
    );
}

#[test]
fn o6_non_padded_signature_not_forwarded() {
    let body = google_body(
        "gemini-3-flash",
        json!([{"role":"assistant","provider":"clawrouter","api":"google-generative-ai","model":"gemini-3-flash",
                "content":[{"type":"text","text":"hi","textSignature":"abc"}]}]),
    );
    assert_eq!(
        body["contents"][0],
        json!({"role":"model","parts":[{"text":"hi"}]})
    );
}

#[test]
fn google_tool_results_and_images() {
    // Gemini < 3: images go into an extra user turn; consecutive responses share one turn.
    let body = google_body(
        "gemini-2.5-flash",
        json!([{"role":"toolResult","toolCallId":"a","toolName":"r","content":[{"type":"text","text":"one"}]},
               {"role":"toolResult","toolCallId":"b","toolName":"r","isError":true,"content":[{"type":"text","text":"bad"}]},
               {"role":"toolResult","toolCallId":"c","toolName":"shot","content":[{"type":"image","data":"AAAA","mimeType":"image/png"}]}]),
    );
    assert_eq!(
        body["contents"],
        json!([{"role":"user","parts":[{"functionResponse":{"name":"r","response":{"output":"one"}}},
                                       {"functionResponse":{"name":"r","response":{"error":"bad"}}},
                                       {"functionResponse":{"name":"shot","response":{"output":"(see attached image)"}}}]},
               {"role":"user","parts":[{"text":"Tool result image:"},{"inlineData":{"mimeType":"image/png","data":"AAAA"}}]}])
    );
    let body = google_body(
        "gemini-3-flash",
        json!([{"role":"toolResult","toolCallId":"c","toolName":"shot","content":[{"type":"image","data":"AAAA","mimeType":"image/png"}]}]),
    );
    assert_eq!(
        body["contents"],
        json!([{"role":"user","parts":[{"functionResponse":{"name":"shot","response":{"output":"(see attached image)"},
                                        "parts":[{"inlineData":{"mimeType":"image/png","data":"AAAA"}}]}}]}])
    );
    assert_eq!(
        google_body("gemini-3-flash", json!([]))["contents"],
        json!([{"role":"user","parts":[{"text":" "}]}])
    );
}

// --- Whole bodies per transport --------------------------------------------------------------

fn tools() -> Vec<ToolDefinition> {
    vec![ToolDefinition {
        name: "read".into(),
        description: "Read a file".into(),
        parameters: json!({"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}),
    }]
}

fn conversation() -> Vec<Message> {
    messages(json!([
        {"role":"user","content":"read a.txt"},
        {"role":"assistant","provider":"clawrouter","api":"openai-completions","model":"openai/gpt-5.5","stopReason":"toolUse",
         "content":[{"type":"thinking","thinking":"need to read","thinkingSignature":"reasoning_content"},
                    {"type":"text","text":"Reading."},
                    {"type":"toolCall","id":"call_1","name":"read","arguments":{"path":"a.txt"}}]},
        {"role":"toolResult","toolCallId":"call_1","toolName":"read","isError":false,"content":[{"type":"text","text":"hello"}]}
    ]))
}

#[test]
fn openai_completions_body() {
    let messages = conversation();
    let tools = tools();
    let mut spec = RequestSpec::new("openai/gpt-5.5", &messages);
    spec.system_prompt = Some("Be brief.");
    spec.tools = &tools;
    spec.max_output_tokens = Some(1000);
    spec.reasoning = Some("high");
    let (body, diagnostics) = build_request_body(Transport::OpenAiCompletions, &spec);
    assert_eq!(diagnostics, []);
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        serde_json::to_string(&json!({
            "model":"openai/gpt-5.5",
            "messages":[
                {"role":"developer","content":"Be brief."},
                {"role":"user","content":"read a.txt"},
                {"role":"assistant","content":"Reading.","reasoning_content":"need to read",
                 "tool_calls":[{"id":"call_1","type":"function","function":{"name":"read","arguments":"{\"path\":\"a.txt\"}"}}]},
                {"role":"tool","tool_call_id":"call_1","content":"hello"}],
            "stream":true,"stream_options":{"include_usage":true},
            "max_completion_tokens":1000,"reasoning_effort":"high",
            "tools":[{"type":"function","function":{"name":"read","description":"Read a file",
                "parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]},"strict":false}}]
        })).unwrap()
    );
}

#[test]
fn openai_responses_body() {
    let messages = messages(json!([
        {"role":"user","content":"list files"},
        {"role":"assistant","api":"openai-responses","provider":"clawrouter","model":"openai/gpt-5.5","stopReason":"toolUse",
         "content":[{"type":"thinking","thinking":"need ls","thinkingSignature":"{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]}"},
                    {"type":"text","text":"Listing.","textSignature":"{\"v\":1,\"id\":\"msg_1\",\"phase\":\"commentary\"}"},
                    {"type":"toolCall","id":"call_9|fc_9","name":"exec","arguments":{"cmd":"ls"}}]},
        {"role":"toolResult","toolCallId":"call_9|fc_9","toolName":"exec","isError":false,"content":[{"type":"text","text":"a.txt"}]}
    ]));
    let mut spec = RequestSpec::new("openai/gpt-5.5", &messages);
    spec.reasoning = Some("medium");
    let (body, _) = build_request_body(Transport::OpenAiResponses, &spec);
    assert_eq!(
        body,
        json!({"model":"openai/gpt-5.5","input":[
            {"role":"user","content":[{"type":"input_text","text":"list files"}]},
            {"type":"reasoning","id":"rs_1","summary":[]},
            {"type":"message","role":"assistant","status":"completed","id":"msg_1","phase":"commentary",
             "content":[{"type":"output_text","text":"Listing.","annotations":[]}]},
            {"type":"function_call","id":"fc_9","call_id":"call_9","name":"exec","arguments":"{\"cmd\":\"ls\"}"},
            {"type":"function_call_output","call_id":"call_9","output":"a.txt"}],
          "stream":true,"store":false,
          "reasoning":{"effort":"medium","summary":"auto"},"include":["reasoning.encrypted_content"]})
    );
}

#[test]
fn anthropic_messages_body() {
    let messages = messages(json!([
        {"role":"user","content":"read"},
        {"role":"assistant","api":"anthropic-messages","provider":"clawrouter","model":"anthropic/claude-sonnet-4-6","stopReason":"toolUse",
         "content":[{"type":"thinking","thinking":"hmm","thinkingSignature":"sig1"},
                    {"type":"thinking","thinking":"[Reasoning redacted]","thinkingSignature":"opaque","redacted":true},
                    {"type":"toolCall","id":"toolu_1","name":"read","arguments":{"path":"a"}},
                    {"type":"toolCall","id":"toolu_2","name":"read","arguments":{"path":"b"}}]},
        {"role":"toolResult","toolCallId":"toolu_1","toolName":"read","isError":false,"content":[{"type":"text","text":"A"}]},
        {"role":"toolResult","toolCallId":"toolu_2","toolName":"read","isError":true,"content":[{"type":"text","text":"no"},{"type":"text","text":"such"}]}
    ]));
    let tools = tools();
    let mut spec = RequestSpec::new("claude-sonnet-4-6", &messages);
    spec.catalog_model = Some("anthropic/claude-sonnet-4-6");
    spec.tools = &tools;
    spec.system_prompt = Some("sys");
    spec.max_output_tokens = Some(4000);
    spec.reasoning = Some("medium");
    let (body, diagnostics) = build_request_body(Transport::AnthropicMessages, &spec);
    assert_eq!(diagnostics, []);
    assert_eq!(
        body,
        json!({"model":"claude-sonnet-4-6","max_tokens":4000,"system":"sys","messages":[
            {"role":"user","content":"read"},
            {"role":"assistant","content":[
                {"type":"thinking","thinking":"hmm","signature":"sig1"},
                {"type":"redacted_thinking","data":"opaque"},
                {"type":"tool_use","id":"toolu_1","name":"read","input":{"path":"a"}},
                {"type":"tool_use","id":"toolu_2","name":"read","input":{"path":"b"}}]},
            {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"toolu_1","content":"A","is_error":false},
                {"type":"tool_result","tool_use_id":"toolu_2","content":"no\nsuch","is_error":true}]}],
          "stream":true,"thinking":{"type":"enabled","budget_tokens":3999},
          "tools":[{"name":"read","description":"Read a file","input_schema":
              {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}]})
    );
    // Too small a limit for any thinking budget: not requested, and said so.
    spec.max_output_tokens = Some(1000);
    let (body, diagnostics) = build_request_body(Transport::AnthropicMessages, &spec);
    assert!(body.get("thinking").is_none());
    assert_eq!(diagnostics.len(), 1);
}

#[test]
fn google_body_with_config() {
    let messages = messages(json!([{"role":"user","content":"hi"}]));
    let tools = tools();
    let mut spec = RequestSpec::new("gemini-2.5-flash", &messages);
    spec.tools = &tools;
    spec.system_prompt = Some("sys");
    spec.max_output_tokens = Some(500);
    spec.reasoning = Some("low");
    let (body, _) = build_request_body(Transport::GoogleGenerativeAi, &spec);
    assert_eq!(
        body,
        json!({"contents":[{"role":"user","parts":[{"text":"hi"}]}],
               "systemInstruction":{"parts":[{"text":"sys"}]},
               "generationConfig":{"maxOutputTokens":500,"thinkingConfig":{"includeThoughts":true,"thinkingBudget":2048}},
               "tools":[{"functionDeclarations":[{"name":"read","description":"Read a file",
                   "parametersJsonSchema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}]}]})
    );
}

// --- §3.1.2 model-bound thinking replay (Claude 5 generation on anthropic-messages) ----------

fn claude_target(model: &'static str) -> Target<'static> {
    Target {
        provider: "clawrouter",
        api: "anthropic-messages",
        model,
        images: true,
    }
}

#[test]
fn model_bound_thinking_replay() {
    let from = |model: &str| {
        json!([{"role":"assistant","provider":"clawrouter","api":"anthropic-messages","model":model,
                "content":[{"type":"thinking","thinking":"plan","thinkingSignature":"sig"},{"type":"text","text":"a"}]}])
    };
    // Another identity, target of the 5 generation: every thinking block is dropped (not text).
    check_transform(
        claude_target("anthropic/claude-opus-5-5"),
        IdNormalizer::Anthropic,
        from("anthropic/claude-sonnet-4-6"),
        json!([{"role":"assistant","provider":"clawrouter","api":"anthropic-messages","model":"anthropic/claude-sonnet-4-6",
                "content":[{"type":"text","text":"a"}]}]),
    );
    // Any Claude source to Fable 5.1 on the same API: preserved as if same model.
    check_transform(
        claude_target("anthropic/claude-fable-5-1"),
        IdNormalizer::Anthropic,
        from("anthropic/claude-sonnet-4-6"),
        from("anthropic/claude-sonnet-4-6"),
    );
    // Neither has a 5-generation identity: the normal cross-model rule (thinking → text).
    check_transform(
        claude_target("anthropic/claude-sonnet-4-6"),
        IdNormalizer::Anthropic,
        from("anthropic/claude-3-7-sonnet"),
        json!([{"role":"assistant","provider":"clawrouter","api":"anthropic-messages","model":"anthropic/claude-3-7-sonnet",
                "content":[{"type":"text","text":"plan"},{"type":"text","text":"a"}]}]),
    );
}
