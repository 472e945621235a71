//! The fault matrix of issue 9, through [`Client::chat`] for each of the four transports: the
//! emulator's fault switches, and a raw loopback server for what the emulator cannot do
//! (refused and reset connections, a body cut inside a UTF-8 character, a broken chunked
//! encoding, bodies that are not event streams, proxy pages, status codes with and without
//! `Retry-After`, a redirect to another origin).
//!
//! Each case asserts the exact error class (a one-line description, [`describe`]), that the
//! error arrived within the configured timeout, that the partial message is exactly what the
//! wire decoder makes of the bytes that arrived (the oracle decodes the same prefix sans-IO),
//! and — where the server holds the connection open — that the client closed it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clawrouter_catalog::BaseUrl;
use clawrouter_client::{
    ChatRequest, Client, ClientBuilder, ClientError, RetryConfig, StreamError, prepare_chat,
};
use clawrouter_emulator::{Emulator, Fault, FaultScope, Scenario, expected_reply_text};
use clawrouter_policy::ToolDefinition;
use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler};
use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The emulator's unmetered test key (no budget runs out mid-suite).
pub const EMULATOR_KEY: &str = "clawrouter-test-open-emulator0002";

/// Multi-byte characters of 2, 3 and 4 bytes, so cuts can fall inside one.
pub const PROMPT: &str = "Grüße aus Köln ✓ 😀 naïve café";

/// The four transports and a model of the default scenario speaking each.
pub const MODELS: [(Transport, &str); 4] = [
    (
        Transport::OpenAiCompletions,
        "clawrouter/openai/gpt-4.1-mini",
    ),
    (Transport::OpenAiResponses, "clawrouter/openai/gpt-5.5"),
    (
        Transport::AnthropicMessages,
        "clawrouter/anthropic/claude-sonnet-4-6",
    ),
    (
        Transport::GoogleGenerativeAi,
        "clawrouter/google/gemini-3.5-flash",
    ),
];

/// The configured waits: short, so the whole matrix takes seconds.
pub const WAIT: Duration = Duration::from_millis(300);

/// How late an error may be past its timeout (scheduling on a loaded 2-core machine).
const SLACK: Duration = Duration::from_millis(1500);

pub fn tool() -> ToolDefinition {
    ToolDefinition {
        name: "lookup".to_owned(),
        description: "Looks a city up.".to_owned(),
        parameters: json!({
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"]
        }),
    }
}

/// A chat with a tool, so the reply has text and a tool call.
pub fn request(model: &str) -> ChatRequest {
    ChatRequest::user(model, PROMPT).tools(vec![tool()])
}

pub fn builder(base: &str, key: &str) -> ClientBuilder {
    Client::builder()
        .base_url(BaseUrl::new(Some(base)))
        .api_key(key.to_owned().into())
        .retry(RetryConfig {
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..RetryConfig::default()
        })
        .connect_timeout(WAIT)
        .first_byte_timeout(WAIT)
        .idle_timeout(WAIT)
        .catalog_timeout(Duration::from_secs(2))
        .usage_timeout(Duration::from_secs(2))
}

/// One line naming an error's class and the facts a caller acts on; the tables compare these.
pub fn describe(error: &ClientError) -> String {
    let status = |name: &str, error: &ClientError| {
        format!(
            "{name} {} retry_after={:?}",
            error.status().unwrap_or_default(),
            error.retry_after()
        )
    };
    match error {
        ClientError::Timeout {
            operation, phase, ..
        } => format!("timeout {operation:?} {phase:?}"),
        ClientError::Connect { operation, .. } => format!("connect {operation:?}"),
        ClientError::Network { operation, .. } => format!("network {operation:?}"),
        ClientError::Truncated { transport, .. } => format!("truncated {transport:?}"),
        ClientError::MalformedBody { operation, .. } => format!("malformed {operation:?}"),
        ClientError::ProviderStream { code, .. } => format!("provider {code:?}"),
        ClientError::RedirectRefused { operation, .. } => format!("redirect-refused {operation:?}"),
        ClientError::RateLimited { .. } => status("rate-limited", error),
        ClientError::Unavailable { .. } => status("unavailable", error),
        ClientError::Auth { .. } => status("auth", error),
        ClientError::BadRequest { .. } => status("bad-request", error),
        ClientError::BudgetExhausted { .. } => status("budget", error),
        ClientError::UnexpectedStatus { .. } => status("unexpected", error),
        ClientError::Model { .. } => "model".to_owned(),
        other => format!("other {other:?}"),
    }
}

