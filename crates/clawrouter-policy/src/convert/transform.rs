//! `transformMessages` (POLICY.md §3.1.1 with the fork deltas of §3.1.2): what every transport
//! does to the replayed conversation before building its body.

use std::collections::{HashMap, HashSet};

use super::ids::IdNormalizer;
use crate::conversation::{
    AssistantMessage, Content, ContentBlock, Message, StopReason, TextBlock, ToolResultMessage,
};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::replay::claude;

/// The model a request goes to, as `transformMessages` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// The provider id (`clawrouter`).
    pub provider: &'a str,
    /// The transport name (`anthropic-messages` …).
    pub api: &'a str,
    /// The model id stored assistants are compared with (the catalog id, POLICY.md §6.2 PD4).
    pub model: &'a str,
    /// Whether the model takes image input.
    pub images: bool,
}

/// Placeholder for an image in user content the model cannot take (§3.1).
pub const IMAGE_OMITTED: &str = "(image omitted: model does not support images)";
/// Placeholder for an image in a tool result the model cannot take (§3.1.1).
pub const TOOL_IMAGE_OMITTED: &str = "(tool image omitted: model does not support images)";
/// Placeholder for a video (§3.1.2).
pub const VIDEO_OMITTED: &str = "(video omitted: provider does not support video input)";
/// The content of a failed turn that had meaningful text (§3.1.2).
pub const FAILED_TURN_MARKER: &str = "[This turn failed before it completed. Do not redo its work without confirming with the user first.]";
/// The text of a result synthesised for an unanswered call (§3.1.1 step 3).
pub const NO_RESULT_PROVIDED: &str = "No result provided";

/// How a source assistant's blocks are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replay {
    /// Same model: blocks kept (signatures too).
    Same,
    /// Another model: thinking → text, signatures dropped, ids normalised.
    Cross,
    /// Model-bound thinking replay says "drop": every thinking block removed (§3.1.2).
    CrossDropThinking,
}

/// Runs `transformMessages` on `messages` for `target` (§3.1.1, §3.1.2). Total; the input is
/// not modified. Synthetic results carry no `timestamp` (no clock here).
///
/// Not yet implemented: the fork's async tool-call handling (results of `async:true` calls moved
/// next to their assistant, unanswered async calls synthesised only at the end); async calls are
/// treated like any other call.
pub fn transform_messages(
    messages: &[Message],
    target: &Target<'_>,
    normalize: &IdNormalizer,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut remapped: HashMap<String, String> = HashMap::new();
    let mut transformed: Vec<(usize, Message)> = Vec::with_capacity(messages.len());
    for (index, message) in messages.iter().enumerate() {
        match message {
            Message::User(user) => {
                let mut user = user.clone();
                if let Some(Content::Blocks(blocks)) = &mut user.content {
                    project_media(blocks, target, false, index, diagnostics);
                }
                transformed.push((index, Message::User(user)));
            }
            Message::ToolResult(result) => {
                let mut result = result.clone();
                if let Some(Content::Blocks(blocks)) = &mut result.content {
                    project_media(blocks, target, true, index, diagnostics);
                }
                if let Some(id) = result.tool_call_id.as_deref() {
                    let trimmed = id.trim();
                    let new = remapped.get(trimmed).map_or(trimmed, String::as_str);
                    if new != id {
                        result.tool_call_id = Some(new.to_owned());
                    }
                }
                transformed.push((index, Message::ToolResult(result)));
            }
            Message::Assistant(assistant) => {
                if let Some(assistant) = transform_assistant(
                    assistant,
                    target,
                    normalize,
                    &mut remapped,
                    index,
                    diagnostics,
                ) {
                    transformed.push((index, Message::Assistant(assistant)));
                }
            }
            Message::Other(_) => transformed.push((index, message.clone())),
        }
    }
    repair_orphans(transformed, diagnostics)
}

