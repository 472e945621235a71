//! S1 replay-content hygiene (the generic parts, POLICY.md §6.2 PD8) and S2 empty blocks and
//! thought signatures (§2.6).

use serde_json::Value;

use super::policy::SanitizeThoughtSignatures;
use crate::conversation::{Content, ContentBlock, Message, StopReason};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The placeholder for a user or tool-result message left without content (§2.6 S2).
pub const EMPTY_CONTENT_OMITTED: &str = "[empty content omitted]";

fn is_blank_text(block: &ContentBlock) -> bool {
    matches!(block, ContentBlock::Text(text) if text.text.trim().is_empty())
}

/// S1, generic parts (PD8): blank user strings dropped; blank text blocks removed from user
/// arrays, emptied users dropped; assistant string content → one text block; display-only
/// assistant blocks (`attachment`, `attachment_error`, `audio`, `image`, `video`) and
/// `NO_REPLY` texts removed; a `stopReason:"length"` turn of only thinking plus blank text
/// dropped; an assistant left empty dropped. OpenClaw-internal markers, delivery copies and
/// media persistence are not modelled.
pub fn replay_hygiene(messages: Vec<Message>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Message> {
    let mut out = Vec::with_capacity(messages.len());
    for (index, message) in messages.into_iter().enumerate() {
        match message {
            Message::User(mut user) => {
                let keep = match &mut user.content {
                    Some(Content::Text(text)) => !text.trim().is_empty(),
                    Some(Content::Blocks(blocks)) => {
                        let before = blocks.len();
                        blocks.retain(|block| !is_blank_text(block));
                        if blocks.len() != before {
                            diagnostics.push(Diagnostic::at(
                                DiagnosticKind::EmptyContent,
                                index,
                                "blank text removed from a user message",
                            ));
                        }
                        !blocks.is_empty()
                    }
                    _ => true,
                };
                if keep {
                    out.push(Message::User(user));
                } else {
                    diagnostics.push(Diagnostic::at(
                        DiagnosticKind::EmptyContent,
                        index,
                        "blank user message dropped",
                    ));
                }
            }
            Message::Assistant(mut assistant) => {
                if let Some(Content::Text(text)) = &assistant.content {
                    assistant.content =
                        Some(Content::Blocks(vec![ContentBlock::text(text.clone())]));
                }
                if let Some(Content::Blocks(blocks)) = &mut assistant.content {
                    blocks.retain(|block| match block {
                        ContentBlock::Image(_) | ContentBlock::Video(_) => false,
                        ContentBlock::Other(value) => !matches!(
                            value.get("type").and_then(Value::as_str),
                            Some("attachment" | "attachment_error" | "audio")
                        ),
                        ContentBlock::Text(text) => text.text.trim() != "NO_REPLY",
                        _ => true,
                    });
                    let partial = is_partial_thinking(assistant.stop_reason.as_ref(), blocks);
                    if blocks.is_empty() || partial {
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::EmptyContent,
                            index,
                            "assistant turn without replayable content dropped",
                        ));
                        continue;
                    }
                }
                out.push(Message::Assistant(assistant));
            }
            other => out.push(other),
        }
    }
    out
}

/// A `stopReason:"length"` turn whose content is only thinking / redacted thinking plus blank
/// text (a partial signature; §2.6 S1).
fn is_partial_thinking(stop: Option<&StopReason>, blocks: &[ContentBlock]) -> bool {
    stop == Some(&StopReason::Length)
        && blocks.iter().any(ContentBlock::is_thinking_like)
        && blocks
            .iter()
            .all(|block| block.is_thinking_like() || is_blank_text(block))
}

/// The S1 partial-thinking rule again, for turns that only became thinking-only in a later step
/// (S6 dropping a broken tool call): the pipeline runs it after S6 so that applying the pipeline
/// twice equals applying it once.
pub fn drop_partial_thinking_turns(
    messages: Vec<Message>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut out = Vec::with_capacity(messages.len());
    for (index, message) in messages.into_iter().enumerate() {
        if let Message::Assistant(assistant) = &message
            && let Some(Content::Blocks(blocks)) = &assistant.content
            && is_partial_thinking(assistant.stop_reason.as_ref(), blocks)
        {
            diagnostics.push(Diagnostic::at(
                DiagnosticKind::EmptyContent,
                index,
                "length-cut turn of only thinking dropped",
            ));
            continue;
        }
        out.push(message);
    }
    out
}