/// Short name of a transport for table rows.
fn short(transport: Transport) -> &'static str {
    match transport {
        Transport::OpenAiCompletions => "OpenAiCompletions",
        Transport::OpenAiResponses => "OpenAiResponses",
        Transport::AnthropicMessages => "AnthropicMessages",
        Transport::GoogleGenerativeAi => "GoogleGenerativeAi",
    }
}

/// Fills `{t}` in an expected description with the transport.
fn expected(template: &str, transport: Transport) -> String {
    template.replace("{t}", short(transport))
}

/// What a chat call ended with.
pub enum Outcome {
    /// `Client::chat` itself failed.
    Before(ClientError),
    /// The stream failed; its partial message.
    Stream(StreamError),
    /// The stream completed.
    Done(AssembledMessage),
}

/// Calls `chat` and reads the stream to its end.
pub async fn run_chat(client: &Client, request: &ChatRequest) -> Outcome {
    match client.chat(request).await {
        Err(error) => Outcome::Before(error),
        Ok(stream) => match stream.finish().await {
            Ok(message) => Outcome::Done(message),
            Err(failure) => Outcome::Stream(failure),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Emulator fault switches.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_fault_matrix_for_each_transport() {
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(0))
        .await
        .unwrap();
    let client = builder(emulator.base_url(), EMULATOR_KEY).build().unwrap();
    let full_text = expected_reply_text(PROMPT);
    // (fault, expected description, whether the error comes before the stream)
    let table: Vec<(Fault, &str)> = vec![
        (
            Fault::StallBeforeFirstByte,
            "before: timeout Dispatch({t}) FirstByte",
        ),
        (
            Fault::SlowFirstByte { delay_ms: 1_000 },
            "before: timeout Dispatch({t}) FirstByte",
        ),
        (Fault::SlowFirstByte { delay_ms: 50 }, "done"),
        (
            Fault::StallMidStream { after_events: 8 },
            "stream: timeout Dispatch({t}) Idle",
        ),
        (
            Fault::CutMidEvent { after_events: 8 },
            "stream: truncated {t}",
        ),
        (
            Fault::ErrorAfter200 { after_events: 8 },
            "stream: provider-error",
        ),
        (
            Fault::RateLimited {
                retry_after_secs: 7,
            },
            "before: rate-limited 429 retry_after=Some(7s)",
        ),
        (
            Fault::ServerError { status: 503 },
            "before: unavailable 503 retry_after=None",
        ),
        (
            Fault::ServerError { status: 500 },
            "before: unavailable 500 retry_after=None",
        ),
    ];
    for (transport, model) in MODELS {
        for (fault, want) in &table {
            emulator.set_fault(FaultScope::All, Some(fault.clone()));
            let started = Instant::now();
            let outcome = run_chat(&client, &request(model)).await;
            let elapsed = started.elapsed();
            let label = format!("{model} {fault:?}");
            let got = match &outcome {
                Outcome::Before(error) => format!("before: {}", describe(error)),
                Outcome::Stream(failure) => match &failure.error {
                    ClientError::ProviderStream { .. } => "stream: provider-error".to_owned(),
                    error => format!("stream: {}", describe(error)),
                },
                Outcome::Done(_) => "done".to_owned(),
            };
            assert_eq!(got, expected(want, transport), "{label}");
            // Within the configured timeout (1 s of first-byte delay is cut at 300 ms).
            assert!(elapsed < WAIT + SLACK, "{label}: took {elapsed:?}");
            match outcome {
                Outcome::Done(message) => {
                    assert_eq!(message.text(), full_text, "{label}");
                    assert_eq!(message.tool_calls().count(), 1, "{label}");
                }
                Outcome::Stream(failure) => {
                    // Everything received is kept: a non-empty prefix of the reply.
                    let text = failure.partial.text();
                    assert!(!text.is_empty(), "{label}: no partial text");
                    assert!(full_text.starts_with(&text), "{label}: {text:?}");
                    if let ClientError::ProviderStream { message, .. } = &failure.error {
                        assert!(!message.is_empty(), "{label}");
                    }
                }
                Outcome::Before(_) => {}
            }
        }
    }
    emulator.clear_faults();
    // The client still works after every fault.
    for (_, model) in MODELS {
        let Outcome::Done(message) = run_chat(&client, &request(model)).await else {
            panic!("{model} failed after the faults were cleared");
        };
        assert_eq!(message.text(), full_text);
    }
    emulator.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// The raw loopback server.

/// One step of the loopback server's scripted reply to a model call.
#[derive(Clone, Debug)]
pub enum Step {
    /// The status line and headers (without the blank line).
    Head(String),
    /// One HTTP/1.1 chunk.
    Chunk(Vec<u8>),
    /// Bytes outside chunk framing.
    Raw(Vec<u8>),
    /// The terminating zero-length chunk.
    End,
    /// Wait.
    Pause(Duration),
    /// Close with a TCP reset (SO_LINGER 0), ending the script.
    Reset,
    /// Close cleanly (FIN), ending the script.
    Close,
}

/// A loopback HTTP/1.1 server: `GET /v1/catalog` answers the default scenario's catalog for the
/// unmetered policy (with `Connection: close`, so each model call opens its own connection);
/// every other request gets the script. It counts open connections: after the script the
/// server keeps the connection open until the client closes it.
pub struct Loopback {
    pub url: String,
    /// Connections currently open on the server side.
    pub open: Arc<AtomicUsize>,
    /// Heads of the requests other than the catalog's.
    pub calls: Arc<Mutex<Vec<String>>>,
    /// Heads of every request.
    pub all: Arc<Mutex<Vec<String>>>,
}

pub fn catalog_json() -> String {
    let scenario = Scenario::default();
    let policy = scenario.policy("lab").unwrap();
    clawrouter_emulator::catalog::catalog_body(&scenario, policy).to_string()
}

impl Loopback {
    /// `refuse_after_catalog`: stop listening once the catalog request is accepted, so the model
    /// call's connection is refused.
    pub async fn start(script: Vec<Step>, refuse_after_catalog: bool) -> Loopback {
        Loopback::start_with(script, refuse_after_catalog, catalog_json()).await
    }

    pub async fn start_with(
        script: Vec<Step>,
        refuse_after_catalog: bool,
        catalog: String,
    ) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = Loopback {
            url,
            open: Arc::new(AtomicUsize::new(0)),
            calls: Arc::new(Mutex::new(Vec::new())),
            all: Arc::new(Mutex::new(Vec::new())),
        };
        let (open, calls, all) = (
            Arc::clone(&server.open),
            Arc::clone(&server.calls),
            Arc::clone(&server.all),
        );
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                open.fetch_add(1, Ordering::SeqCst);
                let (open, calls, all) = (Arc::clone(&open), Arc::clone(&calls), Arc::clone(&all));
                let script = script.clone();
                let catalog = catalog.clone();
                let handle = tokio::spawn(async move {
                    serve(socket, &script, &catalog, &calls, &all).await;
                    open.fetch_sub(1, Ordering::SeqCst);
                });
                if refuse_after_catalog {
                    // Stop listening as soon as the catalog connection is accepted, before it is
                    // served: the client starts its model call only after it has the catalog, so
                    // that call is always refused. Dropping the listener after serving raced with
                    // the call: a connection already in the kernel's backlog is reset instead.
                    drop(listener);
                    let _ = handle.await;
                    return;
                }
            }
        });
        server
    }

    /// Waits up to 2 s for every connection to be closed; returns how many stayed open.
    pub async fn open_after_settling(&self) -> usize {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let open = self.open.load(Ordering::SeqCst);
            if open == 0 || Instant::now() > deadline {
                return open;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn serve(
    mut socket: TcpStream,
    script: &[Step],
    catalog: &str,
    calls: &Mutex<Vec<String>>,
    all: &Mutex<Vec<String>>,
) {
    let Some(head) = crate::support::read_head(&mut socket).await else {
        return;
    };
    all.lock().unwrap().push(head.clone());
    if head.starts_with("GET /v1/catalog") {
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{catalog}",
            catalog.len()
        );
        let _ = socket.write_all(response.as_bytes()).await;
        let _ = socket.shutdown().await;
        return;
    }
    calls.lock().unwrap().push(head);
    for step in script {
        let written = match step {
            Step::Head(head) => socket.write_all(format!("{head}\r\n\r\n").as_bytes()).await,
            Step::Chunk(bytes) => {
                let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
                framed.extend_from_slice(bytes);
                framed.extend_from_slice(b"\r\n");
                socket.write_all(&framed).await
            }
            Step::Raw(bytes) => socket.write_all(bytes).await,
            Step::End => socket.write_all(b"0\r\n\r\n").await,
            Step::Pause(duration) => {
                tokio::time::sleep(*duration).await;
                Ok(())
            }
            Step::Reset => {
                let _ = socket.set_zero_linger();
                return;
            }
            Step::Close => {
                let _ = socket.shutdown().await;
                return;
            }
        };
        if written.is_err() || socket.flush().await.is_err() {
            return;
        }
    }
    // Hold the connection until the client closes it (or 10 s pass).
    let mut sink = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match socket.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
}

/// A transport's reply to [`request`] as the emulator sends it: the `Content-Type` and the
/// de-chunked body. The loopback server replays (parts of) it.
pub async fn recorded(transport: Transport) -> (String, Vec<u8>) {
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(0))
        .await
        .unwrap();
    let client = builder(emulator.base_url(), EMULATOR_KEY).build().unwrap();
    let model_ref = MODELS
        .iter()
        .find(|(candidate, _)| *candidate == transport)
        .unwrap()
        .1;
    let model = client.model(model_ref).await.unwrap();
    let prepared = prepare_chat(&model, &request(model_ref));
    let mut url = url::Url::parse(&prepared.url).unwrap();
    if transport == Transport::GoogleGenerativeAi {
        url.query_pairs_mut().append_pair("alt", "sse");
    }
    // A plain reqwest client for the recording; it needs a process-wide crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut call = reqwest::Client::new()
        .post(url)
        .bearer_auth(EMULATOR_KEY)
        .header("content-type", "application/json")
        .body(prepared.body.to_string());
    for (name, value) in &prepared.headers {
        call = call.header(name.as_str(), value.as_str());
    }
    let response = call.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.bytes().await.unwrap().to_vec();
    emulator.shutdown().await.unwrap();
    (content_type, body)
}

