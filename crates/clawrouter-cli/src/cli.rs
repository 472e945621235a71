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
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command accepts (CLI.md "Global options and environment").
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// The ClawRouter base URL (normalized per PROTOCOL.md §2) [default: https://clawrouter.openclaw.ai]
    #[arg(long, global = true, value_name = "URL", env = "CLAWROUTER_BASE_URL")]
    pub(crate) base_url: Option<String>,

    /// The environment variable the key is read from (keys are never read from flags)
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        default_value = "CLAWROUTER_API_KEY"
    )]
    pub(crate) api_key_env: String,

    /// Timeout in seconds for each request and for each gap between streamed chunks
    /// [default: 5 s for the catalog, per-operation defaults otherwise]
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_timeout)]
    pub(crate) timeout: Option<f64>,
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 => Ok(seconds),
        _ => Err("expected a number of seconds between 0 and 86400, e.g. 30 or 0.5".to_owned()),
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the models your key may use
    #[command(after_help = MODELS_AFTER_HELP)]
    Models(ModelsArgs),
    /// Show the key's usage and budget
    #[command(after_help = STATUS_AFTER_HELP)]
    Status(StatusArgs),
    /// Send one message to a model and stream the reply
    #[command(after_help = RUN_AFTER_HELP)]
    Run(RunArgs),
    /// Try everything offline: a built-in ClawRouter emulator, then models, status and one run per transport
    #[command(after_help = DEMO_AFTER_HELP)]
    Demo(DemoArgs),
    /// Decode a raw streamed LLM response body read from stdin and print it as JSON lines
    #[command(after_help = DECODE_AFTER_HELP)]
    Decode(DecodeArgs),
    /// Inspect a /v1/catalog body: the models it grants, and every row it drops and why
    Catalog(crate::catalog::CatalogArgs),
    /// Inspect a /v1/usage body: OpenClaw's usage snapshot
    Usage(crate::usage::UsageArgs),
    /// Offline inspectors of the replay and tool-schema policy (clawrouter-policy)
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run the built-in ClawRouter emulator as a server until Ctrl-C
    #[command(after_help = EMULATOR_AFTER_HELP)]
    Emulator(EmulatorArgs),
}

