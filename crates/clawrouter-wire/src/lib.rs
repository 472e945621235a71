//! Sans-IO, zero-copy stream decoders for LLM gateways.
//!
//! `clawrouter-wire` turns the bytes of a streamed LLM response into frames, provider-neutral
//! events and the final message, without doing any IO, reading any clock or spawning anything. The caller pushes bytes in as they arrive and pulls
//! frames out; the decoders never panic, whatever the input, and their output does not depend on
//! how the input was split into chunks.
//!
//! | Module | What it does | Spec |
//! | --- | --- | --- |
//! | [`sse`] | `text/event-stream`, exactly per the WHATWG HTML standard | WIRE.md §1 |
//! | [`json_array`] | Gemini's default `streamGenerateContent` body: one JSON array written element by element | WIRE.md §2d, §3.4 |
//! | [`transport`] | the four transports' payloads → provider-neutral [`events::StreamEvent`]s, behind either framing ([`transport::ResponseDecoder`]) | WIRE.md §2 |
//! | [`events`] | the event model: text / reasoning deltas and signatures, tool calls, usage, finish, errors | WIRE.md §2, POLICY.md §1 |
//! | [`assemble`] | events → the final assistant message ([`assemble::MessageAssembler`]), or a typed failure that keeps what arrived | POLICY.md §1.1 |
//! | `stream` (feature `stream`) | `futures_core::Stream` adapters over byte-chunk streams | — |
//!
//! # Example: a whole response, from bytes to the assembled message
//!
//! ```
//! use clawrouter_wire::assemble::MessageAssembler;
//! use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
//!
//! let body = concat!(
//!     "event: message_start\n",
//!     "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
//!     "event: content_block_start\n",
//!     "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
//!     "event: content_block_delta\n",
//!     "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
//!     "event: message_delta\n",
//!     "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n",
//!     "event: message_stop\n",
//!     "data: {\"type\":\"message_stop\"}\n\n",
//! );
//! let mut decoder = ResponseDecoder::new(Transport::AnthropicMessages, Framing::Sse);
//! let mut assembler = MessageAssembler::new();
//! for chunk in body.as_bytes().chunks(16) {
//!     decoder.feed(chunk, &mut |event| assembler.push(&event)).unwrap();
//! }
//! let end = decoder.finish(&mut |event| assembler.push(&event));
//! let message = assembler.finish_stream(end).unwrap();
//! assert_eq!(message.text(), "Hi");
//! assert_eq!(message.finish_reason.as_deref(), Some("end_turn"));
//! assert_eq!(message.usage.and_then(|usage| usage.output), Some(2));
//! ```
//!
//! # Example: SSE
//!
//! ```
//! use clawrouter_wire::sse::{SseDecoder, SseError};
//!
//! # fn main() -> Result<(), SseError> {
//! let mut decoder = SseDecoder::new();
//! let mut texts = Vec::new();
//! // Bytes arrive in arbitrary pieces; here a CRLF is split across two reads.
//! for chunk in [&b"event: delta\r"[..], b"\ndata: Hel", b"lo\r\n\r\ndata: [DONE]\n\n"] {
//!     decoder.feed(chunk);
//!     while let Some(event) = decoder.next_event()? {
//!         texts.push(format!("{}={}", event.event, event.data)); // borrowed, no allocation
//!     }
//! }
//! decoder.finish();
//! assert!(decoder.next_event()?.is_none()); // a clean end: nothing was left unterminated
//! assert_eq!(texts, ["delta=Hello", "message=[DONE]"]);
//! # Ok(())
//! # }
//! ```
//!
//! # Example: Gemini's streamed JSON array
//!
//! ```
//! use clawrouter_wire::json_array::{JsonArraySplitter, JsonFrame};
//!
//! # fn main() -> Result<(), clawrouter_wire::json_array::JsonArrayError> {
//! let body = b"[{\n  \"text\": \"a]\"\n}\n,\r\n{\n  \"text\": \"b\"\n}\n]";
//! let mut splitter = JsonArraySplitter::new();
//! let mut elements = Vec::new();
//! for chunk in body.chunks(5) {
//!     splitter.feed(chunk);
//!     while let Some(frame) = splitter.next_frame()? {
//!         elements.push(String::from_utf8_lossy(frame.bytes()).into_owned());
//!     }
//! }
//! splitter.finish();
//! while let Some(frame) = splitter.next_frame()? {
//!     elements.push(String::from_utf8_lossy(frame.bytes()).into_owned());
//! }
//! assert_eq!(elements, ["{\n  \"text\": \"a]\"\n}", "{\n  \"text\": \"b\"\n}"]);
//! # Ok(())
//! # }
//! ```
//!
//! # Architecture invariants
//!
//! - No IO, no clock, no async runtime: bytes in, frames out.
//! - Chunk-split invariance: any split of the input yields the same frames and errors as one feed.
//! - Linear time for any chunking: every input byte is scanned once; partial lines are never
//!   re-scanned from their start.
//! - Bounded memory: a configurable maximum event / element size turns runaway input into a typed
//!   error, never an OOM.
//! - No panics on any input; no `unsafe`.

#![forbid(unsafe_code)]

pub mod assemble;
pub mod events;
pub mod json_array;
pub mod sse;
#[cfg(feature = "stream")]
pub mod stream;
mod swar;
pub mod transport;

/// Default upper bound on the size of one SSE event or one JSON-array element: 16 MiB.
///
/// Real LLM events are far smaller (the largest seen in captures is an OpenAI Responses
/// `response.completed` of a few hundred KiB); the cap only exists so that a runaway or hostile
/// stream becomes a typed error instead of exhausting memory.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 16 * 1024 * 1024;