fn project_media(
    blocks: &mut Vec<ContentBlock>,
    target: &Target<'_>,
    tool_result: bool,
    index: usize,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let needs_work = blocks.iter().any(|block| match block {
        ContentBlock::Image(_) => !target.images,
        ContentBlock::Video(_) => true,
        _ => false,
    });
    if !needs_work {
        return;
    }
    let mut out: Vec<ContentBlock> = Vec::with_capacity(blocks.len());
    for block in blocks.drain(..) {
        let placeholder = match &block {
            ContentBlock::Image(image) if !target.images => {
                if image.data.trim().is_empty() {
                    continue;
                }
                if tool_result {
                    TOOL_IMAGE_OMITTED
                } else {
                    IMAGE_OMITTED
                }
            }
            // Video is kept only for `openai-completions` models that accept video (§3.1.2);
            // the catalog does not advertise video input by default (PROTOCOL.md §4.9), so none do.
            ContentBlock::Video(video) => {
                if video.data.trim().is_empty() {
                    continue;
                }
                VIDEO_OMITTED
            }
            _ => {
                out.push(block);
                continue;
            }
        };
        diagnostics.push(Diagnostic::at(
            DiagnosticKind::MediaOmitted,
            index,
            format!("the model does not take this input; replaced by \"{placeholder}\""),
        ));
        let repeated =
            matches!(out.last(), Some(ContentBlock::Text(text)) if text.text == placeholder);
        if !repeated {
            out.push(ContentBlock::text(placeholder));
        }
    }
    *blocks = out;
}

fn transform_assistant(
    assistant: &AssistantMessage,
    target: &Target<'_>,
    normalize: &IdNormalizer,
    remapped: &mut HashMap<String, String>,
    index: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AssistantMessage> {
    let mut assistant = assistant.clone();
    // Fork: null content is `[]`, string content one text block.
    let blocks = match assistant.content.take() {
        Some(Content::Blocks(blocks)) => blocks,
        Some(Content::Text(text)) => vec![ContentBlock::text(text)],
        Some(Content::Other(_)) | None => Vec::new(),
    };
    if assistant
        .stop_reason
        .as_ref()
        .is_some_and(StopReason::is_failure)
    {
        let has_call = blocks.iter().any(|block| block.as_tool_call().is_some());
        let has_text = blocks
            .iter()
            .any(|block| matches!(block, ContentBlock::Text(text) if !text.text.trim().is_empty()));
        if has_call || !has_text {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::FailedTurn,
                index,
                "failed assistant turn with a tool call or no text dropped",
            ));
            return None;
        }
        diagnostics.push(Diagnostic::at(
            DiagnosticKind::FailedTurn,
            index,
            "failed assistant turn replaced by the failed-turn marker",
        ));
        assistant.content = Some(Content::Blocks(vec![ContentBlock::text(
            FAILED_TURN_MARKER,
        )]));
        return Some(assistant);
    }
    let same = assistant.provider.as_deref() == Some(target.provider)
        && assistant.api.as_deref() == Some(target.api)
        && assistant.model.as_deref() == Some(target.model);
    let mode = match model_bound_thinking(&assistant, target, same) {
        Some(true) => Replay::Same,
        Some(false) => Replay::CrossDropThinking,
        None if same => Replay::Same,
        None => Replay::Cross,
    };
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        match block {
            ContentBlock::Thinking(thinking) => {
                let signed = thinking
                    .thinking_signature
                    .as_deref()
                    .is_some_and(|sig| !sig.is_empty());
                match mode {
                    Replay::Same if thinking.redacted == Some(true) || signed => {
                        out.push(ContentBlock::Thinking(thinking));
                    }
                    _ if thinking.redacted == Some(true) => {
                        note_thinking(
                            diagnostics,
                            index,
                            "redacted thinking of another model dropped",
                        );
                    }
                    _ if thinking.thinking.trim().is_empty() => {
                        if mode != Replay::Same {
                            note_thinking(diagnostics, index, "blank thinking dropped");
                        }
                    }
                    Replay::Same => out.push(ContentBlock::Thinking(thinking)),
                    Replay::Cross => {
                        note_thinking(
                            diagnostics,
                            index,
                            "thinking of another model turned into text",
                        );
                        out.push(ContentBlock::text(thinking.thinking));
                    }
                    Replay::CrossDropThinking => {
                        note_thinking(diagnostics, index, "model-bound thinking dropped");
                    }
                }
            }
            ContentBlock::RedactedThinking(redacted) => {
                if mode == Replay::Same {
                    out.push(ContentBlock::RedactedThinking(redacted));
                } else {
                    note_thinking(
                        diagnostics,
                        index,
                        "redacted thinking of another model dropped",
                    );
                }
            }
            ContentBlock::Text(text) => {
                if mode == Replay::Same {
                    out.push(ContentBlock::Text(text));
                } else {
                    out.push(ContentBlock::Text(TextBlock {
                        text: text.text,
                        ..TextBlock::default()
                    }));
                }
            }
            ContentBlock::ToolCall(mut call) => {
                if let Some(id) = call.id.take() {
                    let trimmed = id.trim();
                    let new = if mode == Replay::Same {
                        trimmed.to_owned()
                    } else {
                        normalize.apply(trimmed, &assistant)
                    };
                    if new != trimmed {
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::ToolCallIdRewritten,
                            index,
                            format!("tool-call id {trimmed:?} → {new:?} for {}", target.api),
                        ));
                        remapped.insert(trimmed.to_owned(), new.clone());
                    }
                    call.id = Some(new);
                }
                if mode != Replay::Same {
                    call.thought_signature = None;
                    call.is_async = None;
                }
                out.push(ContentBlock::ToolCall(call));
            }
            other => out.push(other),
        }
    }
    assistant.content = Some(Content::Blocks(out));
    Some(assistant)
}