/// What the client must keep from `bytes`: the wire decoder's and assembler's view, sans IO.
/// `clean_end`: the body ended without a transport error (the decoder judges the end).
pub fn oracle(transport: Transport, bytes: &[u8], clean_end: bool) -> AssembledMessage {
    let mut decoder = ResponseDecoder::new(transport, Framing::Sse);
    let mut assembler = MessageAssembler::new();
    let fed = decoder.feed(bytes, &mut |event| assembler.push(&event));
    if !clean_end {
        return assembler.finish();
    }
    let finished = decoder.finish(&mut |event| assembler.push(&event));
    let end = fed.and(finished);
    match assembler.finish_stream(end) {
        Ok(message) => message,
        Err(failure) => *failure.partial,
    }
}

pub fn head_sse() -> Step {
    Step::Head(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked"
            .to_owned(),
    )
}

/// The offset just inside the 4-byte 😀 of the reply text: a cut there splits the character.
fn inside_emoji(body: &[u8]) -> usize {
    let emoji = "😀".as_bytes();
    body.windows(emoji.len())
        .position(|window| window == emoji)
        .unwrap()
        + 2
}

/// Where the transport's terminal signal starts (WIRE.md §2): cutting there keeps the text and
/// the completed tool call but loses the end. Gemini has no terminal signal besides the end of
/// the body, so its cut is the start of the last event (which carries the tool call and the
/// finish reason).
fn terminal(transport: Transport, body: &[u8]) -> usize {
    let needle: &[u8] = match transport {
        Transport::OpenAiCompletions => b"data: [DONE]",
        Transport::OpenAiResponses => b"event: response.completed",
        Transport::AnthropicMessages => b"event: message_stop",
        Transport::GoogleGenerativeAi => b"data: ",
    };
    body.windows(needle.len())
        .rposition(|window| window == needle)
        .unwrap()
}