const POLICY_REPLAY_AFTER_HELP: &str = "\
stdin: a conversation in the neutral message model (POLICY.md §1) as a JSON array, e.g.
  [{\"role\":\"user\",\"content\":\"hi\"},
   {\"role\":\"assistant\",\"content\":[{\"type\":\"toolCall\",\"id\":\"call_1|fc_1\",\"name\":\"read\",\"arguments\":{}}]}]
stdout: the conversation after ClawRouter's replay policy for the transport and model, as one
  JSON line (unknown fields and roles pass through unchanged).
stderr: one line per repair, `<kind> (message N): <what and why>` (synthetic tool result
  inserted, orphan dropped, id rewritten, turns merged …).

Examples:
  clawrouter policy replay --transport openai-completions --model openai/gpt-5.5 < conversation.json
  clawrouter policy replay --transport anthropic-messages --model anthropic/claude-sonnet-4-6 < conversation.json";

const POLICY_TOOLS_AFTER_HELP: &str = "\
Input: a JSON array of tools, [{\"name\",\"description\",\"parameters\"}], on stdin.
Output: the same array on stdout, each tool's \"parameters\" replaced by the schema the
  tool family of --model sends (POLICY.md §4): deepseek/ → DeepSeek (anyOf/oneOf collapsed),
  google/ → the Gemini cleaner, perplexity/ → Perplexity, anything else → OpenAI, which on
  ClawRouter returns the tools unchanged. Key order and other keys are kept.
Stderr: one line per change (\"gemini: t.parameters.properties.n.format: removed\"), then a
  warning per unsupported keyword the result still has.

Examples:
  echo '[{\"name\":\"t\",\"parameters\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}}}}]' \\
    | clawrouter policy tools --model google/gemini-3.5-flash";

/// The `policy` inspectors.
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Apply the replay policy of a transport and model to a conversation read from stdin
    #[command(after_help = POLICY_REPLAY_AFTER_HELP)]
    Replay(PolicyReplayArgs),
    /// Apply a model's tool-schema family to a JSON array of tools read from stdin
    #[command(after_help = POLICY_TOOLS_AFTER_HELP)]
    Tools(PolicyToolsArgs),
    /// Sanitize ids read from stdin, one JSON string per line, as dispatch and replay do
    #[command(after_help = POLICY_IDS_AFTER_HELP)]
    Ids(PolicyIdsArgs),
    /// The model id and header map of one dispatch described on stdin (the key redacted)
    #[command(after_help = POLICY_HEADERS_AFTER_HELP)]
    Headers,
}

const POLICY_IDS_AFTER_HELP: &str = "\
stdin: one JSON string literal per line (null counts as absent). stdout: one line per input,
the sanitized id as a JSON string, or null where the header would be omitted.
  attribution        X-ClawRouter-Agent-Id / -Session-Id (PROTOCOL.md §7.3, 256 UTF-16 units,
                     with the request-id character set of §14 D1, which the router accepts)
  request-id         X-Request-ID (128 units, A-Z a-z 0-9 . _ ~ : / + @ = -, `:model:N` kept)
  tool-call-strict   tool-call ids of ONE conversation in order (POLICY.md §2.7.1): alphanumeric,
                     at most 40 characters, a repeated id maps to its first output, colliding ids
                     get a suffix — what the replay pipeline sends to openai-completions
  tool-call-strict9  the same, exactly 9 alphanumeric characters
Escaped lone surrogates (\"\\ud800\") are kept as JavaScript keeps them.

Examples:
  printf '\"agent-😀\"\\n\"main\"\\n' | clawrouter policy ids --kind attribution
  printf '\"call_a|b\"\\n\"call_a:b\"\\n' | clawrouter policy ids --kind tool-call-strict";

const POLICY_HEADERS_AFTER_HELP: &str = "\
stdin: {\"model\":{\"id\",\"api\",\"headers\"?,\"params\"?},\"apiKey\"?,\"agentId\"?,\"sessionId\"?,
        \"requestId\"?,\"requestHeaders\"?}  (params.clawrouterRoute as `catalog resolve` prints it)
stdout: {\"modelId\":\"<id actually sent>\",\"headers\":{…}} — the model id after dispatch-time
  preparation (PROTOCOL.md §4.10) and the exact header map of §7.2, in order. The key is printed
  as \"Bearer [REDACTED]\", and so is a configured Authorization header. A null header value
  counts as absent.

Example:
  echo '{\"model\":{\"id\":\"openai/gpt-5.5\",\"api\":\"openai-responses\"},\"apiKey\":\"k\",\"agentId\":\"main\"}' \\
    | clawrouter policy headers";

/// Options of `clawrouter policy ids`.
#[derive(Debug, Clone, Args)]
pub(crate) struct PolicyIdsArgs {
    /// Which sanitization to apply
    #[arg(long, value_name = "KIND")]
    pub(crate) kind: IdKind,
}

/// The id kinds of `clawrouter policy ids`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum IdKind {
    /// Agent and session ids (PROTOCOL.md §7.3)
    Attribution,
    /// X-Request-ID (PROTOCOL.md §7.3)
    RequestId,
    /// Tool-call ids, strict (POLICY.md §2.7.1)
    ToolCallStrict,
    /// Tool-call ids, strict9 (POLICY.md §2.7.1)
    ToolCallStrict9,
}

/// Options of `clawrouter policy replay`.
#[derive(Debug, Clone, Args)]
pub(crate) struct PolicyReplayArgs {
    /// The transport the conversation is about to be sent over
    #[arg(long, value_name = "T")]
    pub(crate) transport: Transport,

    /// The catalog model id (with its vendor prefix, e.g. anthropic/claude-sonnet-4-6)
    #[arg(long, value_name = "ID")]
    pub(crate) model: String,
}

/// Options of `clawrouter policy tools`.
#[derive(Debug, Clone, Args)]
pub(crate) struct PolicyToolsArgs {
    /// The catalog model id, vendor prefix included (e.g. google/gemini-3.5-flash)
    #[arg(long, value_name = "ID")]
    pub(crate) model: String,
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

const MODELS_AFTER_HELP: &str = "\
Columns: the model ref to pass to `run`, its transport, context window and output limit in
tokens, USD per million input / output tokens, and the reasoning levels it accepts.
`--all` also lists the catalog rows that cannot be used, each with the reason.
--json prints {\"models\":[{\"ref\",\"id\",\"name\",\"provider\",\"api\",\"baseUrl\",\"contextWindow\",
\"maxTokens\",\"cost\",\"reasoning\",\"thinkingLevels\",\"input\"}], \"dropped\"?:[{\"provider\",\"model\",\"reason\"}]}.

Examples:
  clawrouter models
  clawrouter models --provider anthropic --json
  clawrouter models status";

const STATUS_AFTER_HELP: &str = "\
--json prints OpenClaw's usage snapshot (the shape of `clawrouter usage summarize`).

Examples:
  clawrouter status --usage
  clawrouter status --usage --json";

const RUN_AFTER_HELP: &str = "\
The reply is printed as it arrives; reasoning, when the model streams it, is printed dimmed
before it. --json prints the provider-neutral stream events as JSON lines instead
({\"type\":\"text_delta\",\"text\":\"…\"} …). A stream that fails midway prints what arrived,
then one error line, and exits 1.

Examples:
  clawrouter run --model clawrouter/openai/gpt-5.5 --message 'Hello'
  clawrouter run --model clawrouter/anthropic/claude-sonnet-4-6 --reasoning high --message 'Why?'";

const DEMO_AFTER_HELP: &str = "\
Nothing leaves the machine: the emulator listens on 127.0.0.1 on a random port and is stopped
at the end. The keys shown are the emulator's built-in test keys.

Example:
  clawrouter demo";

/// Options of `clawrouter models`.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ModelsArgs {
    #[command(subcommand)]
    pub(crate) command: Option<ModelsCommand>,

    /// Also list the catalog rows that cannot be used, with the reason
    #[arg(long)]
    pub(crate) all: bool,

    /// Only models of this provider (e.g. anthropic)
    #[arg(long, value_name = "P")]
    pub(crate) provider: Option<String>,

    /// Print JSON instead of a table
    #[arg(long)]
    pub(crate) json: bool,
}

/// The `models` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub(crate) enum ModelsCommand {
    /// Is the key present, is the catalog reachable, and which rows were dropped and why
    Status(JsonArgs),
}

/// Just `--json`.
#[derive(Debug, Clone, Args)]
pub(crate) struct JsonArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `clawrouter status`.
#[derive(Debug, Clone, Args)]
pub(crate) struct StatusArgs {
    /// Show the usage snapshot: budget window, percent used, reset time, totals (the default)
    #[arg(long)]
    pub(crate) usage: bool,

    /// Print OpenClaw's usage snapshot as JSON
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `clawrouter run`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RunArgs {
    /// The model ref, as `clawrouter models` lists it (clawrouter/<catalog id>)
    #[arg(long, value_name = "REF")]
    pub(crate) model: String,

    /// The user message
    #[arg(long, value_name = "TEXT")]
    pub(crate) message: String,

    /// A system prompt
    #[arg(long, value_name = "TEXT")]
    pub(crate) system: Option<String>,

    /// The output token limit
    #[arg(long, value_name = "N")]
    pub(crate) max_tokens: Option<u64>,

    /// The reasoning level (off, minimal, low, medium, high, xhigh, max)
    #[arg(long, value_name = "LEVEL")]
    pub(crate) reasoning: Option<String>,

    /// Print the unified stream events as JSON lines
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `clawrouter demo`.
#[derive(Debug, Clone, Args)]
pub(crate) struct DemoArgs {
    /// Stream without the emulator's realistic pacing
    #[arg(long)]
    pub(crate) fast: bool,
}
