//! The deterministic replies: what the emulated model answers, as a pure function of the
//! request.
//!
//! - **Prompt**: the text of the last user message that has text (PROTOCOL.md §11 items 2–3
//!   name the request shapes; [`RequestShape`] reads each).
//! - **Text**: [`expected_reply_text`] of the prompt, streamed one word per delta (the first
//!   word alone, every later word with its leading space, like real tokenizers split).
//! - **Reasoning**: [`expected_reasoning_text`], only when the model supports reasoning
//!   (scenario `reasoning = true`) *and* the request asks for it — Responses `reasoning.effort`
//!   other than `none` (or a `reasoning` object without effort), Chat `reasoning_effort` other
//!   than `none`, Anthropic `thinking.type` `enabled` or `adaptive`, Gemini
//!   `generationConfig.thinkingConfig.includeThoughts: true`.
//! - **Tool call**: when the request offers tools (and `tool_choice` is not `none`) and its
//!   last message is not a tool result, the reply calls the *first* tool, with the arguments
//!   [`tool_arguments`] derives from its JSON schema. After a tool result the reply is text
//!   only, so an agent loop ends.
//! - **Usage**: input tokens = ⌈request body bytes / 4⌉; output tokens = one per text delta +
//!   one per reasoning delta + (⌈argument bytes / 4⌉ + 4) for a tool call; no cache traffic.

use serde_json::{Map, Value};

/// The reply to a prompt: a fixed sentence echoing it.
///
/// Whitespace in the prompt is collapsed to single spaces and the echo is cut to
/// [`MAX_ECHO_CHARS`] characters, so the reply stays bounded whatever the prompt (and a load test
/// can still ask for a few hundred deltas per stream).
///
/// ```
/// use clawrouter_emulator::expected_reply_text;
/// assert_eq!(
///     expected_reply_text("Say  hi\n"),
///     "You said: \"Say hi\". This is a deterministic reply from the ClawRouter emulator."
/// );
/// ```
pub fn expected_reply_text(prompt: &str) -> String {
    let echo = collapse(prompt, MAX_ECHO_CHARS);
    if echo.is_empty() {
        "Hello from the ClawRouter emulator. Send a message and it is echoed back.".to_owned()
    } else {
        format!("You said: \"{echo}\". This is a deterministic reply from the ClawRouter emulator.")
    }
}

/// The longest echo of the prompt in a reply, in characters.
pub const MAX_ECHO_CHARS: usize = 2000;

/// The reasoning streamed before the reply, when the request asks for reasoning.
///
/// ```
/// use clawrouter_emulator::expected_reasoning_text;
/// assert_eq!(
///     expected_reasoning_text("Say hi"),
///     "The user wrote 2 words. I will echo them back, word for word."
/// );
/// ```
pub fn expected_reasoning_text(prompt: &str) -> String {
    let words = prompt.split_whitespace().count();
    let noun = if words == 1 { "word" } else { "words" };
    format!("The user wrote {words} {noun}. I will echo them back, word for word.")
}

/// The arguments of the emulated tool call for a tool whose parameters are `schema`: a JSON
/// object with every `required` property filled in by type (`string` → its first `enum` value
/// or `"emulator"`, `integer` / `number` → 1, `boolean` → true, `array` → [], `object` → {},
/// anything else → null). Type names are compared case-insensitively (Gemini writes `STRING`).
///
/// ```
/// use clawrouter_emulator::tool_arguments;
/// let schema = serde_json::json!({
///     "type": "object",
///     "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "unit": {"type": "string"}},
///     "required": ["city", "days"]
/// });
/// assert_eq!(tool_arguments(&schema), r#"{"city":"emulator","days":1}"#);
/// assert_eq!(tool_arguments(&serde_json::json!({})), "{}");
/// ```
pub fn tool_arguments(schema: &Value) -> String {
    let mut arguments = Map::new();
    let properties = schema.get("properties");
    let required = schema.get("required").and_then(Value::as_array);
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        let property = properties.and_then(|properties| properties.get(name));
        let kind = property
            .and_then(|property| property.get("type"))
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        let value = match kind.as_deref() {
            Some("string") => property
                .and_then(|property| property.get("enum"))
                .and_then(Value::as_array)
                .and_then(|values| values.first())
                .cloned()
                .unwrap_or_else(|| Value::from("emulator")),
            Some("integer" | "number") => Value::from(1),
            Some("boolean") => Value::Bool(true),
            Some("array") => Value::Array(Vec::new()),
            Some("object") => Value::Object(Map::new()),
            _ => Value::Null,
        };
        arguments.insert(name.to_owned(), value);
    }
    Value::Object(arguments).to_string()
}

/// Cuts `text` into word deltas: the first word alone, then each later word with its leading
/// space. Joining them gives back `text` exactly when it has single spaces.
pub fn word_deltas(text: &str) -> Vec<String> {
    let mut deltas: Vec<String> = Vec::new();
    for (position, word) in text.split(' ').enumerate() {
        if position == 0 {
            deltas.push(word.to_owned());
        } else {
            deltas.push(format!(" {word}"));
        }
    }
    deltas.retain(|delta| !delta.is_empty());
    deltas
}

