//! The provider-neutral stream events every transport decodes into (WIRE.md §2).
//!
//! Four wire dialects (`openai-completions`, `openai-responses`, `anthropic-messages`,
//! `google-generative-ai`) say the same few things in different words. A transport decoder
//! ([`crate::transport`]) turns each frame into zero or more [`StreamEvent`]s, in stream order;
//! [`crate::assemble::MessageAssembler`] folds them into the final message.
//!
//! # The model
//!
//! | Event | Meaning |
//! | --- | --- |
//! | [`MessageStart`](StreamEvent::MessageStart) | the response id and model, when the transport says them |
//! | [`TextDelta`](StreamEvent::TextDelta) | a piece of visible output text |
//! | [`TextSignature`](StreamEvent::TextSignature) | opaque provider state attached to the current text block (Gemini `thoughtSignature` on a text part; the Responses message id) |
//! | [`ReasoningDelta`](StreamEvent::ReasoningDelta) | a piece of reasoning / thinking / reasoning-summary text |
//! | [`ReasoningSignature`](StreamEvent::ReasoningSignature) | a piece of the current reasoning block's signature (Anthropic `signature_delta`, Gemini `thoughtSignature`, the Responses reasoning item with its `encrypted_content`); pieces concatenate |
//! | [`RedactedReasoning`](StreamEvent::RedactedReasoning) | a whole redacted reasoning block (Anthropic `redacted_thinking.data`) |
//! | [`BlockEnd`](StreamEvent::BlockEnd) | the current text or reasoning block is complete: the next delta starts a new block |
//! | [`ToolCallStart`](StreamEvent::ToolCallStart) | a tool call begins: its index in this message, id (if sent) and name |
//! | [`ToolCallArguments`](StreamEvent::ToolCallArguments) | a fragment of a tool call's JSON arguments; fragments concatenate and may split the JSON anywhere |
//! | [`ToolCallEnd`](StreamEvent::ToolCallEnd) | a tool call is complete; carries the complete arguments when the transport repeats them (they then replace the fragments) and any signature |
//! | [`Usage`](StreamEvent::Usage) | token counts reported so far (a cumulative snapshot: later values replace earlier ones field by field) |
//! | [`Finish`](StreamEvent::Finish) | the provider's raw finish reason and its normalized [`StopReason`] |
//! | [`Error`](StreamEvent::Error) | the provider reported an error inside the stream (after HTTP 200) |
//! | [`KeepAlive`](StreamEvent::KeepAlive) | a ping or keep-alive; nothing to assemble |
//! | [`Unrecognized`](StreamEvent::Unrecognized) | a frame the decoder could not interpret (not JSON, wrong shape); kept so nothing is silently lost |
//!
//! Strings are [`Cow`]: they borrow from the frame when the JSON string has no escapes, so a
//! plain text delta costs no allocation.
//!
//! # Usage semantics
//!
//! [`Usage`] follows the neutral conversation model (POLICY.md §1.1): `input` counts input tokens
//! that were *not* read from a cache, `cache_read` and `cache_write` count cache traffic,
//! `output` includes reasoning tokens, and `reasoning` repeats the reasoning share when the
//! transport reports it. Providers that fold cached tokens into their input count (OpenAI,
//! Gemini) are converted accordingly.

use std::borrow::Cow;

use serde::Serialize;

/// Why the model stopped, normalized to the neutral conversation model's `stopReason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StopReason {
    /// The model finished its turn (or hit a stop sequence).
    Stop,
    /// The output was cut by a token limit.
    Length,
    /// The model is waiting for tool results.
    ToolUse,
    /// The provider refused, filtered or failed the response.
    Error,
    /// The response was aborted before it finished.
    Aborted,
}

/// Token counts, as far as the transport reports them. See the [module docs](self) for the
/// meaning of each field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Input tokens not read from a cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<u64>,
    /// Output tokens, reasoning included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<u64>,
    /// Input tokens read from a prompt cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<u64>,
    /// Input tokens written to a prompt cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_write: Option<u64>,
    /// The reasoning share of `output`, when reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<u64>,
    /// Total tokens as reported by the provider, when reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

impl Usage {
    /// Overlays `newer` on `self`: every field `newer` reports replaces the old value.
    pub fn merge(&mut self, newer: &Usage) {
        let fields = [
            (&mut self.input, newer.input),
            (&mut self.output, newer.output),
            (&mut self.cache_read, newer.cache_read),
            (&mut self.cache_write, newer.cache_write),
            (&mut self.reasoning, newer.reasoning),
            (&mut self.total, newer.total),
        ];
        for (field, value) in fields {
            if value.is_some() {
                *field = value;
            }
        }
    }

    /// `input + output + cache_read + cache_write`, the neutral model's `totalTokens`.
    pub fn total_tokens(&self) -> u64 {
        [self.input, self.output, self.cache_read, self.cache_write]
            .into_iter()
            .flatten()
            .fold(0u64, u64::saturating_add)
    }
}

/// An error the provider reported inside a stream that had started with HTTP 200.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProviderError<'a> {
    /// The provider's error code or type (`overloaded_error`, `insufficient_quota`,
    /// `RESOURCE_EXHAUSTED`, a numeric code as text …), when it sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Cow<'a, str>>,
    /// The human-readable message (or, lacking one, a description of what was received).
    pub message: Cow<'a, str>,
    /// The raw frame payload, exactly as received.
    pub raw: Cow<'a, str>,
}

impl ProviderError<'_> {
    /// Copies the error out of the frame.
    pub fn into_owned(self) -> ProviderError<'static> {
        ProviderError {
            code: self.code.map(|code| Cow::Owned(code.into_owned())),
            message: Cow::Owned(self.message.into_owned()),
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }
}

