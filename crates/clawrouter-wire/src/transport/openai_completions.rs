//! OpenAI Chat Completions and compatible servers (`openai-completions`, WIRE.md §2a).
//!
//! Each SSE `data:` payload is a `chat.completion.chunk`; the stream ends with `data: [DONE]`.
//!
//! # What is decoded
//!
//! - `id` / `model` → one [`StreamEvent::MessageStart`], from the first chunk where either is
//!   non-empty (GitHub Copilot opens with `"id": "", "model": ""` and `choices: []`).
//! - `choices[]`: only the choice with `index` 0 (a missing `index` counts as 0). With `n > 1`
//!   the other choices are dropped: the neutral message holds one completion.
//! - `delta.reasoning_content` / `delta.reasoning` / `delta.reasoning_text`: the first non-empty
//!   one becomes [`StreamEvent::ReasoningDelta`] (servers that send two of them repeat the same
//!   text). When none is present, the `text` (or `summary`) of OpenRouter `reasoning_details[]`
//!   entries is used instead. Each reasoning block gets one [`StreamEvent::ReasoningSignature`]:
//!   the *name of the delta field* the reasoning came in (POLICY.md §1.3), e.g.
//!   `reasoning_content`; reasoning that only came in `reasoning_details` is signed `reasoning`,
//!   the plain-text field OpenRouter accepts back.
//! - `delta.content` and `delta.refusal` (non-empty strings) → [`StreamEvent::TextDelta`]. The
//!   refusal is the visible answer of a refused request, so it is text.
//! - `delta.tool_calls[]`, keyed by their `index` (missing: the position in the array): the first
//!   fragment of an index → [`StreamEvent::ToolCallStart`] (id, name, possibly empty); a later
//!   fragment that supplies a still-missing id or name → another `ToolCallStart` for the same
//!   index (the assembler fills in the missing value; a repeat is not re-emitted); non-empty
//!   `function.arguments` → [`StreamEvent::ToolCallArguments`]. `arguments` sent as a JSON object
//!   instead of a string is passed through as its JSON text. The deprecated `delta.function_call`
//!   is decoded as tool call 0.
//! - OpenRouter `reasoning_details[]` entries `{"type": "reasoning.encrypted", "id": <tool call id>,
//!   "data"}` become that tool call's signature (POLICY.md §1.3), byte-exact, carried by its
//!   [`StreamEvent::ToolCallEnd`].
//! - `finish_reason` (non-empty): first a [`StreamEvent::ToolCallEnd`] for every open call, then
//!   [`StreamEvent::Finish`] (`stop` → Stop, `length` → Length, `tool_calls` / `function_call` →
//!   ToolUse, `content_filter` → Error, anything else → Stop). A finish reason repeated on a
//!   later chunk is emitted once; a *different* later one is emitted again (the assembler keeps
//!   the last, as the fixture rules do). It is handled after the deltas of the same chunk.
//! - `usage` (on the `choices: []` chunk, or on the finish chunk for DeepSeek) →
//!   [`StreamEvent::Usage`]: input = `prompt_tokens` − cached, cache_read =
//!   `prompt_tokens_details.cached_tokens` (DeepSeek: `prompt_cache_hit_tokens`), output =
//!   `completion_tokens`, reasoning = `completion_tokens_details.reasoning_tokens`, total =
//!   `total_tokens`.
//! - `data: [DONE]` (compared after trimming, by prefix like the Python SDK): closes the open tool
//!   calls; every later frame is ignored.
//! - Errors after the 200: a payload with a top-level non-null `error` (object or string), vLLM's
//!   `{"object": "error", …}`, or any frame named `event: error` → [`StreamEvent::Error`] (code =
//!   `code`, else `type`). After an error every later frame is ignored.
//! - Frames named `keepalive` or `ping` → [`StreamEvent::KeepAlive`]. Empty or whitespace data is
//!   skipped; data that is not a JSON object, or not a chunk, → [`StreamEvent::Unrecognized`].
//!   Unknown fields (`obfuscation`, `system_fingerprint`, `native_finish_reason`, …) are ignored.
//!
//! # End of stream
//!
//! [`TransportDecoder::is_complete`] turns true at `[DONE]`, at an in-stream error, and also at a
//! `finish_reason`: some compatible servers omit `[DONE]`, and a body that ends after the finish
//! reason is complete except, at worst, for the usage chunk (WIRE.md §2a allows this choice).
//!
//! Text, reasoning and argument strings borrow from the frame when their JSON has no escapes.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de;
use serde_json::value::RawValue;

use super::json::{self, ErrorMember, LenientCount, LenientStr};
use super::{Frame, TransportDecoder};
use crate::events::{StopReason, StreamEvent, Usage};