fn collapse(text: &str, max_chars: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(max_chars) {
        Some((cut, _)) => joined.get(..cut).unwrap_or_default().trim_end().to_owned(),
        None => joined,
    }
}

/// A tool the request offers.
#[derive(Clone, Debug, PartialEq)]
pub struct OfferedTool {
    /// Its name.
    pub name: String,
    /// Its parameters schema (`{}` when none).
    pub schema: Value,
}

/// What the emulator reads from a request body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestShape {
    /// The `model` member (OpenAI and Anthropic transports).
    pub model: Option<String>,
    /// `stream: true` (always true for Gemini, whose streaming is in the URL).
    pub stream: bool,
    /// Chat `stream_options.include_usage: true` (the usage chunk is sent only then, WIRE.md §2a).
    pub include_usage: bool,
    /// The text of the last user message that has text.
    pub prompt: String,
    /// Whether the request asks for reasoning.
    pub wants_reasoning: bool,
    /// The tools offered (empty when `tool_choice` is `none`).
    pub tools: Vec<OfferedTool>,
    /// Whether the last message is a tool result.
    pub after_tool_result: bool,
}

/// Which request dialect a body is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `POST /v1/responses`.
    Responses,
    /// `POST /v1/chat/completions`.
    Chat,
    /// Anthropic Messages.
    Anthropic,
    /// Gemini `streamGenerateContent`.
    Gemini,
}

impl RequestShape {
    /// Reads a request body. `None` when the body is not a JSON object.
    pub fn parse(dialect: Dialect, body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        let mut shape = RequestShape {
            model: object
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_owned),
            stream: object.get("stream").and_then(Value::as_bool) == Some(true),
            ..RequestShape::default()
        };
        let tool_choice_none = object.get("tool_choice").and_then(Value::as_str) == Some("none");
        match dialect {
            Dialect::Responses => read_responses(object, &mut shape),
            Dialect::Chat => read_chat(object, &mut shape),
            Dialect::Anthropic => read_anthropic(object, &mut shape),
            Dialect::Gemini => {
                shape.stream = true;
                read_gemini(object, &mut shape);
            }
        }
        if tool_choice_none {
            shape.tools.clear();
        }
        Some(shape)
    }
}

fn text_of(content: Option<&Value>, text_types: &[&str]) -> Option<String> {
    match content? {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter(|part| {
                    part.get("type")
                        .and_then(Value::as_str)
                        .is_none_or(|kind| text_types.contains(&kind))
                })
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n"))
        }
        _ => None,
    }
}

fn effort_asks(effort: Option<&Value>) -> bool {
    match effort {
        None | Some(Value::Null) => true,
        Some(value) => value.as_str() != Some("none"),
    }
}

fn read_responses(object: &Map<String, Value>, shape: &mut RequestShape) {
    match object.get("input") {
        Some(Value::String(text)) => shape.prompt = text.clone(),
        Some(Value::Array(items)) => {
            for item in items {
                let kind = item.get("type").and_then(Value::as_str);
                if kind == Some("function_call_output") {
                    shape.after_tool_result = true;
                    continue;
                }
                shape.after_tool_result = false;
                if item.get("role").and_then(Value::as_str) == Some("user")
                    && let Some(text) = text_of(item.get("content"), &["input_text", "text"])
                {
                    shape.prompt = text;
                }
            }
        }
        _ => {}
    }
    if let Some(reasoning) = object.get("reasoning").filter(|value| value.is_object()) {
        shape.wants_reasoning = effort_asks(reasoning.get("effort"));
    }
    shape.tools = tools_of(object.get("tools"), |tool| {
        (tool.get("type").and_then(Value::as_str) == Some("function")).then_some(tool)?;
        Some((tool.get("name")?, tool.get("parameters")))
    });
}

fn read_chat(object: &Map<String, Value>, shape: &mut RequestShape) {
    for message in object
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let role = message.get("role").and_then(Value::as_str);
        shape.after_tool_result = role == Some("tool");
        if role == Some("user")
            && let Some(text) = text_of(message.get("content"), &["text"])
        {
            shape.prompt = text;
        }
    }
    shape.include_usage = object
        .get("stream_options")
        .and_then(|options| options.get("include_usage"))
        .and_then(Value::as_bool)
        == Some(true);
    shape.wants_reasoning = match object.get("reasoning_effort") {
        Some(effort) => effort_asks(Some(effort)),
        None => object
            .get("reasoning")
            .filter(|value| value.is_object())
            .is_some_and(|reasoning| effort_asks(reasoning.get("effort"))),
    };
    shape.tools = tools_of(object.get("tools"), |tool| {
        let function = tool.get("function")?;
        Some((function.get("name")?, function.get("parameters")))
    });
}

