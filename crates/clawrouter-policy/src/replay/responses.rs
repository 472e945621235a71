//! The Responses branch of S7 (POLICY.md §2.6 S7a steps 3–4) and the S10 invariant.
//!
//! Step 2 (drop stale OpenAI reasoning after a model switch) needs the time of the last model
//! switch, which lives in the session's model-snapshot entries (S11), not in the conversation:
//! [`drop_stale_openai_reasoning`] takes it as a parameter, and the pipeline runs it when
//! [`ReplayContext::model_switch_at_ms`](super::ReplayContext::model_switch_at_ms) is set.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use super::tool_call_ids::sha256_hex;
use crate::conversation::{Content, ContentBlock, Message};
use crate::convert::ids::replace_unsafe;
use crate::diagnostic::{Diagnostic, DiagnosticKind};

fn all_safe(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn valid_part(part: &str, prefix: &str, max_tail: usize) -> bool {
    part.strip_prefix(prefix)
        .is_some_and(|tail| (1..=max_tail).contains(&tail.chars().count()) && all_safe(tail))
}

/// Whether a Responses tool-call id `C` or `C|I` is valid (§2.6 S7a step 3).
pub fn is_valid_responses_id(id: &str) -> bool {
    match id.split_once('|') {
        Some((call, item)) => valid_part(call, "call_", 59) && valid_part(item, "fc_", 61),
        None => valid_part(id, "call_", 59),
    }
}

fn rebuild(source: &str, prefix: &str) -> String {
    let trimmed = source.trim();
    let tail = trimmed.strip_prefix(prefix).unwrap_or(trimmed);
    let tail = replace_unsafe(tail);
    let tail = tail.trim_matches('_');
    let max_tail = 64 - prefix.len() - 1 - 10;
    let tail: String = tail.chars().take(max_tail).collect();
    let tail = if tail.is_empty() {
        "id".to_owned()
    } else {
        tail
    };
    format!(
        "{prefix}{tail}_{}",
        sha256_hex(trimmed).get(..10).unwrap_or_default()
    )
}

/// The rewrite of an invalid Responses id (§2.6 S7a step 3); valid ids are returned as they are.
pub fn normalize_responses_id(id: &str) -> String {
    if is_valid_responses_id(id) {
        return id.to_owned();
    }
    match id.split_once('|') {
        Some((_, item)) => format!("{}|{}", rebuild(id, "call_"), rebuild(item, "fc_")),
        None => rebuild(id, "call_"),
    }
}

/// Whether a thinking signature is an OpenAI reasoning item (a JSON object, `id` starting
/// `rs_`, `type` `reasoning` or `reasoning.*`).
pub fn is_openai_reasoning_signature(signature: &str) -> bool {
    match serde_json::from_str::<Value>(signature) {
        Ok(Value::Object(item)) => {
            item.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.starts_with("rs_"))
                && item
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t == "reasoning" || t.starts_with("reasoning."))
        }
        _ => false,
    }
}

/// S7a step 2: after a model switch at `switch_at_ms`, every assistant whose timestamp is at or
/// before it (or missing / not a number) loses its thinking blocks with an OpenAI reasoning
/// signature; a message that lost any keeps only the `phase` of each text block's
/// `textSignature` (`{"v":1,"phase":…}`, or no signature). An assistant left empty is dropped.
pub fn drop_stale_openai_reasoning(
    messages: Vec<Message>,
    switch_at_ms: f64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut out = Vec::with_capacity(messages.len());
    for (index, mut message) in messages.into_iter().enumerate() {
        let stale = message.timestamp().is_none_or(|t| t <= switch_at_ms);
        if let Message::Assistant(assistant) = &mut message
            && stale
            && let Some(Content::Blocks(blocks)) = &mut assistant.content
        {
            let before = blocks.len();
            blocks.retain(|block| {
                !matches!(block, ContentBlock::Thinking(t) if t
                    .thinking_signature
                    .as_deref()
                    .is_some_and(is_openai_reasoning_signature))
            });
            if blocks.len() != before {
                for block in blocks.iter_mut() {
                    if let ContentBlock::Text(text) = block {
                        text.text_signature = text.text_signature.take().and_then(|sig| {
                            let phase = serde_json::from_str::<Value>(&sig)
                                .ok()?
                                .get("phase")
                                .filter(|phase| phase.is_string())
                                .cloned()?;
                            Some(serde_json::json!({"v": 1, "phase": phase}).to_string())
                        });
                    }
                }
                diagnostics.push(Diagnostic::at(
                    DiagnosticKind::ThinkingRewritten,
                    index,
                    "OpenAI reasoning from before the model switch dropped",
                ));
                if blocks.is_empty() {
                    continue;
                }
            }
        }
        out.push(message);
    }
    out
}

