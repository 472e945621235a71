//! Folding [`StreamEvent`]s into the final assistant message (POLICY.md §1.1).
//!
//! [`MessageAssembler`] keeps everything a stream said, in content order: text blocks, reasoning
//! blocks with their signatures byte-exact, tool calls with their complete arguments, usage and
//! the stop reason. A stream that failed (a provider error after HTTP 200, a truncated body, a
//! framing error) still yields everything received before the failure: see
//! [`MessageAssembler::finish`].
//!
//! Block rules: a text delta appends to the last block when it is an open text block, else starts
//! a new one; likewise for reasoning. [`StreamEvent::BlockEnd`] closes the last block. A signature
//! attaches to the last open block of its kind, or starts an empty one (Gemini may send a
//! signature on an empty text part).

use std::collections::HashMap;

use serde::Serialize;

use crate::events::{ProviderError, StopReason, StreamEvent, Usage};
use crate::transport::DecodeError;

/// One block of the assembled message's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ContentBlock {
    /// Visible text.
    Text {
        /// The text.
        text: String,
        /// Opaque provider state (neutral model `textSignature`).
        #[serde(rename = "textSignature", skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
    /// Reasoning.
    Thinking {
        /// The reasoning text (`[Reasoning redacted]` for a redacted block).
        thinking: String,
        /// The signature, byte-exact (neutral model `thinkingSignature`).
        #[serde(rename = "thinkingSignature", skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
        /// Whether the provider redacted the reasoning (the payload is then in `signature`).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        redacted: bool,
    },
    /// A tool call.
    ToolCall(ToolCall),
}

