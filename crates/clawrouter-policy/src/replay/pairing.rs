//! Tool-use/result pairing repair (POLICY.md §2.7.2), with the "drop errored" policy the replay
//! pipeline uses.

use serde_json::{Value, json};

use crate::conversation::{Content, ContentBlock, Message, ToolResultMessage};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The synthetic result text on non-Responses APIs (§2.7.2).
pub const SYNTHETIC_RESULT_TEXT: &str = "[openclaw] missing tool result in session history; inserted synthetic error result for transcript repair.";
/// The synthetic result text on the Responses APIs (§2.7.2).
pub const SYNTHETIC_RESULT_TEXT_RESPONSES: &str = "aborted";

/// Whether a result is one the repair synthesised (`details.openclawSyntheticMissingToolResult`).
pub fn is_synthetic(result: &ToolResultMessage) -> bool {
    result
        .details
        .as_ref()
        .and_then(|details| details.get("openclawSyntheticMissingToolResult"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// A synthetic error result for an unanswered call (§2.7.2 step 5; no `timestamp`: no clock).
pub fn synthetic_result(id: &str, name: &str, text: &str) -> ToolResultMessage {
    ToolResultMessage {
        tool_call_id: Some(id.to_owned()),
        tool_name: Some(
            if name.trim().is_empty() {
                "unknown"
            } else {
                name
            }
            .to_owned(),
        ),
        is_error: Some(true),
        timestamp: None,
        content: Some(Content::Blocks(vec![ContentBlock::text(text)])),
        details: Some(
            json!({"openclawSyntheticMissingToolResult": true, "reason": "missing_tool_result"}),
        ),
        extra: Default::default(),
    }
}

/// The tool calls of an assistant that count for pairing (`toolCall` / `toolUse` /
/// `functionCall` with a non-empty string id): (id, name).
pub fn pairing_calls(message: &Message) -> Vec<(String, String)> {
    if !matches!(message, Message::Assistant(_)) {
        return Vec::new();
    }
    message
        .blocks()
        .iter()
        .filter_map(ContentBlock::as_tool_call)
        .filter(|call| call.kind.is_camel())
        .filter_map(|call| {
            let id = call.id.as_deref().filter(|id| !id.is_empty())?;
            Some((id.to_owned(), call.name.clone().unwrap_or_default()))
        })
        .collect()
}

struct Frame {
    index: usize,
    assistant: Message,
    calls: Vec<(String, String)>,
    results: Vec<Option<(usize, ToolResultMessage)>>,
    remainder: Vec<Message>,
}

/// Pairing repair (§2.7.2) with the given synthetic text; frames of `error` / `aborted`
/// assistants are dropped with their results.
pub fn repair_pairing(
    messages: Vec<Message>,
    synthetic_text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut prefix: Vec<Message> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    for (index, message) in messages.into_iter().enumerate() {
        let calls = pairing_calls(&message);
        if !calls.is_empty() {
            let results = calls.iter().map(|_| None).collect();
            frames.push(Frame {
                index,
                assistant: message,
                calls,
                results,
                remainder: Vec::new(),
            });
            continue;
        }
        let Message::ToolResult(mut result) = message else {
            match frames.last_mut() {
                Some(frame) => frame.remainder.push(message),
                None => prefix.push(message),
            }
            continue;
        };
        let Some(frame) = frames.last_mut() else {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::OrphanToolResultDropped,
                index,
                "tool result before any tool call dropped",
            ));
            continue;
        };
        let id = match result.result_id() {
            Some(id) => id.to_owned(),
            None => {
                let adopt = match frame.calls.as_slice() {
                    [(call_id, call_name)] => {
                        let conflict = result
                            .tool_name
                            .as_deref()
                            .map(str::trim)
                            .is_some_and(|name| !name.is_empty() && name != call_name.trim());
                        (!conflict).then(|| call_id.clone())
                    }
                    _ => None,
                };
                match adopt {
                    Some(call_id) => {
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::ToolResultIdAdopted,
                            index,
                            format!("tool result without an id adopted {call_id:?} and marked as an error"),
                        ));
                        result.set_id(&call_id);
                        result.is_error = Some(true);
                        call_id
                    }
                    None => {
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::OrphanToolResultDropped,
                            index,
                            "tool result without an id dropped",
                        ));
                        continue;
                    }
                }
            }
        };
        claim(&mut frames, index, &id, result, diagnostics);
    }

    let mut out = prefix;
    for frame in frames {
        let failed = match &frame.assistant {
            Message::Assistant(assistant) => assistant
                .stop_reason
                .as_ref()
                .is_some_and(|s| s.is_failure()),
            _ => false,
        };
        if failed {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::FailedTurn,
                frame.index,
                "failed assistant turn with tool calls dropped with its results",
            ));
            out.extend(frame.remainder);
            continue;
        }
        out.push(frame.assistant);
        for ((id, name), result) in frame.calls.iter().zip(frame.results) {
            match result {
                Some((_, mut result)) => {
                    let trimmed = result
                        .tool_name
                        .as_deref()
                        .map(str::trim)
                        .unwrap_or_default();
                    result.tool_name = Some(if !trimmed.is_empty() {
                        trimmed.to_owned()
                    } else if !name.trim().is_empty() {
                        name.clone()
                    } else {
                        "unknown".to_owned()
                    });
                    out.push(Message::ToolResult(result));
                }
                None => {
                    diagnostics.push(Diagnostic::at(
                        DiagnosticKind::SyntheticToolResult,
                        frame.index,
                        format!("call {id:?} had no result; a synthetic error result was inserted"),
                    ));
                    out.push(Message::ToolResult(synthetic_result(
                        id,
                        name,
                        synthetic_text,
                    )));
                }
            }
        }
        out.extend(frame.remainder);
    }
    out
}

