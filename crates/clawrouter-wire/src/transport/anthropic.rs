//! Anthropic Messages (`anthropic-messages`) stream decoder (WIRE.md §2c): see
//! [`AnthropicMessagesDecoder`].

use std::borrow::Cow;

use serde::Deserialize;
use serde::de;

use super::json::{
    self, FillFromObject, FillOption, OptStr, OptText, borrowed_opt_str, is_blank, unrecognized,
};
use super::{Frame, TransportDecoder};
use crate::events::{ProviderError, StopReason, StreamEvent, Usage};

/// What a content block is, as far as the decoder needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BlockKind {
    Text,
    Thinking,
    RedactedThinking,
    ToolUse,
    /// A block the neutral model has no place for (server-tool results …).
    Ignored,
}

/// Anthropic Messages (`anthropic-messages`) stream decoder (WIRE.md §2c).
///
/// Each SSE event is one JSON payload; its kind is the payload's `type`, falling back to the SSE
/// event name. The payload is deserialized with serde into borrowed structs: padding before the
/// closing brace (`…}}      }`) and spaced keys (`{"type": "ping"}`) are plain JSON whitespace,
/// and text without escapes borrows from the frame.
///
/// | Payload | Events |
/// | --- | --- |
/// | `message_start` | [`MessageStart`](StreamEvent::MessageStart) (`message.id`, `message.model`) and [`Usage`](StreamEvent::Usage) from `message.usage` (its `output_tokens` is a placeholder, replaced later) |
/// | `content_block_start` `text` / `thinking` | a [`TextDelta`](StreamEvent::TextDelta) / [`ReasoningDelta`](StreamEvent::ReasoningDelta) only if the block already carries text; a non-empty `signature` → [`ReasoningSignature`](StreamEvent::ReasoningSignature) |
/// | `content_block_start` `redacted_thinking` | [`RedactedReasoning`](StreamEvent::RedactedReasoning) with the whole `data` |
/// | `content_block_start` `tool_use` / `server_tool_use` | [`ToolCallStart`](StreamEvent::ToolCallStart) (index = the block index); the `input: {}` placeholder is not used |
/// | `content_block_start`, any other block (`web_search_tool_result`, code-execution results …) | nothing: server-tool results arrive whole and have no place in the neutral message |
/// | `content_block_delta` `text_delta` / `thinking_delta` | [`TextDelta`](StreamEvent::TextDelta) / [`ReasoningDelta`](StreamEvent::ReasoningDelta) (empty pieces are dropped) |
/// | `content_block_delta` `signature_delta` | [`ReasoningSignature`](StreamEvent::ReasoningSignature); pieces concatenate |
/// | `content_block_delta` `input_json_delta` | [`ToolCallArguments`](StreamEvent::ToolCallArguments) with `partial_json` (possibly `""`) |
/// | `content_block_delta` `citations_delta` and unknown deltas | nothing (citations are metadata, not text) |
/// | `content_block_stop` | [`BlockEnd`](StreamEvent::BlockEnd) for text / thinking (and unknown indexes), [`ToolCallEnd`](StreamEvent::ToolCallEnd) for tool calls, nothing for redacted thinking and ignored blocks |
/// | `message_delta` | [`Finish`](StreamEvent::Finish) when `delta.stop_reason` is set, [`Usage`](StreamEvent::Usage) from the cumulative `usage` |
/// | `message_stop` | nothing; the stream is complete |
/// | `ping` | [`KeepAlive`](StreamEvent::KeepAlive) |
/// | `error` | [`Error`](StreamEvent::Error) (`error.type`, `error.message`); the stream is complete (the provider ends it). An error event in another shape (data not JSON, a flat `message`) is still an [`Error`](StreamEvent::Error), with the trimmed payload as its message |
/// | anything else | nothing: the docs tell clients to ignore unknown event types |
///
/// Stop reasons: `end_turn`, `stop_sequence`, `pause_turn` → [`StopReason::Stop`];
/// `max_tokens`, `model_context_window_exceeded` → [`StopReason::Length`]; `tool_use` →
/// [`StopReason::ToolUse`]; `refusal` → [`StopReason::Error`]; unknown values →
/// [`StopReason::Stop`].
///
/// A payload that is not JSON, or whose known fields have the wrong type, becomes
/// [`StreamEvent::Unrecognized`] unless its `type` is one this decoder does not handle (then it
/// is skipped like any unknown event). Blank payloads are skipped. A delta or stop without
/// `index` refers to the last started block; a start without `index` takes the next position.
#[derive(Debug, Default)]
pub struct AnthropicMessagesDecoder {
    /// `(index, kind)` of each started content block, in start order.
    blocks: Vec<(u64, BlockKind)>,
    /// Whether `message_stop` (or a terminal `error`) has been seen.
    complete: bool,
}