/// A loopback case: its script and what the caller must see.
pub struct Case {
    pub name: &'static str,
    pub script: Vec<Step>,
    pub refuse_after_catalog: bool,
    /// The expected [`describe`] line, `before:` / `stream:` / `done`; `{t}` is the transport.
    pub want: &'static str,
    /// For `stream:` and `done`: the bytes of the body that arrived, and whether it ended
    /// cleanly (the oracle's input).
    pub received: Option<(usize, bool)>,
    /// The server holds the connection open after the script: the client must close it.
    pub held: bool,
    /// Transports for which `want` differs.
    pub except: &'static [(Transport, &'static str)],
}

pub fn cases(transport: Transport, body: &[u8]) -> Vec<Case> {
    let half = body.len() / 2;
    let emoji = inside_emoji(body);
    // Just before the terminal signal: the end is missing.
    let tail = terminal(transport, body);
    let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    let status = |line: &str, extra: &str, body: &str| {
        vec![
            Step::Head(format!(
                "HTTP/1.1 {line}\r\ncontent-length: {}\r\n{extra}connection: close",
                body.len()
            )),
            Step::Raw(body.as_bytes().to_vec()),
        ]
    };
    let error_json = r#"{"error":{"code":"upstream_unavailable","message":"try later"}}"#;
    let rate_json = r#"{"error":{"code":"rate_limited","message":"slow down"}}"#;
    vec![
        Case {
            name: "connection refused",
            script: vec![],
            refuse_after_catalog: true,
            want: "before: connect Dispatch({t})",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "reset before headers",
            script: vec![Step::Reset],
            refuse_after_catalog: false,
            want: "before: network Dispatch({t})",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "closed before headers",
            script: vec![Step::Close],
            refuse_after_catalog: false,
            want: "before: network Dispatch({t})",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "stall before the first byte",
            script: vec![Step::Pause(Duration::from_secs(5))],
            refuse_after_catalog: false,
            want: "before: timeout Dispatch({t}) FirstByte",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "reset mid-stream",
            script: vec![head_sse(), Step::Chunk(body[..half].to_vec()), Step::Reset],
            refuse_after_catalog: false,
            want: "stream: truncated {t}",
            received: Some((half, false)),
            held: false,
            except: &[],
        },
        Case {
            name: "stall between chunks",
            script: vec![head_sse(), Step::Chunk(body[..half].to_vec())],
            refuse_after_catalog: false,
            want: "stream: timeout Dispatch({t}) Idle",
            received: Some((half, false)),
            held: true,
            except: &[],
        },
        Case {
            name: "cut inside a UTF-8 character, then reset",
            script: vec![head_sse(), Step::Chunk(body[..emoji].to_vec()), Step::Reset],
            refuse_after_catalog: false,
            want: "stream: truncated {t}",
            received: Some((emoji, false)),
            held: false,
            except: &[],
        },
        Case {
            name: "cut inside a UTF-8 character, clean end of body",
            script: vec![head_sse(), Step::Chunk(body[..emoji].to_vec()), Step::End],
            refuse_after_catalog: false,
            want: "stream: truncated {t}",
            received: Some((emoji, true)),
            held: false,
            except: &[],
        },
        Case {
            name: "a UTF-8 character split across chunks",
            script: vec![
                head_sse(),
                Step::Chunk(body[..emoji].to_vec()),
                Step::Pause(Duration::from_millis(20)),
                Step::Chunk(body[emoji..].to_vec()),
                Step::End,
            ],
            refuse_after_catalog: false,
            want: "done",
            received: Some((body.len(), true)),
            held: false,
            except: &[],
        },
        Case {
            name: "body ends before the last event",
            script: vec![head_sse(), Step::Chunk(body[..tail].to_vec()), Step::End],
            refuse_after_catalog: false,
            want: "stream: truncated {t}",
            received: Some((tail, true)),
            held: false,
            // WIRE.md §2a lets a client accept EOF after a `finish_reason` without `[DONE]`
            // (some compatible servers omit it); the wire decoder does.
            except: &[(Transport::OpenAiCompletions, "done")],
        },
        Case {
            name: "chunked-encoding error",
            script: vec![
                head_sse(),
                Step::Chunk(body[..half].to_vec()),
                Step::Raw(b"zz-not-hex\r\nxx\r\n".to_vec()),
            ],
            refuse_after_catalog: false,
            want: "stream: truncated {t}",
            received: Some((half, false)),
            held: false,
            except: &[],
        },
        Case {
            name: "content type is not an event stream",
            script: status("200 OK", "content-type: text/plain\r\n", "hello"),
            refuse_after_catalog: false,
            want: "before: malformed Dispatch({t})",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "HTML page with 200 from a captive portal",
            script: status("200 OK", "content-type: text/html\r\n", html),
            refuse_after_catalog: false,
            want: "before: malformed Dispatch({t})",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "HTML error page from a proxy",
            script: status("502 Bad Gateway", "content-type: text/html\r\n", html),
            refuse_after_catalog: false,
            want: "before: unavailable 502 retry_after=None",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "429 with Retry-After",
            script: status(
                "429 Too Many Requests",
                "content-type: application/json\r\nretry-after: 3\r\n",
                rate_json,
            ),
            refuse_after_catalog: false,
            want: "before: rate-limited 429 retry_after=Some(3s)",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "429 without Retry-After",
            script: status(
                "429 Too Many Requests",
                "content-type: application/json\r\n",
                rate_json,
            ),
            refuse_after_catalog: false,
            want: "before: rate-limited 429 retry_after=None",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "503 with Retry-After",
            script: status(
                "503 Service Unavailable",
                "content-type: application/json\r\nretry-after: 2\r\n",
                error_json,
            ),
            refuse_after_catalog: false,
            want: "before: unavailable 503 retry_after=Some(2s)",
            received: None,
            held: false,
            except: &[],
        },
        Case {
            name: "500 without Retry-After",
            script: status(
                "500 Internal Server Error",
                "content-type: application/json\r\n",
                error_json,
            ),
            refuse_after_catalog: false,
            want: "before: unavailable 500 retry_after=None",
            received: None,
            held: false,
            except: &[],
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_fault_matrix_for_each_transport() {
    for (transport, model) in MODELS {
        let (_content_type, body) = recorded(transport).await;
        for case in cases(transport, &body) {
            let label = format!("{model}: {}", case.name);
            let server = Loopback::start(case.script, case.refuse_after_catalog).await;
            let client = builder(&server.url, EMULATOR_KEY).build().unwrap();
            // Load the catalog first, so the timing below is the model call's alone.
            client.catalog().await.unwrap();
            let started = Instant::now();
            let outcome = run_chat(&client, &request(model)).await;
            let elapsed = started.elapsed();
            assert!(elapsed < WAIT + SLACK, "{label}: took {elapsed:?}");
            let got = match &outcome {
                Outcome::Before(error) => format!("before: {}", describe(error)),
                Outcome::Stream(failure) => format!("stream: {}", describe(&failure.error)),
                Outcome::Done(_) => "done".to_owned(),
            };
            let want = case
                .except
                .iter()
                .find(|(candidate, _)| *candidate == transport)
                .map_or(case.want, |(_, want)| want);
            assert_eq!(got, expected(want, transport), "{label}");
            let kept = match &outcome {
                Outcome::Stream(failure) => Some(&*failure.partial),
                Outcome::Done(message) => Some(message),
                Outcome::Before(_) => None,
            };
            if let (Some(kept), Some((received, clean))) = (kept, case.received) {
                let want = oracle(transport, &body[..received], clean);
                assert_eq!(kept, &want, "{label}");
                assert!(!kept.text().contains('\u{fffd}'), "{label}");
            }
            if case.name == "a UTF-8 character split across chunks" {
                assert_eq!(kept.unwrap().text(), expected_reply_text(PROMPT), "{label}");
                assert_eq!(kept.unwrap().tool_calls().count(), 1, "{label}");
            }
            drop(outcome);
            drop(client);
            if case.held {
                assert_eq!(server.open_after_settling().await, 0, "{label}: leaked");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_arrived_before_a_failure_is_kept() {
    // Cut just before the last event: the text and the completed tool call are kept.
    for (transport, model) in MODELS {
        let (_, body) = recorded(transport).await;
        // Everything but the terminal signal (Gemini has none: everything but the final
        // chunk of the HTTP body), then a reset.
        let tail = match transport {
            Transport::GoogleGenerativeAi => body.len(),
            _ => terminal(transport, &body),
        };
        let server = Loopback::start(
            vec![head_sse(), Step::Chunk(body[..tail].to_vec()), Step::Reset],
            false,
        )
        .await;
        let client = builder(&server.url, EMULATOR_KEY).build().unwrap();
        let Outcome::Stream(failure) = run_chat(&client, &request(model)).await else {
            panic!("{model}: expected a stream failure");
        };
        assert_eq!(
            failure.partial.text(),
            expected_reply_text(PROMPT),
            "{model}"
        );
        let calls: Vec<_> = failure.partial.tool_calls().collect();
        assert_eq!(calls.len(), 1, "{model}");
        assert_eq!(calls[0].name, "lookup", "{model}");
        let arguments: serde_json::Value = serde_json::from_str(&calls[0].arguments).unwrap();
        assert_eq!(arguments, json!({"city": "emulator"}), "{model}");
        let want = oracle(transport, &body[..tail], false);
        assert_eq!(*failure.partial, want, "{model}");
        // Usage arrives before the terminal signal except on Responses (in `response.completed`).
        assert_eq!(
            failure.partial.usage.is_some(),
            transport != Transport::OpenAiResponses,
            "{model}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_stream_closes_its_connection_and_leaves_no_task() {
    let metrics = tokio::runtime::Handle::current().metrics();
    for (transport, model) in MODELS {
        let (_, body) = recorded(transport).await;
        let half = body.len() / 2;
        // Half the body, then the server holds the connection open.
        let server =
            Loopback::start(vec![head_sse(), Step::Chunk(body[..half].to_vec())], false).await;
        let client = builder(&server.url, EMULATOR_KEY).build().unwrap();
        client.catalog().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let tasks_before = metrics.num_alive_tasks();
        let mut stream = client.chat(&request(model)).await.unwrap();
        use futures_util::StreamExt;
        let first = stream.next().await.unwrap();
        assert!(first.is_ok(), "{model}");
        assert_eq!(server.open.load(Ordering::SeqCst), 1, "{model}");
        drop(stream);
        assert_eq!(
            server.open_after_settling().await,
            0,
            "{model}: connection leaked"
        );
        // The server's connection task ended; the client left no task behind.
        let deadline = Instant::now() + Duration::from_secs(2);
        while metrics.num_alive_tasks() > tasks_before && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            metrics.num_alive_tasks() <= tasks_before,
            "{model}: {} tasks alive, {tasks_before} before",
            metrics.num_alive_tasks()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_origin_reaches_nobody_for_each_transport() {
    for (transport, model) in MODELS {
        let elsewhere = Loopback::start(vec![head_sse(), Step::End], false).await;
        let location = format!("{}/v1/chat/completions", elsewhere.url);
        let server = Loopback::start(
            vec![Step::Head(format!(
                "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0"
            ))],
            false,
        )
        .await;
        let client = builder(&server.url, EMULATOR_KEY).build().unwrap();
        let Outcome::Before(error) = run_chat(&client, &request(model)).await else {
            panic!("{model}: the redirect was followed");
        };
        assert_eq!(
            describe(&error),
            expected("redirect-refused Dispatch({t})", transport)
        );
        assert_eq!(elsewhere.all.lock().unwrap().len(), 0, "{model}");
        assert_eq!(server.calls.lock().unwrap().len(), 1, "{model}");
    }
}

#[tokio::test]
async fn catalog_and_usage_faults() {
    // Connection refused for the catalog.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = builder(&url, EMULATOR_KEY).build().unwrap();
    let error = client.catalog().await.unwrap_err();
    assert_eq!(describe(&error), "connect Catalog");
    let Outcome::Before(error) = run_chat(&client, &request(MODELS[0].1)).await else {
        panic!("chat without a catalog succeeded");
    };
    assert_eq!(describe(&error), "connect Catalog");

    // A proxy's HTML page instead of the catalog.
    let html = "<html><body>502 Bad Gateway</body></html>";
    let server = Loopback::start_with(vec![], false, html.to_owned()).await;
    let client = builder(&server.url, EMULATOR_KEY).build().unwrap();
    let error = client.catalog().await.unwrap_err();
    assert!(
        matches!(
            error,
            ClientError::Parse { .. } | ClientError::MalformedBody { .. }
        ),
        "{error:?}"
    );
}