fn read_anthropic(object: &Map<String, Value>, shape: &mut RequestShape) {
    for message in object
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let content = message.get("content");
        shape.after_tool_result = content.and_then(Value::as_array).is_some_and(|blocks| {
            blocks
                .iter()
                .any(|block| block.get("type").and_then(Value::as_str) == Some("tool_result"))
        });
        if message.get("role").and_then(Value::as_str) == Some("user")
            && let Some(text) = text_of(content, &["text"])
        {
            shape.prompt = text;
        }
    }
    shape.wants_reasoning = matches!(
        object
            .get("thinking")
            .and_then(|thinking| thinking.get("type"))
            .and_then(Value::as_str),
        Some("enabled" | "adaptive")
    );
    shape.tools = tools_of(object.get("tools"), |tool| {
        Some((tool.get("name")?, tool.get("input_schema")))
    });
}

fn read_gemini(object: &Map<String, Value>, shape: &mut RequestShape) {
    for content in object
        .get("contents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let parts = content.get("parts").and_then(Value::as_array);
        shape.after_tool_result = parts.is_some_and(|parts| {
            parts
                .iter()
                .any(|part| part.get("functionResponse").is_some())
        });
        let role = content.get("role").and_then(Value::as_str);
        if role.is_none_or(|role| role == "user") {
            let texts: Vec<&str> = parts
                .into_iter()
                .flatten()
                .filter(|part| part.get("thought").and_then(Value::as_bool) != Some(true))
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect();
            if !texts.is_empty() {
                shape.prompt = texts.join("\n");
            }
        }
    }
    shape.wants_reasoning = object
        .get("generationConfig")
        .and_then(|config| config.get("thinkingConfig"))
        .and_then(|thinking| thinking.get("includeThoughts"))
        .and_then(Value::as_bool)
        == Some(true);
    let mut tools = Vec::new();
    for tool in object
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        tools.extend(tools_of(tool.get("functionDeclarations"), |declaration| {
            Some((
                declaration.get("name")?,
                declaration
                    .get("parameters")
                    .or_else(|| declaration.get("parametersJsonSchema")),
            ))
        }));
    }
    shape.tools = tools;
}

fn tools_of<'a>(
    tools: Option<&'a Value>,
    read: impl Fn(&'a Value) -> Option<(&'a Value, Option<&'a Value>)>,
) -> Vec<OfferedTool> {
    tools
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(read)
        .filter_map(|(name, schema)| {
            Some(OfferedTool {
                name: name.as_str()?.to_owned(),
                schema: schema.cloned().unwrap_or_else(|| Value::Object(Map::new())),
            })
        })
        .collect()
}

/// The planned reply: everything the transports stream, and the usage they report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The visible text ([`expected_reply_text`]).
    pub text: String,
    /// Its deltas ([`word_deltas`]).
    pub text_deltas: Vec<String>,
    /// The reasoning, when streamed ([`expected_reasoning_text`]).
    pub reasoning: Option<String>,
    /// Its deltas.
    pub reasoning_deltas: Vec<String>,
    /// The tool call, when one is made.
    pub tool_call: Option<PlannedToolCall>,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens, reasoning and tool call included.
    pub output_tokens: u64,
    /// The reasoning share of `output_tokens`.
    pub reasoning_tokens: u64,
    /// A stable 16-hex-digit id derived from the request body (used in every wire id).
    pub id: String,
}

/// A planned tool call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedToolCall {
    /// The tool's name.
    pub name: String,
    /// The JSON arguments ([`tool_arguments`]).
    pub arguments: String,
}

impl Reply {
    /// Plans the reply to a request of `shape`, whose body was `body_len` bytes, for a model
    /// that does (`model_reasons`) or does not support reasoning. `seed` is any stable
    /// description of the request (the emulator passes the body) and only feeds the ids.
    pub fn plan(shape: &RequestShape, model_reasons: bool, body_len: usize, seed: &[u8]) -> Self {
        let text = expected_reply_text(&shape.prompt);
        let text_deltas = word_deltas(&text);
        let (reasoning, reasoning_deltas) = if model_reasons && shape.wants_reasoning {
            let reasoning = expected_reasoning_text(&shape.prompt);
            let deltas = word_deltas(&reasoning);
            (Some(reasoning), deltas)
        } else {
            (None, Vec::new())
        };
        let tool_call = if shape.after_tool_result {
            None
        } else {
            shape.tools.first().map(|tool| PlannedToolCall {
                name: tool.name.clone(),
                arguments: tool_arguments(&tool.schema),
            })
        };
        let reasoning_tokens = count(reasoning_deltas.len());
        let tool_tokens = tool_call.as_ref().map_or(0, |call| {
            count(call.arguments.len().div_ceil(4)).saturating_add(4)
        });
        Reply {
            input_tokens: count(body_len.div_ceil(4)).max(1),
            output_tokens: count(text_deltas.len())
                .saturating_add(reasoning_tokens)
                .saturating_add(tool_tokens),
            reasoning_tokens,
            text,
            text_deltas,
            reasoning,
            reasoning_deltas,
            tool_call,
            id: format!("{:016x}", fnv1a(seed)),
        }
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// FNV-1a, 64 bits: stable across runs and platforms, unlike `std`'s hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
