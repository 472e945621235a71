//! Thinking rules of the replay pipeline (POLICY.md §2.6): S3a stale signatures after
//! compaction, S3b invalid signatures, S4 `dropReasoningFromHistory`, S5 `dropThinkingBlocks`.

use serde_json::Value;

use crate::conversation::{Content, ContentBlock, JsonMap, Message, ToolCallKind};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The text an assistant gets when all its content was thinking that had to go (§2.6 S3–S5).
pub const REASONING_OMITTED: &str = "[assistant reasoning omitted]";

fn extra_of(block: &ContentBlock) -> Option<&JsonMap> {
    match block {
        ContentBlock::Thinking(b) => Some(&b.extra),
        ContentBlock::RedactedThinking(b) => Some(&b.extra),
        _ => None,
    }
}

fn non_blank(value: Option<&Value>) -> bool {
    value
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

/// Whether a thinking-like block carries a non-blank signature among `signature`,
/// `thinkingSignature`, `thought_signature` (and `data` for `redacted_thinking`; §2.6 S3b).
pub fn has_thinking_signature(block: &ContentBlock) -> bool {
    let Some(extra) = extra_of(block) else {
        return false;
    };
    let typed = match block {
        ContentBlock::Thinking(b) => b
            .thinking_signature
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty()),
        ContentBlock::RedactedThinking(b) => {
            b.data.as_deref().is_some_and(|s| !s.trim().is_empty())
        }
        _ => false,
    };
    typed
        || non_blank(extra.get("signature"))
        || non_blank(extra.get("thinkingSignature"))
        || non_blank(extra.get("thought_signature"))
}

/// Index of the latest assistant with array content.
pub fn latest_assistant(messages: &[Message]) -> Option<usize> {
    messages.iter().rposition(|message| {
        matches!(message, Message::Assistant(a) if matches!(a.content, Some(Content::Blocks(_))))
    })
}

/// The "active tool-call turn" test for the assistant at `at` (§2.6 S3b last bullet): at or
/// after the latest user message, contains a tool-call block (`toolCall`, `tool_use`,
/// `function_call`), no other assistant between it and the preceding user message, and a
/// toolResult follows it before any user message.
pub fn is_active_tool_turn(messages: &[Message], at: usize) -> bool {
    let latest_user = messages
        .iter()
        .rposition(|message| matches!(message, Message::User(_)));
    if latest_user.is_some_and(|user| at < user) {
        return false;
    }
    let Some(message) = messages.get(at) else {
        return false;
    };
    let has_call = message.blocks().iter().any(|block| {
        matches!(block, ContentBlock::ToolCall(call) if matches!(
            call.kind, ToolCallKind::ToolCall | ToolCallKind::ToolUseSnake | ToolCallKind::FunctionCallSnake))
    });
    if !has_call {
        return false;
    }
    let before = messages.get(..at).unwrap_or_default();
    let previous_user = before
        .iter()
        .rposition(|message| matches!(message, Message::User(_)));
    let between = before
        .get(previous_user.map_or(0, |user| user + 1)..)
        .unwrap_or_default();
    if between
        .iter()
        .any(|message| matches!(message, Message::Assistant(_)))
    {
        return false;
    }
    for message in messages.get(at + 1..).unwrap_or_default() {
        match message {
            Message::ToolResult(_) => return true,
            Message::User(_) => return false,
            _ => {}
        }
    }
    false
}

/// "Preserve latest assistant thinking" (§2.6 S3b).
pub fn preserve_latest_assistant(messages: &[Message]) -> bool {
    match latest_assistant(messages) {
        None => false,
        Some(at) if at + 1 == messages.len() => true,
        Some(at) => is_active_tool_turn(messages, at),
    }
}

/// Removes the blocks `drop` selects from the assistant at `index`; an emptied assistant gets
/// [`REASONING_OMITTED`]. Returns whether anything was removed.
fn drop_blocks(message: &mut Message, drop: impl Fn(&ContentBlock) -> bool) -> bool {
    let Message::Assistant(assistant) = message else {
        return false;
    };
    let Some(Content::Blocks(blocks)) = &mut assistant.content else {
        return false;
    };
    let before = blocks.len();
    blocks.retain(|block| !drop(block));
    if blocks.len() == before {
        return false;
    }
    if blocks.is_empty() {
        blocks.push(ContentBlock::text(REASONING_OMITTED));
    }
    true
}

