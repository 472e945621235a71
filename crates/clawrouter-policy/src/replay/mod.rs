//! The replay policy (POLICY.md §2): what is done to a stored conversation before it is replayed
//! to a model behind ClawRouter.
//!
//! * [`policy`]: the policy record (§2.1), the family builders (§2.2–§2.5) and ClawRouter's
//!   choice of family by transport (§0.1);
//! * the pipeline of §2.6, in baseline order, one module per step group: [`hygiene`] (S1, S2),
//!   [`thinking`] (S3–S5), [`tool_input`] (S6), [`pairing`] (§2.7.2) and [`tool_call_ids`]
//!   (§2.7.1) for S7b, [`responses`] for S7a and S10, [`bootstrap`] (S9, S12), [`turns`] (V2,
//!   V3; §2.7.3, §2.7.4);
//! * [`apply_replay_policy`], the entry point the client calls; [`apply_policy`] runs the same
//!   pipeline under any policy record.
//!
//! Every function is total and deterministic, reads no clock, and reports each change as a
//! [`Diagnostic`]. Synthetic results and the bootstrap turn carry no `timestamp` (the spec's
//! `<now>`): the caller may stamp them.
//!
//! ```
//! use clawrouter_policy::conversation::{conversation_from_value, conversation_to_value};
//! use clawrouter_policy::replay::apply_replay_policy;
//! use clawrouter_wire::transport::Transport;
//! use serde_json::json;
//!
//! // POLICY.md §2.9 E1.
//! let input = conversation_from_value(json!([
//!     {"role":"user","content":"hi"},
//!     {"role":"assistant","stopReason":"toolUse","content":[{"type":"text","text":""},
//!         {"type":"toolCall","id":"call_AbC-12|fc_x","name":"read","arguments":{}}]},
//!     {"role":"user","content":"next"}]));
//! let (output, diagnostics) =
//!     apply_replay_policy(Transport::OpenAiCompletions, "openai/gpt-5.5", &input);
//! assert_eq!(conversation_to_value(&output), json!([
//!     {"role":"user","content":"hi"},
//!     {"role":"assistant","stopReason":"toolUse","content":[
//!         {"type":"toolCall","id":"callAbC12fcx","name":"read","arguments":{}}]},
//!     {"role":"toolResult","toolCallId":"callAbC12fcx","toolName":"read","isError":true,
//!      "content":[{"type":"text","text":"[openclaw] missing tool result in session history; inserted synthetic error result for transcript repair."}]},
//!     {"role":"user","content":"next"}]));
//! assert!(!diagnostics.is_empty());
//! ```

pub mod bootstrap;
pub mod claude;
pub mod hygiene;
pub mod pairing;
pub mod policy;
pub mod responses;
pub mod thinking;
pub mod tool_call_ids;
pub mod tool_input;
pub mod turns;

use clawrouter_wire::transport::Transport;

use crate::conversation::Message;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use policy::{ReplayPolicy, is_responses_api};

/// What the pipeline needs besides the policy.
#[derive(Debug, Default)]
pub struct ReplayContext<'a> {
    /// The transport name (`modelApi`).
    pub api: &'a str,
    /// The (prefixed) model id.
    pub model_id: &'a str,
    /// The run's allowed tool names, if any (S6).
    pub allowed_tools: Option<&'a [&'a str]>,
    /// The session's "bootstrap marker written" state (§2.4 step 3, PD5), if the caller keeps
    /// one.
    pub session_has_bootstrap_marker: Option<&'a mut bool>,
    /// When the session last switched model (epoch ms; the caller's model snapshots, §2.6
    /// S7a step 2 / S11): on Responses APIs, OpenAI reasoning from before it is dropped. `None`
    /// = no switch known (the step is skipped).
    pub model_switch_at_ms: Option<f64>,
}

/// ClawRouter's replay for `transport` and `model_id` (§0.1 hooks, §2.6). Total and
/// deterministic.
pub fn apply_replay_policy(
    transport: Transport,
    model_id: &str,
    messages: &[Message],
) -> (Vec<Message>, Vec<Diagnostic>) {
    let policy = ReplayPolicy::for_clawrouter(transport.as_str(), model_id);
    let mut context = ReplayContext {
        api: transport.as_str(),
        model_id,
        ..ReplayContext::default()
    };
    apply_policy(&policy, &mut context, messages)
}

