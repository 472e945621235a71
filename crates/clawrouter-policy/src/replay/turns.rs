//! Turn validation (POLICY.md §2.6 V2/V3): consecutive-turn merging (§2.7.3) and dangling
//! tool-call stripping (§2.7.4).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::conversation::{
    Content, ContentBlock, Message, RESULT_ID_FIELDS, StopReason, ToolCallKind,
};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The content of an assistant whose tool calls were all dangling (§2.7.4).
pub const TOOL_CALLS_OMITTED: &str = "[tool calls omitted]";

fn normalise(content: Option<Content>) -> Vec<ContentBlock> {
    match content {
        Some(Content::Blocks(blocks)) => blocks,
        Some(Content::Text(text)) => vec![ContentBlock::text(text)],
        _ => Vec::new(),
    }
}

/// Merges runs of consecutive messages of `role` (`"assistant"` or `"user"`, §2.7.3). One
/// deviation: see the comment on failed stop reasons in the assistant merge.
pub fn merge_consecutive(
    messages: Vec<Message>,
    role: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::with_capacity(messages.len());
    let mut last_role: Option<String> = None;
    for (index, message) in messages.into_iter().enumerate() {
        let current = message.role().map(str::to_owned);
        if current.as_deref() == Some(role) && last_role.as_deref() == Some(role) {
            let previous = out.pop();
            let merged = match (previous, message) {
                (Some(Message::Assistant(mut prev)), Message::Assistant(cur)) => {
                    let mut content = normalise(prev.content.take());
                    content.extend(normalise(cur.content));
                    prev.content = Some(Content::Blocks(content));
                    if cur.usage.is_some() {
                        prev.usage = cur.usage;
                    }
                    if cur
                        .stop_reason
                        .as_ref()
                        .is_some_and(|s| !s.as_str().is_empty())
                    {
                        prev.stop_reason = cur.stop_reason;
                    } else if prev
                        .stop_reason
                        .as_ref()
                        .is_some_and(StopReason::is_failure)
                    {
                        // Deviation from the letter of §2.7.3: a failed turn merged with a later
                        // turn that has no stop reason does not pass `error` / `aborted` on.
                        // Otherwise the next replay's pairing step (§2.7.2 "drop errored") would
                        // drop the merged turn, the later turn's tool calls included.
                        prev.stop_reason = None;
                    }
                    if cur.error_message.as_deref().is_some_and(|e| !e.is_empty()) {
                        prev.error_message = cur.error_message;
                    }
                    Message::Assistant(prev)
                }
                (Some(Message::User(prev)), Message::User(mut cur)) => {
                    let mut content = normalise(prev.content);
                    content.extend(normalise(cur.content.take()));
                    cur.content = Some(Content::Blocks(content));
                    if cur.timestamp.is_none() {
                        cur.timestamp = prev.timestamp;
                    }
                    Message::User(cur)
                }
                (previous, message) => {
                    // Not reachable with typed roles; keep both untouched.
                    out.extend(previous);
                    message
                }
            };
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::TurnsMerged,
                index,
                format!("consecutive {role} turns merged"),
            ));
            out.push(merged);
            continue;
        }
        last_role = current;
        out.push(message);
    }
    out
}

fn value_ids(value: &Value) -> impl Iterator<Item = &str> {
    RESULT_ID_FIELDS
        .iter()
        .filter_map(|field| value.get(*field).and_then(Value::as_str))
}

