//! Tool-call id sanitisation, `strict` / `strict9` (POLICY.md §2.7.1).
//!
//! [`sanitize_tool_call_id`] maps one id; [`IdAllocator`] hands out unique ids within one
//! conversation; [`sanitize_tool_call_id_list`] applies both to the ids of one conversation in
//! order of appearance (what `clawrouter policy ids --kind tool-call-strict|tool-call-strict9`
//! prints); [`sanitize_transcript_tool_call_ids`] is the occurrence-aware walk over a whole
//! transcript that keeps results attached to their calls.
//!
//! The spec's last-resort suffixes use the clock (`t<epochMs>`); this crate has none, so after
//! `x2`…`x999` (strict) or 1000 hashes (strict9) it keeps hashing with a growing counter, which
//! is deterministic and always terminates (a conversation has finitely many ids).

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::policy::ToolCallIdMode;
use super::tool_input::is_replay_safe_turn;
use crate::conversation::{ContentBlock, Message, RESULT_ID_FIELDS};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// Lower-case hex SHA-256 of `text`.
pub(crate) fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(hex_digit(byte >> 4));
        out.push(hex_digit(byte & 0xf));
    }
    out
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

fn prefix(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((at, _)) => text.get(..at).unwrap_or(text),
        None => text,
    }
}

fn is_kimi_native(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("functions.") else {
        return false;
    };
    let Some((name, index)) = rest.rsplit_once(':') else {
        return false;
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !index.is_empty()
        && index.chars().all(|c| c.is_ascii_digit())
}

/// Maps one id (§2.7.1 "Mapping one id"); `None` = a non-string id.
///
/// ```
/// use clawrouter_policy::replay::policy::ToolCallIdMode;
/// use clawrouter_policy::replay::tool_call_ids::sanitize_tool_call_id;
/// assert_eq!(sanitize_tool_call_id(Some("call|item:123"), ToolCallIdMode::Strict), "callitem123");
/// assert_eq!(sanitize_tool_call_id(Some("functions.read:0"), ToolCallIdMode::Strict), "functions.read:0");
/// assert_eq!(sanitize_tool_call_id(None, ToolCallIdMode::Strict9), "defaultid");
/// ```
pub fn sanitize_tool_call_id(id: Option<&str>, mode: ToolCallIdMode) -> String {
    let id = id.filter(|id| !id.is_empty());
    match mode {
        ToolCallIdMode::Strict => {
            let Some(id) = id else {
                return "defaulttoolid".to_owned();
            };
            if is_kimi_native(id) {
                return id.to_owned();
            }
            let alnum: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
            if alnum.is_empty() {
                "sanitizedtoolid".to_owned()
            } else {
                alnum
            }
        }
        ToolCallIdMode::Strict9 => {
            let Some(id) = id else {
                return "defaultid".to_owned();
            };
            let alnum: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
            match alnum.len() {
                0 => prefix(&sha256_hex("sanitized"), 9).to_owned(),
                1..=8 => prefix(&sha256_hex(&alnum), 9).to_owned(),
                _ => prefix(&alnum, 9).to_owned(),
            }
        }
    }
}

/// Hands out ids unique within one conversation (§2.7.1 "Uniqueness").
#[derive(Debug, Clone)]
pub struct IdAllocator {
    mode: ToolCallIdMode,
    used: HashSet<String>,
}

impl IdAllocator {
    /// An allocator with no id used yet.
    pub fn new(mode: ToolCallIdMode) -> Self {
        IdAllocator {
            mode,
            used: HashSet::new(),
        }
    }

    /// Marks `id` as used (reserved ids, ids kept verbatim).
    pub fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_owned());
    }

    /// Whether `id` was handed out or reserved.
    pub fn is_used(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    /// A fresh id for `seed` (the raw id, or `"<id>:<n>"` for a later occurrence).
    pub fn allocate(&mut self, seed: Option<&str>) -> String {
        let mapped = sanitize_tool_call_id(seed, self.mode);
        let seed = seed.unwrap_or_default();
        let id = match self.mode {
            ToolCallIdMode::Strict => {
                let base = prefix(&mapped, 40).to_owned();
                if !self.used.contains(&base) {
                    base
                } else {
                    let candidate =
                        format!("{}{}", prefix(&base, 32), prefix(&sha256_hex(seed), 8));
                    if !self.used.contains(&candidate) {
                        candidate
                    } else {
                        self.suffixed(&candidate, seed)
                    }
                }
            }
            ToolCallIdMode::Strict9 => {
                if !self.used.contains(&mapped) {
                    mapped
                } else {
                    let mut attempt = 0_u64;
                    loop {
                        let candidate =
                            prefix(&sha256_hex(&format!("{seed}:{attempt}")), 9).to_owned();
                        if !self.used.contains(&candidate) {
                            break candidate;
                        }
                        attempt += 1;
                    }
                }
            }
        };
        self.used.insert(id.clone());
        id
    }

    fn suffixed(&self, candidate: &str, seed: &str) -> String {
        for n in 2..=999_u32 {
            let suffix = format!("x{n}");
            let id = format!("{}{suffix}", prefix(candidate, 40 - suffix.len()));
            if !self.used.contains(&id) {
                return id;
            }
        }
        // Last resort (the spec uses the clock): keep hashing with a counter.
        let mut attempt = 0_u64;
        loop {
            let id = prefix(&sha256_hex(&format!("{seed}:t{attempt}")), 40).to_owned();
            if !self.used.contains(&id) {
                return id;
            }
            attempt += 1;
        }
    }
}

