//! Per-transport decoding: frames in, [`StreamEvent`]s out (WIRE.md §2).
//!
//! [`ResponseDecoder`] is the whole pipeline for one streamed response body: the framing layer
//! ([`crate::sse`] or [`crate::json_array`]) followed by the transport's [`TransportDecoder`].
//! Feed it bytes; it calls your sink with each event, borrowing from the frame.
//!
//! ```
//! use clawrouter_wire::assemble::MessageAssembler;
//! use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
//!
//! let body = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n\
//!              data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
//!              data: [DONE]\n\n";
//! let mut decoder = ResponseDecoder::new(Transport::OpenAiCompletions, Framing::Sse);
//! let mut assembler = MessageAssembler::new();
//! for chunk in body.chunks(7) {
//!     decoder.feed(chunk, &mut |event| assembler.push(&event)).unwrap();
//! }
//! decoder.finish(&mut |event| assembler.push(&event)).unwrap();
//! assert_eq!(assembler.finish().text(), "Hi");
//! ```

use std::fmt;
use std::str::FromStr;

use crate::events::StreamEvent;
use crate::json_array::{JsonArrayError, JsonArraySplitter, JsonFrame};
use crate::sse::{SseConfig, SseDecoder, SseError};

/// How much of the unframed lines after Gemini's last SSE event is kept for the error check.
const UNFRAMED_ERROR_LIMIT: usize = 64 * 1024;

pub mod anthropic;
pub mod google;
mod json;
pub mod openai_completions;
pub mod openai_responses;

pub use anthropic::AnthropicMessagesDecoder;
pub use google::GoogleGenerativeAiDecoder;
pub use openai_completions::OpenAiCompletionsDecoder;
pub use openai_responses::OpenAiResponsesDecoder;

/// The four streaming dialects a ClawRouter model can speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// OpenAI Chat Completions and compatible servers (`openai-completions`).
    OpenAiCompletions,
    /// The OpenAI Responses API (`openai-responses`).
    OpenAiResponses,
    /// Anthropic Messages (`anthropic-messages`).
    AnthropicMessages,
    /// Google Gemini `streamGenerateContent` (`google-generative-ai`).
    GoogleGenerativeAi,
}

impl Transport {
    /// All transports, in a stable order.
    pub const ALL: [Transport; 4] = [
        Transport::OpenAiCompletions,
        Transport::OpenAiResponses,
        Transport::AnthropicMessages,
        Transport::GoogleGenerativeAi,
    ];

    /// The transport's name as the catalog and the CLI spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::OpenAiCompletions => "openai-completions",
            Transport::OpenAiResponses => "openai-responses",
            Transport::AnthropicMessages => "anthropic-messages",
            Transport::GoogleGenerativeAi => "google-generative-ai",
        }
    }

    /// A fresh decoder for this transport.
    pub fn decoder(self) -> Box<dyn TransportDecoder + Send> {
        match self {
            Transport::OpenAiCompletions => Box::new(OpenAiCompletionsDecoder::new()),
            Transport::OpenAiResponses => Box::new(OpenAiResponsesDecoder::new()),
            Transport::AnthropicMessages => Box::new(AnthropicMessagesDecoder::new()),
            Transport::GoogleGenerativeAi => Box::new(GoogleGenerativeAiDecoder::new()),
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transport name that is not one of the four.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown transport {0:?}: expected openai-completions, openai-responses, anthropic-messages or google-generative-ai"
)]
pub struct UnknownTransport(pub String);

impl FromStr for Transport {
    type Err = UnknownTransport;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Transport::ALL
            .into_iter()
            .find(|transport| transport.as_str() == name)
            .ok_or_else(|| UnknownTransport(name.to_owned()))
    }
}

/// How the response body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Framing {
    /// `text/event-stream`.
    Sse,
    /// Gemini's default stream: one JSON array written element by element.
    JsonArray,
}

/// One frame as a transport decoder sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The SSE event type (`message` when the block had none; always `message` for JSON-array
    /// elements).
    pub event: &'a str,
    /// The payload: the SSE data, or the JSON-array element.
    pub data: &'a str,
}

/// Decodes the frames of one transport into [`StreamEvent`]s.
///
/// Implementations are sans-IO state machines: they never fail (a frame they cannot interpret
/// becomes [`StreamEvent::Unrecognized`]) and never panic.
pub trait TransportDecoder {
    /// Decodes one frame, handing each resulting event to `sink` in order.
    fn decode_frame(&mut self, frame: Frame<'_>, sink: &mut dyn FnMut(StreamEvent<'_>));

    /// Whether the transport's terminal signal has been seen (`[DONE]`, `response.completed`,
    /// `message_stop`, Gemini's `finishReason` …), after which EOF is a clean end.
    fn is_complete(&self) -> bool;

    /// What the terminal signal looks like, for the truncation error (`data: [DONE]`).
    fn terminal_signal(&self) -> &'static str;
}

/// Why a response body could not be decoded to its end.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The SSE layer failed (an oversized event, or EOF inside an event).
    #[error(transparent)]
    Sse(#[from] SseError),
    /// The JSON-array layer failed (malformed or truncated array).
    #[error(transparent)]
    JsonArray(#[from] JsonArrayError),
    /// The body ended before the transport's terminal signal.
    #[error("{transport} stream ended before {expected}: the response is incomplete")]
    Truncated {
        /// The transport being decoded.
        transport: Transport,
        /// The terminal signal that never came.
        expected: &'static str,
    },
}

/// The framing layer in use.
// One per response, never moved on the per-event path: boxing the (larger, since it holds its
// own memchr searcher) SSE decoder would only add an allocation per response.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Framer {
    Sse(SseDecoder),
    JsonArray(JsonArraySplitter),
}