/// S2 (§2.6): blank text blocks removed from tool results and user arrays (placeholder
/// [`EMPTY_CONTENT_OMITTED`] when nothing is left; non-array tool-result content becomes the
/// placeholder too); on assistants, thought-signature stripping unless `preserve_signatures` or
/// the turn's `stopReason` is `error`, then blank texts removed and an emptied turn dropped.
pub fn sanitize_blocks_and_signatures(
    messages: Vec<Message>,
    preserve_signatures: bool,
    sanitize: Option<SanitizeThoughtSignatures>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Message> {
    let mut out = Vec::with_capacity(messages.len());
    for (index, message) in messages.into_iter().enumerate() {
        match message {
            Message::ToolResult(mut result) => {
                let blocks = match result.content.take() {
                    Some(Content::Blocks(mut blocks)) => {
                        blocks.retain(|block| !is_blank_text(block));
                        blocks
                    }
                    _ => Vec::new(),
                };
                result.content = Some(Content::Blocks(if blocks.is_empty() {
                    vec![ContentBlock::text(EMPTY_CONTENT_OMITTED)]
                } else {
                    blocks
                }));
                out.push(Message::ToolResult(result));
            }
            Message::User(mut user) => {
                if let Some(Content::Blocks(blocks)) = &mut user.content {
                    blocks.retain(|block| !is_blank_text(block));
                    if blocks.is_empty() {
                        blocks.push(ContentBlock::text(EMPTY_CONTENT_OMITTED));
                    }
                }
                out.push(Message::User(user));
            }
            Message::Assistant(mut assistant) => {
                let errored = assistant.stop_reason == Some(StopReason::Error);
                if let Some(Content::Blocks(blocks)) = &mut assistant.content {
                    if !preserve_signatures && !errored {
                        let stripped =
                            strip_thought_signatures(blocks, sanitize.unwrap_or_default());
                        if stripped > 0 {
                            diagnostics.push(Diagnostic::at(
                                DiagnosticKind::SignatureStripped,
                                index,
                                format!("{stripped} invalid thought signature(s) removed"),
                            ));
                        }
                    }
                    let before = blocks.len();
                    blocks.retain(|block| !is_blank_text(block));
                    if blocks.is_empty() {
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::EmptyContent,
                            index,
                            "empty assistant turn dropped",
                        ));
                        continue;
                    }
                    if blocks.len() != before {
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::EmptyContent,
                            index,
                            "blank text removed from an assistant turn",
                        ));
                    }
                }
                out.push(Message::Assistant(assistant));
            }
            other => out.push(other),
        }
    }
    out
}

/// Thought-signature stripping (§2.6 S2) on `thought_signature` (and `thoughtSignature` with
/// `include_camel_case`); never `thinkingSignature`, `signature`, `textSignature`. Returns how
/// many fields were removed.
pub fn strip_thought_signatures(
    blocks: &mut [ContentBlock],
    options: SanitizeThoughtSignatures,
) -> usize {
    let strip = |value: &Value| -> bool {
        if options.allow_base64_only {
            !value.as_str().is_some_and(is_canonical_base64)
        } else {
            value.as_str().is_some_and(|s| s.starts_with("msg_"))
        }
    };
    let mut removed = 0;
    for block in blocks {
        let (extra, typed_camel) = match block {
            ContentBlock::Text(b) => (&mut b.extra, None),
            ContentBlock::Thinking(b) => (&mut b.extra, None),
            ContentBlock::RedactedThinking(b) => (&mut b.extra, None),
            ContentBlock::Image(b) | ContentBlock::Video(b) => (&mut b.extra, None),
            ContentBlock::ToolCall(b) => (&mut b.extra, Some(&mut b.thought_signature)),
            ContentBlock::Other(Value::Object(map)) => (map, None),
            ContentBlock::Other(_) => continue,
        };
        if extra.get("thought_signature").is_some_and(strip) {
            extra.shift_remove("thought_signature");
            removed += 1;
        }
        if options.include_camel_case {
            if extra.get("thoughtSignature").is_some_and(strip) {
                extra.shift_remove("thoughtSignature");
                removed += 1;
            }
            if let Some(camel) = typed_camel
                && camel
                    .as_deref()
                    .is_some_and(|sig| strip(&Value::String(sig.to_owned())))
            {
                *camel = None;
                removed += 1;
            }
        }
    }
    removed
}

/// The canonical base64 check of §2.6 S2: after trimming and removing all whitespace the string
/// is non-empty, uses only `A–Z a–z 0–9 + / = _ -`, decodes (URL-safe alphabet if it contains `-`
/// or `_`, standard otherwise) to at least one byte, and re-encoding gives the input back once
/// trailing `=` are removed from both (so non-zero trailing bits are invalid).
pub fn is_canonical_base64(signature: &str) -> bool {
    let compact: String = signature.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return false;
    }
    let url_safe = compact.contains(['-', '_']);
    let body = compact.trim_end_matches('=');
    let sextet = |b: u8| -> Option<u8> {
        match b {
            b'A'..=b'Z' => Some(b - b'A'),
            b'a'..=b'z' => Some(b - b'a' + 26),
            b'0'..=b'9' => Some(b - b'0' + 52),
            b'+' if !url_safe => Some(62),
            b'/' if !url_safe => Some(63),
            b'-' if url_safe => Some(62),
            b'_' if url_safe => Some(63),
            _ => None,
        }
    };
    let mut values = Vec::with_capacity(body.len());
    for byte in body.bytes() {
        match sextet(byte) {
            Some(value) => values.push(value),
            // Any other character, or `=` before the end: the decoding stops or skips, so the
            // re-encoding cannot give the input back.
            None => return false,
        }
    }
    let Some(&last) = values.last() else {
        return false;
    };
    match values.len() % 4 {
        // Six bits cannot make a byte: the last character is not re-encoded.
        1 => false,
        2 => values.len() >= 2 && last & 0b1111 == 0,
        3 => last & 0b11 == 0,
        _ => true,
    }
}