/// The ids of one conversation, in order of appearance → their sanitised ids: a repeated id maps
/// to its first output, distinct ids that collide get the suffix (§2.7.1; what the replay
/// pipeline does within one conversation for calls seen once each).
///
/// ```
/// use clawrouter_policy::replay::policy::ToolCallIdMode;
/// use clawrouter_policy::replay::tool_call_ids::sanitize_tool_call_id_list;
/// let ids = [Some("call_a|b"), Some("call_a:b"), Some("call_a|b")];
/// assert_eq!(
///     sanitize_tool_call_id_list(&ids, ToolCallIdMode::Strict),
///     ["callab", "callab164e5cbf", "callab"]
/// );
/// ```
pub fn sanitize_tool_call_id_list(ids: &[Option<&str>], mode: ToolCallIdMode) -> Vec<String> {
    let mut allocator = IdAllocator::new(mode);
    let mut first: HashMap<Option<&str>, String> = HashMap::new();
    ids.iter()
        .map(|id| {
            first
                .entry(*id)
                .or_insert_with(|| allocator.allocate(*id))
                .clone()
        })
        .collect()
}

/// Options of the transcript walk (§2.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdSanitizeOptions<'a> {
    /// `strict` or `strict9`.
    pub mode: ToolCallIdMode,
    /// `preserveNativeAnthropicToolUseIds`: a first, unused `toolu_…` id is kept.
    pub preserve_native_anthropic: bool,
    /// `duplicateToolCallIdStyle:"openai"`.
    pub duplicate_style_openai: bool,
    /// Keep the ids of replay-safe thinking turns (provider-owned thinking replay).
    pub preserve_replay_safe_thinking_ids: bool,
    /// The run's allowed tool names, if any.
    pub allowed_tools: Option<&'a [&'a str]>,
}

