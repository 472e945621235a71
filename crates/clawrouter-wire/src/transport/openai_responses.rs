//! The OpenAI Responses API (`openai-responses`, WIRE.md §2b).
//!
//! Each SSE event is `event: <type>` plus a JSON payload that repeats the name in its `type`; the
//! event kind is the payload's `type`, falling back to the SSE event name. There is no `[DONE]`:
//! `response.completed`, `response.incomplete` and `response.failed` are terminal.
//!
//! # What is decoded
//!
//! - `response.queued` / `created` / `in_progress` → one [`StreamEvent::MessageStart`]
//!   (`response.id`, `response.model`).
//! - `response.output_text.delta` (and `response.refusal.delta`, the visible answer of a refused
//!   request) → [`StreamEvent::TextDelta`]. A text block is one `message` output item: its
//!   `response.output_item.done` closes it with a [`StreamEvent::TextSignature`]
//!   `{"v":1,"id":"msg_…"}` (plus `"phase"` when the item has one; POLICY.md §1.3) and a
//!   [`StreamEvent::BlockEnd`]. `output_text.done` / `content_part.done` do not close it, so a
//!   message with several text parts stays one block with one signature (replay turns each text
//!   block back into one message item). A text delta of a different item closes the open block.
//! - `response.reasoning_summary_text.delta` and `response.reasoning_text.delta` →
//!   [`StreamEvent::ReasoningDelta`], one block per reasoning item (summary parts are joined with
//!   no separator). The reasoning item's `response.output_item.done` → a
//!   [`StreamEvent::ReasoningSignature`] holding the whole item as JSON, byte-exact from the
//!   payload (`encrypted_content` included), then [`StreamEvent::BlockEnd`]. A reasoning item
//!   without summary text still yields an (empty) reasoning block carrying that signature.
//! - `response.output_item.added` with a `function_call` item → [`StreamEvent::ToolCallStart`]
//!   (index = `output_index`; id = `"<call_id>|<item id>"` per POLICY.md §1.3, or whichever of
//!   the two is present). `response.function_call_arguments.delta` →
//!   [`StreamEvent::ToolCallArguments`]; `.done` → [`StreamEvent::ToolCallEnd`] with the complete
//!   arguments. A function_call `output_item.done` ends the call with the item's `arguments` when
//!   no `.done` came before (and starts it first if its `added` was never seen).
//! - `response.completed` → [`StreamEvent::Usage`] then [`StreamEvent::Finish`] (Stop; raw =
//!   `response.status`; the assembler turns Stop into ToolUse when there are tool calls).
//!   `response.incomplete` → Usage, Finish (Length when `incomplete_details.reason` is
//!   `max_output_tokens`, else Error). `response.failed` → [`StreamEvent::Error`]
//!   (`response.error`), Usage, Finish (Error). Usage: input = `input_tokens` − cached,
//!   cache_read = `input_tokens_details.cached_tokens`, output = `output_tokens`, reasoning =
//!   `output_tokens_details.reasoning_tokens`, total = `total_tokens`.
//! - `error` (flat `{"type":"error","code","message"}` or nested `{"error":{"type","code",
//!   "message"}}`) → [`StreamEvent::Error`] (code = `code`, else the nested `type`). Everything
//!   after it is dead, except a following `response.failed`, which still reports usage and the
//!   finish (its own error is not reported a second time).
//! - After a terminal event every frame is ignored. Unknown event types are skipped silently (the
//!   API documents them as skippable); empty data is skipped; data that is not a JSON object →
//!   [`StreamEvent::Unrecognized`], as is a known event whose payload has the wrong shape.
//!
//! [`TransportDecoder::is_complete`] is true after a terminal event or an `error` event (the body
//! may end right after the error; the failure is already in the message).
//!
//! Each payload is deserialized once into a borrowed struct holding only the members any handled
//! event uses; text deltas borrow from the frame when their JSON has no escapes.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de;
use serde_json::value::RawValue;

use super::json::{self, ErrorMember, LenientCount, LenientStr, LenientText};
use super::{Frame, TransportDecoder};
use crate::events::{StopReason, StreamEvent, Usage};

/// Decoder for OpenAI Responses API streams. See the [module docs](self).
#[derive(Debug, Default)]
pub struct OpenAiResponsesDecoder {
    /// `MessageStart` was emitted.
    started: bool,
    /// A terminal event was seen: everything after it is ignored.
    terminal: bool,
    /// An `error` event was seen: only `response.failed` is still decoded.
    failed: bool,
    /// The block the assembler has open.
    open: OpenBlock,
    /// Function calls seen so far.
    calls: Vec<CallState>,
}

