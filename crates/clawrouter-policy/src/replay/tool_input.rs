//! S6 tool-call input repair (POLICY.md §2.6).

use std::collections::HashSet;

use serde_json::Value;

use crate::conversation::{Content, ContentBlock, Message, StopReason, ToolCallBlock};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The id fields a tool-call block may carry (§2.6 S6).
const CALL_ID_FIELDS: [&str; 5] = [
    "call_id",
    "tool_call_id",
    "toolCallId",
    "tool_use_id",
    "toolUseId",
];

/// A valid tool name (§2.6 S6): trimmed, non-empty, at most 64 characters, only
/// `[A-Za-z0-9_:.-]`, and in `allowed` (case-insensitively) when there is an allow-list.
pub fn is_valid_tool_name(name: &str, allowed: Option<&[&str]>) -> bool {
    let name = name.trim();
    !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-'))
        && allowed.is_none_or(|allowed| allowed.iter().any(|a| a.eq_ignore_ascii_case(name)))
}

fn has_any_id(call: &ToolCallBlock) -> bool {
    call.id.as_deref().is_some_and(|id| !id.is_empty())
        || CALL_ID_FIELDS.iter().any(|field| {
            call.extra
                .get(*field)
                .and_then(Value::as_str)
                .is_some_and(|id| !id.is_empty())
        })
}

fn has_input(call: &ToolCallBlock) -> bool {
    call.args().is_some()
}

/// A call that still carries `partialJson` but is a finalised Responses call (§2.6 S6).
fn is_finalised_responses_call(call: &ToolCallBlock, stop: Option<&StopReason>) -> bool {
    let paired = call
        .id
        .as_deref()
        .and_then(|id| id.split_once('|'))
        .is_some_and(|(c, i)| !c.is_empty() && !i.is_empty());
    let arguments = match &call.arguments {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    };
    let partial_ok = match call.extra.get("partialJson") {
        Some(Value::String(partial)) => {
            matches!(serde_json::from_str::<Value>(partial), Ok(Value::Object(_)))
                || (partial.trim().is_empty() && arguments.is_some_and(|a| a.is_empty()))
        }
        _ => false,
    };
    stop == Some(&StopReason::ToolUse)
        && paired
        && call.input.is_none()
        && arguments.is_some()
        && partial_ok
}

/// Whether an assistant's thinking + tool-call turn can be replayed verbatim under
/// provider-owned thinking replay (§2.6 S6; the OpenClaw-specific `sessions_spawn` and
/// displaced-span guards are not modelled). `preserved` holds ids kept by earlier turns.
pub(crate) fn is_replay_safe_turn(
    blocks: &[ContentBlock],
    preserved: &HashSet<String>,
    allowed: Option<&[&str]>,
) -> bool {
    let mut seen = HashSet::new();
    blocks
        .iter()
        .filter_map(ContentBlock::as_tool_call)
        .all(|call| {
            let id_ok = call
                .id
                .as_deref()
                .is_some_and(|id| !id.is_empty() && seen.insert(id) && !preserved.contains(id));
            let name_ok = call
                .name
                .as_deref()
                .is_some_and(|name| name.trim() == name && is_valid_tool_name(name, allowed));
            has_input(call) && !call.extra.contains_key("partialJson") && id_ok && name_ok
        })
}

/// S6 (§2.6). `provider_owned_replay`: thinking + tool-call turns are kept verbatim or dropped
/// whole. `allowed`: the run's allowed tool names, if any (calls that already have a real result
/// skip that check).
pub fn repair_tool_call_inputs(
    messages: Vec<Message>,
    provider_owned_replay: bool,
    allowed: Option<&[&str]>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    // Ids with a real (non-synthetic) result somewhere: "completed" calls skip the allow-list.
    let completed: HashSet<String> = messages
        .iter()
        .filter_map(|message| match message {
            Message::ToolResult(result) if !super::pairing::is_synthetic(result) => {
                result.result_id().map(str::to_owned)
            }
            _ => None,
        })
        .collect();
    let mut preserved: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(messages.len());
    for (index, message) in messages.into_iter().enumerate() {
        let Message::Assistant(mut assistant) = message else {
            out.push(message);
            continue;
        };
        let Some(Content::Blocks(blocks)) = &mut assistant.content else {
            out.push(Message::Assistant(assistant));
            continue;
        };
        let has_thinking = blocks.iter().any(ContentBlock::is_thinking_like);
        let has_calls = blocks.iter().any(|block| block.as_tool_call().is_some());
        if provider_owned_replay && has_thinking && has_calls {
            if is_replay_safe_turn(blocks, &preserved, allowed) {
                preserved.extend(
                    blocks
                        .iter()
                        .filter_map(ContentBlock::as_tool_call)
                        .filter_map(|call| call.id.clone()),
                );
                out.push(Message::Assistant(assistant));
            } else {
                diagnostics.push(Diagnostic::at(
                    DiagnosticKind::ToolCallDropped,
                    index,
                    "signed thinking turn with an unreplayable tool call dropped whole",
                ));
            }
            continue;
        }
        let stop = assistant.stop_reason.clone();
        let before = blocks.len();
        let mut repaired = false;
        blocks.retain_mut(|block| {
            let ContentBlock::ToolCall(call) = block else {
                return true;
            };
            let is_completed = call
                .id
                .as_deref()
                .is_some_and(|id| completed.contains(id.trim()));
            let name_ok = call.name.as_deref().is_some_and(|name| {
                is_valid_tool_name(name, if is_completed { None } else { allowed })
            });
            if !has_input(call) || !has_any_id(call) || !name_ok {
                return false;
            }
            if call.extra.contains_key("partialJson") {
                if !is_finalised_responses_call(call, stop.as_ref()) {
                    return false;
                }
                call.extra.shift_remove("partialJson");
                repaired = true;
            }
            if let Some(name) = &mut call.name
                && name.trim() != name
            {
                *name = name.trim().to_owned();
                repaired = true;
            }
            true
        });
        let dropped = before - blocks.len();
        if dropped > 0 {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::ToolCallDropped,
                index,
                format!("{dropped} tool call(s) without input, id or a valid name dropped"),
            ));
        }
        if repaired {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::ToolCallDropped,
                index,
                "tool call repaired (name trimmed or streaming leftovers removed)",
            ));
        }
        if blocks.is_empty() {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::EmptyContent,
                index,
                "assistant turn left without content dropped",
            ));
            continue;
        }
        out.push(Message::Assistant(assistant));
    }
    out
}
