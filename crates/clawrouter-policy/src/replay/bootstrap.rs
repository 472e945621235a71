//! The Gemini bootstrap turn (POLICY.md §2.4 `sanitizeReplayHistory`, §2.6 S9/S12).

use crate::conversation::{Content, Message, UserMessage};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// The text of the bootstrap user turn.
pub const SESSION_BOOTSTRAP: &str = "(session bootstrap)";
/// The session custom-entry type recording that the bootstrap was inserted (§2.4 step 3).
pub const BOOTSTRAP_MARKER: &str = "google-turn-ordering-bootstrap";

/// Prepends `{role:"user", content:"(session bootstrap)"}` when the history starts with an
/// assistant (§2.4 steps 1–2). `None` = unchanged. No `timestamp` is set (no clock).
///
/// `session_has_marker` is the optional session state of §6.2 PD5: when given and `false`, a
/// new bootstrap sets it to `true` (the caller then appends one `google-turn-ordering-bootstrap`
/// entry with the current time); when absent the marker is skipped.
pub fn bootstrap_turn(
    messages: &[Message],
    session_has_marker: Option<&mut bool>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Message>> {
    match messages.first()? {
        Message::Assistant(_) => {}
        _ => return None,
    }
    let mut out = Vec::with_capacity(messages.len() + 1);
    out.push(Message::User(UserMessage {
        content: Some(Content::Text(SESSION_BOOTSTRAP.to_owned())),
        ..UserMessage::default()
    }));
    out.extend_from_slice(messages);
    diagnostics.push(Diagnostic::at(
        DiagnosticKind::BootstrapInserted,
        0,
        "history starts with an assistant turn; \"(session bootstrap)\" user turn prepended",
    ));
    if let Some(marker) = session_has_marker
        && !*marker
    {
        *marker = true;
    }
    Some(out)
}