/// S7a step 3: every invalid Responses id (calls and all result alias fields) rewritten
/// consistently.
pub fn normalize_responses_ids(messages: &mut [Message], diagnostics: &mut Vec<Diagnostic>) {
    let mut mapping: HashMap<String, String> = HashMap::new();
    for (index, message) in messages.iter_mut().enumerate() {
        match message {
            Message::Assistant(assistant) => {
                let Some(Content::Blocks(blocks)) = &mut assistant.content else {
                    continue;
                };
                for block in blocks {
                    if let ContentBlock::ToolCall(call) = block
                        && let Some(id) = &mut call.id
                        && !is_valid_responses_id(id)
                    {
                        let new = mapping
                            .entry(id.clone())
                            .or_insert_with(|| normalize_responses_id(id))
                            .clone();
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::ToolCallIdRewritten,
                            index,
                            format!("Responses tool-call id {id:?} → {new:?}"),
                        ));
                        *id = new;
                    }
                }
            }
            Message::ToolResult(result) => {
                if let Some(id) = &mut result.tool_call_id
                    && !is_valid_responses_id(id)
                {
                    *id = mapping
                        .entry(id.clone())
                        .or_insert_with(|| normalize_responses_id(id))
                        .clone();
                }
                for field in crate::conversation::RESULT_ID_FIELDS.iter().skip(1) {
                    if let Some(Value::String(id)) = result.extra.get_mut(*field)
                        && !is_valid_responses_id(id)
                    {
                        *id = mapping
                            .entry(id.clone())
                            .or_insert_with(|| normalize_responses_id(id))
                            .clone();
                    }
                }
            }
            _ => {}
        }
    }
}

/// S7a step 4: a `C|fc_…` call not preceded in its message by a thinking block with an OpenAI
/// reasoning signature becomes bare `C`; the results right after that assistant follow (in every
/// id alias field).
pub fn downgrade_unpaired_function_calls(
    messages: &mut [Message],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut at = 0;
    while at < messages.len() {
        let mut remap: HashMap<String, String> = HashMap::new();
        if let Some(Message::Assistant(assistant)) = messages.get_mut(at)
            && let Some(Content::Blocks(blocks)) = &mut assistant.content
        {
            let mut reasoning_seen = false;
            for block in blocks {
                match block {
                    ContentBlock::Thinking(thinking)
                        if thinking
                            .thinking_signature
                            .as_deref()
                            .is_some_and(is_openai_reasoning_signature) =>
                    {
                        reasoning_seen = true;
                    }
                    ContentBlock::ToolCall(call) if !reasoning_seen => {
                        if let Some(id) = &mut call.id
                            && let Some((bare, item)) = id.split_once('|')
                            && item.starts_with("fc_")
                        {
                            let bare = bare.to_owned();
                            remap.insert(id.clone(), bare.clone());
                            diagnostics.push(Diagnostic::at(
                                DiagnosticKind::ToolCallIdRewritten,
                                at,
                                format!("function-call item without its reasoning item: {id:?} → {bare:?}"),
                            ));
                            *id = bare;
                        }
                    }
                    _ => {}
                }
            }
        }
        at += 1;
        if remap.is_empty() {
            continue;
        }
        while let Some(Message::ToolResult(result)) = messages.get_mut(at) {
            if let Some(id) = &mut result.tool_call_id
                && let Some(new) = remap.get(id.as_str())
            {
                id.clone_from(new);
            }
            // The spec names `toolCallId` / `toolUseId`; every alias is remapped here, since a
            // result that kept the paired id in `call_id` would lose its call.
            for field in crate::conversation::RESULT_ID_FIELDS.iter().skip(1) {
                if let Some(Value::String(id)) = result.extra.get_mut(*field)
                    && let Some(new) = remap.get(id.as_str())
                {
                    id.clone_from(new);
                }
            }
            at += 1;
        }
    }
}

/// A transcript the Responses API would reject (§2.6 S10; §6.2 PD9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvariantViolation {
    /// A tool call without exactly one result right after its assistant.
    DanglingToolCall {
        /// The call id.
        id: String,
        /// Index of the assistant.
        index: usize,
    },
    /// A tool result with no pending call.
    OrphanToolResult {
        /// The result id (empty when it has none).
        id: String,
        /// Index of the result.
        index: usize,
    },
}

impl fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvariantViolation::DanglingToolCall { id, index } => write!(
                f,
                "invalid_replay_transcript: OpenAI Responses replay contains dangling_tool_call {id:?} (message {index})"
            ),
            InvariantViolation::OrphanToolResult { id, index } => write!(
                f,
                "invalid_replay_transcript: OpenAI Responses replay contains orphan_tool_result {id:?} (message {index})"
            ),
        }
    }
}

impl std::error::Error for InvariantViolation {}

/// The S10 invariant: every tool call is answered by exactly one following toolResult before
/// any non-toolResult message, and no toolResult lacks a pending call.
pub fn check_responses_invariant(messages: &[Message]) -> Result<(), InvariantViolation> {
    let mut pending: Vec<(String, usize)> = Vec::new();
    let close = |pending: &mut Vec<(String, usize)>| match pending.first() {
        Some((id, index)) => Err(InvariantViolation::DanglingToolCall {
            id: id.clone(),
            index: *index,
        }),
        None => Ok(()),
    };
    for (index, message) in messages.iter().enumerate() {
        match message {
            Message::ToolResult(result) => {
                let id = result.result_id().unwrap_or_default();
                match pending.iter().position(|(call, _)| call == id) {
                    Some(at) => {
                        pending.remove(at);
                    }
                    None => {
                        return Err(InvariantViolation::OrphanToolResult {
                            id: id.to_owned(),
                            index,
                        });
                    }
                }
            }
            _ => {
                close(&mut pending)?;
                pending = super::pairing::pairing_calls(message)
                    .into_iter()
                    .map(|(id, _)| (id.trim().to_owned(), index))
                    .collect();
            }
        }
    }
    close(&mut pending)
}
