//! `Client::chat` and `prepare_chat`: a neutral conversation through the catalog, the policy and
//! the wire crate, against the built-in emulator, for each transport (issue 7 "Dispatch").

use clawrouter_catalog::BaseUrl;
use clawrouter_client::{CLIENT_NAME, ChatRequest, Client, ClientError, prepare_chat};
use clawrouter_emulator::{
    Emulator, RunningEmulator, Scenario, expected_reply_text, tool_arguments,
};
use clawrouter_policy::ToolDefinition;
use clawrouter_policy::conversation::{AssistantMessage, Message, Route};
use clawrouter_wire::transport::Transport;
use serde_json::{Value, json};

const DEMO_KEY: &str = "clawrouter-test-demo-emulator0001";

/// One granted model per transport in the emulator's default scenario, with the model id each
/// request must carry (PROTOCOL.md §4.10: the upstream id only on the native transports).
const MODELS: [(&str, Transport, &str); 4] = [
    (
        "clawrouter/openai/gpt-4.1-mini",
        Transport::OpenAiCompletions,
        "openai/gpt-4.1-mini",
    ),
    (
        "clawrouter/openai/gpt-5.5",
        Transport::OpenAiResponses,
        "openai/gpt-5.5",
    ),
    (
        "clawrouter/anthropic/claude-sonnet-4-6",
        Transport::AnthropicMessages,
        "claude-sonnet-4-6",
    ),
    (
        "clawrouter/google/gemini-3.5-flash",
        Transport::GoogleGenerativeAi,
        "gemini-3.5-flash",
    ),
];

async fn emulator() -> (RunningEmulator, Client) {
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(0))
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(BaseUrl::new(Some(emulator.base_url())))
        .api_key(DEMO_KEY.into())
        .build()
        .unwrap();
    (emulator, client)
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition {
        name: "get_weather".into(),
        description: "The weather in a city".into(),
        parameters: json!({
            "type": "object",
            "properties": {"city": {"type": "string", "minLength": 1}},
            "required": ["city"],
            "additionalProperties": false
        }),
    }
}

