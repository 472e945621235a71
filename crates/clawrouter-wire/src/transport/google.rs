//! Google Gemini `streamGenerateContent` (`google-generative-ai`) stream decoder (WIRE.md §2d):
//! see [`GoogleGenerativeAiDecoder`].

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess};
use serde_json::value::RawValue;

use super::json::{
    self, FillFromObject, FirstIndexZero, Indexed, NameOrNumber, OptStr, borrowed_opt_str,
    is_blank, opt_text, unrecognized,
};
use super::{Frame, TransportDecoder};
use crate::events::{ProviderError, StopReason, StreamEvent, Usage};

/// The kind of the block the last text part went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenBlock {
    /// No text or thought block is open (start, or after a function call).
    None,
    /// A text block; whether it already has a signature.
    Text { signed: bool },
    /// A thought block; whether it already has a signature.
    Thought { signed: bool },
}

/// Google Gemini `streamGenerateContent` (`google-generative-ai`) stream decoder (WIRE.md §2d).
///
/// The same decoder serves both framings: each `?alt=sse` data event, and each element of the
/// default streamed JSON array (or the bare-object error body), is one `GenerateContentResponse`
/// chunk. Chunks are deserialized with serde into borrowed structs; text without escapes and
/// `functionCall.args` (kept as [`RawValue`], byte-exact) borrow from the frame.
///
/// | Chunk content | Events |
/// | --- | --- |
/// | `responseId` / `modelVersion` | one [`MessageStart`](StreamEvent::MessageStart), at the first chunk that has either |
/// | `error{code, message, status}` | [`Error`](StreamEvent::Error) (code = `status`, else `code` as text); the stream is complete |
/// | `promptFeedback.blockReason` | [`Error`](StreamEvent::Error) (code = the reason, message `prompt blocked: <reason>`) and [`Finish`](StreamEvent::Finish) with [`StopReason::Error`]; the stream is complete |
/// | part with `text` and `thought: true` | [`ReasoningDelta`](StreamEvent::ReasoningDelta); its `thoughtSignature` → [`ReasoningSignature`](StreamEvent::ReasoningSignature) |
/// | part with `text` otherwise | [`TextDelta`](StreamEvent::TextDelta); its `thoughtSignature` → [`TextSignature`](StreamEvent::TextSignature) (an empty text part carrying only a signature keeps it) |
/// | part with `functionCall{name, args, id?}` | [`ToolCallStart`](StreamEvent::ToolCallStart) (index = the running count of calls in this message) and [`ToolCallEnd`](StreamEvent::ToolCallEnd) with `args` exactly as received (`{}` when missing) and the part's `thoughtSignature` |
/// | `executableCode`, `codeExecutionResult`, `inlineData`, `fileData` parts | nothing: the neutral message has no place for them (a signature on them is dropped too) |
/// | `finishReason` | [`Finish`](StreamEvent::Finish); the stream is complete |
/// | `usageMetadata` | [`Usage`](StreamEvent::Usage) (every chunk; later values replace earlier ones) |
///
/// Details:
///
/// - Only the first candidate is used (the first one whose `index` is 0 or missing, which is
///   `candidates[0]` in every real stream); other candidates are parsed over and dropped.
/// - A [`BlockEnd`](StreamEvent::BlockEnd) is emitted when the parts switch between thought and
///   text, and before a signed part when the open block of its kind already has a signature, so
///   signatures never run together. Consecutive text parts otherwise extend one block, and a
///   signature on a trailing empty text part attaches to the text before it.
/// - Finish reasons: `STOP` → [`StopReason::Stop`], `MAX_TOKENS` → [`StopReason::Length`],
///   everything else (`SAFETY`, `RECITATION`, `MALFORMED_FUNCTION_CALL`, unknown …) →
///   [`StopReason::Error`]. `finishMessage` is ignored.
/// - Enums as integers (`enum-encoding=int`) are accepted: finish reason `1` is reported as raw
///   `STOP`, `2` as `MAX_TOKENS`, any other number as its digits with [`StopReason::Error`]; a
///   numeric `blockReason` or error `status` becomes its digits.
/// - Usage: `input = promptTokenCount − cachedContentTokenCount`, `cache_read =
///   cachedContentTokenCount`, `output = candidatesTokenCount + thoughtsTokenCount`, `reasoning =
///   thoughtsTokenCount`, `total = totalTokenCount`; fields the chunk lacks stay `None`.
/// - A payload that is not a JSON object of this shape becomes
///   [`Unrecognized`](StreamEvent::Unrecognized); blank payloads are skipped.
#[derive(Debug)]
pub struct GoogleGenerativeAiDecoder {
    /// Whether [`StreamEvent::MessageStart`] was sent.
    started: bool,
    open: OpenBlock,
    /// Function calls so far (the next call's index).
    tool_calls: u64,
    /// Whether a `finishReason` (or an error, or a blocked prompt) has been seen.
    complete: bool,
}

