//! The command line: clap definitions only, no behaviour.

use clap::{Args, Parser, Subcommand, ValueEnum};

const MAIN_AFTER_HELP: &str = "\
Examples:
  # Show the SSE frames of a recorded Anthropic stream
  clawrouter decode --transport anthropic-messages --output frames < body

Exit status: 0 success, 1 the operation failed (bad input data), 2 the command line is wrong.";

const DECODE_AFTER_HELP: &str = "\
Output (--output frames), one JSON object per line:
  sse         one line per dispatched event, {\"event\":\"…\",\"data\":\"…\",\"id\":\"…\"}.
              \"event\" is \"message\" when the block had no event field; \"id\" is the last
              event ID and is omitted while no id field has ever been seen.
              When a valid retry field sets a reconnection time that differs from the
              last one printed, a {\"retry\":N} line is printed just before the next event
              line (or at the end of the output when no event follows); several changes in
              between are reported once, with the final value.
  json-array  one line per array element, the element as compact JSON with its key order
              kept (an {\"error\":…} element is printed like any other: this is the framing
              layer). A body that is a single JSON object instead of an array (Gemini's
              error form) is printed as one line too, then the command fails.

Output (--output events): the provider-neutral stream events, one JSON object per line,
  {\"type\":\"text_delta\",\"text\":\"…\"} and so on (see clawrouter_wire::events).
Output (--output message, the default): the assembled reply as one JSON object,
  {\"text\",\"reasoning\",\"tool_calls\":[{\"id\",\"name\",\"arguments\"}],\"finish_reason\",
   \"usage\",\"error\"}; \"arguments\" is the JSON text, \"finish_reason\" the provider's raw value.
  \"error\" is the provider's error reported after HTTP 200 ({\"code\",\"message\"}), or a
  decoding failure with code \"stream_truncated\" (no terminal event, EOF inside an event)
  or \"malformed_stream\"; in both cases everything before the failure is printed and
  the exit status is 1.

The body is read from stdin to its end, then fed to the decoder (--chunk-size bytes at a
time); the output never depends on the chunk size.

An SSE body whose last event is not followed by a blank line: that event is discarded, as
the WHATWG standard says; the frames before it are printed, a warning on stderr says how
many bytes were discarded, and the exit status is 0 (the stream was read correctly; it is
the stream that is truncated).
Malformed input (an event or element over the 16 MiB limit, a JSON array without its
closing ']', an element that is not valid JSON): the frames before it are printed, one
'error:' line on stderr says where (the byte offset; for an invalid element, its number
and the line and column inside it), and the exit status is 1.

Examples:
  clawrouter decode --transport anthropic-messages --output frames < fixtures/wire/01-anthropic-haiku-usage-cache/body
  clawrouter decode --transport google-generative-ai --framing json-array --output frames --chunk-size 7 < response.json";

/// `clawrouter`: ClawRouter's command line.
#[derive(Debug, Parser)]
#[command(
    name = "clawrouter",
    version,
    about = "ClawRouter's command line: offline inspectors for the ClawRouter library crates",
    after_help = MAIN_AFTER_HELP,
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Decode a raw streamed LLM response body read from stdin and print it as JSON lines
    #[command(after_help = DECODE_AFTER_HELP)]
    Decode(DecodeArgs),
    /// Run the built-in ClawRouter emulator as a server until Ctrl-C
    #[command(after_help = EMULATOR_AFTER_HELP)]
    Emulator(EmulatorArgs),
}

const EMULATOR_AFTER_HELP: &str = "\
Prints the base URL and the scenario's test keys, then serves GET /v1/catalog, GET /v1/usage
and the four streaming transports until Ctrl-C. The scenario format is documented in the
clawrouter-emulator crate (crates/clawrouter-emulator/scenarios/default.toml is the default).

Examples:
  clawrouter emulator
  clawrouter emulator --listen 127.0.0.1:0 --scenario my-scenario.toml";

/// Options of `clawrouter emulator`.
#[derive(Debug, Clone, Args)]
pub(crate) struct EmulatorArgs {
    /// The address to listen on (port 0 picks a free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub(crate) listen: std::net::SocketAddr,

    /// A scenario file (TOML, or JSON when the name ends in .json); default: the built-in one
    #[arg(long, value_name = "FILE")]
    pub(crate) scenario: Option<std::path::PathBuf>,
}

/// Options of `clawrouter decode`.
#[derive(Debug, Clone, Args)]
pub(crate) struct DecodeArgs {
    /// The wire protocol the body was produced by
    #[arg(long, value_name = "T")]
    pub(crate) transport: Transport,

    /// How the body is framed (json-array only with google-generative-ai)
    #[arg(long, value_name = "FRAMING", default_value = "sse")]
    pub(crate) framing: Framing,

    /// What to print
    #[arg(long, value_name = "WHAT", default_value = "message")]
    pub(crate) output: Output,

    /// Feed the decoder N bytes at a time (0 = the whole body in one feed)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) chunk_size: usize,
}

/// The four ClawRouter transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Transport {
    /// OpenAI Chat Completions and compatible servers
    OpenaiCompletions,
    /// The OpenAI Responses API
    OpenaiResponses,
    /// Anthropic Messages
    AnthropicMessages,
    /// Google Gemini `streamGenerateContent`
    GoogleGenerativeAi,
}

/// The framing layer of a streamed body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Framing {
    /// `text/event-stream` (WHATWG server-sent events)
    Sse,
    /// One JSON array written element by element (Gemini's default stream)
    JsonArray,
}

/// What `decode` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// The framing layer: SSE events or JSON-array elements, one JSON object per line
    Frames,
    /// The unified, provider-neutral stream events, one JSON object per line
    Events,
    /// The assembled reply as one JSON object
    Message,
}
