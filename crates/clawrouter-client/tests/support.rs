//! Shared helpers: a client configured for a local server, the recorded wire fixtures, and a raw
//! loopback HTTP/1.1 server whose every byte and pause is scripted.

use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clawrouter_catalog::BaseUrl;
use clawrouter_client::{Client, ClientBuilder, RetryConfig};
use clawrouter_wire::assemble::AssembledMessage;
use clawrouter_wire::transport::{Framing, Transport};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// The key every test client uses; tests search outputs for it.
pub const TEST_KEY: &str = "clawrouter-test-kid1-CANARY-s3cr3t-value";

/// Quick retries and short timeouts, so failure tests take milliseconds.
pub fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(BaseUrl::new(Some(base)))
        .api_key(TEST_KEY.into())
        .retry(RetryConfig {
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..RetryConfig::default()
        })
        .first_byte_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(5))
}

pub fn client(base: &str) -> Client {
    builder(base).build().unwrap()
}

/// `fixtures/` at the workspace root.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// One recorded stream of `fixtures/wire/`.
pub struct WireCase {
    pub name: String,
    pub transport: Transport,
    pub framing: Framing,
    pub body: Vec<u8>,
    /// `expected_message.json`.
    pub expected: Value,
    /// `fixtures/events/<name>.jsonl`: the golden event lines.
    pub events: Vec<String>,
}

/// Every case of `fixtures/wire/` (all 24), sorted by name.
pub fn wire_cases() -> Vec<WireCase> {
    let dir = fixtures_dir().join("wire");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| dir.join(name).join("meta.json").exists())
        .collect();
    names.sort();
    assert_eq!(names.len(), 24, "fixtures/wire should hold 24 cases");
    names
        .into_iter()
        .map(|name| {
            let case = dir.join(&name);
            let read_json = |file: &str| -> Value {
                serde_json::from_slice(&fs::read(case.join(file)).unwrap()).unwrap()
            };
            let meta = read_json("meta.json");
            let framing = match meta["framing"].as_str().unwrap() {
                "sse" => Framing::Sse,
                "json-array" => Framing::JsonArray,
                other => panic!("{name}: unknown framing {other}"),
            };
            let events =
                fs::read_to_string(fixtures_dir().join("events").join(format!("{name}.jsonl")))
                    .unwrap()
                    .lines()
                    .map(str::to_owned)
                    .collect();
            WireCase {
                transport: meta["transport"].as_str().unwrap().parse().unwrap(),
                framing,
                body: fs::read(case.join("body")).unwrap(),
                expected: read_json("expected_message.json"),
                events,
                name,
            }
        })
        .collect()
}

/// The message in the shape of `expected_message.json`.
pub fn message_summary(message: &AssembledMessage) -> Value {
    let tool_calls: Vec<Value> = message
        .tool_calls()
        .map(|call| {
            let arguments: Value = serde_json::from_str(&call.arguments).unwrap();
            json!({"name": call.name, "arguments": arguments})
        })
        .collect();
    json!({
        "text": message.text(),
        "reasoning": message.reasoning(),
        "tool_calls": tool_calls,
        "finish_reason": message.finish_reason,
    })
}

/// One step of a raw server's reply after the status line and headers.
#[derive(Clone, Debug)]
pub enum Step {
    /// One HTTP/1.1 chunk with these bytes.
    Chunk(Vec<u8>),
    /// Wait.
    Pause(Duration),
    /// Bytes written as they are, outside chunk framing (a broken chunked encoding).
    Raw(Vec<u8>),
    /// The terminating zero-length chunk (a clean end of the body).
    End,
    /// Close the connection now (without the terminating chunk: a cut body).
    Close,
    /// Write a comment chunk every interval until the peer has gone, then signal
    /// [`RawServer::peer_gone`].
    KeepWritingUntilClosed(Duration),
}

impl Step {
    pub fn chunk(bytes: impl AsRef<[u8]>) -> Step {
        Step::Chunk(bytes.as_ref().to_vec())
    }
}