/// Steps 1–2 of §2.7.2 for one result with id `id`.
fn claim(
    frames: &mut [Frame],
    index: usize,
    id: &str,
    result: ToolResultMessage,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let real = !is_synthetic(&result);
    let Some(frame) = frames.last_mut() else {
        return;
    };
    // The earliest unclaimed occurrence of this id in the current frame.
    if let Some(slot) = frame
        .calls
        .iter()
        .zip(frame.results.iter_mut())
        .find(|((call_id, _), slot)| call_id == id && slot.is_none())
        .map(|(_, slot)| slot)
    {
        *slot = Some((index, result));
        return;
    }
    if frame.calls.iter().any(|(call_id, _)| call_id == id) {
        // Already claimed: a duplicate, unless a real result replaces a synthetic one.
        let synthetic_slot = frame
            .calls
            .iter()
            .zip(frame.results.iter_mut())
            .find(|((call_id, _), slot)| {
                call_id == id
                    && slot
                        .as_ref()
                        .is_some_and(|(_, claimed)| is_synthetic(claimed))
            })
            .map(|(_, slot)| slot);
        match synthetic_slot {
            Some(slot) if real => {
                diagnostics.push(Diagnostic::at(
                    DiagnosticKind::DuplicateToolResultDropped,
                    index,
                    format!("a synthetic result for {id:?} replaced by the real one"),
                ));
                *slot = Some((index, result));
            }
            _ => diagnostics.push(Diagnostic::at(
                DiagnosticKind::DuplicateToolResultDropped,
                index,
                format!("second result for call {id:?} dropped"),
            )),
        }
        return;
    }
    // Unclaimed: calls of this or earlier frames still unanswered (or only synthetically
    // answered while this result is real).
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for (f, frame) in frames.iter().enumerate() {
        for (c, (call_id, _)) in frame.calls.iter().enumerate() {
            let open = match frame.results.get(c) {
                Some(None) => true,
                Some(Some((_, claimed))) => real && is_synthetic(claimed),
                None => false,
            };
            if call_id == id && open {
                candidates.push((f, c));
            }
        }
    }
    match candidates.as_slice() {
        [(f, c)] => {
            if let Some(slot) = frames
                .get_mut(*f)
                .and_then(|frame| frame.results.get_mut(*c))
            {
                diagnostics.push(Diagnostic::at(
                    DiagnosticKind::ToolResultMoved,
                    index,
                    format!("result for {id:?} moved next to its call"),
                ));
                *slot = Some((index, result));
            }
        }
        _ => diagnostics.push(Diagnostic::at(
            DiagnosticKind::OrphanToolResultDropped,
            index,
            format!("tool result {id:?} matches no open tool call; dropped"),
        )),
    }
}