/// One provider-neutral stream event. See the [module docs](self) for the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamEvent<'a> {
    /// The response's id and model, as far as the transport reports them.
    MessageStart {
        /// Provider response id (`chatcmpl-…`, `resp_…`, `msg_…`, Gemini `responseId`).
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<Cow<'a, str>>,
        /// The model that answered, as the provider names it.
        #[serde(skip_serializing_if = "Option::is_none")]
        model: Option<Cow<'a, str>>,
    },
    /// A piece of visible output text.
    TextDelta {
        /// The text fragment.
        text: Cow<'a, str>,
    },
    /// Opaque provider state for the current text block.
    TextSignature {
        /// The signature, byte-exact.
        signature: Cow<'a, str>,
    },
    /// A piece of reasoning text.
    ReasoningDelta {
        /// The reasoning fragment.
        text: Cow<'a, str>,
    },
    /// A piece of the current reasoning block's signature; pieces concatenate.
    ReasoningSignature {
        /// The signature fragment, byte-exact.
        signature: Cow<'a, str>,
    },
    /// A whole redacted reasoning block.
    RedactedReasoning {
        /// The opaque redacted payload, byte-exact.
        data: Cow<'a, str>,
    },
    /// The current text or reasoning block is complete.
    BlockEnd,
    /// A tool call begins.
    ToolCallStart {
        /// Position of the call among this message's tool calls as the transport numbers them
        /// (the key that later fragments refer to).
        index: u64,
        /// The call id, when the transport sends one.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<Cow<'a, str>>,
        /// The tool name.
        name: Cow<'a, str>,
    },
    /// A fragment of a tool call's JSON arguments.
    ToolCallArguments {
        /// The call this fragment belongs to.
        index: u64,
        /// The fragment; concatenate in order.
        fragment: Cow<'a, str>,
    },
    /// A tool call is complete.
    ToolCallEnd {
        /// The call that ended.
        index: u64,
        /// The complete JSON arguments when the transport repeats them; they replace the
        /// concatenated fragments.
        #[serde(skip_serializing_if = "Option::is_none")]
        arguments: Option<Cow<'a, str>>,
        /// Opaque provider state for the call (Gemini `thoughtSignature`).
        #[serde(skip_serializing_if = "Option::is_none")]
        signature: Option<Cow<'a, str>>,
    },
    /// Token counts reported so far.
    Usage(Usage),
    /// The provider's finish reason.
    Finish {
        /// Normalized reason.
        reason: StopReason,
        /// The provider's raw value (`stop`, `tool_calls`, `end_turn`, `STOP`, `completed` …).
        #[serde(skip_serializing_if = "Option::is_none")]
        raw: Option<Cow<'a, str>>,
    },
    /// The provider reported an error after HTTP 200.
    Error(ProviderError<'a>),
    /// A ping or keep-alive.
    KeepAlive,
    /// A frame the decoder could not interpret.
    Unrecognized {
        /// Why it was not understood.
        reason: Cow<'static, str>,
        /// The raw frame payload.
        raw: Cow<'a, str>,
    },
}

/// Copies a borrowed string out of the frame.
fn own(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

impl StreamEvent<'_> {
    /// Copies the event out of the frame it borrows from, so it can outlive the decoder's
    /// buffer (an async stream hands events to its consumer after the next read).
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use clawrouter_wire::events::StreamEvent;
    ///
    /// let data = String::from("Hi");
    /// let borrowed = StreamEvent::TextDelta { text: Cow::Borrowed(&data) };
    /// let owned: StreamEvent<'static> = borrowed.clone().into_owned();
    /// drop(data);
    /// assert_eq!(owned, StreamEvent::TextDelta { text: Cow::Owned("Hi".to_owned()) });
    /// ```
    pub fn into_owned(self) -> StreamEvent<'static> {
        match self {
            StreamEvent::MessageStart { id, model } => StreamEvent::MessageStart {
                id: id.map(own),
                model: model.map(own),
            },
            StreamEvent::TextDelta { text } => StreamEvent::TextDelta { text: own(text) },
            StreamEvent::TextSignature { signature } => StreamEvent::TextSignature {
                signature: own(signature),
            },
            StreamEvent::ReasoningDelta { text } => StreamEvent::ReasoningDelta { text: own(text) },
            StreamEvent::ReasoningSignature { signature } => StreamEvent::ReasoningSignature {
                signature: own(signature),
            },
            StreamEvent::RedactedReasoning { data } => {
                StreamEvent::RedactedReasoning { data: own(data) }
            }
            StreamEvent::BlockEnd => StreamEvent::BlockEnd,
            StreamEvent::ToolCallStart { index, id, name } => StreamEvent::ToolCallStart {
                index,
                id: id.map(own),
                name: own(name),
            },
            StreamEvent::ToolCallArguments { index, fragment } => StreamEvent::ToolCallArguments {
                index,
                fragment: own(fragment),
            },
            StreamEvent::ToolCallEnd {
                index,
                arguments,
                signature,
            } => StreamEvent::ToolCallEnd {
                index,
                arguments: arguments.map(own),
                signature: signature.map(own),
            },
            StreamEvent::Usage(usage) => StreamEvent::Usage(usage),
            StreamEvent::Finish { reason, raw } => StreamEvent::Finish {
                reason,
                raw: raw.map(own),
            },
            StreamEvent::Error(error) => StreamEvent::Error(error.into_owned()),
            StreamEvent::KeepAlive => StreamEvent::KeepAlive,
            StreamEvent::Unrecognized { reason, raw } => StreamEvent::Unrecognized {
                reason,
                raw: own(raw),
            },
        }
    }
}