/// The block the decoder last fed (and did not close).
#[derive(Debug, Default, PartialEq, Eq)]
enum OpenBlock {
    #[default]
    None,
    /// A text block of the message item with this id (empty when the delta named none).
    Text(String),
    Reasoning,
}

#[derive(Debug)]
struct CallState {
    /// `output_index`, the tool-call index.
    index: u64,
    /// The function_call item id (`fc_…`), to find the call when `output_index` is missing.
    item_id: Option<String>,
    /// A `ToolCallEnd` was emitted.
    ended: bool,
}

/// The event types this decoder acts on (a payload of one of them that fails to deserialize is
/// reported; other types are skipped).
const HANDLED: &[&str] = &[
    "response.queued",
    "response.created",
    "response.in_progress",
    "response.output_text.delta",
    "response.refusal.delta",
    "response.reasoning_summary_text.delta",
    "response.reasoning_text.delta",
    "response.output_item.added",
    "response.output_item.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.completed",
    "response.incomplete",
    "response.failed",
    "error",
];

impl OpenAiResponsesDecoder {
    /// A fresh decoder.
    pub fn new() -> Self {
        Self::default()
    }

    fn event<'a>(
        &mut self,
        kind: &str,
        event: &mut Event<'a>,
        raw: &'a str,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        if self.failed && kind != "response.failed" {
            return;
        }
        match kind {
            "response.queued" | "response.created" | "response.in_progress" => {
                if let Some(response) = event.response.take() {
                    self.start(&response, sink);
                }
            }
            "response.output_text.delta" | "response.refusal.delta" => {
                if let Some(text) = std::mem::take(&mut event.delta.0).into_non_empty() {
                    let item_id = event.item_id.0.as_deref().unwrap_or_default();
                    match &self.open {
                        OpenBlock::Text(open_id) if open_id == item_id || item_id.is_empty() => {}
                        OpenBlock::Text(open_id) => {
                            let signature = text_signature(open_id, None);
                            sink(StreamEvent::TextSignature {
                                signature: Cow::Owned(signature),
                            });
                            sink(StreamEvent::BlockEnd);
                            self.open = OpenBlock::Text(item_id.to_owned());
                        }
                        _ => self.open = OpenBlock::Text(item_id.to_owned()),
                    }
                    sink(StreamEvent::TextDelta { text });
                }
            }
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                if let Some(text) = std::mem::take(&mut event.delta.0).into_non_empty() {
                    self.open = OpenBlock::Reasoning;
                    sink(StreamEvent::ReasoningDelta { text });
                }
            }
            "response.output_item.added" => {
                if let Some(item) = event.item.and_then(Item::parse)
                    && item.kind.is("function_call")
                {
                    self.start_call(event.output_index.0, &item, sink);
                }
            }
            "response.output_item.done" => {
                if let Some(raw_item) = event.item
                    && let Some(item) = Item::parse(raw_item)
                {
                    self.item_done(event.output_index.0, raw_item, item, sink);
                }
            }
            "response.function_call_arguments.delta" => {
                if let Some(fragment) = std::mem::take(&mut event.delta.0).into_non_empty() {
                    let index = self.call_index(event.output_index.0, &event.item_id);
                    sink(StreamEvent::ToolCallArguments { index, fragment });
                }
            }
            "response.function_call_arguments.done" => {
                let index = self.call_index(event.output_index.0, &event.item_id);
                self.end_call(index, event.arguments.0.take(), sink);
            }
            "response.completed" | "response.incomplete" | "response.failed" => {
                self.terminal = true;
                let response = event.response.take().unwrap_or_default();
                self.start(&response, sink);
                let (reason, default_raw) = match kind {
                    "response.completed" => (StopReason::Stop, "completed"),
                    "response.incomplete" => {
                        let length = response
                            .incomplete_details
                            .as_ref()
                            .is_some_and(|details| details.reason.is("max_output_tokens"));
                        (
                            if length {
                                StopReason::Length
                            } else {
                                StopReason::Error
                            },
                            "incomplete",
                        )
                    }
                    _ => (StopReason::Error, "failed"),
                };
                if kind == "response.failed" && !self.failed {
                    let error = match response.error {
                        ErrorMember::Object(object) => object.into_provider_error(raw),
                        _ => json::error_frame(raw),
                    };
                    sink(StreamEvent::Error(error));
                }
                if let Some(usage) = response.usage {
                    sink(StreamEvent::Usage(usage.into_usage()));
                }
                let raw_reason = response
                    .status
                    .into_non_empty()
                    .unwrap_or(Cow::Borrowed(default_raw));
                sink(StreamEvent::Finish {
                    reason,
                    raw: Some(raw_reason),
                });
            }
            "error" => {
                self.failed = true;
                sink(StreamEvent::Error(json::error_frame(raw)));
            }
            _ => {}
        }
    }

    fn start(&mut self, response: &ResponseObject<'_>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        if self.started {
            return;
        }
        let id = response.id.non_empty().cloned();
        let model = response.model.non_empty().cloned();
        if id.is_some() || model.is_some() {
            self.started = true;
            sink(StreamEvent::MessageStart { id, model });
        }
    }

    fn start_call(
        &mut self,
        output_index: Option<u64>,
        item: &Item<'_>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        let item_id = item.id.non_empty();
        let index = match output_index {
            Some(index) => index,
            None => self.call_index(None, &item.id),
        };
        if self.calls.iter().any(|call| call.index == index) {
            return;
        }
        self.open = OpenBlock::None;
        self.calls.push(CallState {
            index,
            item_id: item_id.map(|id| id.to_string()),
            ended: false,
        });
        let id = match (item.call_id.non_empty(), item_id) {
            (Some(call_id), Some(item_id)) => Some(Cow::Owned(format!("{call_id}|{item_id}"))),
            (call_id, item_id) => call_id.or(item_id).cloned(),
        };
        let name = item.name.0.clone().unwrap_or_default();
        sink(StreamEvent::ToolCallStart { index, id, name });
    }

    /// The tool-call index of an event: its `output_index`, else the call with this item id, else
    /// the next free index.
    fn call_index(&self, output_index: Option<u64>, item_id: &LenientStr<'_>) -> u64 {
        if let Some(index) = output_index {
            return index;
        }
        let known = item_id.non_empty().and_then(|item_id| {
            self.calls
                .iter()
                .find(|call| call.item_id.as_deref() == Some(item_id.as_ref()))
        });
        match known {
            Some(call) => call.index,
            None => self
                .calls
                .iter()
                .map(|call| call.index.saturating_add(1))
                .max()
                .unwrap_or(0),
        }
    }

    fn end_call(
        &mut self,
        index: u64,
        arguments: Option<Cow<'_, str>>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        match self.calls.iter_mut().find(|call| call.index == index) {
            Some(call) if call.ended => return,
            Some(call) => call.ended = true,
            None => self.calls.push(CallState {
                index,
                item_id: None,
                ended: true,
            }),
        }
        sink(StreamEvent::ToolCallEnd {
            index,
            arguments,
            signature: None,
        });
    }

    fn item_done<'a>(
        &mut self,
        output_index: Option<u64>,
        raw_item: &'a RawValue,
        item: Item<'a>,
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) {
        if item.kind.is("message") {
            if let OpenBlock::Text(open_id) = &self.open {
                let id = item.id.0.as_deref().unwrap_or(open_id.as_str());
                if open_id.is_empty() || open_id == id {
                    let signature = text_signature(id, item.phase.non_empty().map(AsRef::as_ref));
                    sink(StreamEvent::TextSignature {
                        signature: Cow::Owned(signature),
                    });
                }
                sink(StreamEvent::BlockEnd);
                self.open = OpenBlock::None;
            }
        } else if item.kind.is("reasoning") {
            sink(StreamEvent::ReasoningSignature {
                signature: Cow::Borrowed(raw_item.get()),
            });
            sink(StreamEvent::BlockEnd);
            self.open = OpenBlock::None;
        } else if item.kind.is("function_call") {
            let index = match output_index {
                Some(index) => index,
                None => self.call_index(None, &item.id),
            };
            if !self.calls.iter().any(|call| call.index == index) {
                self.start_call(Some(index), &item, sink);
            }
            self.end_call(
                index,
                item.arguments.0.filter(|arguments| !arguments.is_empty()),
                sink,
            );
        }
    }
}