fn note_thinking(diagnostics: &mut Vec<Diagnostic>, index: usize, message: &str) {
    diagnostics.push(Diagnostic::at(
        DiagnosticKind::ThinkingRewritten,
        index,
        message,
    ));
}

/// Model-bound thinking replay for Claude 5-generation identities on `anthropic-messages`
/// (§3.1.2): `None` = the normal rules, `Some(true)` = preserve (as same model),
/// `Some(false)` = drop every thinking block.
fn model_bound_thinking(
    source: &AssistantMessage,
    target: &Target<'_>,
    same: bool,
) -> Option<bool> {
    if target.api != "anthropic-messages" {
        return None;
    }
    let source_identity = source.model.as_deref().map(claude::identity);
    let target_identity = claude::identity(target.model);
    let source_bound = source_identity
        .as_deref()
        .filter(|identity| claude::is_generation_5(identity));
    let target_bound =
        claude::is_generation_5(&target_identity).then_some(target_identity.as_str());
    if source_bound.is_none() && target_bound.is_none() {
        return None;
    }
    let same_api = source.api.as_deref() == Some(target.api);
    let source_is_claude = source_identity
        .as_deref()
        .is_some_and(|identity| identity.starts_with("claude-"));
    if source_is_claude && same_api && claude::bounded_prefix(&target_identity, "claude-fable-5-1")
    {
        return Some(true);
    }
    if source_bound.is_none() && same && target_bound.is_some() {
        return Some(true);
    }
    Some(same_api && source_bound == target_bound)
}

/// §3.1.1 step 3: synthetic results for calls left unanswered before the next non-result
/// message and at the end.
fn repair_orphans(
    messages: Vec<(usize, Message)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut out = Vec::with_capacity(messages.len());
    let mut pending: Vec<(String, String, usize)> = Vec::new();
    let mut answered: HashSet<String> = HashSet::new();
    let flush = |out: &mut Vec<Message>,
                 pending: &mut Vec<(String, String, usize)>,
                 answered: &mut HashSet<String>,
                 diagnostics: &mut Vec<Diagnostic>| {
        for (id, name, index) in pending.drain(..) {
            if !answered.contains(&id) {
                diagnostics.push(Diagnostic::at(
                    DiagnosticKind::SyntheticToolResult,
                    index,
                    format!("call {id:?} had no result; \"{NO_RESULT_PROVIDED}\" inserted"),
                ));
                out.push(Message::ToolResult(ToolResultMessage {
                    tool_call_id: Some(id),
                    tool_name: Some(name),
                    is_error: Some(true),
                    content: Some(Content::Blocks(vec![ContentBlock::text(
                        NO_RESULT_PROVIDED,
                    )])),
                    ..ToolResultMessage::default()
                }));
            }
        }
        answered.clear();
    };
    for (index, message) in messages {
        match &message {
            Message::Assistant(_) => {
                flush(&mut out, &mut pending, &mut answered, diagnostics);
                pending = message
                    .blocks()
                    .iter()
                    .filter_map(ContentBlock::as_tool_call)
                    .filter_map(|call| {
                        let id = call.id.as_deref().filter(|id| !id.is_empty())?;
                        Some((id.to_owned(), call.name.clone().unwrap_or_default(), index))
                    })
                    .collect();
            }
            Message::ToolResult(result) => {
                if let Some(id) = &result.tool_call_id {
                    answered.insert(id.clone());
                }
            }
            _ => flush(&mut out, &mut pending, &mut answered, diagnostics),
        }
        out.push(message);
    }
    flush(&mut out, &mut pending, &mut answered, diagnostics);
    out
}