fn is_native_anthropic(id: &str) -> bool {
    id.strip_prefix("toolu_").is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn is_openai_call_id(id: &str) -> bool {
    id.strip_prefix("call_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

/// The id fields a tool result's primary raw id is read from, in this order (§2.7.1).
const PRIMARY_RESULT_ID_FIELDS: [&str; 6] = [
    "call_id",
    "callId",
    "tool_call_id",
    "tool_use_id",
    "toolCallId",
    "toolUseId",
];

/// The occurrence-aware walk of §2.7.1 over a whole transcript, in place. Returns whether
/// anything changed (when nothing did, the messages are untouched).
pub fn sanitize_transcript_tool_call_ids(
    messages: &mut [Message],
    options: &IdSanitizeOptions<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut allocator = IdAllocator::new(options.mode);
    // Replay-safe thinking turns keep their ids verbatim.
    let mut safe_turns: HashSet<usize> = HashSet::new();
    if options.preserve_replay_safe_thinking_ids {
        let mut reserved: HashSet<String> = HashSet::new();
        for (index, message) in messages.iter().enumerate() {
            let blocks = message.blocks();
            if matches!(message, Message::Assistant(_))
                && blocks.iter().any(ContentBlock::is_thinking_like)
                && blocks.iter().any(|block| block.as_tool_call().is_some())
                && is_replay_safe_turn(blocks, &reserved, options.allowed_tools)
            {
                for id in blocks
                    .iter()
                    .filter_map(ContentBlock::as_tool_call)
                    .filter_map(|call| call.id.as_deref())
                {
                    reserved.insert(id.to_owned());
                    allocator.reserve(id);
                }
                safe_turns.insert(index);
            }
        }
    }
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let mut orphan_occurrences: HashMap<String, usize> = HashMap::new();
    let mut queues: HashMap<String, VecDeque<String>> = HashMap::new();
    let mut changed = false;
    for (index, message) in messages.iter_mut().enumerate() {
        match message {
            Message::Assistant(assistant) => {
                let Some(crate::conversation::Content::Blocks(blocks)) = &mut assistant.content
                else {
                    continue;
                };
                for block in blocks {
                    let ContentBlock::ToolCall(call) = block else {
                        continue;
                    };
                    if !call.kind.is_camel() {
                        continue;
                    }
                    let Some(raw) = call.id.clone().filter(|id| !id.is_empty()) else {
                        continue;
                    };
                    let n = {
                        let count = occurrences.entry(raw.clone()).or_insert(0);
                        *count += 1;
                        *count
                    };
                    let resolved = if safe_turns.contains(&index) {
                        raw.clone()
                    } else if options.duplicate_style_openai && n > 1 {
                        let mut attempt = 0_u64;
                        loop {
                            let candidate = format!(
                                "call_{}",
                                prefix(&sha256_hex(&format!("{raw}:{n}:{attempt}")), 24)
                            );
                            if !allocator.is_used(&candidate) {
                                allocator.reserve(&candidate);
                                break candidate;
                            }
                            attempt += 1;
                        }
                    } else if n == 1
                        && !allocator.is_used(&raw)
                        && ((options.duplicate_style_openai && is_openai_call_id(&raw))
                            || (options.preserve_native_anthropic && is_native_anthropic(&raw)))
                    {
                        allocator.reserve(&raw);
                        raw.clone()
                    } else if n == 1 {
                        allocator.allocate(Some(&raw))
                    } else {
                        allocator.allocate(Some(&format!("{raw}:{n}")))
                    };
                    if resolved != raw {
                        diagnostics.push(Diagnostic::at(
                            DiagnosticKind::ToolCallIdRewritten,
                            index,
                            format!("tool-call id {raw:?} → {resolved:?}"),
                        ));
                        call.id = Some(resolved.clone());
                        changed = true;
                    }
                    // Keyed by the trimmed id: pairing (§2.7.2) matches results to calls on
                    // trimmed ids, so a result stored as " id " belongs to call "id".
                    queues
                        .entry(raw.trim().to_owned())
                        .or_default()
                        .push_back(resolved);
                }
            }
            Message::ToolResult(result) => {
                let Some(raw) = PRIMARY_RESULT_ID_FIELDS
                    .iter()
                    .filter_map(|field| result.id_field(field))
                    .find(|id| !id.is_empty())
                    .map(str::to_owned)
                else {
                    continue;
                };
                let resolved = match queues.get_mut(raw.trim()).and_then(VecDeque::pop_front) {
                    Some(resolved) => resolved,
                    None => {
                        let n = {
                            let count = orphan_occurrences.entry(raw.clone()).or_insert(0);
                            *count += 1;
                            *count
                        };
                        if options.preserve_native_anthropic
                            && n == 1
                            && is_native_anthropic(&raw)
                            && !allocator.is_used(&raw)
                        {
                            allocator.reserve(&raw);
                            raw.clone()
                        } else {
                            allocator.allocate(Some(&format!("{raw}:tool_result:{n}")))
                        }
                    }
                };
                let mut wrote = false;
                for field in RESULT_ID_FIELDS.iter().skip(1) {
                    if let Some(Value::String(value)) = result.extra.get_mut(*field)
                        && *value != resolved
                    {
                        value.clone_from(&resolved);
                        wrote = true;
                    }
                }
                if result.tool_call_id.as_deref() != Some(resolved.as_str()) {
                    result.tool_call_id = Some(resolved.clone());
                    wrote = true;
                }
                if wrote {
                    changed = true;
                }
            }
            _ => {}
        }
    }
    changed
}
