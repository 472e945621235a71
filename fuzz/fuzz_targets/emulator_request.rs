//! The emulator's request reader and wire renderer on arbitrary request bodies: the first byte
//! picks the dialect (bits 0–1), the format for Gemini (bit 2: JSON array) and whether the
//! model reasons (bit 3); the rest is the body. Whatever the body, nothing panics, and when it
//! parses, the rendered stream decodes (with `clawrouter-wire`) to exactly the planned reply.
#![no_main]

use clawrouter_emulator::reply::{Dialect, RequestShape};
use clawrouter_emulator::wire::{RenderContext, WireFormat, chunk_writes, render};
use clawrouter_emulator::{Reply, expected_reasoning_text, expected_reply_text};
use clawrouter_wire::assemble::MessageAssembler;
use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let _ = clawrouter_emulator::keys::is_valid_key(&String::from_utf8_lossy(body));
    let (dialect, format, transport, framing) = match selector & 3 {
        0 => (Dialect::Chat, WireFormat::Chat, Transport::OpenAiCompletions, Framing::Sse),
        1 => (Dialect::Responses, WireFormat::Responses, Transport::OpenAiResponses, Framing::Sse),
        2 => (Dialect::Anthropic, WireFormat::Anthropic, Transport::AnthropicMessages, Framing::Sse),
        _ if selector & 4 == 0 => (Dialect::Gemini, WireFormat::GeminiSse, Transport::GoogleGenerativeAi, Framing::Sse),
        _ => (Dialect::Gemini, WireFormat::GeminiArray, Transport::GoogleGenerativeAi, Framing::JsonArray),
    };
    let Some(shape) = RequestShape::parse(dialect, body) else {
        return;
    };
    let reasons = selector & 8 != 0;
    let reply = Reply::plan(&shape, reasons, body.len(), body);
    let context = RenderContext { model: "fuzz", include_usage: shape.include_usage };
    let pieces = render(format, &context, &reply);
    let mut decoder = ResponseDecoder::new(transport, framing);
    let mut assembler = MessageAssembler::new();
    for write in chunk_writes(&pieces) {
        decoder
            .feed(&write, &mut |event| assembler.push(&event))
            .expect("the emulator's own stream is well framed");
    }
    let end = decoder.finish(&mut |event| assembler.push(&event));
    let message = assembler.finish_stream(end).expect("the emulator's own stream completes");
    assert_eq!(message.text(), expected_reply_text(&shape.prompt));
    let reasoning = if reasons && shape.wants_reasoning {
        expected_reasoning_text(&shape.prompt)
    } else {
        String::new()
    };
    assert_eq!(message.reasoning(), reasoning);
    let calls: Vec<_> = message.tool_calls().collect();
    assert_eq!(calls.len(), usize::from(reply.tool_call.is_some()));
    if let (Some(call), Some(planned)) = (calls.first(), &reply.tool_call) {
        assert_eq!(call.name, planned.name);
        let got: serde_json::Value = serde_json::from_str(&call.arguments).expect("valid arguments");
        let want: serde_json::Value = serde_json::from_str(&planned.arguments).expect("valid plan");
        assert_eq!(got, want);
    }
});