/// Dangling tool-call stripping (§2.7.4).
pub fn strip_dangling_tool_calls(messages: &mut [Message], diagnostics: &mut Vec<Diagnostic>) {
    for at in 0..messages.len() {
        let Some(Message::Assistant(assistant)) = messages.get(at) else {
            continue;
        };
        let blocks = match &assistant.content {
            Some(Content::Blocks(blocks)) => blocks,
            _ => continue,
        };
        if !blocks.iter().any(|block| block.as_tool_call().is_some()) {
            continue;
        }
        let failed = assistant
            .stop_reason
            .as_ref()
            .is_some_and(StopReason::is_failure);
        // The window: up to (not including) the next assistant.
        let window = messages
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|message| !matches!(message, Message::Assistant(_)));
        let mut any_result: HashSet<String> = HashSet::new();
        let mut trusted: HashMap<String, HashSet<String>> = HashMap::new();
        for message in window {
            let (ids, name): (Vec<String>, Option<String>) = match message {
                Message::ToolResult(result) => (
                    RESULT_ID_FIELDS
                        .iter()
                        .filter_map(|field| result.id_field(field))
                        .map(str::to_owned)
                        .collect(),
                    result.tool_name.clone().or_else(|| {
                        result
                            .extra
                            .get("name")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    }),
                ),
                Message::Other(value)
                    if value.get("role").and_then(Value::as_str) == Some("tool") =>
                {
                    (
                        value_ids(value).map(str::to_owned).collect(),
                        value
                            .get("toolName")
                            .or_else(|| value.get("name"))
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    )
                }
                _ => (Vec::new(), None),
            };
            for id in &ids {
                any_result.insert(id.clone());
                let names = trusted.entry(id.clone()).or_default();
                if let Some(name) = &name {
                    names.insert(name.clone());
                }
            }
            // Embedded legacy result blocks count as "any result", never as trusted.
            for block in message.blocks() {
                if let ContentBlock::Other(value) = block
                    && matches!(
                        value.get("type").and_then(Value::as_str),
                        Some("toolResult" | "tool")
                    )
                {
                    any_result.extend(value_ids(value).map(str::to_owned));
                }
            }
            if let Message::Other(value) = message
                && let Some(Value::Array(content)) = value.get("content")
            {
                for block in content {
                    if matches!(
                        block.get("type").and_then(Value::as_str),
                        Some("toolResult" | "tool")
                    ) {
                        any_result.extend(value_ids(block).map(str::to_owned));
                    }
                }
            }
        }
        let has_thinking = blocks.iter().any(ContentBlock::is_thinking_like);
        let new_blocks: Option<Vec<ContentBlock>> = if has_thinking {
            let all_matched =
                blocks
                    .iter()
                    .filter_map(ContentBlock::as_tool_call)
                    .all(|call| match (call.id.as_deref(), call.name.as_deref()) {
                        (Some(id), Some(name)) if !id.is_empty() && !name.is_empty() => trusted
                            .get(id)
                            .is_some_and(|names| names.is_empty() || names.contains(name)),
                        _ => false,
                    });
            (!all_matched).then(Vec::new)
        } else {
            let kept: Vec<ContentBlock> = blocks
                .iter()
                .filter(|block| match block {
                    ContentBlock::ToolCall(call)
                        if matches!(
                            call.kind,
                            ToolCallKind::ToolUse
                                | ToolCallKind::ToolCall
                                | ToolCallKind::FunctionCall
                        ) =>
                    {
                        call.id.as_deref().is_some_and(|id| any_result.contains(id))
                    }
                    _ => true,
                })
                .cloned()
                .collect();
            (kept.len() != blocks.len()).then_some(kept)
        };
        let Some(mut new_blocks) = new_blocks else {
            continue;
        };
        if new_blocks.is_empty() && !failed {
            new_blocks.push(ContentBlock::text(TOOL_CALLS_OMITTED));
        }
        diagnostics.push(Diagnostic::at(
            DiagnosticKind::ToolCallDropped,
            at,
            "tool calls without a following result removed",
        ));
        if let Some(Message::Assistant(assistant)) = messages.get_mut(at) {
            assistant.content = Some(Content::Blocks(new_blocks));
        }
    }
}

/// V2 `validateGeminiTurns` (§2.6): consecutive assistants merged.
pub fn validate_gemini_turns(
    messages: Vec<Message>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    merge_consecutive(messages, "assistant", diagnostics)
}

/// V3 `validateAnthropicTurns` (§2.6): consecutive assistants merged, dangling tool calls
/// stripped, consecutive users merged unless `merge_users` is false.
pub fn validate_anthropic_turns(
    messages: Vec<Message>,
    merge_users: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut messages = merge_consecutive(messages, "assistant", diagnostics);
    strip_dangling_tool_calls(&mut messages, diagnostics);
    if merge_users {
        merge_consecutive(messages, "user", diagnostics)
    } else {
        messages
    }
}