impl AnthropicMessagesDecoder {
    /// A fresh decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The kind of the block at `index` (searching from the newest; deltas refer to it).
    fn block_kind(&self, index: u64) -> Option<BlockKind> {
        self.blocks
            .iter()
            .rev()
            .find(|(at, _)| *at == index)
            .map(|&(_, kind)| kind)
    }

    /// The index a delta or stop refers to: its own, else the last started block's.
    fn current_index(&self, index: Option<u64>) -> u64 {
        index
            .or_else(|| self.blocks.last().map(|&(at, _)| at))
            .unwrap_or(0)
    }

    fn start_block<'a>(
        &mut self,
        index: Option<u64>,
        block: Option<&mut WireBlock<'a>>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        let index = index.unwrap_or(self.blocks.len() as u64);
        let Some(block) = block else {
            self.blocks.push((index, BlockKind::Ignored));
            return;
        };
        let kind = match block.kind.as_deref() {
            Some("text") => BlockKind::Text,
            Some("thinking") => BlockKind::Thinking,
            Some("redacted_thinking") => BlockKind::RedactedThinking,
            Some("tool_use" | "server_tool_use") => BlockKind::ToolUse,
            _ => BlockKind::Ignored,
        };
        self.blocks.push((index, kind));
        match kind {
            BlockKind::Text => {
                if let Some(text) = non_empty(block.text.take()) {
                    sink(StreamEvent::TextDelta { text });
                }
            }
            BlockKind::Thinking => {
                if let Some(text) = non_empty(block.thinking.take()) {
                    sink(StreamEvent::ReasoningDelta { text });
                }
                if let Some(signature) = non_empty(block.signature.take()) {
                    sink(StreamEvent::ReasoningSignature { signature });
                }
            }
            BlockKind::RedactedThinking => sink(StreamEvent::RedactedReasoning {
                data: block.data.take().unwrap_or(Cow::Borrowed("")),
            }),
            BlockKind::ToolUse => sink(StreamEvent::ToolCallStart {
                index,
                id: block.id.take(),
                name: block.name.take().unwrap_or(Cow::Borrowed("")),
            }),
            BlockKind::Ignored => {}
        }
    }

    fn block_delta<'a>(
        &self,
        index: Option<u64>,
        delta: Option<&mut WireDelta<'a>>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        let Some(delta) = delta else { return };
        match delta.kind.as_deref() {
            Some("text_delta") => {
                if let Some(text) = non_empty(delta.text.take()) {
                    sink(StreamEvent::TextDelta { text });
                }
            }
            Some("thinking_delta") => {
                if let Some(text) = non_empty(delta.thinking.take()) {
                    sink(StreamEvent::ReasoningDelta { text });
                }
            }
            Some("signature_delta") => {
                if let Some(signature) = non_empty(delta.signature.take()) {
                    sink(StreamEvent::ReasoningSignature { signature });
                }
            }
            Some("input_json_delta") => sink(StreamEvent::ToolCallArguments {
                index: self.current_index(index),
                fragment: delta.partial_json.take().unwrap_or(Cow::Borrowed("")),
            }),
            // `citations_delta` and future delta types: nothing for the neutral message.
            _ => {}
        }
    }

    fn stop_block(&self, index: Option<u64>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        let index = self.current_index(index);
        match self.block_kind(index) {
            Some(BlockKind::Text | BlockKind::Thinking) | None => sink(StreamEvent::BlockEnd),
            Some(BlockKind::ToolUse) => {
                sink(StreamEvent::ToolCallEnd {
                    index,
                    arguments: None,
                    signature: None,
                });
            }
            Some(BlockKind::RedactedThinking | BlockKind::Ignored) => {}
        }
    }
}