/// Decoder for OpenAI Chat Completions streams. See the [module docs](self).
#[derive(Debug, Default)]
pub struct OpenAiCompletionsDecoder {
    /// `MessageStart` was emitted.
    started: bool,
    /// `[DONE]` was seen: everything after it is ignored.
    done: bool,
    /// An in-stream error was reported: everything after it is ignored.
    failed: bool,
    /// A `finish_reason` was seen.
    finished: bool,
    /// The raw finish reason last emitted (to emit a repeated one only once).
    last_finish: Option<String>,
    /// The assembler's last block is a reasoning block that already has its signature.
    reasoning_open: bool,
    /// Tool calls seen so far, in order of first appearance.
    calls: Vec<ToolCallState>,
}

/// What the decoder remembers of one tool call.
#[derive(Debug)]
struct ToolCallState {
    /// The transport's `tool_calls[].index`.
    index: u64,
    /// The call id, once sent (to match OpenRouter's encrypted reasoning entries).
    id: Option<String>,
    /// A non-empty name was emitted.
    has_name: bool,
    /// No `ToolCallEnd` since the last fragment.
    open: bool,
    /// Signature to emit with the `ToolCallEnd`.
    signature: Option<String>,
}

impl OpenAiCompletionsDecoder {
    /// A fresh decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes what it emits out of `chunk` (by reference: see [`Chunk`]).
    fn chunk<'a>(&mut self, chunk: &mut Chunk<'a>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        if !self.started {
            let id = std::mem::take(&mut chunk.id).into_non_empty();
            let model = std::mem::take(&mut chunk.model).into_non_empty();
            if id.is_some() || model.is_some() {
                self.started = true;
                sink(StreamEvent::MessageStart { id, model });
            }
        }
        if let Some(choice) = &mut chunk.choice {
            if let Some(delta) = &mut choice.delta {
                self.delta(delta, sink);
            }
            if let Some(reason) = std::mem::take(&mut choice.finish_reason).into_non_empty() {
                self.finish(reason, sink);
            }
        }
        if let Some(usage) = chunk.usage.take() {
            sink(StreamEvent::Usage(usage.into_usage()));
        }
    }

    fn delta<'a>(&mut self, delta: &mut Delta<'a>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        let reasoning = [
            ("reasoning_content", delta.reasoning_content.take()),
            ("reasoning", delta.reasoning.take()),
            ("reasoning_text", delta.reasoning_text.take()),
        ]
        .into_iter()
        .find_map(|(field, text)| {
            text.filter(|text| !text.0.is_empty())
                .map(|text| (field, text.0))
        });
        let details = delta.reasoning_details.take().unwrap_or_default();
        match reasoning {
            Some((field, text)) => self.reasoning(field, text, sink),
            None => {
                for detail in details.iter().filter_map(|raw| ReasoningDetail::parse(raw)) {
                    if let Some(text) = detail.text() {
                        self.reasoning("reasoning", text, sink);
                    }
                }
            }
        }
        for text in [delta.content.take(), delta.refusal.take()]
            .into_iter()
            .flatten()
        {
            if !text.0.is_empty() {
                self.reasoning_open = false;
                sink(StreamEvent::TextDelta { text: text.0 });
            }
        }
        let calls = delta.tool_calls.take().unwrap_or_default();
        for (position, call) in calls.into_iter().enumerate() {
            let index = call.index.0.unwrap_or(position as u64);
            let function = call.function.unwrap_or_default();
            self.tool_call(index, call.id.into_non_empty(), function, sink);
        }
        if let Some(function) = delta.function_call.take() {
            self.tool_call(0, None, function, sink);
        }
        for raw in &details {
            self.encrypted_reasoning(raw, sink);
        }
    }

    fn reasoning<'a>(
        &mut self,
        field: &'static str,
        text: Cow<'a, str>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        sink(StreamEvent::ReasoningDelta { text });
        if !self.reasoning_open {
            self.reasoning_open = true;
            sink(StreamEvent::ReasoningSignature {
                signature: Cow::Borrowed(field),
            });
        }
    }

    fn tool_call<'a>(
        &mut self,
        index: u64,
        id: Option<Cow<'a, str>>,
        function: FunctionDelta<'a>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        let name = function.name.into_non_empty();
        match self.calls.iter_mut().find(|call| call.index == index) {
            None => {
                self.reasoning_open = false;
                self.calls.push(ToolCallState {
                    index,
                    id: id.as_ref().map(|id| id.to_string()),
                    has_name: name.is_some(),
                    open: true,
                    signature: None,
                });
                sink(StreamEvent::ToolCallStart {
                    index,
                    id,
                    name: name.unwrap_or_default(),
                });
            }
            Some(call) => {
                call.open = true;
                let new_id = id.filter(|_| call.id.is_none());
                let new_name = name.filter(|_| !call.has_name);
                if new_id.is_some() || new_name.is_some() {
                    if let Some(id) = &new_id {
                        call.id = Some(id.to_string());
                    }
                    call.has_name |= new_name.is_some();
                    sink(StreamEvent::ToolCallStart {
                        index,
                        id: new_id,
                        name: new_name.unwrap_or_default(),
                    });
                }
            }
        }
        if let Some(fragment) = function
            .arguments
            .and_then(arguments_text)
            .filter(|text| !text.is_empty())
        {
            sink(StreamEvent::ToolCallArguments { index, fragment });
        }
    }

    /// An OpenRouter `reasoning.encrypted` entry naming a tool call: that call's signature.
    fn encrypted_reasoning(&mut self, raw: &RawValue, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        let Some(detail) = ReasoningDetail::parse(raw) else {
            return;
        };
        if !detail.kind.is("reasoning.encrypted") || detail.data.non_empty().is_none() {
            return;
        }
        let Some(id) = detail.id.non_empty() else {
            return;
        };
        let Some(call) = self
            .calls
            .iter_mut()
            .find(|call| call.id.as_deref() == Some(id.as_ref()))
        else {
            return;
        };
        if call.open {
            call.signature = Some(raw.get().to_owned());
        } else {
            sink(StreamEvent::ToolCallEnd {
                index: call.index,
                arguments: None,
                signature: Some(Cow::Owned(raw.get().to_owned())),
            });
        }
    }

    fn finish(&mut self, raw: Cow<'_, str>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        self.finished = true;
        self.close_calls(sink);
        if self.last_finish.as_deref() == Some(raw.as_ref()) {
            return;
        }
        self.last_finish = Some(raw.to_string());
        let reason = match raw.as_ref() {
            "length" => StopReason::Length,
            "tool_calls" | "function_call" => StopReason::ToolUse,
            "content_filter" => StopReason::Error,
            _ => StopReason::Stop,
        };
        sink(StreamEvent::Finish {
            reason,
            raw: Some(raw),
        });
    }

    fn close_calls(&mut self, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        for call in self.calls.iter_mut().filter(|call| call.open) {
            call.open = false;
            sink(StreamEvent::ToolCallEnd {
                index: call.index,
                arguments: None,
                signature: call.signature.take().map(Cow::Owned),
            });
        }
    }

    fn error<'a>(
        &mut self,
        error: crate::events::ProviderError<'a>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        self.failed = true;
        sink(StreamEvent::Error(error));
    }
}

