//! Deterministic corpora for the benchmarks (WIRE.md §4.3 "Corpora").
//!
//! Every generator is seeded, so the same bytes come out on every run and machine. Payload shapes
//! follow the real captures in `shared/fixtures/wire/*/body` (field order, id formats, Google's
//! `": "` key separator, Anthropic's space padding before the closing brace, OpenAI's random-length
//! `obfuscation`).

use std::fmt::Write as _;

/// One SSE corpus: a name (used as the criterion group), the body, and what one "unit" of it is.
pub struct Corpus {
    /// Short identifier, used as the criterion group name `sse/<name>`.
    pub name: &'static str,
    /// The complete response body.
    pub body: Vec<u8>,
    /// What the per-unit time in the report is per: `event` for the normal corpora.
    pub unit: &'static str,
    /// How many units the whole body holds (`None`: the number of dispatched events).
    pub units: Option<u64>,
    /// One line for the report.
    pub description: &'static str,
}

/// xorshift64* — small, fast, deterministic; good enough to vary payloads.
pub struct Rng(u64);

impl Rng {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi` (slightly biased; irrelevant here).
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }

    /// Random ASCII alphanumerics (obfuscation strings, ids).
    pub fn alnum(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(A[self.range(0, A.len() - 1)]))
            .collect()
    }

    /// Random base64 text (signatures, `encrypted_content`, `thoughtSignature`).
    pub fn base64(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s: String = (0..len)
            .map(|_| char::from(A[self.range(0, A.len() - 1)]))
            .collect();
        if len >= 2 {
            s.truncate(len - 1);
            s.push('=');
        }
        s
    }
}

/// Token-sized pieces of model output: words with their leading space, punctuation, Markdown,
/// newlines, quotes and a few multi-byte characters (so JSON escapes and UTF-8 both occur).
const TOKENS: &[&str] = &[
    " the",
    " a",
    " of",
    " to",
    " and",
    " in",
    " is",
    " that",
    " for",
    " it",
    " with",
    " as",
    " on",
    " be",
    " this",
    " by",
    " are",
    " or",
    " from",
    " at",
    " model",
    " stream",
    " token",
    " request",
    " response",
    " router",
    " latency",
    " buffer",
    " event",
    " server",
    " client",
    " weather",
    " Oslo",
    " temperature",
    " forecast",
    " degrees",
    " Celsius",
    " tomorrow",
    " however",
    " because",
    " therefore",
    " example",
    " function",
    " argument",
    " value",
    "ing",
    "ed",
    "ly",
    "s",
    "'s",
    "’s",
    ",",
    ".",
    ":",
    ";",
    "!",
    "?",
    "\n",
    "\n\n",
    "\n\n##",
    " **",
    "**",
    " `",
    "`",
    " \"",
    "\"",
    " (",
    ")",
    " -",
    " —",
    " é",
    "ü",
    " 東京",
    " 🙂",
    "\n- ",
    "\n1.",
    " 42",
    " 3.14",
    " 2025",
    " %",
    " €",
];

/// A text fragment of 1–3 tokens, like an LLM delta.
fn delta_text(rng: &mut Rng) -> String {
    let n = rng.range(1, 3);
    (0..n).map(|_| rng.pick(TOKENS)).collect()
}

/// Appends `s` as a JSON string literal (with quotes) to `out`.
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json_str(&mut out, s);
    out
}

/// Appends one SSE event: optional `event:` line, one `data:` line, the blank line.
fn sse_event(out: &mut String, event: Option<&str>, data: &str, eol: &str) {
    if let Some(e) = event {
        out.push_str("event: ");
        out.push_str(e);
        out.push_str(eol);
    }
    out.push_str("data: ");
    out.push_str(data);
    out.push_str(eol);
    out.push_str(eol);
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions (WIRE.md §2a)
// ---------------------------------------------------------------------------------------------

const OA_MODEL: &str = "gpt-4.1-mini-2025-04-14";

fn oa_prefix(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","object":"chat.completion.chunk","created":1760000000,"model":"{OA_MODEL}","service_tier":"default","system_fingerprint":"fp_6f2eabb9a5","choices":["#
    )
}

/// OpenAI chat: the role chunk, 1,000 text deltas (the last one carries `finish_reason`), the
/// usage chunk and `[DONE]`; every delta carries a random-length `obfuscation` (0–15 chars).
#[must_use]
pub fn openai_chat() -> Corpus {
    openai_chat_with(delta_text)
}