impl Default for GoogleGenerativeAiDecoder {
    fn default() -> Self {
        Self {
            started: false,
            open: OpenBlock::None,
            tool_calls: 0,
            complete: false,
        }
    }
}

impl GoogleGenerativeAiDecoder {
    /// A fresh decoder.
    pub fn new() -> Self {
        Self::default()
    }

    fn decode_part(&mut self, part: WirePart<'_>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        if let Some(call) = part.function_call {
            let index = self.tool_calls;
            self.tool_calls = self.tool_calls.saturating_add(1);
            // The assembler closes any open block when a tool call starts.
            self.open = OpenBlock::None;
            sink(StreamEvent::ToolCallStart {
                index,
                id: call.id,
                name: call.name.unwrap_or(Cow::Borrowed("")),
            });
            sink(StreamEvent::ToolCallEnd {
                index,
                arguments: Some(Cow::Borrowed(call.args.map_or("{}", RawValue::get))),
                signature: non_empty(part.thought_signature),
            });
            return;
        }
        let other_data = part.executable_code.is_some()
            || part.code_execution_result.is_some()
            || part.inline_data.is_some()
            || part.file_data.is_some();
        if other_data && part.text.is_none() {
            return;
        }
        let thought = part.thought == Some(true);
        let text = non_empty(part.text);
        let signature = non_empty(part.thought_signature);
        if text.is_none() && signature.is_none() {
            return;
        }
        // Close the open block when switching kinds, or when a second signature would run into
        // the first.
        let mut signed = match (self.open, thought) {
            (OpenBlock::Text { signed }, false) | (OpenBlock::Thought { signed }, true) => {
                if signed && signature.is_some() {
                    sink(StreamEvent::BlockEnd);
                    false
                } else {
                    signed
                }
            }
            (OpenBlock::Text { .. }, true) | (OpenBlock::Thought { .. }, false) => {
                sink(StreamEvent::BlockEnd);
                false
            }
            (OpenBlock::None, _) => false,
        };
        if let Some(text) = text {
            sink(if thought {
                StreamEvent::ReasoningDelta { text }
            } else {
                StreamEvent::TextDelta { text }
            });
        }
        if let Some(signature) = signature {
            signed = true;
            sink(if thought {
                StreamEvent::ReasoningSignature { signature }
            } else {
                StreamEvent::TextSignature { signature }
            });
        }
        self.open = if thought {
            OpenBlock::Thought { signed }
        } else {
            OpenBlock::Text { signed }
        };
    }
}

impl TransportDecoder for GoogleGenerativeAiDecoder {
    fn decode_frame(&mut self, frame: Frame<'_>, sink: &mut dyn FnMut(StreamEvent<'_>)) {
        let data = frame.data;
        if is_blank(data) {
            return;
        }
        let mut chunk = WireChunk::default();
        if let Err(error) = json::fill_from_str(data, &mut chunk) {
            sink(unrecognized(&error, data));
            return;
        }
        if !self.started && (chunk.response_id.is_some() || chunk.model_version.is_some()) {
            self.started = true;
            sink(StreamEvent::MessageStart {
                id: chunk.response_id.take(),
                model: chunk.model_version.take(),
            });
        }
        if let Some(error) = chunk.error.take() {
            self.complete = true;
            let code = error.status.or(error.code).map(NameOrNumber::into_text);
            let message = error
                .message
                .or_else(|| code.clone())
                .unwrap_or(Cow::Borrowed("error object without a message"));
            sink(StreamEvent::Error(ProviderError {
                code,
                message,
                raw: Cow::Borrowed(data),
            }));
        }
        if let Some(reason) = chunk
            .prompt_feedback
            .take()
            .and_then(|feedback| feedback.block_reason)
        {
            self.complete = true;
            let reason = reason.into_text();
            sink(StreamEvent::Error(ProviderError {
                message: Cow::Owned(format!("prompt blocked: {reason}")),
                code: Some(reason.clone()),
                raw: Cow::Borrowed(data),
            }));
            sink(StreamEvent::Finish {
                reason: StopReason::Error,
                raw: Some(reason),
            });
        }
        if let Some(candidate) = &mut chunk.candidate {
            if let Some(parts) = candidate.content.take().and_then(|content| content.parts) {
                for part in parts {
                    self.decode_part(part, sink);
                }
            }
            if let Some(finish) = candidate.finish_reason.take() {
                self.complete = true;
                let (reason, raw) = finish_reason(finish);
                sink(StreamEvent::Finish {
                    reason,
                    raw: Some(raw),
                });
            }
        }
        if let Some(usage) = chunk.usage_metadata.take() {
            sink(StreamEvent::Usage(usage.into_usage()));
        }
    }

    fn is_complete(&self) -> bool {
        self.complete
    }

    fn terminal_signal(&self) -> &'static str {
        "a chunk with finishReason"
    }
}