/// A loopback HTTP/1.1 server that answers every request with one scripted response.
pub struct RawServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The request heads received (request line and headers), in order.
    pub requests: Arc<Mutex<Vec<String>>>,
    /// Notified when a [`Step::KeepWritingUntilClosed`] write failed.
    pub peer_gone: Arc<Notify>,
}

impl RawServer {
    /// Starts a server whose responses are `head` (status line and headers, without the final
    /// blank line) followed by `steps`. An empty `head` writes no head at all.
    pub async fn start(head: &str, steps: Vec<Step>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let peer_gone = Arc::new(Notify::new());
        let head = if head.is_empty() {
            String::new()
        } else {
            format!("{head}\r\n\r\n")
        };
        let server = RawServer {
            url,
            requests: Arc::clone(&requests),
            peer_gone: Arc::clone(&peer_gone),
        };
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let head = head.clone();
                let steps = steps.clone();
                let requests = Arc::clone(&requests);
                let peer_gone = Arc::clone(&peer_gone);
                tokio::spawn(async move {
                    serve(socket, &head, &steps, &requests, &peer_gone).await;
                });
            }
        });
        server
    }

    /// A server streaming `steps` as a chunked `text/event-stream` 200 response.
    pub async fn event_stream(steps: Vec<Step>) -> RawServer {
        RawServer::start(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked",
            steps,
        )
        .await
    }
}

/// Reads one request: its head, then the body its Content-Length announces. Returns the head;
/// `None` when the peer closes or errs first.
pub async fn read_head(socket: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        let read = socket.read(&mut byte).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&byte[..read]);
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match socket.read(&mut byte).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => buffer.extend_from_slice(&byte[..read]),
        }
    }
    Some(head)
}

async fn serve(
    mut socket: TcpStream,
    head: &str,
    steps: &[Step],
    requests: &Mutex<Vec<String>>,
    peer_gone: &Notify,
) {
    let Some(request_head) = read_head(&mut socket).await else {
        return;
    };
    requests.lock().unwrap().push(request_head);
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    for step in steps {
        match step {
            Step::Chunk(bytes) => {
                let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
                framed.extend_from_slice(bytes);
                framed.extend_from_slice(b"\r\n");
                if socket.write_all(&framed).await.is_err() {
                    return;
                }
            }
            Step::Pause(duration) => tokio::time::sleep(*duration).await,
            Step::Raw(bytes) => {
                if socket.write_all(bytes).await.is_err() {
                    return;
                }
            }
            Step::End => {
                let _ = socket.write_all(b"0\r\n\r\n").await;
            }
            Step::Close => {
                let _ = socket.shutdown().await;
                return;
            }
            Step::KeepWritingUntilClosed(every) => {
                for _ in 0..1000 {
                    tokio::time::sleep(*every).await;
                    if socket.write_all(b"3\r\n:\n\n\r\n").await.is_err()
                        || socket.flush().await.is_err()
                    {
                        peer_gone.notify_one();
                        return;
                    }
                }
                return;
            }
        }
    }
    // Keep the connection open briefly so the client reads everything before EOF.
    let _ = socket.flush().await;
}

/// `bytes` as chunk steps of `size` bytes, pausing `pause` after every `every` chunks.
pub fn chunked(bytes: &[u8], size: usize, every: usize, pause: Duration) -> Vec<Step> {
    let mut steps = Vec::new();
    for (index, piece) in bytes.chunks(size.max(1)).enumerate() {
        steps.push(Step::Chunk(piece.to_vec()));
        if every > 0 && index % every == every - 1 {
            steps.push(Step::Pause(pause));
        }
    }
    steps.push(Step::End);
    steps
}

/// Everything the `tracing` subscriber prints at TRACE level, on this thread, while the guard
/// returned by [`TraceCapture::start`] lives (the key searches of `secrets.rs` and `security.rs`).
#[derive(Clone, Default)]
pub struct TraceCapture(Arc<Mutex<Vec<u8>>>);

impl TraceCapture {
    pub fn start(
        span_events: tracing_subscriber::fmt::format::FmtSpan,
    ) -> (TraceCapture, tracing::subscriber::DefaultGuard) {
        let captured = TraceCapture::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(span_events)
            .with_ansi(false)
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        (captured, guard)
    }

    /// What was printed so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for TraceCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
