//! `futures_core::Stream` adapters over byte-chunk streams (feature `stream`).
//!
//! These are thin: they feed each chunk of an inner stream (`reqwest::Response::bytes_stream()`,
//! a hyper body, `futures::stream::iter(…)`) into the sans-IO decoder and yield owned frames. No
//! runtime, no spawned task, no channel: back-pressure reaches the socket because nothing is read
//! until the consumer polls. [`SseStream`] yields what
//! [`SseDecoder::next_owned_event`](crate::sse::SseDecoder::next_owned_event) gives: an event of
//! 64 KiB or more takes the decoder's buffer rather than a copy of its data.
//!
//! ```
//! use clawrouter_wire::stream::SseStream;
//! use futures_util::StreamExt;
//!
//! let chunks = vec![Ok::<_, std::io::Error>(&b"data: he"[..]), Ok(&b"llo\n\n"[..])];
//! let events: Vec<_> = futures_executor::block_on(
//!     SseStream::new(futures_util::stream::iter(chunks)).collect::<Vec<_>>(),
//! );
//! assert_eq!(events.len(), 1);
//! assert_eq!(events[0].as_ref().unwrap().data, "hello");
//! ```

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::json_array::{JsonArrayError, JsonArraySplitter, OwnedJsonFrame};
use crate::sse::{OwnedSseEvent, SseDecoder, SseError};

/// An error from a decoding stream: the inner stream's own error, or a decoding error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError<E> {
    /// The inner stream failed (e.g. the connection dropped). Frames decoded before it were
    /// already yielded; the stream ends after this item.
    #[error("reading the response body failed: {0}")]
    Transport(#[source] E),
    /// The SSE decoder reported an error (an oversized event, or a truncated stream at the end).
    #[error(transparent)]
    Sse(#[from] SseError),
    /// The JSON-array splitter reported an error; the stream ends after this item.
    #[error(transparent)]
    JsonArray(#[from] JsonArrayError),
}

/// Whether the inner stream can still produce chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inner {
    Open,
    Ended,
    Failed,
}

/// Polls the inner stream for one chunk and feeds it with `feed`.
fn pull_chunk<S, B, E>(
    inner: &mut S,
    state: &mut Inner,
    cx: &mut Context<'_>,
    feed: impl FnOnce(&[u8]),
) -> Poll<Result<(), E>>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    match Pin::new(inner).poll_next(cx) {
        Poll::Ready(Some(Ok(chunk))) => {
            feed(chunk.as_ref());
            Poll::Ready(Ok(()))
        }
        Poll::Ready(Some(Err(error))) => {
            *state = Inner::Failed;
            Poll::Ready(Err(error))
        }
        Poll::Ready(None) => {
            *state = Inner::Ended;
            Poll::Ready(Ok(()))
        }
        Poll::Pending => Poll::Pending,
    }
}

/// Decodes a stream of byte chunks as `text/event-stream`.
///
/// Yields [`OwnedSseEvent`]s; at the end, [`StreamError::Sse`] with
/// [`SseError::Truncated`] if the body stopped inside an event. The inner stream must be
/// `Unpin`; wrap it in `Box::pin` if it is not.
#[derive(Debug)]
pub struct SseStream<S> {
    inner: S,
    state: Inner,
    decoder: SseDecoder,
}

impl<S> SseStream<S> {
    /// Wraps `inner` with a default [`SseDecoder`].
    pub fn new(inner: S) -> Self {
        Self::with_decoder(inner, SseDecoder::new())
    }

    /// Wraps `inner` with a configured (or pooled, [`reset`](SseDecoder::reset)) decoder.
    pub fn with_decoder(inner: S, decoder: SseDecoder) -> Self {
        Self {
            inner,
            state: Inner::Open,
            decoder,
        }
    }

    /// The decoder, e.g. to read [`SseDecoder::last_event_id`].
    pub fn decoder(&self) -> &SseDecoder {
        &self.decoder
    }

    /// Gives back the inner stream and the decoder.
    pub fn into_parts(self) -> (S, SseDecoder) {
        (self.inner, self.decoder)
    }
}

impl<S, B, E> Stream for SseStream<S>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    type Item = Result<OwnedSseEvent, StreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            // `next_owned_event`, spelled out: a short event goes straight from `into_owned` into
            // the `Poll`. Through the method's `Result` it took ~4 % more instructions per small
            // event (the ~80-byte event is moved once more).
            match this.decoder.next_event() {
                Ok(Some(event)) if !crate::sse::is_long(&event) => {
                    return Poll::Ready(Some(Ok(event.into_owned())));
                }
                Ok(Some(_)) => return Poll::Ready(Some(Ok(this.decoder.long_owned_event()))),
                Err(error) => return Poll::Ready(Some(Err(error.into()))),
                Ok(None) => {}
            }
            if this.state != Inner::Open {
                return Poll::Ready(None);
            }
            let decoder = &mut this.decoder;
            match pull_chunk(&mut this.inner, &mut this.state, cx, |chunk| {
                decoder.feed(chunk)
            }) {
                Poll::Ready(Ok(())) if this.state == Inner::Ended => this.decoder.finish(),
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(error)) => {
                    return Poll::Ready(Some(Err(StreamError::Transport(error))));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Splits a stream of byte chunks holding a streamed JSON array (Gemini's default stream).
///
/// Yields [`OwnedJsonFrame`]s; an error (malformed body, missing `]`) ends the stream.
#[derive(Debug)]
pub struct JsonArrayStream<S> {
    inner: S,
    state: Inner,
    splitter: JsonArraySplitter,
    failed: bool,
}

impl<S> JsonArrayStream<S> {
    /// Wraps `inner` with a default [`JsonArraySplitter`].
    pub fn new(inner: S) -> Self {
        Self::with_splitter(inner, JsonArraySplitter::new())
    }

    /// Wraps `inner` with a configured splitter.
    pub fn with_splitter(inner: S, splitter: JsonArraySplitter) -> Self {
        Self {
            inner,
            state: Inner::Open,
            splitter,
            failed: false,
        }
    }
}

impl<S, B, E> Stream for JsonArrayStream<S>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    type Item = Result<OwnedJsonFrame, StreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.failed {
                return Poll::Ready(None);
            }
            match this.splitter.next_frame() {
                Ok(Some(frame)) => return Poll::Ready(Some(Ok(frame.into_owned()))),
                Err(error) => {
                    this.failed = true;
                    return Poll::Ready(Some(Err(error.into())));
                }
                Ok(None) => {}
            }
            if this.state != Inner::Open {
                return Poll::Ready(None);
            }
            let splitter = &mut this.splitter;
            match pull_chunk(&mut this.inner, &mut this.state, cx, |chunk| {
                splitter.feed(chunk)
            }) {
                Poll::Ready(Ok(())) if this.state == Inner::Ended => this.splitter.finish(),
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(error)) => {
                    this.failed = true;
                    return Poll::Ready(Some(Err(StreamError::Transport(error))));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