/// Normalizes `finishReason`, by name or by number.
fn finish_reason(value: NameOrNumber<'_>) -> (StopReason, Cow<'_, str>) {
    match value {
        NameOrNumber::Name(name) => {
            let reason = match name.as_ref() {
                "STOP" => StopReason::Stop,
                "MAX_TOKENS" => StopReason::Length,
                _ => StopReason::Error,
            };
            (reason, name)
        }
        NameOrNumber::Number(1) => (StopReason::Stop, Cow::Borrowed("STOP")),
        NameOrNumber::Number(2) => (StopReason::Length, Cow::Borrowed("MAX_TOKENS")),
        NameOrNumber::Number(number) => (StopReason::Error, Cow::Owned(number.to_string())),
    }
}

fn non_empty(value: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    value.filter(|value| !value.is_empty())
}

/// One `GenerateContentResponse` (or an error object); unknown fields are skipped. Filled in
/// place (see [`json::FillFromObject`]) rather than built and moved up by derive.
#[derive(Default)]
struct WireChunk<'a> {
    /// The candidate the decoder follows: the first whose `index` is 0 or missing.
    candidate: Option<WireCandidate<'a>>,
    usage_metadata: Option<WireUsage>,
    prompt_feedback: Option<WirePromptFeedback<'a>>,
    model_version: Option<Cow<'a, str>>,
    response_id: Option<Cow<'a, str>>,
    error: Option<WireError<'a>>,
}

impl<'de> FillFromObject<'de> for WireChunk<'de> {
    fn member<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "candidates" => map.next_value_seed(FirstIndexZero(&mut self.candidate))?,
            "usageMetadata" => self.usage_metadata = map.next_value()?,
            "promptFeedback" => self.prompt_feedback = map.next_value()?,
            "modelVersion" => self.model_version = map.next_value::<OptStr<'de>>()?.0,
            "responseId" => self.response_id = map.next_value::<OptStr<'de>>()?.0,
            "error" => self.error = map.next_value()?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct WireCandidate<'a> {
    content: Option<WireContent<'a>>,
    finish_reason: Option<NameOrNumber<'a>>,
    index: Option<u64>,
}

impl Indexed for WireCandidate<'_> {
    fn index(&self) -> Option<u64> {
        self.index
    }
}

impl<'de> FillFromObject<'de> for WireCandidate<'de> {
    fn member<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "content" => self.content = map.next_value()?,
            "finishReason" => self.finish_reason = map.next_value()?,
            "index" => self.index = map.next_value()?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct WireContent<'a> {
    #[serde(borrow)]
    parts: Option<Vec<WirePart<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePart<'a> {
    #[serde(borrow, default, deserialize_with = "opt_text")]
    text: Option<Cow<'a, str>>,
    thought: Option<bool>,
    #[serde(borrow, default, deserialize_with = "borrowed_opt_str")]
    thought_signature: Option<Cow<'a, str>>,
    #[serde(borrow)]
    function_call: Option<WireFunctionCall<'a>>,
    executable_code: Option<IgnoredAny>,
    code_execution_result: Option<IgnoredAny>,
    inline_data: Option<IgnoredAny>,
    file_data: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct WireFunctionCall<'a> {
    #[serde(borrow, default, deserialize_with = "borrowed_opt_str")]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    args: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "borrowed_opt_str")]
    id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePromptFeedback<'a> {
    #[serde(borrow)]
    block_reason: Option<NameOrNumber<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUsage {
    prompt_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    thoughts_token_count: Option<u64>,
    cached_content_token_count: Option<u64>,
    total_token_count: Option<u64>,
}

impl WireUsage {
    /// Gemini counts cached tokens inside `promptTokenCount` and reasoning outside
    /// `candidatesTokenCount`; the neutral model wants the reverse of both.
    fn into_usage(self) -> Usage {
        let cached = self.cached_content_token_count;
        let output = match (self.candidates_token_count, self.thoughts_token_count) {
            (None, None) => None,
            (candidates, thoughts) => Some(
                candidates
                    .unwrap_or(0)
                    .saturating_add(thoughts.unwrap_or(0)),
            ),
        };
        Usage {
            input: self
                .prompt_token_count
                .map(|prompt| prompt.saturating_sub(cached.unwrap_or(0))),
            output,
            cache_read: cached,
            cache_write: None,
            reasoning: self.thoughts_token_count,
            total: self.total_token_count,
        }
    }
}

#[derive(Deserialize)]
struct WireError<'a> {
    #[serde(borrow)]
    code: Option<NameOrNumber<'a>>,
    #[serde(borrow, default, deserialize_with = "borrowed_opt_str")]
    message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<NameOrNumber<'a>>,
}