impl TransportDecoder for OpenAiCompletionsDecoder {
    fn decode_frame(&mut self, frame: Frame<'_>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        if self.done || self.failed {
            return;
        }
        let data = frame.data;
        if frame.event == "keepalive" || frame.event == "ping" {
            sink(StreamEvent::KeepAlive);
            return;
        }
        if json::is_blank(data) {
            return;
        }
        if data.trim().starts_with("[DONE]") {
            self.done = true;
            self.close_calls(sink);
            return;
        }
        if let Some(unrecognized) = json::not_an_object(data) {
            if frame.event == "error" {
                self.error(json::error_frame(data), sink);
            } else {
                sink(unrecognized);
            }
            return;
        }
        let mut chunk = Chunk::default();
        match json::fill_from_str(data, &mut chunk) {
            Ok(()) if !matches!(chunk.error, ErrorMember::Absent) || chunk.object.is("error") => {
                self.error(json::error_frame(data), sink);
            }
            Ok(()) if frame.event == "error" => self.error(json::error_frame(data), sink),
            Ok(()) => self.chunk(&mut chunk, sink),
            Err(error) => match json::error_payload(data) {
                Some(provider_error) => self.error(provider_error, sink),
                None if frame.event == "error" => self.error(json::error_frame(data), sink),
                None => sink(json::unrecognized(&error, data)),
            },
        }
    }

    fn is_complete(&self) -> bool {
        self.done || self.failed || self.finished
    }

    fn terminal_signal(&self) -> &'static str {
        "data: [DONE]"
    }
}

/// The text of a tool call's `arguments`: the string's content, or the JSON text of anything else
/// (some servers send an object). `null` is no fragment.
fn arguments_text(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    if text.starts_with('"') {
        serde_json::from_str::<Text<'_>>(text)
            .ok()
            .map(|text| text.0)
    } else if text == "null" {
        None
    } else {
        Some(Cow::Borrowed(text))
    }
}

/// A JSON string, borrowed from the frame when it has no escapes (one allocation otherwise).
type Text<'a> = json::JsonStr<'a>;