impl TransportDecoder for AnthropicMessagesDecoder {
    fn decode_frame(&mut self, frame: Frame<'_>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        let data = frame.data;
        if is_blank(data) {
            return;
        }
        let mut payload = Payload::default();
        if let Err(error) = json::fill_from_str(data, &mut payload) {
            match fallback(data, frame.event) {
                Fallback::Error => {
                    // An error event in a shape this decoder does not know: still an error.
                    self.complete = true;
                    sink(StreamEvent::Error(ProviderError {
                        code: None,
                        message: Cow::Borrowed(data.trim()),
                        raw: Cow::Borrowed(data),
                    }));
                }
                Fallback::Skip => {}
                Fallback::Unrecognized => sink(unrecognized(&error, data)),
            }
            return;
        }
        let kind = payload.kind.as_deref().unwrap_or(frame.event);
        match kind {
            "message_start" => {
                self.blocks.clear();
                let (id, model, usage) = match payload.message.take() {
                    Some(message) => (message.id, message.model, message.usage),
                    None => (None, None, None),
                };
                sink(StreamEvent::MessageStart { id, model });
                if let Some(usage) = usage {
                    sink(StreamEvent::Usage(usage.into_usage()));
                }
            }
            "content_block_start" => {
                self.start_block(payload.index, payload.content_block.as_mut(), sink);
            }
            "content_block_delta" => self.block_delta(payload.index, payload.delta.as_mut(), sink),
            "content_block_stop" => self.stop_block(payload.index, sink),
            "message_delta" => {
                if let Some(raw) = payload
                    .delta
                    .as_mut()
                    .and_then(|delta| delta.stop_reason.take())
                {
                    sink(StreamEvent::Finish {
                        reason: stop_reason(&raw),
                        raw: Some(raw),
                    });
                }
                if let Some(usage) = payload.usage.take() {
                    sink(StreamEvent::Usage(usage.into_usage()));
                }
            }
            "message_stop" => self.complete = true,
            "ping" => sink(StreamEvent::KeepAlive),
            "error" => {
                self.complete = true;
                let (code, message) = match payload.error.take() {
                    Some(error) => (error.kind, error.message),
                    None => (None, None),
                };
                let message = message
                    .or_else(|| code.clone())
                    .unwrap_or(Cow::Borrowed("error event without a message"));
                sink(StreamEvent::Error(ProviderError {
                    code,
                    message,
                    raw: Cow::Borrowed(data),
                }));
            }
            _ => {}
        }
    }

    fn is_complete(&self) -> bool {
        self.complete
    }

    fn terminal_signal(&self) -> &'static str {
        "event: message_stop"
    }
}

/// Normalizes `message_delta.delta.stop_reason`.
fn stop_reason(raw: &str) -> StopReason {
    match raw {
        "max_tokens" | "model_context_window_exceeded" => StopReason::Length,
        "tool_use" => StopReason::ToolUse,
        "refusal" => StopReason::Error,
        // end_turn, stop_sequence, pause_turn, and values added after this was written.
        _ => StopReason::Stop,
    }
}

fn non_empty(value: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    value.filter(|value| !value.is_empty())
}

/// What to do with a payload that did not deserialize.
enum Fallback {
    /// It is an `error` event (by `type` or SSE event name): report it as an error anyway.
    Error,
    /// It names an event type this decoder ignores anyway: a vendor's new event with a shape of
    /// its own is skipped, not reported.
    Skip,
    /// Not JSON, or a handled event type with the wrong shape.
    Unrecognized,
}

/// Classifies a payload that failed to deserialize. Only runs on the error path.
fn fallback(data: &str, event: &str) -> Fallback {
    #[derive(Deserialize)]
    struct KindOnly<'a> {
        #[serde(
            rename = "type",
            borrow,
            default,
            deserialize_with = "borrowed_opt_str"
        )]
        kind: Option<Cow<'a, str>>,
    }
    let parsed = if data.trim_start().starts_with('{') {
        serde_json::from_str::<KindOnly<'_>>(data).ok()
    } else {
        None
    };
    let Some(payload) = parsed else {
        return if event == "error" {
            Fallback::Error
        } else {
            Fallback::Unrecognized
        };
    };
    match payload.kind.as_deref().unwrap_or(event) {
        "error" => Fallback::Error,
        "message_start"
        | "content_block_start"
        | "content_block_delta"
        | "content_block_stop"
        | "message_delta"
        | "message_stop"
        | "ping" => Fallback::Unrecognized,
        _ => Fallback::Skip,
    }
}