/// The text signature of a message item (POLICY.md §1.3): `{"v":1,"id":…,"phase"?:…}`.
fn text_signature(id: &str, phase: Option<&str>) -> String {
    #[derive(serde::Serialize)]
    struct Signature<'a> {
        v: u8,
        id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        phase: Option<&'a str>,
    }
    serde_json::to_string(&Signature { v: 1, id, phase }).unwrap_or_default()
}

impl TransportDecoder for OpenAiResponsesDecoder {
    fn decode_frame(&mut self, frame: Frame<'_>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        if self.terminal {
            return;
        }
        let data = frame.data;
        if json::is_blank(data) {
            return;
        }
        if let Some(unrecognized) = json::not_an_object(data) {
            if frame.event == "error" {
                self.failed = true;
                sink(StreamEvent::Error(json::error_frame(data)));
            } else {
                sink(unrecognized);
            }
            return;
        }
        let mut event = Event::default();
        match json::fill_from_str(data, &mut event) {
            Ok(()) => {
                let kind = event.kind.0.clone();
                let kind = kind.as_deref().unwrap_or(frame.event);
                self.event(kind, &mut event, data, sink);
            }
            Err(error) => {
                // A handled event with the wrong shape is reported; an unknown one is skipped.
                let kind = serde_json::from_str::<Head<'_>>(data)
                    .ok()
                    .and_then(|head| head.kind.0);
                let kind = kind.as_deref().unwrap_or(frame.event);
                if kind == "error" {
                    if !self.failed {
                        self.failed = true;
                        sink(StreamEvent::Error(json::error_frame(data)));
                    }
                } else if HANDLED.contains(&kind) {
                    sink(json::unrecognized(&error, data));
                }
            }
        }
    }

    fn is_complete(&self) -> bool {
        self.terminal || self.failed
    }

    fn terminal_signal(&self) -> &'static str {
        "response.completed, response.incomplete or response.failed"
    }
}