/// One `chat.completion.chunk` (or an error payload: `error` / `object` tell), filled in place
/// (see [`json::FillFromObject`]): a chunk is about 500 bytes with its choice and delta.
#[derive(Debug, Default)]
struct Chunk<'a> {
    id: LenientStr<'a>,
    model: LenientStr<'a>,
    object: LenientStr<'a>,
    /// The choice with index 0 (`choices[]` reduced to it, without allocating).
    choice: Option<Choice<'a>>,
    usage: Option<ChatUsage>,
    error: ErrorMember<'a>,
}

impl<'de> json::FillFromObject<'de> for Chunk<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "id" => self.id = map.next_value()?,
            "model" => self.model = map.next_value()?,
            "object" => self.object = map.next_value()?,
            "choices" => map.next_value_seed(json::FirstIndexZero(&mut self.choice))?,
            "usage" => self.usage = map.next_value()?,
            "error" => self.error = map.next_value()?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Choice<'a> {
    index: LenientCount,
    delta: Option<Delta<'a>>,
    finish_reason: LenientStr<'a>,
}

impl json::Indexed for Choice<'_> {
    fn index(&self) -> Option<u64> {
        self.index.0
    }
}

impl<'de> json::FillFromObject<'de> for Choice<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "index" => self.index = map.next_value()?,
            "delta" => map.next_value_seed(json::FillOption(&mut self.delta))?,
            "finish_reason" => self.finish_reason = map.next_value()?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Delta<'a> {
    content: Option<Text<'a>>,
    refusal: Option<Text<'a>>,
    reasoning_content: Option<Text<'a>>,
    reasoning: Option<Text<'a>>,
    reasoning_text: Option<Text<'a>>,
    reasoning_details: Option<Vec<&'a RawValue>>,
    tool_calls: Option<Vec<ToolCallDelta<'a>>>,
    function_call: Option<FunctionDelta<'a>>,
}

impl<'de> json::FillFromObject<'de> for Delta<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "content" => self.content = map.next_value()?,
            "refusal" => self.refusal = map.next_value()?,
            "reasoning_content" => self.reasoning_content = map.next_value()?,
            "reasoning" => self.reasoning = map.next_value()?,
            "reasoning_text" => self.reasoning_text = map.next_value()?,
            "reasoning_details" => self.reasoning_details = map.next_value()?,
            "tool_calls" => self.tool_calls = map.next_value()?,
            "function_call" => self.function_call = map.next_value()?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta<'a> {
    #[serde(default)]
    index: LenientCount,
    #[serde(default, borrow)]
    id: LenientStr<'a>,
    #[serde(default, borrow)]
    function: Option<FunctionDelta<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct FunctionDelta<'a> {
    #[serde(default, borrow)]
    name: LenientStr<'a>,
    #[serde(default, borrow)]
    arguments: Option<&'a RawValue>,
}

/// One OpenRouter `reasoning_details[]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReasoningDetail<'a> {
    #[serde(borrow, rename = "type")]
    kind: LenientStr<'a>,
    #[serde(borrow)]
    text: LenientStr<'a>,
    #[serde(borrow)]
    summary: LenientStr<'a>,
    #[serde(borrow)]
    id: LenientStr<'a>,
    #[serde(borrow)]
    data: LenientStr<'a>,
}

impl<'a> ReasoningDetail<'a> {
    fn parse(raw: &'a RawValue) -> Option<Self> {
        serde_json::from_str(raw.get()).ok()
    }

    /// The readable reasoning of a `reasoning.text` or `reasoning.summary` entry.
    fn text(self) -> Option<Cow<'a, str>> {
        if self.kind.is("reasoning.text") {
            self.text.into_non_empty()
        } else if self.kind.is("reasoning.summary") {
            self.summary.into_non_empty()
        } else {
            None
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChatUsage {
    prompt_tokens: LenientCount,
    completion_tokens: LenientCount,
    total_tokens: LenientCount,
    prompt_tokens_details: Option<PromptDetails>,
    completion_tokens_details: Option<CompletionDetails>,
    /// DeepSeek.
    prompt_cache_hit_tokens: LenientCount,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PromptDetails {
    cached_tokens: LenientCount,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CompletionDetails {
    reasoning_tokens: LenientCount,
}

impl ChatUsage {
    fn into_usage(self) -> Usage {
        let cache_read = self
            .prompt_tokens_details
            .and_then(|details| details.cached_tokens.0)
            .or(self.prompt_cache_hit_tokens.0);
        Usage {
            input: self
                .prompt_tokens
                .0
                .map(|prompt| prompt.saturating_sub(cache_read.unwrap_or(0))),
            output: self.completion_tokens.0,
            cache_read,
            cache_write: None,
            reasoning: self
                .completion_tokens_details
                .and_then(|details| details.reasoning_tokens.0),
            total: self.total_tokens.0,
        }
    }
}