/// Whether a string needs a JSON escape (a quote, a backslash or a control character).
#[must_use]
pub fn needs_escape(s: &str) -> bool {
    s.chars()
        .any(|c| c == '"' || c == '\\' || (c as u32) < 0x20)
}

/// [`openai_chat`] whose text deltas never contain a JSON escape (tokens needing one are
/// re-drawn), for the "0 allocations per text delta without escapes" row of the `alloc` bench.
#[must_use]
pub fn openai_chat_no_escapes() -> Corpus {
    let mut c = openai_chat_with(|rng| {
        loop {
            let t = delta_text(rng);
            if !needs_escape(&t) {
                return t;
            }
        }
    });
    c.name = "openai_chat_no_escapes";
    c.description = "OpenAI chat as `openai_chat`, but no text delta contains a JSON escape";
    c
}

/// [`openai_chat`] where every text delta contains at least one JSON escape (`\n` or `\"` is
/// appended to the deltas that have none), for the "≤ 1 allocation per text delta" row.
#[must_use]
pub fn openai_chat_all_escapes() -> Corpus {
    let mut c = openai_chat_with(|rng| {
        let mut t = delta_text(rng);
        if !needs_escape(&t) {
            t.push(if rng.range(0, 1) == 0 { '\n' } else { '"' });
        }
        t
    });
    c.name = "openai_chat_all_escapes";
    c.description = "OpenAI chat as `openai_chat`, but every text delta contains a JSON escape";
    c
}