/// S3a (§2.6): assistants with a timestamp strictly older than the newest `compactionSummary`
/// lose the signature fields of their thinking-like blocks.
pub fn strip_stale_signatures_after_compaction(
    messages: &mut [Message],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let newest = messages
        .iter()
        .filter(|message| message.role() == Some("compactionSummary"))
        .filter_map(Message::timestamp)
        .fold(None, |max: Option<f64>, t| {
            Some(max.map_or(t, |m| m.max(t)))
        });
    let Some(newest) = newest else {
        return;
    };
    for (index, message) in messages.iter_mut().enumerate() {
        if !message.timestamp().is_some_and(|t| t < newest) {
            continue;
        }
        let Message::Assistant(assistant) = message else {
            continue;
        };
        let Some(Content::Blocks(blocks)) = &mut assistant.content else {
            continue;
        };
        let mut changed = false;
        for block in blocks {
            match block {
                ContentBlock::Thinking(b) => {
                    changed |= b.thinking_signature.take().is_some();
                    changed |= b.extra.shift_remove("signature").is_some();
                    changed |= b.extra.shift_remove("thought_signature").is_some();
                }
                ContentBlock::RedactedThinking(b) => {
                    changed |= b.data.take().is_some();
                    changed |= b.extra.shift_remove("data").is_some();
                    changed |= b.extra.shift_remove("thinkingSignature").is_some();
                    changed |= b.extra.shift_remove("signature").is_some();
                    changed |= b.extra.shift_remove("thought_signature").is_some();
                }
                _ => {}
            }
        }
        if changed {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::SignatureStripped,
                index,
                "thinking signatures older than the last compaction removed",
            ));
        }
    }
}

/// S3b (§2.6): drops thinking-like blocks without a signature from every assistant except,
/// when `preserve_latest` (default: the rule of [`preserve_latest_assistant`]), the latest.
pub fn strip_invalid_thinking_signatures(
    messages: &mut [Message],
    preserve_latest: Option<bool>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let preserve = preserve_latest.unwrap_or_else(|| preserve_latest_assistant(messages));
    let exempt = if preserve {
        latest_assistant(messages)
    } else {
        None
    };
    for (index, message) in messages.iter_mut().enumerate() {
        if Some(index) == exempt {
            continue;
        }
        if drop_blocks(message, |block| {
            block.is_thinking_like() && !has_thinking_signature(block)
        }) {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::ThinkingRewritten,
                index,
                "unsigned thinking dropped",
            ));
        }
    }
}

/// S4 `dropReasoningFromHistory` (§2.6): thinking-like blocks removed from every assistant
/// except the active tool-call turn.
pub fn drop_reasoning_from_history(messages: &mut [Message], diagnostics: &mut Vec<Diagnostic>) {
    let keep: Vec<bool> = (0..messages.len())
        .map(|at| is_active_tool_turn(messages, at))
        .collect();
    for (index, message) in messages.iter_mut().enumerate() {
        if keep.get(index).copied().unwrap_or(false) {
            continue;
        }
        if drop_blocks(message, ContentBlock::is_thinking_like) {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::ThinkingRewritten,
                index,
                "reasoning dropped from history",
            ));
        }
    }
}

/// S5 `dropThinkingBlocks` (§2.6): thinking-like blocks removed from every assistant except the
/// latest.
pub fn drop_thinking_blocks(messages: &mut [Message], diagnostics: &mut Vec<Diagnostic>) {
    let latest = latest_assistant(messages);
    for (index, message) in messages.iter_mut().enumerate() {
        if Some(index) == latest {
            continue;
        }
        if drop_blocks(message, ContentBlock::is_thinking_like) {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::ThinkingRewritten,
                index,
                "thinking of an earlier turn dropped (the model does not keep it)",
            ));
        }
    }
}