/// Framing plus transport decoding for one response body. See the [module docs](self).
pub struct ResponseDecoder {
    transport: Transport,
    framer: Framer,
    decoder: Box<dyn TransportDecoder + Send>,
}

impl fmt::Debug for ResponseDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseDecoder")
            .field("transport", &self.transport)
            .field("framer", &self.framer)
            .field("complete", &self.decoder.is_complete())
            .finish_non_exhaustive()
    }
}

impl ResponseDecoder {
    /// A decoder for `transport` over `framing`.
    pub fn new(transport: Transport, framing: Framing) -> Self {
        let framer = match framing {
            // Gemini may end a stream with an error written as raw JSON lines, outside SSE
            // framing (WIRE.md §2d): keep what the SSE layer ignores, bounded, to parse at EOF.
            Framing::Sse if transport == Transport::GoogleGenerativeAi => {
                Framer::Sse(SseDecoder::with_config(SseConfig {
                    keep_ignored_lines: UNFRAMED_ERROR_LIMIT,
                    ..SseConfig::default()
                }))
            }
            Framing::Sse => Framer::Sse(SseDecoder::new()),
            Framing::JsonArray => Framer::JsonArray(JsonArraySplitter::new()),
        };
        Self {
            transport,
            framer,
            decoder: transport.decoder(),
        }
    }

    /// The transport being decoded.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// Whether the transport's terminal signal has been seen.
    pub fn is_complete(&self) -> bool {
        self.decoder.is_complete()
    }

    /// Feeds the next piece of the body and decodes every frame it completes.
    ///
    /// An SSE error (an oversized event) is returned after the frames before it were decoded;
    /// decoding may continue with the next `feed`. A JSON-array error is final.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        sink: &mut dyn FnMut(StreamEvent<'_>),
    ) -> Result<(), DecodeError> {
        match &mut self.framer {
            Framer::Sse(sse) => {
                sse.feed(chunk);
                drain_sse(sse, self.decoder.as_mut(), sink)
            }
            Framer::JsonArray(splitter) => {
                splitter.feed(chunk);
                drain_json_array(splitter, self.decoder.as_mut(), sink)
            }
        }
    }

    /// Declares the end of the body: decodes what is left, then reports a framing truncation or
    /// a missing terminal signal as [`DecodeError`].
    pub fn finish(&mut self, sink: &mut dyn FnMut(StreamEvent<'_>)) -> Result<(), DecodeError> {
        match &mut self.framer {
            Framer::Sse(sse) => {
                sse.finish();
                let drained = drain_sse(sse, self.decoder.as_mut(), sink);
                let unframed = sse.ignored_lines();
                let mut explained = false;
                if !self.decoder.is_complete() && !unframed.is_empty() {
                    // Lines outside SSE framing after the last event: Gemini's unframed error.
                    // When they hold one, it explains the end of the stream (the SSE layer saw
                    // them as an unterminated block, which is then not reported).
                    let text = String::from_utf8_lossy(unframed);
                    self.decoder.decode_frame(
                        Frame {
                            event: "message",
                            data: &text,
                        },
                        sink,
                    );
                    explained = self.decoder.is_complete();
                }
                if !explained {
                    drained?;
                }
            }
            Framer::JsonArray(splitter) => {
                splitter.finish();
                drain_json_array(splitter, self.decoder.as_mut(), sink)?;
            }
        }
        // For the JSON array the closing `]` is the terminal signal; the decoder's own
        // (Gemini's `finishReason`) only matters for SSE.
        let framed_end = matches!(&self.framer, Framer::JsonArray(splitter) if splitter.is_done());
        if framed_end || self.decoder.is_complete() {
            Ok(())
        } else {
            Err(DecodeError::Truncated {
                transport: self.transport,
                expected: self.decoder.terminal_signal(),
            })
        }
    }
}

fn drain_sse(
    sse: &mut SseDecoder,
    decoder: &mut (dyn TransportDecoder + Send),
    sink: &mut dyn FnMut(StreamEvent<'_>),
) -> Result<(), DecodeError> {
    while let Some(event) = sse.next_event()? {
        decoder.decode_frame(
            Frame {
                event: event.event,
                data: event.data,
            },
            sink,
        );
    }
    Ok(())
}

fn drain_json_array(
    splitter: &mut JsonArraySplitter,
    decoder: &mut (dyn TransportDecoder + Send),
    sink: &mut dyn FnMut(StreamEvent<'_>),
) -> Result<(), DecodeError> {
    while let Some(frame) = splitter.next_frame()? {
        let bytes = match frame {
            JsonFrame::Element(bytes) | JsonFrame::Object(bytes) => bytes,
        };
        // serde_json would reject invalid UTF-8 anyway; replacing keeps the frame visible.
        let data = String::from_utf8_lossy(bytes);
        decoder.decode_frame(
            Frame {
                event: "message",
                data: &data,
            },
            sink,
        );
    }
    Ok(())
}