/// An assembled tool call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolCall {
    /// The call id, when the transport sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The tool name.
    pub name: String,
    /// The complete JSON arguments as text (`{}` when the provider sent none).
    pub arguments: String,
    /// Why `arguments` is not valid JSON, when it is not. Invalid arguments are kept, not dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments_error: Option<String>,
    /// Opaque provider state (Gemini `thoughtSignature`).
    #[serde(rename = "thoughtSignature", skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// The final assistant message of one streamed response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssembledMessage {
    /// Provider response id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The model that answered, as the provider names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Text, reasoning and tool-call blocks in stream order.
    pub content: Vec<ContentBlock>,
    /// Token counts (the last report of each field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Normalized stop reason; `None` when the stream never said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<StopReason>,
    /// The provider's raw finish reason (the last one sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// The error the provider reported inside the stream, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ProviderError<'static>>,
    /// Frames the transport decoder could not interpret (see [`StreamEvent::Unrecognized`]).
    #[serde(skip_serializing_if = "is_zero")]
    pub unrecognized_frames: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl AssembledMessage {
    /// All visible text, concatenated.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// All (non-redacted) reasoning text, concatenated.
    pub fn reasoning(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Thinking {
                    thinking,
                    redacted: false,
                    ..
                } => Some(thinking.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The tool calls, in order of first appearance.
    pub fn tool_calls(&self) -> impl Iterator<Item = &ToolCall> {
        self.content.iter().filter_map(|block| match block {
            ContentBlock::ToolCall(call) => Some(call),
            _ => None,
        })
    }
}

/// Folds stream events into an [`AssembledMessage`].
///
/// ```
/// use std::borrow::Cow;
/// use clawrouter_wire::assemble::MessageAssembler;
/// use clawrouter_wire::events::{StopReason, StreamEvent};
///
/// let mut assembler = MessageAssembler::new();
/// assembler.push(&StreamEvent::TextDelta { text: Cow::Borrowed("Hel") });
/// assembler.push(&StreamEvent::TextDelta { text: Cow::Borrowed("lo") });
/// assembler.push(&StreamEvent::Finish { reason: StopReason::Stop, raw: Some(Cow::Borrowed("stop")) });
/// let message = assembler.finish();
/// assert_eq!(message.text(), "Hello");
/// assert_eq!(message.stop_reason, Some(StopReason::Stop));
/// ```
#[derive(Debug)]
pub struct MessageAssembler {
    message: AssembledMessage,
    /// At most this many tool calls are kept ([`MAX_TOOL_CALLS_PER_MESSAGE`] by default).
    max_tool_calls: usize,
    /// Tool calls started beyond `max_tool_calls`: not kept, reported by `finish_stream`.
    dropped_tool_calls: u64,
    /// Whether the last block still accepts deltas.
    last_open: bool,
    /// Transport tool-call index → position in `content`.
    tool_calls: HashMap<u64, usize>,
    /// Arguments of each tool call while it streams (index → fragments so far).
    arguments: HashMap<u64, String>,
}

/// The default limit on tool calls in one message. A stream that starts more is hostile or
/// broken: the calls beyond it are not kept (memory stays bounded) and
/// [`MessageAssembler::finish_stream`] reports [`FailureCause::Limit`].
pub const MAX_TOOL_CALLS_PER_MESSAGE: usize = 1024;

impl Default for MessageAssembler {
    fn default() -> Self {
        MessageAssembler {
            message: AssembledMessage::default(),
            max_tool_calls: MAX_TOOL_CALLS_PER_MESSAGE,
            dropped_tool_calls: 0,
            last_open: false,
            tool_calls: HashMap::new(),
            arguments: HashMap::new(),
        }
    }
}

impl MessageAssembler {
    /// An empty assembler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps at most `limit` tool calls (default [`MAX_TOOL_CALLS_PER_MESSAGE`]).
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use clawrouter_wire::assemble::{FailureCause, MessageAssembler};
    /// use clawrouter_wire::events::StreamEvent;
    ///
    /// let mut assembler = MessageAssembler::new().with_max_tool_calls(1);
    /// for index in 0..3 {
    ///     assembler.push(&StreamEvent::ToolCallStart { index, id: None, name: Cow::Borrowed("t") });
    /// }
    /// let failure = assembler.finish_stream(Ok(())).unwrap_err();
    /// assert_eq!(failure.cause, FailureCause::Limit { what: "tool calls per message", limit: 1, dropped: 2 });
    /// assert_eq!(failure.partial.tool_calls().count(), 1); // what fits is kept
    /// ```
    #[must_use]
    pub fn with_max_tool_calls(mut self, limit: usize) -> Self {
        self.max_tool_calls = limit;
        self
    }

    /// The message as assembled so far (tool-call arguments still streaming are not in it yet).
    pub fn message(&self) -> &AssembledMessage {
        &self.message
    }

    /// Folds one event in.
    pub fn push(&mut self, event: &StreamEvent<'_>) {
        match event {
            StreamEvent::MessageStart { id, model } => {
                if let Some(id) = id {
                    self.message.id.get_or_insert_with(|| id.to_string());
                }
                if let Some(model) = model {
                    self.message.model.get_or_insert_with(|| model.to_string());
                }
            }
            StreamEvent::TextDelta { text } => {
                if let Some((block, _)) = self.text_block() {
                    block.push_str(text);
                }
            }
            StreamEvent::TextSignature { signature: piece } => {
                if let Some((_, signature)) = self.text_block() {
                    signature.get_or_insert_with(String::new).push_str(piece);
                }
            }
            StreamEvent::ReasoningDelta { text } => {
                if let Some((block, _)) = self.thinking_block() {
                    block.push_str(text);
                }
            }
            StreamEvent::ReasoningSignature { signature: piece } => {
                if let Some((_, signature)) = self.thinking_block() {
                    signature.get_or_insert_with(String::new).push_str(piece);
                }
            }
            StreamEvent::RedactedReasoning { data } => {
                self.message.content.push(ContentBlock::Thinking {
                    thinking: "[Reasoning redacted]".to_owned(),
                    signature: Some(data.to_string()),
                    redacted: true,
                });
                self.last_open = false;
            }
            StreamEvent::BlockEnd => self.last_open = false,
            StreamEvent::ToolCallStart { index, id, name } => {
                if !self.tool_calls.contains_key(index)
                    && self.tool_calls.len() >= self.max_tool_calls
                {
                    // Counted once per call: its fragments and end are then ignored below.
                    self.dropped_tool_calls = self.dropped_tool_calls.saturating_add(1);
                }
                self.start_tool_call(*index, id, name)
            }
            StreamEvent::ToolCallArguments { index, fragment } => {
                if !self.tool_calls.contains_key(index) {
                    self.start_tool_call(*index, &None, "");
                }
                // A call dropped over the limit keeps no arguments either.
                if self.tool_calls.contains_key(index) {
                    self.arguments.entry(*index).or_default().push_str(fragment);
                }
            }
            StreamEvent::ToolCallEnd {
                index,
                arguments,
                signature,
            } => {
                if !self.tool_calls.contains_key(index) {
                    self.start_tool_call(*index, &None, "");
                }
                if let Some(arguments) = arguments
                    && self.tool_calls.contains_key(index)
                {
                    self.arguments.insert(*index, arguments.to_string());
                }
                if let Some(signature) = signature
                    && let Some(ContentBlock::ToolCall(call)) = self
                        .tool_calls
                        .get(index)
                        .and_then(|&at| self.message.content.get_mut(at))
                {
                    call.signature = Some(signature.to_string());
                }
            }
            StreamEvent::Usage(usage) => self.message.usage.get_or_insert_default().merge(usage),
            StreamEvent::Finish { reason, raw } => {
                self.message.stop_reason = Some(*reason);
                if let Some(raw) = raw {
                    self.message.finish_reason = Some(raw.to_string());
                }
            }
            StreamEvent::Error(error) => {
                self.message.error = Some(error.clone().into_owned());
                self.message.stop_reason = Some(StopReason::Error);
            }
            StreamEvent::KeepAlive => {}
            StreamEvent::Unrecognized { .. } => self.message.unrecognized_frames += 1,
        }
    }

    fn start_tool_call(&mut self, index: u64, id: &Option<std::borrow::Cow<'_, str>>, name: &str) {
        if let Some(&at) = self.tool_calls.get(&index) {
            // A repeated start (some servers resend id/name): keep the first non-empty values.
            if let Some(ContentBlock::ToolCall(call)) = self.message.content.get_mut(at) {
                if call.id.is_none() {
                    call.id = id
                        .as_ref()
                        .filter(|id| !id.is_empty())
                        .map(|id| id.to_string());
                }
                if call.name.is_empty() {
                    call.name = name.to_owned();
                }
            }
            return;
        }
        if self.tool_calls.len() >= self.max_tool_calls {
            // Over the limit: not kept (`push` counts it when the call starts).
            return;
        }
        self.tool_calls.insert(index, self.message.content.len());
        self.message.content.push(ContentBlock::ToolCall(ToolCall {
            id: id
                .as_ref()
                .filter(|id| !id.is_empty())
                .map(|id| id.to_string()),
            name: name.to_owned(),
            arguments: String::new(),
            arguments_error: None,
            signature: None,
        }));
        self.last_open = false;
    }

    /// The open text block at the end, created if needed: (text, signature).
    fn text_block(&mut self) -> Option<(&mut String, &mut Option<String>)> {
        let reuse = self.last_open
            && matches!(self.message.content.last(), Some(ContentBlock::Text { .. }));
        if !reuse {
            self.message.content.push(ContentBlock::Text {
                text: String::new(),
                signature: None,
            });
            self.last_open = true;
        }
        match self.message.content.last_mut() {
            Some(ContentBlock::Text { text, signature }) => Some((text, signature)),
            _ => None,
        }
    }

    /// The open reasoning block at the end, created if needed: (thinking, signature).
    fn thinking_block(&mut self) -> Option<(&mut String, &mut Option<String>)> {
        let reuse = self.last_open
            && matches!(
                self.message.content.last(),
                Some(ContentBlock::Thinking {
                    redacted: false,
                    ..
                })
            );
        if !reuse {
            self.message.content.push(ContentBlock::Thinking {
                thinking: String::new(),
                signature: None,
                redacted: false,
            });
            self.last_open = true;
        }
        match self.message.content.last_mut() {
            Some(ContentBlock::Thinking {
                thinking,
                signature,
                ..
            }) => Some((thinking, signature)),
            _ => None,
        }
    }

    /// Completes the message: joins each tool call's arguments (`{}` when empty) and validates
    /// them as JSON, and turns a finish with tool calls into [`StopReason::ToolUse`].
    pub fn finish(mut self) -> AssembledMessage {
        for (&index, &at) in &self.tool_calls {
            let raw = self.arguments.remove(&index).unwrap_or_default();
            if let Some(ContentBlock::ToolCall(call)) = self.message.content.get_mut(at) {
                call.arguments = if raw.trim().is_empty() {
                    "{}".to_owned()
                } else {
                    raw
                };
                // Parsed as a `Value`, what the neutral conversation model stores: this also
                // rejects numbers beyond f64, lone surrogates and nesting past serde_json's limit,
                // which a syntax-only check would let through to fail later, at replay.
                call.arguments_error = serde_json::from_str::<serde_json::Value>(&call.arguments)
                    .err()
                    .map(|error| error.to_string());
            }
        }
        let has_tool_calls = !self.tool_calls.is_empty();
        if self.message.stop_reason == Some(StopReason::Stop) && has_tool_calls {
            self.message.stop_reason = Some(StopReason::ToolUse);
        }
        self.message
    }
}

impl MessageAssembler {
    /// Completes the message and judges the stream: `Ok` when it ended cleanly, else a
    /// [`StreamFailure`] that still carries everything received.
    ///
    /// `end` is what [`ResponseDecoder::finish`](crate::transport::ResponseDecoder::finish)
    /// returned (or the first error `feed` returned). A provider error reported inside the stream
    /// takes precedence, since it explains why the stream ended.
    ///
    /// ```
    /// use clawrouter_wire::assemble::{FailureCause, MessageAssembler};
    /// use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
    ///
    /// // Cut before `[DONE]`.
    /// let body = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
    /// let mut decoder = ResponseDecoder::new(Transport::OpenAiCompletions, Framing::Sse);
    /// let mut assembler = MessageAssembler::new();
    /// decoder.feed(body, &mut |event| assembler.push(&event)).unwrap();
    /// let end = decoder.finish(&mut |event| assembler.push(&event));
    /// let failure = assembler.finish_stream(end).unwrap_err();
    /// assert!(matches!(failure.cause, FailureCause::Decode(_)));
    /// assert_eq!(failure.partial.text(), "Hel"); // nothing received is lost
    /// ```
    pub fn finish_stream(
        self,
        end: Result<(), DecodeError>,
    ) -> Result<AssembledMessage, StreamFailure> {
        let (limit, dropped) = (self.max_tool_calls, self.dropped_tool_calls);
        let message = self.finish();
        if let Some(error) = message.error.clone() {
            return Err(StreamFailure {
                partial: Box::new(message),
                cause: FailureCause::Provider(error),
            });
        }
        if dropped > 0 {
            return Err(StreamFailure {
                partial: Box::new(message),
                cause: FailureCause::Limit {
                    what: "tool calls per message",
                    limit,
                    dropped,
                },
            });
        }
        match end {
            Ok(()) => Ok(message),
            Err(error) => Err(StreamFailure {
                partial: Box::new(message),
                cause: FailureCause::Decode(error),
            }),
        }
    }
}

/// Why a streamed response did not complete.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureCause {
    /// The provider reported an error inside the stream, after HTTP 200.
    Provider(ProviderError<'static>),
    /// The body was malformed or ended before the transport's terminal signal.
    Decode(DecodeError),
    /// The stream exceeded a limit of the assembler (see [`MAX_TOOL_CALLS_PER_MESSAGE`]); what
    /// fits within it is kept.
    Limit {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: usize,
        /// How many items beyond it were not kept.
        dropped: u64,
    },
}

/// A streamed response that failed, with everything received before the failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(.cause))]
pub struct StreamFailure {
    /// The message as assembled from what arrived (partial text, completed tool calls, usage).
    pub partial: Box<AssembledMessage>,
    /// What went wrong.
    pub cause: FailureCause,
}

fn describe(cause: &FailureCause) -> String {
    match cause {
        FailureCause::Provider(error) => match &error.code {
            Some(code) => format!(
                "the provider reported an error inside the stream ({code}): {}",
                error.message
            ),
            None => format!(
                "the provider reported an error inside the stream: {}",
                error.message
            ),
        },
        FailureCause::Decode(error) => error.to_string(),
        FailureCause::Limit {
            what,
            limit,
            dropped,
        } => {
            format!("the stream exceeded the limit of {limit} {what}: {dropped} more were not kept")
        }
    }
}