/// Every field any handled payload type uses; unknown fields are skipped. Filled in place (see
/// [`json::FillFromObject`]): with its nested structs it is about 650 bytes, which derive would
/// move up level by level.
#[derive(Default)]
struct Payload<'a> {
    kind: Option<Cow<'a, str>>,
    index: Option<u64>,
    message: Option<WireMessage<'a>>,
    content_block: Option<WireBlock<'a>>,
    delta: Option<WireDelta<'a>>,
    usage: Option<WireUsage>,
    error: Option<WireError<'a>>,
}

impl<'de> FillFromObject<'de> for Payload<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "type" => self.kind = map.next_value::<OptStr<'de>>()?.0,
            "index" => self.index = map.next_value()?,
            "message" => map.next_value_seed(FillOption(&mut self.message))?,
            "content_block" => map.next_value_seed(FillOption(&mut self.content_block))?,
            "delta" => map.next_value_seed(FillOption(&mut self.delta))?,
            "usage" => self.usage = map.next_value()?,
            "error" => map.next_value_seed(FillOption(&mut self.error))?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `message_start.message`.
#[derive(Default)]
struct WireMessage<'a> {
    id: Option<Cow<'a, str>>,
    model: Option<Cow<'a, str>>,
    usage: Option<WireUsage>,
}

impl<'de> FillFromObject<'de> for WireMessage<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "id" => self.id = map.next_value::<OptStr<'de>>()?.0,
            "model" => self.model = map.next_value::<OptStr<'de>>()?.0,
            "usage" => self.usage = map.next_value()?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `content_block_start.content_block`.
#[derive(Default)]
struct WireBlock<'a> {
    kind: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    text: Option<Cow<'a, str>>,
    thinking: Option<Cow<'a, str>>,
    signature: Option<Cow<'a, str>>,
    data: Option<Cow<'a, str>>,
}

impl<'de> FillFromObject<'de> for WireBlock<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "type" => self.kind = map.next_value::<OptStr<'de>>()?.0,
            "id" => self.id = map.next_value::<OptStr<'de>>()?.0,
            "name" => self.name = map.next_value::<OptStr<'de>>()?.0,
            "text" => self.text = map.next_value::<OptText<'de>>()?.0,
            "thinking" => self.thinking = map.next_value::<OptText<'de>>()?.0,
            "signature" => self.signature = map.next_value::<OptStr<'de>>()?.0,
            "data" => self.data = map.next_value::<OptStr<'de>>()?.0,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `content_block_delta.delta` and `message_delta.delta`.
#[derive(Default)]
struct WireDelta<'a> {
    kind: Option<Cow<'a, str>>,
    text: Option<Cow<'a, str>>,
    thinking: Option<Cow<'a, str>>,
    signature: Option<Cow<'a, str>>,
    partial_json: Option<Cow<'a, str>>,
    stop_reason: Option<Cow<'a, str>>,
}

impl<'de> FillFromObject<'de> for WireDelta<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "type" => self.kind = map.next_value::<OptStr<'de>>()?.0,
            "text" => self.text = map.next_value::<OptText<'de>>()?.0,
            "thinking" => self.thinking = map.next_value::<OptText<'de>>()?.0,
            "signature" => self.signature = map.next_value::<OptStr<'de>>()?.0,
            "partial_json" => self.partial_json = map.next_value::<OptText<'de>>()?.0,
            "stop_reason" => self.stop_reason = map.next_value::<OptStr<'de>>()?.0,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `message.usage` and `message_delta.usage`.
#[derive(Deserialize)]
struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    output_tokens_details: Option<WireOutputDetails>,
}

#[derive(Deserialize)]
struct WireOutputDetails {
    thinking_tokens: Option<u64>,
}

impl WireUsage {
    /// Anthropic's `input_tokens` already excludes cache traffic, as the neutral model wants.
    fn into_usage(self) -> Usage {
        Usage {
            input: self.input_tokens,
            output: self.output_tokens,
            cache_read: self.cache_read_input_tokens,
            cache_write: self.cache_creation_input_tokens,
            reasoning: self
                .output_tokens_details
                .and_then(|details| details.thinking_tokens),
            total: None,
        }
    }
}

/// `error` of an `error` event.
#[derive(Default)]
struct WireError<'a> {
    kind: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
}

impl<'de> FillFromObject<'de> for WireError<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "type" => self.kind = map.next_value::<OptStr<'de>>()?.0,
            "message" => self.message = map.next_value::<OptStr<'de>>()?.0,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
