//! Properties of the rendered streams, without a server: for any prompt, with or without
//! reasoning and a tool call, every wire format decodes (at any chunking) to exactly the planned
//! reply; an injected error after any number of events is reported and keeps a prefix.

use clawrouter_emulator::reply::{OfferedTool, RequestShape};
use clawrouter_emulator::wire::{RenderContext, WireFormat, chunk_writes, error_tail, render};
use clawrouter_emulator::{Reply, expected_reasoning_text, expected_reply_text};
use clawrouter_wire::assemble::{AssembledMessage, FailureCause, MessageAssembler, StreamFailure};
use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
use proptest::prelude::*;

fn transport_of(format: WireFormat) -> (Transport, Framing) {
    match format {
        WireFormat::Chat => (Transport::OpenAiCompletions, Framing::Sse),
        WireFormat::Responses => (Transport::OpenAiResponses, Framing::Sse),
        WireFormat::Anthropic => (Transport::AnthropicMessages, Framing::Sse),
        WireFormat::GeminiSse => (Transport::GoogleGenerativeAi, Framing::Sse),
        WireFormat::GeminiArray => (Transport::GoogleGenerativeAi, Framing::JsonArray),
    }
}

fn decode_split(
    format: WireFormat,
    body: &[u8],
    cuts: &[usize],
) -> Result<AssembledMessage, StreamFailure> {
    let (transport, framing) = transport_of(format);
    let mut decoder = ResponseDecoder::new(transport, framing);
    let mut assembler = MessageAssembler::new();
    let mut start = 0;
    let mut positions: Vec<usize> = cuts.iter().map(|cut| cut % (body.len() + 1)).collect();
    positions.sort_unstable();
    positions.push(body.len());
    for end in positions {
        if end > start {
            decoder
                .feed(&body[start..end], &mut |event| assembler.push(&event))
                .unwrap();
            start = end;
        }
    }
    let end = decoder.finish(&mut |event| assembler.push(&event));
    assembler.finish_stream(end)
}

fn plan(prompt: &str, reasoning: bool, tool: bool) -> Reply {
    let shape = RequestShape {
        stream: true,
        include_usage: true,
        prompt: prompt.to_owned(),
        wants_reasoning: reasoning,
        tools: if tool {
            vec![OfferedTool {
                name: "lookup".to_owned(),
                schema: serde_json::json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}),
            }]
        } else {
            Vec::new()
        },
        ..RequestShape::default()
    };
    Reply::plan(&shape, true, prompt.len() + 40, prompt.as_bytes())
}

const CONTEXT: RenderContext<'static> = RenderContext {
    model: "emulated-model",
    include_usage: true,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        // PROPTEST_CASES, when set, overrides this count (`with_cases` alone ignores it).
        std::env::var("PROPTEST_CASES").map_or(64, |_| ProptestConfig::default().cases)
    ))]

    #[test]
    fn every_format_decodes_to_the_planned_reply(
        prompt in any::<String>(),
        reasoning in any::<bool>(),
        tool in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let reply = plan(&prompt, reasoning, tool);
        for format in WireFormat::ALL {
            let pieces = render(format, &CONTEXT, &reply);
            // The writes cover the body exactly.
            let body = pieces.concat();
            prop_assert_eq!(chunk_writes(&pieces).concat(), body.clone());
            let message = decode_split(format, &body, &cuts)
                .unwrap_or_else(|failure| panic!("{format:?}: {failure}"));
            prop_assert_eq!(message.text(), expected_reply_text(&prompt), "{:?}", format);
            let expected_reasoning = if reasoning { expected_reasoning_text(&prompt) } else { String::new() };
            prop_assert_eq!(message.reasoning(), expected_reasoning, "{:?}", format);
            let calls: Vec<_> = message.tool_calls().collect();
            prop_assert_eq!(calls.len(), usize::from(tool), "{:?}", format);
            if let Some(call) = calls.first() {
                let arguments: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
                prop_assert_eq!(arguments, serde_json::json!({"q": "emulator"}));
            }
            let usage = message.usage.unwrap();
            prop_assert_eq!(usage.input, Some(reply.input_tokens), "{:?}", format);
            prop_assert_eq!(usage.output, Some(reply.output_tokens), "{:?}", format);
        }
    }

    #[test]
    fn an_error_after_any_event_is_reported(
        prompt in "[a-z ]{0,40}",
        sent in 0usize..40,
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let reply = plan(&prompt, true, true);
        for format in WireFormat::ALL {
            let mut pieces = render(format, &CONTEXT, &reply);
            let keep = sent.min(pieces.len() - 1);
            pieces.truncate(keep);
            pieces.extend(error_tail(format, &CONTEXT, &reply, keep));
            let failure = decode_split(format, &pieces.concat(), &cuts).unwrap_err();
            prop_assert!(matches!(failure.cause, FailureCause::Provider(_)), "{:?}: {}", format, failure);
            prop_assert!(expected_reply_text(&prompt).starts_with(&failure.partial.text()));
        }
    }
}
