//! `clawrouter policy ids --kind …` and `clawrouter policy headers` (CLI.md): the bounded-id
//! sanitization of PROTOCOL.md §7.3, the tool-call id rules of POLICY.md §2.7.1, and the
//! dispatch header map of PROTOCOL.md §7.2 with dispatch-time model preparation (§4.10).

use std::io::Write;

use clawrouter_catalog::prepare_openclaw_model;
use clawrouter_policy::bounded_id::{BoundedIdKind, utf16_from_json_string};
use clawrouter_policy::headers::{DispatchInput, dispatch_headers};
use clawrouter_policy::replay::policy::ToolCallIdMode;
use clawrouter_policy::replay::tool_call_ids::sanitize_tool_call_id_list;
use serde_json::{Map, Value};

use crate::cli::IdKind;
use crate::output::{Status, diagnostic};

/// One input line: a JSON string literal as UTF-16 code units (lone surrogates kept, as
/// JavaScript keeps them), or `null`.
type Literal = Option<Vec<u16>>;

/// Runs `policy ids`: one output line per input line.
pub(crate) fn run_ids(
    kind: IdKind,
    input: &[u8],
    out: &mut impl Write,
    err: &mut impl Write,
) -> Status {
    let mut literals = Vec::new();
    for (index, line) in lines(input).enumerate() {
        match parse_literal(line) {
            Ok(literal) => literals.push(literal),
            Err(reason) => {
                // Print what came before the bad line (the output never depends on later lines
                // for the bounded kinds; the tool-call kinds depend on earlier lines only).
                let status = write_ids(kind, &literals, out, err);
                if status != Status::Success {
                    return status;
                }
                diagnostic(
                    err,
                    format_args!(
                        "error: line {}: {reason}; each line must be one JSON string literal such as \"agent-1\" (or null)",
                        index + 1
                    ),
                );
                return Status::Failed;
            }
        }
    }
    write_ids(kind, &literals, out, err)
}

fn write_ids(
    kind: IdKind,
    literals: &[Literal],
    out: &mut impl Write,
    err: &mut impl Write,
) -> Status {
    let outputs: Vec<Option<String>> = match kind {
        IdKind::Attribution => bounded(BoundedIdKind::Attribution, literals),
        IdKind::RequestId => bounded(BoundedIdKind::RequestId, literals),
        IdKind::ToolCallStrict => tool_calls(ToolCallIdMode::Strict, literals),
        IdKind::ToolCallStrict9 => tool_calls(ToolCallIdMode::Strict9, literals),
    };
    let mut text = String::new();
    for output in outputs {
        let line = match output {
            Some(value) => Value::String(value).to_string(),
            None => "null".to_owned(),
        };
        text.push_str(&line);
        text.push('\n');
    }
    crate::output::write_all(out, text.as_bytes(), err)
}

fn bounded(kind: BoundedIdKind, literals: &[Literal]) -> Vec<Option<String>> {
    literals
        .iter()
        .map(|literal| {
            literal
                .as_deref()
                .and_then(|units| kind.sanitize_utf16(units))
        })
        .collect()
}

fn tool_calls(mode: ToolCallIdMode, literals: &[Literal]) -> Vec<Option<String>> {
    let texts: Vec<Option<String>> = literals
        .iter()
        .map(|literal| literal.as_deref().map(String::from_utf16_lossy))
        .collect();
    let ids: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
    sanitize_tool_call_id_list(&ids, mode)
        .into_iter()
        .map(Some)
        .collect()
}

/// The lines of the input; a final newline does not start another line, and `\r\n` counts as
/// one line end.
fn lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let input = input.strip_suffix(b"\n").unwrap_or(input);
    let empty = input.is_empty();
    input
        .split(|&byte| byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(move |_| !empty)
}

/// Parses one JSON string literal (or `null`) surrounded by optional JSON whitespace.
fn parse_literal(line: &[u8]) -> Result<Literal, String> {
    let text = std::str::from_utf8(line)
        .map_err(|error| format!("invalid UTF-8 at byte {}", error.valid_up_to()))?;
    if text.trim_matches([' ', '\t', '\r', '\n']) == "null" {
        return Ok(None);
    }
    utf16_from_json_string(text)
        .map(Some)
        .map_err(|error| error.to_string())
}

/// Runs `policy headers`: one dispatch description on stdin, `{"modelId","headers"}` on stdout.
pub(crate) fn run_headers(input: &[u8], out: &mut impl Write, err: &mut impl Write) -> Status {
    let value = match clawrouter_catalog::json::parse(input) {
        Ok(value) => value,
        Err(error) => {
            diagnostic(
                err,
                format_args!("error: the dispatch description is not JSON: {error}"),
            );
            return Status::Failed;
        }
    };
    match headers_output(&value) {
        Ok(output) => {
            let mut line = output.to_string();
            line.push('\n');
            crate::output::write_all(out, line.as_bytes(), err)
        }
        Err(reason) => {
            diagnostic(
                err,
                format_args!(
                    "error: {reason}; expected {{\"model\":{{\"id\",\"api\",\"headers\"?,\"params\"?}},\"apiKey\"?,\"agentId\"?,\"sessionId\"?,\"requestId\"?,\"requestHeaders\"?}}"
                ),
            );
            Status::Failed
        }
    }
}