/// The §2.6 pipeline under `policy`. ClawRouter's provider hook `sanitizeReplayHistory` (S9)
/// runs when `context.api` is `google-generative-ai`.
pub fn apply_policy(
    policy: &ReplayPolicy,
    context: &mut ReplayContext<'_>,
    messages: &[Message],
) -> (Vec<Message>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let api = context.api;
    let responses = is_responses_api(api);

    // S1, S2.
    let messages = hygiene::replay_hygiene(messages.to_vec(), &mut diagnostics);
    let mut messages = hygiene::sanitize_blocks_and_signatures(
        messages,
        policy.preserve_signatures,
        policy.sanitize_thought_signatures,
        &mut diagnostics,
    );
    // S3 (on ClawRouter the provider id is `clawrouter`, so only `preserveSignatures` turns it on).
    if policy.preserve_signatures {
        thinking::strip_stale_signatures_after_compaction(&mut messages, &mut diagnostics);
        thinking::strip_invalid_thinking_signatures(&mut messages, None, &mut diagnostics);
    }
    // S4, S5.
    if policy.drop_reasoning_from_history {
        thinking::drop_reasoning_from_history(&mut messages, &mut diagnostics);
    }
    if policy.drop_thinking_blocks {
        thinking::drop_thinking_blocks(&mut messages, &mut diagnostics);
    }
    // S6.
    let provider_owned_replay = matches!(api, "anthropic-messages" | "bedrock-converse-stream")
        && policy.validate_anthropic_turns
        && policy.preserve_signatures
        && !policy.drop_thinking_blocks;
    let mut messages = tool_input::repair_tool_call_inputs(
        messages,
        provider_owned_replay,
        context.allowed_tools,
        &mut diagnostics,
    );
    // S1's partial-thinking rule once more (see `hygiene::drop_partial_thinking_turns`).
    messages = hygiene::drop_partial_thinking_turns(messages, &mut diagnostics);
    // S7.
    if responses {
        if policy.repair_tool_use_result_pairing {
            messages = pairing::repair_pairing(
                messages,
                pairing::SYNTHETIC_RESULT_TEXT_RESPONSES,
                &mut diagnostics,
            );
        }
        if let Some(switch_at) = context.model_switch_at_ms {
            messages =
                responses::drop_stale_openai_reasoning(messages, switch_at, &mut diagnostics);
        }
        responses::normalize_responses_ids(&mut messages, &mut diagnostics);
        responses::downgrade_unpaired_function_calls(&mut messages, &mut diagnostics);
    } else {
        if policy.repair_tool_use_result_pairing {
            messages =
                pairing::repair_pairing(messages, pairing::SYNTHETIC_RESULT_TEXT, &mut diagnostics);
        }
        // S3b once more, before the ids: whether the latest assistant's unsigned thinking is
        // exempt depends on the tool results after it, which S6 and pairing may have removed (a
        // dropped broken call, an orphan result). Re-deciding on the repaired transcript (and
        // only then deciding which thinking turns keep their ids) makes the pipeline idempotent.
        if policy.preserve_signatures {
            thinking::strip_invalid_thinking_signatures(&mut messages, None, &mut diagnostics);
        }
        if policy.sanitize_tool_call_ids
            && let Some(mode) = policy.tool_call_id_mode
        {
            let options = tool_call_ids::IdSanitizeOptions {
                mode,
                preserve_native_anthropic: policy.preserve_native_anthropic_tool_use_ids,
                duplicate_style_openai: policy.duplicate_tool_call_id_style_openai,
                preserve_replay_safe_thinking_ids: provider_owned_replay,
                allowed_tools: context.allowed_tools,
            };
            tool_call_ids::sanitize_transcript_tool_call_ids(
                &mut messages,
                &options,
                &mut diagnostics,
            );
        }
    }
    // S8.
    drop_details(&mut messages);
    // S9.
    if api == "google-generative-ai"
        && let Some(bootstrapped) = bootstrap::bootstrap_turn(
            &messages,
            context.session_has_bootstrap_marker.as_deref_mut(),
            &mut diagnostics,
        )
    {
        messages = bootstrapped;
    }
    // S10.
    if responses {
        if policy.repair_tool_use_result_pairing {
            messages = pairing::repair_pairing(
                messages,
                pairing::SYNTHETIC_RESULT_TEXT_RESPONSES,
                &mut diagnostics,
            );
        }
        check_invariant(&messages, &mut diagnostics);
        // S8 again for results S10 synthesised (bookkeeping only; keeps the pipeline idempotent).
        drop_details(&mut messages);
    }
    // S12.
    if policy.apply_google_turn_ordering
        && let Some(bootstrapped) = bootstrap::bootstrap_turn(&messages, None, &mut diagnostics)
    {
        messages = bootstrapped;
        if responses {
            check_invariant(&messages, &mut diagnostics);
        }
    }
    // V2, V3.
    if policy.validate_gemini_turns {
        messages = turns::validate_gemini_turns(messages, &mut diagnostics);
    }
    if policy.validate_anthropic_turns {
        let merge_users = !(policy.append_only_runtime_context && api == "anthropic-messages");
        let before = diagnostics.len();
        messages = turns::validate_anthropic_turns(messages, merge_users, &mut diagnostics);
        // V3 runs after pairing, so the results of the calls it strips are left behind. Every
        // provider rejects such orphans, and the next replay's pairing step would drop them: drop
        // them now, which also keeps the pipeline idempotent. (No call is left unanswered here,
        // so this adds no synthetic result.)
        let stripped = diagnostics
            .get(before..)
            .unwrap_or_default()
            .iter()
            .any(|d| d.kind == DiagnosticKind::ToolCallDropped);
        if stripped && policy.repair_tool_use_result_pairing {
            let text = if responses {
                pairing::SYNTHETIC_RESULT_TEXT_RESPONSES
            } else {
                pairing::SYNTHETIC_RESULT_TEXT
            };
            messages = pairing::repair_pairing(messages, text, &mut diagnostics);
            drop_details(&mut messages);
            // Dropping those results can make turns of one role adjacent: validate once more.
            messages = turns::validate_anthropic_turns(messages, merge_users, &mut diagnostics);
        }
    }
    (messages, diagnostics)
}

/// S8: the `details` of every tool result are bookkeeping, not payload.
fn drop_details(messages: &mut [Message]) {
    for message in messages {
        if let Message::ToolResult(result) = message {
            result.details = None;
        }
    }
}

fn check_invariant(messages: &[Message], diagnostics: &mut Vec<Diagnostic>) {
    if let Err(violation) = responses::check_responses_invariant(messages) {
        diagnostics.push(Diagnostic::general(
            DiagnosticKind::InvariantViolated,
            violation.to_string(),
        ));
    }
}
