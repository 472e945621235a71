//! `clawrouter policy tools --model ID` (CLI.md): a JSON array of tools on stdin, the array after
//! the model's tool-schema family (POLICY.md §4; PROTOCOL.md §7.6–§7.7) on stdout.
//!
//! Each input element is kept as it is (its key order and any extra keys included) except for
//! `parameters`, which is replaced by the normalized schema. Every change is reported on stderr,
//! one line each (`gemini: t.parameters.properties.n.format: removed`), followed by what the
//! family's inspection still finds in the result (`warning: … still unsupported by deepseek`).
//!
//! Input follows CLI.md "Input bodies": a leading UTF-8 BOM is skipped and an escaped lone
//! surrogate (`"\ud800"`) is read as U+FFFD (PROTOCOL.md §14 D18).

use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

use clawrouter_policy::ToolDefinition;
use clawrouter_policy::tools::{inspect_tools, normalize_tools};
use serde_json::Value;

use crate::cli::PolicyToolsArgs;
use crate::output::{Status, diagnostic, write_failed};

/// Runs the command on the process's stdin / stdout / stderr.
pub(crate) fn run(args: &PolicyToolsArgs) -> ExitCode {
    let mut err = io::stderr().lock();
    let mut stdin = io::stdin().lock();
    if stdin.is_terminal() {
        diagnostic(
            &mut err,
            format_args!(
                "clawrouter policy tools: reading a JSON array of tools from stdin; end it with Ctrl-D"
            ),
        );
    }
    let mut input = Vec::new();
    if let Err(error) = stdin.read_to_end(&mut input) {
        diagnostic(
            &mut err,
            format_args!("error: cannot read the tools from stdin: {error}"),
        );
        return Status::Failed.into();
    }
    let mut out = BufWriter::new(io::stdout().lock());
    run_with(args, &input, &mut out, &mut err).into()
}

/// The command on an in-memory input.
pub(crate) fn run_with(
    args: &PolicyToolsArgs,
    input: &[u8],
    out: &mut impl Write,
    err: &mut impl Write,
) -> Status {
    let elements = match parse_tools(input) {
        Ok(elements) => elements,
        Err(message) => {
            diagnostic(err, format_args!("error: {message}"));
            return Status::Failed;
        }
    };
    let tools: Vec<ToolDefinition> = elements
        .iter()
        .map(|(name, element)| ToolDefinition {
            name: name.clone(),
            description: String::new(),
            parameters: element.get("parameters").cloned().unwrap_or(Value::Null),
        })
        .collect();

    let normalized = normalize_tools(&args.model, &tools);
    let family = normalized.family.as_str();
    for change in &normalized.diagnostics {
        diagnostic(err, format_args!("{family}: {change}"));
    }
    for tool in inspect_tools(&args.model, &normalized.tools) {
        for path in &tool.violations {
            diagnostic(
                err,
                format_args!("warning: {path}: still unsupported by {family}"),
            );
        }
    }

    let output: Vec<Cow<'_, Value>> = match &normalized.tools {
        Cow::Borrowed(_) => elements.iter().map(|(_, e)| Cow::Borrowed(e)).collect(),
        Cow::Owned(new) => elements
            .iter()
            .zip(new)
            .map(|((_, element), tool)| {
                let mut element = element.clone();
                // Only a tool that had `parameters` gets them back (an absent schema stays absent).
                if let Some(parameters) = element
                    .as_object_mut()
                    .and_then(|map| map.get_mut("parameters"))
                {
                    *parameters = tool.parameters.clone();
                }
                Cow::Owned(element)
            })
            .collect(),
    };
    let written = serde_json::to_writer(&mut *out, &output)
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Status::Success,
        Err(error) => write_failed(&error, err),
    }
}

/// The input array, each element with its `name`; a message for the one `error:` line otherwise.
fn parse_tools(input: &[u8]) -> Result<Vec<(String, Value)>, String> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let input = replace_lone_surrogate_escapes(input);
    let value: Value = serde_json::from_slice(&input).map_err(|error| {
        // At EOF serde_json's column is the last byte read, elsewhere the offending byte.
        let offset = if error.classify() == serde_json::error::Category::Eof {
            input.len()
        } else {
            byte_offset(&input, error.line(), error.column())
        };
        format!("stdin is not valid JSON at byte {offset}: {error}")
    })?;
    let Value::Array(elements) = value else {
        return Err(
            "stdin must be a JSON array of tools [{\"name\",\"description\",\"parameters\"}]"
                .to_owned(),
        );
    };
    elements
        .into_iter()
        .enumerate()
        .map(|(index, element)| match element.get("name") {
            Some(Value::String(name)) => Ok((name.clone(), element)),
            _ => Err(format!(
                "tool {index} has no string \"name\": each tool is {{\"name\",\"description\",\"parameters\"}}"
            )),
        })
        .collect()
}

/// The byte offset of serde_json's 1-based line and column.
fn byte_offset(input: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = input
        .split_inclusive(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(<[u8]>::len)
        .sum();
    line_start + column.saturating_sub(1)
}

/// Rewrites every `\uXXXX` escape of a lone surrogate inside a JSON string as `\ufffd`
/// (PROTOCOL.md §14 D18), leaving valid pairs and everything else as it is.
fn replace_lone_surrogate_escapes(input: &[u8]) -> Cow<'_, [u8]> {
    fn hex4(bytes: &[u8]) -> Option<u16> {
        let text = std::str::from_utf8(bytes.get(..4)?).ok()?;
        u16::from_str_radix(text, 16).ok()
    }
    // Fast path: no escaped surrogate at all.
    if !input
        .windows(3)
        .any(|w| matches!(w, [b'\\', b'u', b'd' | b'D']))
    {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut in_string = false;
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        if !in_string {
            in_string = byte == b'"';
            out.push(byte);
            i += 1;
            continue;
        }
        match byte {
            b'"' => {
                in_string = false;
                out.push(byte);
                i += 1;
            }
            b'\\' if input.get(i + 1) == Some(&b'u') => {
                let unit = input.get(i + 2..).and_then(hex4);
                let next = match (input.get(i + 6), input.get(i + 7)) {
                    (Some(b'\\'), Some(b'u')) => input.get(i + 8..).and_then(hex4),
                    _ => None,
                };
                match unit {
                    Some(0xd800..=0xdbff) if matches!(next, Some(0xdc00..=0xdfff)) => {
                        // A valid pair: copy both escapes.
                        out.extend_from_slice(input.get(i..i + 12).unwrap_or_default());
                        i += 12;
                    }
                    Some(0xd800..=0xdfff) => {
                        out.extend_from_slice(b"\\ufffd");
                        i += 6;
                    }
                    _ => {
                        out.extend_from_slice(input.get(i..i + 2).unwrap_or_default());
                        i += 2;
                    }
                }
            }
            b'\\' => {
                out.extend_from_slice(
                    input
                        .get(i..i + 2)
                        .or_else(|| input.get(i..))
                        .unwrap_or_default(),
                );
                i += 2;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let input = br#"["\ud800", "\ud83d\ude00", "\udc00x", "\\ud800", "\u0041"]"#;
        let fixed = replace_lone_surrogate_escapes(input);
        let value: Value = serde_json::from_slice(&fixed).unwrap();
        assert_eq!(
            value,
            serde_json::json!(["\u{fffd}", "😀", "\u{fffd}x", "\\ud800", "A"])
        );
    }

    #[test]
    fn byte_offsets_count_earlier_lines() {
        assert_eq!(byte_offset(b"ab\ncd", 2, 2), 4);
        assert_eq!(byte_offset(b"[", 1, 1), 0);
    }
}