/// Only the event type (the fallback parse of a payload that did not fit [`Event`]).
#[derive(Debug, Deserialize)]
struct Head<'a> {
    #[serde(default, borrow, rename = "type")]
    kind: LenientStr<'a>,
}

/// The members of a Responses event that any handled type uses; the rest is skipped. Filled in
/// place (see [`json::FillFromObject`]): with its `response` object it is about 450 bytes.
#[derive(Debug, Default)]
struct Event<'a> {
    kind: LenientStr<'a>,
    delta: LenientText<'a>,
    item_id: LenientStr<'a>,
    output_index: LenientCount,
    arguments: LenientStr<'a>,
    item: Option<&'a RawValue>,
    response: Option<ResponseObject<'a>>,
}

impl<'de> json::FillFromObject<'de> for Event<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "type" => self.kind = map.next_value()?,
            "delta" => self.delta = map.next_value()?,
            "item_id" => self.item_id = map.next_value()?,
            "output_index" => self.output_index = map.next_value()?,
            "arguments" => self.arguments = map.next_value()?,
            "item" => self.item = map.next_value()?,
            "response" => map.next_value_seed(json::FillOption(&mut self.response))?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The `response` object of the lifecycle events (its `output` is skipped: the deltas carry it).
#[derive(Debug, Default)]
struct ResponseObject<'a> {
    id: LenientStr<'a>,
    model: LenientStr<'a>,
    status: LenientStr<'a>,
    usage: Option<ResponsesUsage>,
    error: ErrorMember<'a>,
    incomplete_details: Option<IncompleteDetails<'a>>,
}

impl<'de> json::FillFromObject<'de> for ResponseObject<'de> {
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "id" => self.id = map.next_value()?,
            "model" => self.model = map.next_value()?,
            "status" => self.status = map.next_value()?,
            "usage" => self.usage = map.next_value()?,
            "error" => self.error = map.next_value()?,
            "incomplete_details" => self.incomplete_details = map.next_value()?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IncompleteDetails<'a> {
    #[serde(borrow)]
    reason: LenientStr<'a>,
}

/// An output item (`message`, `reasoning`, `function_call` …).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Item<'a> {
    #[serde(borrow, rename = "type")]
    kind: LenientStr<'a>,
    #[serde(borrow)]
    id: LenientStr<'a>,
    #[serde(borrow)]
    call_id: LenientStr<'a>,
    #[serde(borrow)]
    name: LenientStr<'a>,
    #[serde(borrow)]
    arguments: LenientStr<'a>,
    #[serde(borrow)]
    phase: LenientStr<'a>,
}

impl<'a> Item<'a> {
    fn parse(raw: &'a RawValue) -> Option<Self> {
        serde_json::from_str(raw.get()).ok()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResponsesUsage {
    input_tokens: LenientCount,
    output_tokens: LenientCount,
    total_tokens: LenientCount,
    input_tokens_details: Option<InputDetails>,
    output_tokens_details: Option<OutputDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InputDetails {
    cached_tokens: LenientCount,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OutputDetails {
    reasoning_tokens: LenientCount,
}

impl ResponsesUsage {
    fn into_usage(self) -> Usage {
        let cache_read = self
            .input_tokens_details
            .and_then(|details| details.cached_tokens.0);
        Usage {
            input: self
                .input_tokens
                .0
                .map(|input| input.saturating_sub(cache_read.unwrap_or(0))),
            output: self.output_tokens.0,
            cache_read,
            cache_write: None,
            reasoning: self
                .output_tokens_details
                .and_then(|details| details.reasoning_tokens.0),
            total: self.total_tokens.0,
        }
    }
}