/// The [`openai_chat`] generator with the text of each delta drawn by `text` (which gets the
/// corpus RNG, so [`openai_chat`] itself stays byte-identical).
fn openai_chat_with(mut text: impl FnMut(&mut Rng) -> String) -> Corpus {
    let mut rng = Rng::new(0x0A11_C4A7);
    let id = format!("chatcmpl-{}", rng.alnum(29));
    let pre = oa_prefix(&id);
    let mut out = String::new();
    let obf = |rng: &mut Rng| {
        let n = rng.range(0, 15);
        rng.alnum(n)
    };
    let role = format!(
        r#"{pre}{{"index":0,"delta":{{"role":"assistant","content":"","refusal":null}},"logprobs":null,"finish_reason":null}}],"usage":null,"obfuscation":"{}"}}"#,
        obf(&mut rng)
    );
    sse_event(&mut out, None, &role, "\n");
    for i in 0..1000 {
        let finish = if i == 999 { r#""stop""# } else { "null" };
        let data = format!(
            r#"{pre}{{"index":0,"delta":{{"content":{}}},"logprobs":null,"finish_reason":{finish}}}],"usage":null,"obfuscation":"{}"}}"#,
            q(&text(&mut rng)),
            obf(&mut rng)
        );
        sse_event(&mut out, None, &data, "\n");
    }
    let usage = format!(
        r#"{pre}],"usage":{{"prompt_tokens":1187,"completion_tokens":1312,"total_tokens":2499,"prompt_tokens_details":{{"cached_tokens":1024,"audio_tokens":0}},"completion_tokens_details":{{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}},"obfuscation":"{}"}}"#,
        obf(&mut rng)
    );
    sse_event(&mut out, None, &usage, "\n");
    sse_event(&mut out, None, "[DONE]", "\n");
    Corpus {
        name: "openai_chat",
        body: out.into_bytes(),
        unit: "event",
        units: None,
        description: "OpenAI chat: role chunk, 1,000 text deltas with `obfuscation`, usage chunk, `[DONE]`",
    }
}

/// A ~2 KB JSON argument object for a tool call, as a string (before JSON-escaping).
fn tool_arguments(rng: &mut Rng, k: usize) -> String {
    let mut s = format!(
        "{{\"query\":\"{}\",\"city\":\"Oslo\",\"units\":\"metric\",\"days\":{},\"notes\":[",
        ["forecast", "history", "alerts", "air quality"][k % 4],
        rng.range(1, 14)
    );
    let mut first = true;
    while s.len() < 1950 {
        if !first {
            s.push(',');
        }
        first = false;
        let mut text = String::new();
        for _ in 0..rng.range(4, 12) {
            text.push_str(rng.pick(TOKENS));
        }
        // Escaped quotes and newlines inside the argument JSON: split later, anywhere.
        let _ = write!(s, "{{\"id\":{},\"text\":{}}}", rng.range(1, 9999), q(&text));
    }
    s.push_str("]}");
    s
}

/// OpenAI chat with 4 interleaved tool calls whose argument fragments add up to ~2 KB each, no
/// `obfuscation`; then the `tool_calls` finish chunk, the usage chunk and `[DONE]`.
#[must_use]
pub fn openai_chat_tools() -> Corpus {
    let mut rng = Rng::new(0x7001_CA11);
    let id = format!("chatcmpl-{}", rng.alnum(29));
    let pre = oa_prefix(&id);
    let mut out = String::new();
    let role = format!(
        r#"{pre}{{"index":0,"delta":{{"role":"assistant","content":null,"refusal":null}},"logprobs":null,"finish_reason":null}}],"usage":null}}"#
    );
    sse_event(&mut out, None, &role, "\n");
    let names = ["lookup_city", "get_forecast", "get_alerts", "air_quality"];
    // Fragments of each call's arguments, split at random char boundaries.
    let mut pending: Vec<Vec<String>> = (0..4)
        .map(|k| {
            let args = tool_arguments(&mut rng, k);
            let chars: Vec<char> = args.chars().collect();
            let mut frags = Vec::new();
            let mut i = 0;
            while i < chars.len() {
                let n = rng.range(1, 12).min(chars.len() - i);
                frags.push(chars[i..i + n].iter().collect::<String>());
                i += n;
            }
            frags.reverse();
            frags
        })
        .collect();
    for (k, name) in names.iter().enumerate() {
        let data = format!(
            r#"{pre}{{"index":0,"delta":{{"tool_calls":[{{"index":{k},"id":"call_{}","type":"function","function":{{"name":"{name}","arguments":""}}}}]}},"logprobs":null,"finish_reason":null}}],"usage":null}}"#,
            rng.alnum(24)
        );
        sse_event(&mut out, None, &data, "\n");
    }
    loop {
        let live: Vec<usize> = (0..4).filter(|&k| !pending[k].is_empty()).collect();
        if live.is_empty() {
            break;
        }
        let k = live[rng.range(0, live.len() - 1)];
        let frag = pending[k].pop().unwrap();
        let data = format!(
            r#"{pre}{{"index":0,"delta":{{"tool_calls":[{{"index":{k},"function":{{"arguments":{}}}}}]}},"logprobs":null,"finish_reason":null}}],"usage":null}}"#,
            q(&frag)
        );
        sse_event(&mut out, None, &data, "\n");
    }
    let finish = format!(
        r#"{pre}{{"index":0,"delta":{{}},"logprobs":null,"finish_reason":"tool_calls"}}],"usage":null}}"#
    );
    sse_event(&mut out, None, &finish, "\n");
    let usage = format!(
        r#"{pre}],"usage":{{"prompt_tokens":412,"completion_tokens":2210,"total_tokens":2622,"prompt_tokens_details":{{"cached_tokens":0,"audio_tokens":0}},"completion_tokens_details":{{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}}}}"#
    );
    sse_event(&mut out, None, &usage, "\n");
    sse_event(&mut out, None, "[DONE]", "\n");
    Corpus {
        name: "openai_chat_tools",
        body: out.into_bytes(),
        unit: "event",
        units: None,
        description: "OpenAI chat, 4 interleaved tool calls with ~2 KB of argument fragments each, no `obfuscation`",
    }
}

// ---------------------------------------------------------------------------------------------
// OpenAI Responses (WIRE.md §2b)
// ---------------------------------------------------------------------------------------------

fn responses_object(id: &str, status: &str, output: &str, usage: &str) -> String {
    format!(
        r#"{{"id":"{id}","object":"response","created_at":1774916550,"status":"{status}","background":false,"completed_at":null,"error":null,"frequency_penalty":0.0,"incomplete_details":null,"instructions":"Answer in detail.","max_output_tokens":null,"max_tool_calls":null,"model":"gpt-5.4-mini-2026-03-17","output":[{output}],"parallel_tool_calls":true,"presence_penalty":0.0,"previous_response_id":null,"prompt_cache_key":"7eac412d-25d9-4c88-895d-5772447bc5ce","prompt_cache_retention":null,"reasoning":{{"effort":"medium","summary":"detailed"}},"safety_identifier":"user-ikDiRjiBr34aJFdyfK5kwIEM","service_tier":"auto","store":false,"temperature":1.0,"text":{{"format":{{"type":"text"}},"verbosity":"medium"}},"tool_choice":"auto","tools":[],"top_logprobs":0,"top_p":0.98,"truncation":"disabled","usage":{usage},"user":null,"metadata":{{}}}}"#
    )
}

/// OpenAI Responses: ~500 events — created/in_progress, a reasoning item (summary deltas, ~12 KB
/// `encrypted_content`), a message item with ~380 `output_text.delta`s with `obfuscation`, the
/// `.done` events that echo the text, and a `response.completed` of ~20 KB echoing everything.
#[must_use]
pub fn openai_responses() -> Corpus {
    let mut rng = Rng::new(0x5E5_9045E5);
    let resp_id = format!("resp_{}", rng.alnum(50).to_lowercase());
    let rs_id = format!("rs_{}", rng.alnum(50).to_lowercase());
    let msg_id = format!("msg_{}", rng.alnum(50).to_lowercase());
    let mut out = String::new();
    let mut seq = 0u32;
    let mut ev = |out: &mut String, name: &str, body: String| {
        // `body` is the JSON object without its closing brace; add type + sequence_number.
        let data = format!(r#"{{"type":"{name}",{body},"sequence_number":{seq}}}"#);
        seq += 1;
        sse_event(out, Some(name), &data, "\n");
    };
    let created = responses_object(&resp_id, "in_progress", "", "null");
    ev(
        &mut out,
        "response.created",
        format!(r#""response":{created}"#),
    );
    ev(
        &mut out,
        "response.in_progress",
        format!(r#""response":{created}"#),
    );

    let enc_start = format!("gAAAAAB{}", rng.base64(1200));
    ev(
        &mut out,
        "response.output_item.added",
        format!(
            r#""item":{{"id":"{rs_id}","type":"reasoning","encrypted_content":"{enc_start}","summary":[]}},"output_index":0"#
        ),
    );
    ev(
        &mut out,
        "response.reasoning_summary_part.added",
        format!(
            r#""item_id":"{rs_id}","output_index":0,"part":{{"type":"summary_text","text":""}},"summary_index":0"#
        ),
    );
    let mut summary = String::new();
    for _ in 0..100 {
        let t = delta_text(&mut rng);
        summary.push_str(&t);
        let n = rng.range(2, 14);
        ev(
            &mut out,
            "response.reasoning_summary_text.delta",
            format!(
                r#""delta":{},"item_id":"{rs_id}","obfuscation":"{}","output_index":0,"summary_index":0"#,
                q(&t),
                rng.alnum(n)
            ),
        );
    }
    ev(
        &mut out,
        "response.reasoning_summary_text.done",
        format!(
            r#""item_id":"{rs_id}","output_index":0,"summary_index":0,"text":{}"#,
            q(&summary)
        ),
    );
    ev(
        &mut out,
        "response.reasoning_summary_part.done",
        format!(
            r#""item_id":"{rs_id}","output_index":0,"part":{{"type":"summary_text","text":{}}},"summary_index":0"#,
            q(&summary)
        ),
    );
    let enc = format!("gAAAAAB{}", rng.base64(12_000));
    let reasoning_item = format!(
        r#"{{"id":"{rs_id}","type":"reasoning","encrypted_content":"{enc}","summary":[{{"type":"summary_text","text":{}}}]}}"#,
        q(&summary)
    );
    ev(
        &mut out,
        "response.output_item.done",
        format!(r#""item":{reasoning_item},"output_index":0"#),
    );
    ev(
        &mut out,
        "response.output_item.added",
        format!(
            r#""item":{{"id":"{msg_id}","type":"message","status":"in_progress","content":[],"phase":"final_answer","role":"assistant"}},"output_index":1"#
        ),
    );
    ev(
        &mut out,
        "response.content_part.added",
        format!(
            r#""content_index":0,"item_id":"{msg_id}","output_index":1,"part":{{"type":"output_text","annotations":[],"logprobs":[],"text":""}}"#
        ),
    );
    let mut text = String::new();
    for _ in 0..384 {
        let t = delta_text(&mut rng);
        text.push_str(&t);
        let n = rng.range(2, 15);
        ev(
            &mut out,
            "response.output_text.delta",
            format!(
                r#""content_index":0,"delta":{},"item_id":"{msg_id}","logprobs":[],"obfuscation":"{}","output_index":1"#,
                q(&t),
                rng.alnum(n)
            ),
        );
    }
    ev(
        &mut out,
        "response.output_text.done",
        format!(
            r#""content_index":0,"item_id":"{msg_id}","logprobs":[],"output_index":1,"text":{}"#,
            q(&text)
        ),
    );
    let part = format!(
        r#"{{"type":"output_text","annotations":[],"logprobs":[],"text":{}}}"#,
        q(&text)
    );
    ev(
        &mut out,
        "response.content_part.done",
        format!(r#""content_index":0,"item_id":"{msg_id}","output_index":1,"part":{part}"#),
    );
    let msg_item = format!(
        r#"{{"id":"{msg_id}","type":"message","status":"completed","content":[{part}],"phase":"final_answer","role":"assistant"}}"#
    );
    ev(
        &mut out,
        "response.output_item.done",
        format!(r#""item":{msg_item},"output_index":1"#),
    );
    let usage = r#"{"input_tokens":1840,"input_tokens_details":{"cached_tokens":1536},"output_tokens":1206,"output_tokens_details":{"reasoning_tokens":448},"total_tokens":3046}"#;
    let completed = responses_object(
        &resp_id,
        "completed",
        &format!("{reasoning_item},{msg_item}"),
        usage,
    );
    ev(
        &mut out,
        "response.completed",
        format!(r#""response":{completed}"#),
    );
    Corpus {
        name: "openai_responses",
        body: out.into_bytes(),
        unit: "event",
        units: None,
        description: "OpenAI Responses: ~500 events, ~12 KB `encrypted_content`, ~20 KB `response.completed`",
    }
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages (WIRE.md §2c)
// ---------------------------------------------------------------------------------------------

/// Anthropic with extended thinking: `message_start`; a thinking block with 500 `thinking_delta`s
/// and a signature; a text block with 500 `text_delta`s; a `tool_use` block with 50
/// `input_json_delta`s; `message_delta`; `message_stop` — with runs of spaces before the closing
/// brace (as real responses have) and a `ping` every ~40 events.
#[must_use]
pub fn anthropic() -> Corpus {
    let mut rng = Rng::new(0xA7_0B1C);
    let mut out = String::new();
    let mut since_ping = 0usize;
    let mut ev = |out: &mut String, rng: &mut Rng, name: &str, json: String| {
        // Real captures pad most events with 0–12 spaces before the last '}'.
        let pad = " ".repeat(rng.range(0, 12));
        let data = match json.strip_suffix('}') {
            Some(head) => format!("{head}{pad}}}"),
            None => json,
        };
        sse_event(out, Some(name), &data, "\n");
        since_ping += 1;
        if since_ping >= 40 {
            since_ping = 0;
            sse_event(out, Some("ping"), r#"{"type": "ping"}"#, "\n");
        }
    };
    let msg_id = format!("msg_01{}", rng.alnum(22));
    ev(
        &mut out,
        &mut rng,
        "message_start",
        format!(
            r#"{{"type":"message_start","message":{{"model":"claude-sonnet-4-5-20250929","id":"{msg_id}","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"stop_details":null,"usage":{{"input_tokens":310,"cache_creation_input_tokens":0,"cache_read_input_tokens":128,"cache_creation":{{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}},"output_tokens":3,"service_tier":"standard","inference_geo":"not_available"}}}}}}"#
        ),
    );
    ev(
        &mut out,
        &mut rng,
        "content_block_start",
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#.to_owned(),
    );
    for _ in 0..500 {
        let t = delta_text(&mut rng);
        ev(
            &mut out,
            &mut rng,
            "content_block_delta",
            format!(
                r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"thinking_delta","thinking":{}}}}}"#,
                q(&t)
            ),
        );
    }
    let sig = rng.base64(900);
    ev(
        &mut out,
        &mut rng,
        "content_block_delta",
        format!(
            r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"signature_delta","signature":"{sig}"}}}}"#
        ),
    );
    ev(
        &mut out,
        &mut rng,
        "content_block_stop",
        r#"{"type":"content_block_stop","index":0}"#.to_owned(),
    );
    ev(
        &mut out,
        &mut rng,
        "content_block_start",
        r#"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#
            .to_owned(),
    );
    for _ in 0..500 {
        let t = delta_text(&mut rng);
        ev(
            &mut out,
            &mut rng,
            "content_block_delta",
            format!(
                r#"{{"type":"content_block_delta","index":1,"delta":{{"type":"text_delta","text":{}}}}}"#,
                q(&t)
            ),
        );
    }
    ev(
        &mut out,
        &mut rng,
        "content_block_stop",
        r#"{"type":"content_block_stop","index":1}"#.to_owned(),
    );
    let tool_id = format!("toolu_01{}", rng.alnum(22));
    ev(
        &mut out,
        &mut rng,
        "content_block_start",
        format!(
            r#"{{"type":"content_block_start","index":2,"content_block":{{"type":"tool_use","id":"{tool_id}","name":"lookup_city","input":{{}}}}}}"#
        ),
    );
    let args = tool_arguments(&mut rng, 0);
    let chars: Vec<char> = args.chars().collect();
    let per = chars.len().div_ceil(49);
    ev(
        &mut out,
        &mut rng,
        "content_block_delta",
        r#"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}"#.to_owned(),
    );
    for piece in chars.chunks(per) {
        let s: String = piece.iter().collect();
        ev(
            &mut out,
            &mut rng,
            "content_block_delta",
            format!(
                r#"{{"type":"content_block_delta","index":2,"delta":{{"type":"input_json_delta","partial_json":{}}}}}"#,
                q(&s)
            ),
        );
    }
    ev(
        &mut out,
        &mut rng,
        "content_block_stop",
        r#"{"type":"content_block_stop","index":2}"#.to_owned(),
    );
    ev(
        &mut out,
        &mut rng,
        "message_delta",
        r#"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null,"stop_details":null},"usage":{"input_tokens":310,"cache_creation_input_tokens":0,"cache_read_input_tokens":128,"output_tokens":1587}}"#.to_owned(),
    );
    ev(
        &mut out,
        &mut rng,
        "message_stop",
        r#"{"type":"message_stop"}"#.to_owned(),
    );
    Corpus {
        name: "anthropic",
        body: out.into_bytes(),
        unit: "event",
        units: None,
        description: "Anthropic: 500 thinking + 500 text + 50 tool-JSON deltas, space padding, pings",
    }
}

// ---------------------------------------------------------------------------------------------
// Gemini (WIRE.md §2d)
// ---------------------------------------------------------------------------------------------

/// The 1,000 Gemini `GenerateContentResponse` payloads, compact in Google's style (`": "` after
/// keys, no space after commas). The first 40 are thought summaries, every 100th part carries a
/// `thoughtSignature`, and the last one has `finishReason`.
fn gemini_payloads(seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let response_id = rng.alnum(22);
    let mut out = Vec::with_capacity(1000);
    let mut candidates_tokens = 0;
    for i in 0..1000 {
        let text = (0..rng.range(2, 6))
            .map(|_| rng.pick(TOKENS))
            .collect::<String>();
        candidates_tokens += rng.range(2, 6);
        let mut part = format!(r#"{{"text": {}"#, q(&text));
        if i < 40 {
            part.push_str(r#","thought": true"#);
        }
        if i % 100 == 99 {
            let _ = write!(part, r#","thoughtSignature": "{}""#, rng.base64(160));
        }
        part.push('}');
        let finish = if i == 999 {
            r#","finishReason": "STOP""#
        } else {
            ""
        };
        let candidates = if i < 40 { 0 } else { candidates_tokens };
        out.push(format!(
            r#"{{"candidates": [{{"content": {{"parts": [{part}],"role": "model"}}{finish},"index": 0}}],"usageMetadata": {{"promptTokenCount": 83,"candidatesTokenCount": {candidates},"totalTokenCount": {},"promptTokensDetails": [{{"modality": "TEXT","tokenCount": 83}}],"thoughtsTokenCount": 104,"serviceTier": "standard"}},"modelVersion": "gemini-2.5-flash","responseId": "{response_id}"}}"#,
            83 + 104 + candidates
        ));
    }
    out
}

/// Gemini `alt=sse`: 1,000 `data:` events, each ending `\r\n\r\n` as Google sends them.
#[must_use]
pub fn gemini_sse_crlf() -> Corpus {
    gemini_sse(
        "\r\n",
        "gemini_sse_crlf",
        "Gemini `alt=sse`: 1,000 events, CRLF line ends",
    )
}

/// The same 1,000 Gemini events normalised to LF.
#[must_use]
pub fn gemini_sse_lf() -> Corpus {
    gemini_sse(
        "\n",
        "gemini_sse_lf",
        "Gemini `alt=sse`: the same 1,000 events, LF line ends",
    )
}

/// The 1,000 Gemini payloads as `data:` events with the given line end.
fn gemini_sse(line_end: &str, name: &'static str, description: &'static str) -> Corpus {
    let mut out = String::new();
    for p in gemini_payloads(0x6E_3141) {
        sse_event(&mut out, None, &p, line_end);
    }
    Corpus {
        name,
        body: out.into_bytes(),
        unit: "event",
        units: None,
        description,
    }
}

/// Gemini's default stream: one JSON array of the same 1,000 payloads, each pretty-printed with
/// 2-space indentation (serde_json's pretty printer writes Google's layout), separated by
/// `\n,\r\n`, starting `[{` and ending `\n}\n]`.
#[must_use]
pub fn gemini_array() -> Vec<u8> {
    let mut out = String::from("[");
    for (i, p) in gemini_payloads(0x6E_3141).iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(p).unwrap();
        if i > 0 {
            out.push_str("\n,\r\n");
        }
        out.push_str(&serde_json::to_string_pretty(&v).unwrap());
    }
    out.push_str("\n]");
    out.into_bytes()
}

// ---------------------------------------------------------------------------------------------
// Adversarial (WIRE.md §4.3 item 6)
// ---------------------------------------------------------------------------------------------

/// One `data:` line of 1 MiB (base64-like payload, no line ends inside), then the blank line.
#[must_use]
pub fn huge_line() -> Corpus {
    let mut rng = Rng::new(0x1_0000_0000);
    let mut out = String::with_capacity((1 << 20) + 16);
    out.push_str("data: ");
    out.push_str(&rng.base64(1 << 20));
    out.push_str("\n\n");
    Corpus {
        name: "huge_line_1mib",
        body: out.into_bytes(),
        unit: "MiB line",
        units: Some(1),
        description: "one 1 MiB `data:` line (one event); time is per whole line",
    }
}

/// 100,000 events of 16 data bytes each.
#[must_use]
pub fn small_events() -> Corpus {
    let mut rng = Rng::new(0x16);
    let mut out = String::with_capacity(100_000 * 24);
    for _ in 0..100_000 {
        out.push_str("data: ");
        out.push_str(&rng.alnum(16));
        out.push_str("\n\n");
    }
    Corpus {
        name: "small_events_100k",
        body: out.into_bytes(),
        unit: "event",
        units: None,
        description: "100,000 events of 16 data bytes",
    }
}

/// 200,000 `: keepalive` comment lines, then one `data:` event (so there is something to count
/// and compare). Time is per comment line.
#[must_use]
pub fn keepalives() -> Corpus {
    keepalives_n(200_000)
}

/// `n` `: keepalive` comment lines, then one `data:` event.
#[must_use]
pub fn keepalives_n(n: usize) -> Corpus {
    let mut out = ": keepalive\n".repeat(n);
    out.push_str("data: done\n\n");
    Corpus {
        name: "keepalive_200k",
        body: out.into_bytes(),
        unit: "comment line",
        units: Some(n as u64),
        description: "200,000 `: keepalive` comment lines then one event; time is per comment line",
    }
}

/// All SSE corpora, realistic first.
#[must_use]
pub fn sse_corpora() -> Vec<Corpus> {
    vec![
        openai_chat(),
        openai_chat_tools(),
        openai_responses(),
        anthropic(),
        gemini_sse_crlf(),
        gemini_sse_lf(),
        huge_line(),
        small_events(),
        keepalives(),
    ]
}

/// The body used for the one-byte cells: the whole 1 MiB line (the point of that corpus), 5,000
/// keepalive lines plus the event, or the first [`crate::ONE_BYTE_PREFIX`] bytes of the other
/// corpora cut at an event boundary. Returns the body and its unit count (`None`: events).
#[must_use]
pub fn one_byte_body(corpus: &Corpus) -> (Vec<u8>, Option<u64>) {
    match corpus.name {
        "huge_line_1mib" => (corpus.body.clone(), corpus.units),
        "keepalive_200k" => (keepalives_n(5_000).body, Some(5_000)),
        _ => (
            crate::prefix_at_event_boundary(&corpus.body, crate::ONE_BYTE_PREFIX).to_vec(),
            None,
        ),
    }
}