fn headers_output(value: &Value) -> Result<Value, String> {
    let object = value.as_object().ok_or("the input is not a JSON object")?;
    let model = object
        .get("model")
        .filter(|model| model.is_object())
        .ok_or("\"model\" must be an object")?;
    let prepared = prepare_openclaw_model(model);
    let model_id = prepared
        .get("id")
        .and_then(Value::as_str)
        .ok_or("\"model.id\" must be a string")?;
    let model_headers = header_pairs(prepared.get("headers"), "model.headers")?;
    let request_headers = header_pairs(object.get("requestHeaders"), "requestHeaders")?;
    let text = |name: &str| -> Result<Option<&str>, String> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(format!("\"{name}\" must be a string or null")),
        }
    };
    let model_headers = borrowed(&model_headers);
    let request_headers = borrowed(&request_headers);
    let headers = dispatch_headers(&DispatchInput {
        model_headers: &model_headers,
        api_key: text("apiKey")?,
        agent_id: text("agentId")?,
        session_id: text("sessionId")?,
        request_id: text("requestId")?,
        request_headers: &request_headers,
        generated_request_id: None,
    });
    let mut map = Map::new();
    for (name, value) in headers.redacted() {
        map.insert(name, Value::String(value));
    }
    let mut output = Map::new();
    output.insert("modelId".into(), Value::String(model_id.to_owned()));
    output.insert("headers".into(), Value::Object(map));
    Ok(Value::Object(output))
}

fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// A headers object as ordered pairs; `null` values are absent, other non-strings are an error.
fn header_pairs(value: Option<&Value>, what: &str) -> Result<Vec<(String, String)>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(name, value)| match value {
                Value::String(text) => Ok((name.clone(), text.clone())),
                _ => Err(format!("\"{what}.{name}\" must be a string or null")),
            })
            .collect(),
        Some(_) => Err(format!("\"{what}\" must be an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(kind: IdKind, input: &str) -> (String, String, Status) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run_ids(kind, input.as_bytes(), &mut out, &mut err);
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
            status,
        )
    }

    /// PROTOCOL.md §7.3 golden vectors, through the command (lone surrogates included).
    #[test]
    fn golden_vectors() {
        let attribution = [
            (r#""main""#, r#""main""#),
            // §14 D1: the request-id safe set, so the router accepts every output.
            (r#""my agent""#, r#""my_agent~3c743d64a56f0097""#),
            (r#""agent-😀中文-id""#, r#""agent-___-id~243bd58563ffe3a6""#),
            (r#""agent-\ud800""#, r#""agent-_~b5bb5724a963ef36""#),
            (r#""agent-\uD801""#, r#""agent-_~ea08c62b4c3003c4""#),
            (r#""bad\nagent""#, "null"),
            ("null", "null"),
            (r#""   ""#, "null"),
        ];
        for (input, expected) in attribution {
            let (out, err, status) = ids(IdKind::Attribution, &format!("{input}\n"));
            assert_eq!(
                (out.trim_end(), status),
                (expected, Status::Success),
                "{input}: {err}"
            );
        }
        let (out, _, _) = ids(
            IdKind::RequestId,
            "\"run id:model:7\"\r\n\"turn-😀:model:3\"\n",
        );
        assert_eq!(
            out,
            "\"run_id~350e0e9baa677b35:model:7\"\n\"turn-_~4e897f1644ca34dc:model:3\"\n"
        );
    }

    #[test]
    fn tool_call_ids_are_sanitized_per_conversation() {
        let (out, _, status) = ids(
            IdKind::ToolCallStrict,
            "\"call_a|b\"\n\"call_a:b\"\n\"call_a|b\"\n",
        );
        assert_eq!(status, Status::Success);
        assert_eq!(out, "\"callab\"\n\"callab164e5cbf\"\n\"callab\"\n");
    }

    #[test]
    fn a_bad_line_names_its_number_after_printing_the_lines_before() {
        let (out, err, status) = ids(IdKind::Attribution, "\"ok\"\nnope\n\"later\"\n");
        assert_eq!(status, Status::Failed);
        assert_eq!(out, "\"ok\"\n");
        assert!(
            err.starts_with("error: line 2: not a JSON string literal"),
            "{err}"
        );
    }

    #[test]
    fn headers_redact_the_key_and_prepare_the_model() {
        let input = r#"{"model":{"id":"anthropic/claude-sonnet-4-6","api":"anthropic-messages",
            "headers":{"X-ClawRouter-Project-Id":"p1","authorization":"Bearer old","X-Null":null},
            "params":{"clawrouterRoute":{"api":"anthropic-messages","baseUrl":"https://r.example/v1/native/anthropic","upstreamModel":"claude-sonnet-4-6"}}},
            "apiKey":"clawrouter-live-abcd-supersecret","agentId":"main","sessionId":"s 1","requestId":"run-1:model:1"}"#;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run_headers(input.as_bytes(), &mut out, &mut err);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(status, Status::Success, "{}", String::from_utf8_lossy(&err));
        assert!(!out.contains("supersecret"));
        let value: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["modelId"], "claude-sonnet-4-6");
        assert_eq!(value["headers"]["Authorization"], "Bearer [REDACTED]");
        assert_eq!(value["headers"]["X-ClawRouter-Project-Id"], "p1");
        assert_eq!(value["headers"]["X-ClawRouter-Client"], "openclaw");
        assert_eq!(value["headers"]["X-Request-ID"], "run-1:model:1");
        assert!(value["headers"].get("authorization").is_none());
        assert!(value["headers"].get("X-Null").is_none());
    }
}
