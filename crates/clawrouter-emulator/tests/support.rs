//! Shared helpers: a started emulator, raw HTTP calls, and stream decoding with
//! `clawrouter-wire`.

use clawrouter_emulator::{Emulator, RunningEmulator, Scenario};
use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler, StreamFailure};
use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
use serde_json::Value;

pub const DEMO: &str = "clawrouter-test-demo-emulator0001";
pub const UNMETERED: &str = "clawrouter-test-open-emulator0002";
pub const SCOPED: &str = "ocpk_test_scop_emulator0003";
pub const REVOKED: &str = "clawrouter-test-gone-emulator0004";
pub const EXHAUSTED: &str = "clawrouter-test-broke-emulator0005";
pub const TIGHT: &str = "clawrouter-test-tight-emulator0006";

/// The default scenario with no pacing.
pub async fn start() -> RunningEmulator {
    Emulator::start(Scenario::default().with_chunk_delay_ms(0))
        .await
        .unwrap()
}

/// A received response: status, headers, the body as the chunks it arrived in.
pub struct Received {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub chunks: Vec<Vec<u8>>,
    /// The body ended with an error (a cut connection).
    pub body_error: bool,
}

impl Received {
    pub fn body(&self) -> Vec<u8> {
        self.chunks.concat()
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body()).unwrap()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body()).unwrap()
    }

    /// `error.code` of an error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap().to_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    }
}

/// A plain HTTP client. In a workspace build reqwest has rustls without a crypto provider
/// (clawrouter-client configures ring per client), so the process default is installed first.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub async fn send(
    emulator: &RunningEmulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Received {
    let client = http();
    let url = format!("{}{path}", emulator.base_url());
    let mut request = client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let mut response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut chunks = Vec::new();
    let mut body_error = false;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => chunks.push(chunk.to_vec()),
            Ok(None) => break,
            Err(_) => {
                body_error = true;
                break;
            }
        }
    }
    Received {
        status,
        headers,
        chunks,
        body_error,
    }
}

pub async fn get(emulator: &RunningEmulator, path: &str, key: &str) -> Received {
    let bearer = format!("Bearer {key}");
    send(emulator, "GET", path, &[("authorization", &bearer)], None).await
}

pub async fn post(emulator: &RunningEmulator, path: &str, key: &str, body: &str) -> Received {
    let bearer = format!("Bearer {key}");
    send(
        emulator,
        "POST",
        path,
        &[("authorization", &bearer)],
        Some(body),
    )
    .await
}

/// Decodes a received body chunk by chunk, as a client would.
pub fn decode(
    transport: Transport,
    framing: Framing,
    received: &Received,
) -> Result<AssembledMessage, StreamFailure> {
    let mut decoder = ResponseDecoder::new(transport, framing);
    let mut assembler = MessageAssembler::new();
    for chunk in &received.chunks {
        decoder
            .feed(chunk, &mut |event| assembler.push(&event))
            .unwrap();
    }
    let end = decoder.finish(&mut |event| assembler.push(&event));
    assembler.finish_stream(end)
}

/// One model call per transport: (name, path, transport, framing, body).
pub struct Call {
    pub name: &'static str,
    pub path: String,
    pub transport: Transport,
    pub framing: Framing,
    pub body: String,
}

/// What a call asks for.
#[derive(Clone, Copy)]
pub struct Ask<'a> {
    pub prompt: &'a str,
    pub reasoning: bool,
    /// Offer the `lookup_city` tool (required `city`: string).
    pub tool: bool,
}

const CITY_SCHEMA: &str = r#"{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}"#;

pub fn calls(ask: Ask<'_>) -> Vec<Call> {
    let prompt = serde_json::to_string(ask.prompt).unwrap();
    let responses = format!(
        r#"{{"model":"openai/gpt-5.5","stream":true,"input":[{{"role":"user","content":[{{"type":"input_text","text":{prompt}}}]}}]{}{}}}"#,
        if ask.reasoning {
            r#","reasoning":{"effort":"low","summary":"auto"}"#
        } else {
            ""
        },
        if ask.tool {
            format!(
                r#","tools":[{{"type":"function","name":"lookup_city","parameters":{CITY_SCHEMA}}}]"#
            )
        } else {
            String::new()
        },
    );
    let chat = format!(
        r#"{{"model":"{}","stream":true,"stream_options":{{"include_usage":true}},"messages":[{{"role":"system","content":"Be brief."}},{{"role":"user","content":{prompt}}}]{}{}}}"#,
        // gpt-4.1-mini cannot reason; gpt-5.5 can.
        if ask.reasoning {
            "openai/gpt-5.5"
        } else {
            "openai/gpt-4.1-mini"
        },
        if ask.reasoning {
            r#","reasoning_effort":"medium""#
        } else {
            ""
        },
        if ask.tool {
            format!(
                r#","tools":[{{"type":"function","function":{{"name":"lookup_city","parameters":{CITY_SCHEMA}}}}}]"#
            )
        } else {
            String::new()
        },
    );
    let anthropic = format!(
        r#"{{"model":"claude-sonnet-4-6","stream":true,"max_tokens":1024,"messages":[{{"role":"user","content":[{{"type":"text","text":{prompt}}}]}}]{}{}}}"#,
        if ask.reasoning {
            r#","thinking":{"type":"enabled","budget_tokens":1024}"#
        } else {
            ""
        },
        if ask.tool {
            format!(r#","tools":[{{"name":"lookup_city","input_schema":{CITY_SCHEMA}}}]"#)
        } else {
            String::new()
        },
    );
    let gemini = format!(
        r#"{{"contents":[{{"role":"user","parts":[{{"text":{prompt}}}]}}]{}{}}}"#,
        if ask.reasoning {
            r#","generationConfig":{"thinkingConfig":{"includeThoughts":true}}"#
        } else {
            ""
        },
        if ask.tool {
            format!(
                r#","tools":[{{"functionDeclarations":[{{"name":"lookup_city","parameters":{CITY_SCHEMA}}}]}}]"#
            )
        } else {
            String::new()
        },
    );
    let google_path =
        "/v1/native/google-gemini/v1beta/models/gemini-3.5-flash:streamGenerateContent";
    vec![
        Call {
            name: "responses",
            path: "/v1/responses".to_owned(),
            transport: Transport::OpenAiResponses,
            framing: Framing::Sse,
            body: responses,
        },
        Call {
            name: "chat",
            path: "/v1/chat/completions".to_owned(),
            transport: Transport::OpenAiCompletions,
            framing: Framing::Sse,
            body: chat,
        },
        Call {
            name: "anthropic",
            path: "/v1/native/anthropic/v1/messages".to_owned(),
            transport: Transport::AnthropicMessages,
            framing: Framing::Sse,
            body: anthropic,
        },
        Call {
            name: "gemini-sse",
            path: format!("{google_path}?alt=sse"),
            transport: Transport::GoogleGenerativeAi,
            framing: Framing::Sse,
            body: gemini.clone(),
        },
        Call {
            name: "gemini-array",
            path: google_path.to_owned(),
            transport: Transport::GoogleGenerativeAi,
            framing: Framing::JsonArray,
            body: gemini,
        },
    ]
}
