//! Claude identity and the model predicates of the native-anthropic family (POLICY.md §2.3),
//! also used by the model-bound thinking replay of the conversion (§3.1.2).

/// The Claude identity of a model id (§2.3): trim; lower-case; strip a leading `anthropic/`;
/// replace each run of `.`, `_` or whitespace with one `-`; then the `claude-…` tail matched by
/// `(^|[-/])(claude-[^/]+)$`, else the whole normalised string.
///
/// ```
/// use clawrouter_policy::replay::claude::identity;
/// assert_eq!(identity("anthropic/claude-sonnet-4.6"), "claude-sonnet-4-6");
/// assert_eq!(identity("us.anthropic.claude-opus-4-5-v1:0"), "claude-opus-4-5-v1:0");
/// ```
pub fn identity(model_id: &str) -> String {
    let lower = model_id.trim().to_lowercase();
    let stripped = lower.strip_prefix("anthropic/").unwrap_or(&lower);
    let mut normalised = String::with_capacity(stripped.len());
    let mut in_run = false;
    for c in stripped.chars() {
        if c == '.' || c == '_' || c.is_whitespace() {
            if !in_run {
                normalised.push('-');
            }
            in_run = true;
        } else {
            normalised.push(c);
            in_run = false;
        }
    }
    for (at, _) in normalised.match_indices("claude-") {
        let boundary = at == 0
            || matches!(
                normalised.get(..at).and_then(|s| s.chars().last()),
                Some('-' | '/')
            );
        let tail = normalised.get(at..).unwrap_or_default();
        let rest = tail.get("claude-".len()..).unwrap_or_default();
        if boundary && !rest.is_empty() && !rest.contains('/') {
            return tail.to_owned();
        }
    }
    normalised
}

/// Whether `identity` starts with `prefix` followed by the end or a character outside
/// `[a-z0-9]`.
pub fn bounded_prefix(identity: &str, prefix: &str) -> bool {
    identity.strip_prefix(prefix).is_some_and(|rest| {
        rest.chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
    })
}

/// Whether `identity` contains `needle` at the start or after a `-`, followed by the end or a
/// character outside `[a-z0-9]`.
pub fn contains_bounded(identity: &str, needle: &str) -> bool {
    identity.match_indices(needle).any(|(at, _)| {
        let start_ok = at == 0
            || identity
                .get(..at)
                .is_some_and(|before| before.ends_with('-'));
        start_ok && bounded_prefix(identity.get(at..).unwrap_or_default(), needle)
    })
}

/// An Opus-5 identity: exactly `opus`, `opus-5` or `opus-5-5`, or containing `claude-opus-5`
/// (bounded, §2.3).
pub fn is_opus_5(identity: &str) -> bool {
    matches!(identity, "opus" | "opus-5" | "opus-5-5")
        || contains_bounded(identity, "claude-opus-5")
}

/// *isClaude* (§2.3).
pub fn is_claude(identity: &str) -> bool {
    identity.starts_with("claude-") || is_opus_5(identity)
}

const PRESERVING: [&str; 9] = [
    "claude-fable-5",
    "claude-mythos-5",
    "claude-mythos-preview",
    "claude-opus-4-5",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-sonnet-5",
    "claude-sonnet-4-6",
];

/// *preserves* (§2.3): the model keeps thinking from earlier turns.
pub fn preserves_thinking(identity: &str) -> bool {
    is_opus_5(identity)
        || PRESERVING
            .iter()
            .any(|needle| contains_bounded(identity, needle))
}

/// *shouldDrop* (§2.3): `dropThinkingBlocks` for this model id.
pub fn should_drop_thinking(model_id: &str) -> bool {
    let identity = identity(model_id);
    is_claude(&identity) && !preserves_thinking(&identity)
}

/// *bindsPrefix* (§2.3): `appendOnlyRuntimeContext` for this model id.
pub fn binds_prefix(model_id: &str) -> bool {
    let identity = identity(model_id);
    identity == "opus-5-5"
        || bounded_prefix(&identity, "claude-opus-5-5")
        || bounded_prefix(&identity, "claude-fable-5-1")
}

/// A Claude 5-generation identity (Fable 5, Mythos 5, Opus 5 incl. 5.5, Sonnet 5; §3.1.2).
pub fn is_generation_5(identity: &str) -> bool {
    is_opus_5(identity)
        || ["claude-fable-5", "claude-mythos-5", "claude-sonnet-5"]
            .iter()
            .any(|needle| contains_bounded(identity, needle))
}