#[tokio::test]
async fn prepared_requests_follow_the_catalog_entry() {
    let (emulator, client) = emulator().await;
    let catalog = client.catalog().await.unwrap();
    let base = emulator.base_url();
    for (model_ref, transport, sent_id) in MODELS {
        let model = catalog.select(model_ref, None).unwrap();
        let request = ChatRequest::user(model_ref, "Hi")
            .tools(vec![weather_tool()])
            .agent_id("agent 😀")
            .session_id("session-1")
            .request_id("run-1:model:1");
        let prepared = prepare_chat(model, &request);
        assert_eq!(prepared.transport, transport, "{model_ref}");
        let expected_url = match transport {
            Transport::OpenAiCompletions => format!("{base}/v1/chat/completions"),
            Transport::OpenAiResponses => format!("{base}/v1/responses"),
            Transport::AnthropicMessages => format!("{base}/v1/native/anthropic/v1/messages"),
            Transport::GoogleGenerativeAi => format!(
                "{base}/v1/native/google-gemini/v1beta/models/{sent_id}:streamGenerateContent?alt=sse"
            ),
        };
        assert_eq!(prepared.url, expected_url, "{model_ref}");
        match transport {
            // Gemini carries the model in the URL only.
            Transport::GoogleGenerativeAi => assert!(prepared.body.get("model").is_none()),
            _ => assert_eq!(prepared.body["model"], sent_id, "{model_ref}"),
        }
        let header = |name: &str| {
            prepared
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("X-ClawRouter-Client"), Some(CLIENT_NAME));
        let agent = clawrouter_policy::bounded_id::sanitize_attribution_id("agent 😀").unwrap();
        assert!(agent.starts_with("agent__~"), "{agent}");
        assert_eq!(header("X-ClawRouter-Agent-Id"), Some(agent.as_str()));
        assert_eq!(header("X-ClawRouter-Session-Id"), Some("session-1"));
        assert_eq!(header("X-Request-ID"), Some("run-1:model:1"));
        assert_eq!(
            header("Authorization"),
            None,
            "the key is attached by dispatch only"
        );
        // The upstream id of an OpenAI-routed model is not even kept (PROTOCOL.md §4.10).
        let native = matches!(
            transport,
            Transport::AnthropicMessages | Transport::GoogleGenerativeAi
        );
        assert_eq!(model.upstream_model().is_some(), native, "{model_ref}");
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn chat_streams_the_exact_reply_over_each_transport() {
    let (emulator, client) = emulator().await;
    for (model_ref, transport, _) in MODELS {
        let stream = client
            .chat(&ChatRequest::user(model_ref, "Tell me about routers"))
            .await
            .unwrap();
        assert_eq!(stream.transport(), transport);
        let message = stream.finish().await.unwrap();
        assert_eq!(
            message.text(),
            expected_reply_text("Tell me about routers"),
            "{model_ref}"
        );
        assert!(message.usage.is_some(), "{model_ref}: usage reported");
    }
    emulator.shutdown().await.unwrap();
}

/// A tool call, then its result sent back through the replay policy: the agent loop ends with a
/// text answer, on every transport.
#[tokio::test]
async fn tool_call_round_trip_over_each_transport() {
    let (emulator, client) = emulator().await;
    let tool = weather_tool();
    for (model_ref, transport, _) in MODELS {
        let first = ChatRequest::user(model_ref, "Weather in Paris?").tools(vec![tool.clone()]);
        let reply = client.chat(&first).await.unwrap().finish().await.unwrap();
        let call = reply
            .tool_calls()
            .next()
            .cloned()
            .unwrap_or_else(|| panic!("{model_ref}: no tool call"));
        assert_eq!(call.name, "get_weather", "{model_ref}");
        let arguments: Value = serde_json::from_str(&call.arguments).unwrap();
        let expected: Value = serde_json::from_str(&tool_arguments(&tool.parameters)).unwrap();
        assert_eq!(arguments, expected, "{model_ref}");

        let route = Route {
            api: transport.as_str().to_owned(),
            provider: "clawrouter".to_owned(),
            model: model_ref.trim_start_matches("clawrouter/").to_owned(),
        };
        let assistant = AssistantMessage::from_assembled(reply, &route, 1_700_000_000_000);
        let call_id = assistant
            .content
            .as_ref()
            .map(|_| Message::Assistant(assistant.clone()).to_value())
            .and_then(|value| {
                value["content"]
                    .as_array()?
                    .iter()
                    .find(|block| block["type"] == "toolCall")
                    .map(|block| block["id"].as_str().unwrap_or_default().to_owned())
            })
            .unwrap();
        let result = Message::from_value(json!({
            "role": "toolResult", "toolCallId": call_id, "toolName": "get_weather",
            "content": [{"type": "text", "text": "Sunny, 21 °C"}], "isError": false
        }));
        let conversation = vec![
            Message::user_text("Weather in Paris?"),
            Message::Assistant(assistant),
            result,
        ];
        let second = ChatRequest::new(model_ref, conversation).tools(vec![tool.clone()]);
        let answer = client.chat(&second).await.unwrap().finish().await.unwrap();
        assert_eq!(answer.tool_calls().count(), 0, "{model_ref}: the loop ends");
        assert!(!answer.text().is_empty(), "{model_ref}");
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn reasoning_is_streamed_when_asked() {
    let (emulator, client) = emulator().await;
    for model_ref in [
        "clawrouter/openai/gpt-5.5",
        "clawrouter/google/gemini-3.5-flash",
        "clawrouter/anthropic/claude-sonnet-4-6",
    ] {
        let request = ChatRequest::user(model_ref, "Why is the sky blue?")
            .reasoning("high")
            .max_output_tokens(8192);
        let message = client.chat(&request).await.unwrap().finish().await.unwrap();
        assert_eq!(
            message.reasoning(),
            clawrouter_emulator::expected_reasoning_text("Why is the sky blue?"),
            "{model_ref}"
        );
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_models_fail_closed_before_any_dispatch() {
    let (emulator, client) = emulator().await;
    let error = client
        .chat(&ChatRequest::user("clawrouter/openai/gpt-5", "hi"))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Model { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with(
            "Unknown model: clawrouter/openai/gpt-5 (closest granted: clawrouter/openai/gpt-5.5"
        ),
        "{error}"
    );
    assert_eq!(
        emulator.request_count(clawrouter_emulator::Endpoint::Responses),
        0
    );
    assert_eq!(
        emulator.request_count(clawrouter_emulator::Endpoint::Catalog),
        1
    );
    emulator.shutdown().await.unwrap();
}
