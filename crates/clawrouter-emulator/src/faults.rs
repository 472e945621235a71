//! Fault switches: what goes wrong, and for which calls.
//!
//! A fault applies to the model calls (the four transports) that match its [`FaultScope`]; the
//! catalog and usage endpoints are never faulted. Faults come from the scenario (`[[faults]]`)
//! and can be switched at runtime with [`crate::RunningEmulator::set_fault`]. When several
//! match, a key-scoped fault wins over a model-scoped one, which wins over a global one.
//!
//! How each fault looks on the wire (WIRE.md §2 "Errors after the 200"):
//!
//! | Fault | Wire |
//! | --- | --- |
//! | [`Fault::StallBeforeFirstByte`] | the request is read, then nothing is sent until the client gives up or the emulator shuts down |
//! | [`Fault::SlowFirstByte`] | the response (headers included) starts after the delay, then streams normally |
//! | [`Fault::StallMidStream`] | HTTP 200 and the first `after_events` events, then silence with the connection open |
//! | [`Fault::CutMidEvent`] | HTTP 200, `after_events` events and the first half of the next, then the connection is reset (no terminating chunk) |
//! | [`Fault::ErrorAfter200`] | HTTP 200, `after_events` events, then the transport's in-stream error (Chat: `data: {"error":…}`; Responses: `event: error` then `response.failed`; Anthropic: `event: error` `overloaded_error`; Gemini SSE: unframed pretty-printed `{"error":…}` lines; Gemini array: an `{"error":…}` element and `]`) |
//! | [`Fault::RateLimited`] | 429 `rate_limited` with `Retry-After: <secs>` |
//! | [`Fault::ServerError`] | the given 5xx status with `upstream_unavailable` |

use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Deserialize;

use crate::keys::ProxyKey;

/// Something that goes wrong with a model call.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Fault {
    /// Never send the first byte.
    StallBeforeFirstByte,
    /// Send the first byte (the response head) after `delay_ms`.
    #[serde(rename_all = "camelCase")]
    SlowFirstByte {
        /// The delay in milliseconds.
        delay_ms: u64,
    },
    /// Stop sending after `after_events` events, keeping the connection open.
    #[serde(rename_all = "camelCase")]
    StallMidStream {
        /// Events sent before the stall.
        after_events: usize,
    },
    /// Reset the connection in the middle of event number `after_events` (0-based).
    #[serde(rename_all = "camelCase")]
    CutMidEvent {
        /// Complete events sent before the cut.
        after_events: usize,
    },
    /// Send the transport's in-stream error after `after_events` events.
    #[serde(rename_all = "camelCase")]
    ErrorAfter200 {
        /// Events sent before the error.
        after_events: usize,
    },
    /// Answer 429 with `Retry-After`.
    #[serde(rename_all = "camelCase")]
    RateLimited {
        /// The `Retry-After` value in seconds.
        retry_after_secs: u64,
    },
    /// Answer with a 5xx status (500–599; anything else is sent as 503).
    #[serde(rename_all = "camelCase")]
    ServerError {
        /// The status code.
        status: u16,
    },
}

impl Fault {
    /// The delay before the first byte, for [`Fault::SlowFirstByte`].
    pub(crate) fn first_byte_delay(&self) -> Option<Duration> {
        match self {
            Fault::SlowFirstByte { delay_ms } => Some(Duration::from_millis(*delay_ms)),
            _ => None,
        }
    }
}

/// Which calls a fault applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultScope {
    /// Every model call.
    All,
    /// Calls presenting this key.
    Key(ProxyKey),
    /// Calls to this model (catalog id or upstream id).
    Model(String),
}

impl FaultScope {
    /// A key scope from the key text; `None` when it is not a valid proxy key.
    pub fn key(key: &str) -> Option<Self> {
        ProxyKey::parse(key).ok().map(FaultScope::Key)
    }

    /// A model scope.
    pub fn model(model: impl Into<String>) -> Self {
        FaultScope::Model(model.into())
    }

    fn rank(&self) -> u8 {
        match self {
            FaultScope::Key(_) => 0,
            FaultScope::Model(_) => 1,
            FaultScope::All => 2,
        }
    }
}

/// The active faults, shared by the server and its handle.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultSwitches {
    active: Arc<RwLock<Vec<(FaultScope, Fault)>>>,
}

impl FaultSwitches {
    /// Sets (`Some`) or clears (`None`) the fault of one scope.
    pub(crate) fn set(&self, scope: FaultScope, fault: Option<Fault>) {
        let mut active = match self.active.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        active.retain(|(existing, _)| *existing != scope);
        if let Some(fault) = fault {
            active.push((scope, fault));
            active.sort_by_key(|(scope, _)| scope.rank());
        }
    }

    /// Clears every fault.
    pub(crate) fn clear(&self) {
        match self.active.write() {
            Ok(mut guard) => guard.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }

    /// The fault for a call with `key` to a model known as `ids` (catalog and upstream id).
    pub(crate) fn lookup(&self, key: &str, ids: [&str; 2]) -> Option<Fault> {
        let active = match self.active.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        active
            .iter()
            .find(|(scope, _)| match scope {
                FaultScope::All => true,
                FaultScope::Key(scoped) => scoped.expose() == key,
                FaultScope::Model(model) => ids.contains(&model.as_str()),
            })
            .map(|(_, fault)| fault.clone())
    }
}
