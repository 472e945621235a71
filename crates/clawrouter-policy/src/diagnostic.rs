//! What the replay pipeline (POLICY.md §2) and the transport conversion (§3) changed, and why.
//!
//! Every function of this crate that rewrites a conversation returns its result together with a
//! list of [`Diagnostic`]s, one per repair: a synthetic tool result inserted, an orphan result
//! dropped, an id rewritten, turns merged … The `clawrouter policy replay` inspector prints one
//! stderr line per diagnostic ([`Diagnostic`]'s `Display`).

use std::fmt;

/// What kind of change a [`Diagnostic`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// A synthetic error result was inserted for a tool call without one (§2.7.2, §3.1).
    SyntheticToolResult,
    /// A tool result with no matching call was dropped (§2.7.2).
    OrphanToolResultDropped,
    /// A second result for the same call was dropped (§2.7.2).
    DuplicateToolResultDropped,
    /// A tool result was moved next to its call (§2.7.2).
    ToolResultMoved,
    /// A tool result without an id adopted its frame's only call id (§2.7.2).
    ToolResultIdAdopted,
    /// A tool-call id (and its results) was rewritten (§2.7.1, §2.6 S7a, §3.2).
    ToolCallIdRewritten,
    /// A tool-call block was dropped or repaired (§2.6 S6, §2.7.4).
    ToolCallDropped,
    /// A failed (`error` / `aborted`) turn was dropped or replaced (§2.7.2, §3.1.2).
    FailedTurn,
    /// Consecutive turns of one role were merged (§2.7.3).
    TurnsMerged,
    /// Thinking blocks were dropped, or turned into text (§2.6 S3–S5, §3.1).
    ThinkingRewritten,
    /// A thought signature was stripped (§2.6 S2).
    SignatureStripped,
    /// Blank content was removed, or an empty message dropped (§2.6 S1/S2).
    EmptyContent,
    /// The `(session bootstrap)` user turn was prepended (§2.4, §2.6 S12).
    BootstrapInserted,
    /// An image or video was replaced by a placeholder (§3.1).
    MediaOmitted,
    /// A request option could not be honoured as given (§3.2).
    RequestOption,
    /// The transcript violates an invariant the transport requires (§2.6 S10).
    InvariantViolated,
}

impl DiagnosticKind {
    /// A stable kebab-case name (`synthetic-tool-result` …).
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticKind::SyntheticToolResult => "synthetic-tool-result",
            DiagnosticKind::OrphanToolResultDropped => "orphan-tool-result-dropped",
            DiagnosticKind::DuplicateToolResultDropped => "duplicate-tool-result-dropped",
            DiagnosticKind::ToolResultMoved => "tool-result-moved",
            DiagnosticKind::ToolResultIdAdopted => "tool-result-id-adopted",
            DiagnosticKind::ToolCallIdRewritten => "tool-call-id-rewritten",
            DiagnosticKind::ToolCallDropped => "tool-call-dropped",
            DiagnosticKind::FailedTurn => "failed-turn",
            DiagnosticKind::TurnsMerged => "turns-merged",
            DiagnosticKind::ThinkingRewritten => "thinking-rewritten",
            DiagnosticKind::SignatureStripped => "signature-stripped",
            DiagnosticKind::EmptyContent => "empty-content",
            DiagnosticKind::BootstrapInserted => "bootstrap-inserted",
            DiagnosticKind::MediaOmitted => "media-omitted",
            DiagnosticKind::RequestOption => "request-option",
            DiagnosticKind::InvariantViolated => "invariant-violated",
        }
    }
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change made to a conversation or request, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// What kind of change.
    pub kind: DiagnosticKind,
    /// What was changed and why, for a person.
    pub message: String,
    /// The index of the message concerned, in the input of the step that made the change
    /// (`None` when the change concerns no single message).
    pub index: Option<usize>,
}

impl Diagnostic {
    /// A diagnostic about message `index`.
    pub fn at(kind: DiagnosticKind, index: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            message: message.into(),
            index: Some(index),
        }
    }

    /// A diagnostic about no single message.
    pub fn general(kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            message: message.into(),
            index: None,
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `<kind> (message N): <message>`, or `<kind>: <message>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(index) => write!(f, "{} (message {index}): {}", self.kind, self.message),
            None => write!(f, "{}: {}", self.kind, self.message),
        }
    }
}
