//! The usage ledger behind `GET /v1/usage` (PROTOCOL.md §8.2).
//!
//! The budget is policy-wide: every key of a policy charges, and reads, the same ledger. Each
//! served model call charges its tokens × the model's pricing ([`crate::Pricing::cost_micros`])
//! in the budget window of the current UTC month; a new month starts a new, empty window. The
//! scenario's `spentUsd` is the spend of the window current when the emulator starts.
//!
//! Counting: a call that streamed to its end is a success; a call that was answered with an
//! injected fault (429, 5xx, or a stream fault after HTTP 200) is an error and charges nothing.
//! Requests rejected before reaching a model (auth, validation, budget) are not counted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Totals of one policy in one budget window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsageTotals {
    /// Model calls counted (successes + errors).
    pub request_count: u64,
    /// Calls that streamed to their end.
    pub success_count: u64,
    /// Calls answered with an injected fault.
    pub error_count: u64,
    /// Input tokens charged.
    pub input_tokens: u64,
    /// Output tokens charged.
    pub output_tokens: u64,
    /// Cost charged, micro-USD.
    pub actual_cost_micros: u64,
}

/// A policy's usage as `/v1/usage` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsageReport {
    /// The policy id.
    pub policy_id: String,
    /// `<tenant>/<policy>/<YYYY-MM>` (PROTOCOL.md §8.2).
    pub window_key: String,
    /// Start of the next UTC month, ISO 8601 (`2026-08-01T00:00:00.000Z`).
    pub reset_at: String,
    /// The monthly limit, micro-USD; `None` when unmetered.
    pub limit_micros: Option<u64>,
    /// Spend in the window, micro-USD (the scenario's opening spend included).
    pub spent_micros: u64,
    /// Totals of the calls served in this window.
    pub totals: UsageTotals,
}

impl UsageReport {
    /// Whether the budget is used up (`spent ≥ limit`; a zero limit blocks every call).
    pub fn exhausted(&self) -> bool {
        self.limit_micros
            .is_some_and(|limit| self.spent_micros >= limit)
    }

    /// The `/v1/usage` body (PROTOCOL.md §8.2); every amount is a JSON number. `budget.resetAt`
    /// is an emulator extension that clients ignore.
    pub fn to_json(&self) -> Value {
        let budget = match self.limit_micros {
            None => json!({
                "configured": false, "ledger": "unmetered", "windowKey": null,
                "limitMicros": null, "spentMicros": null, "remainingMicros": null
            }),
            Some(limit) => json!({
                "configured": true,
                "ledger": if limit == 0 { "blocked" } else { "durable_object" },
                "windowKey": self.window_key,
                "limitMicros": limit,
                "spentMicros": self.spent_micros,
                "remainingMicros": limit.saturating_sub(self.spent_micros),
                "resetAt": self.reset_at,
            }),
        };
        let totals = &self.totals;
        json!({
            "policyId": self.policy_id,
            "budget": budget,
            "usage": {
                "ledger": if self.limit_micros.is_some() { "durable_object" } else { "unmetered" },
                "summary": {
                    "requestCount": totals.request_count,
                    "successCount": totals.success_count,
                    "errorCount": totals.error_count,
                    "inputTokens": totals.input_tokens,
                    "outputTokens": totals.output_tokens,
                    "totalTokens": totals.input_tokens.saturating_add(totals.output_tokens),
                    "actualCostMicros": totals.actual_cost_micros,
                },
                "providers": [], "daily": [], "events": []
            }
        })
    }
}

#[derive(Debug)]
struct Window {
    month: (i64, u32),
    spent_micros: u64,
    totals: UsageTotals,
}

#[derive(Debug)]
struct PolicyBook {
    limit_micros: Option<u64>,
    opening_spend: u64,
    opening_month: (i64, u32),
    window: Window,
}

impl PolicyBook {
    /// The window of `month`, starting a fresh one when the month changed.
    fn window(&mut self, month: (i64, u32)) -> &mut Window {
        if self.window.month != month {
            self.window = Window {
                month,
                spent_micros: if month == self.opening_month {
                    self.opening_spend
                } else {
                    0
                },
                totals: UsageTotals::default(),
            };
        }
        &mut self.window
    }
}

/// The live ledger of every policy.
#[derive(Debug)]
pub(crate) struct Ledger {
    tenant: String,
    books: Mutex<HashMap<String, PolicyBook>>,
}

/// One charge.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Charge {
    /// A call that streamed to its end.
    Success {
        input_tokens: u64,
        output_tokens: u64,
        cost_micros: u64,
    },
    /// A call answered with an injected fault.
    Error,
}

impl Ledger {
    pub(crate) fn new(scenario: &crate::Scenario, now: SystemTime) -> Self {
        let month = utc_month(now);
        let books = scenario
            .policies
            .iter()
            .map(|policy| {
                let opening_spend = crate::scenario::usd_to_micros(policy.spent_usd);
                let book = PolicyBook {
                    limit_micros: policy.budget_micros(),
                    opening_spend,
                    opening_month: month,
                    window: Window {
                        month,
                        spent_micros: opening_spend,
                        totals: UsageTotals::default(),
                    },
                };
                (policy.id.clone(), book)
            })
            .collect();
        Ledger {
            tenant: scenario.settings.tenant.clone(),
            books: Mutex::new(books),
        }
    }

    fn with_book<T>(&self, policy: &str, f: impl FnOnce(&mut PolicyBook) -> T) -> Option<T> {
        let mut books = match self.books.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        books.get_mut(policy).map(f)
    }

    pub(crate) fn charge(&self, policy: &str, charge: Charge, now: SystemTime) {
        let month = utc_month(now);
        self.with_book(policy, |book| {
            let window = book.window(month);
            let totals = &mut window.totals;
            totals.request_count = totals.request_count.saturating_add(1);
            match charge {
                Charge::Success {
                    input_tokens,
                    output_tokens,
                    cost_micros,
                } => {
                    totals.success_count = totals.success_count.saturating_add(1);
                    totals.input_tokens = totals.input_tokens.saturating_add(input_tokens);
                    totals.output_tokens = totals.output_tokens.saturating_add(output_tokens);
                    totals.actual_cost_micros =
                        totals.actual_cost_micros.saturating_add(cost_micros);
                    window.spent_micros = window.spent_micros.saturating_add(cost_micros);
                }
                Charge::Error => totals.error_count = totals.error_count.saturating_add(1),
            }
        });
    }

    pub(crate) fn report(&self, policy: &str, now: SystemTime) -> Option<UsageReport> {
        let month = utc_month(now);
        let tenant = &self.tenant;
        self.with_book(policy, |book| {
            let limit_micros = book.limit_micros;
            let window = book.window(month);
            UsageReport {
                policy_id: policy.to_owned(),
                window_key: window_key(tenant, policy, month),
                reset_at: reset_at(month),
                limit_micros,
                spent_micros: window.spent_micros,
                totals: window.totals,
            }
        })
    }
}

/// `<tenant>/<policy>/<YYYY-MM>`.
pub(crate) fn window_key(tenant: &str, policy: &str, (year, month): (i64, u32)) -> String {
    format!("{tenant}/{policy}/{year:04}-{month:02}")
}

/// 00:00 UTC on day 1 of the month after `(year, month)`, ISO 8601.
pub(crate) fn reset_at((year, month): (i64, u32)) -> String {
    let (year, month) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    format!("{year:04}-{month:02}-01T00:00:00.000Z")
}

/// The UTC `(year, month)` of `now` (a time before 1970 counts as January 1970).
pub(crate) fn utc_month(now: SystemTime) -> (i64, u32) {
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let at = i64::try_from(seconds)
        .ok()
        .and_then(|seconds| time::OffsetDateTime::from_unix_timestamp(seconds).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    (i64::from(at.year()), u32::from(u8::from(at.month())))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn months_and_resets() {
        let cases = [
            (0, (1970, 1), "1970-02-01T00:00:00.000Z"),
            // 2026-07-31T23:59:59Z and 2026-08-01T00:00:00Z
            (1_785_542_399, (2026, 7), "2026-08-01T00:00:00.000Z"),
            (1_785_542_400, (2026, 8), "2026-09-01T00:00:00.000Z"),
            // 2026-12-15 → next January
            (1_797_292_800, (2026, 12), "2027-01-01T00:00:00.000Z"),
            // 2024-02-29 (leap day)
            (1_709_164_800, (2024, 2), "2024-03-01T00:00:00.000Z"),
        ];
        for (seconds, month, reset) in cases {
            assert_eq!(utc_month(at(seconds)), month, "{seconds}");
            assert_eq!(reset_at(month), reset, "{seconds}");
        }
        assert_eq!(
            window_key("default", "team", (2026, 7)),
            "default/team/2026-07"
        );
    }

    #[test]
    fn a_new_month_opens_an_empty_window() {
        let scenario = crate::Scenario::default();
        // 2026-07-15 and 2026-08-02.
        let (july, august) = (at(1_784_073_600), at(1_785_628_800));
        let ledger = Ledger::new(&scenario, july);
        let charge = Charge::Success {
            input_tokens: 10,
            output_tokens: 20,
            cost_micros: 300,
        };
        ledger.charge("team", charge, july);
        ledger.charge("team", Charge::Error, july);
        let report = ledger.report("team", july).unwrap();
        assert_eq!(report.window_key, "default/team/2026-07");
        assert_eq!(report.reset_at, "2026-08-01T00:00:00.000Z");
        assert_eq!(report.spent_micros, 1_250_300);
        assert_eq!(
            (
                report.totals.request_count,
                report.totals.success_count,
                report.totals.error_count
            ),
            (2, 1, 1)
        );
        let report = ledger.report("team", august).unwrap();
        assert_eq!(report.window_key, "default/team/2026-08");
        assert_eq!(report.spent_micros, 0);
        assert_eq!(report.totals, UsageTotals::default());
        assert!(ledger.report("nobody", july).is_none());
    }

    #[test]
    fn a_zero_limit_is_blocked() {
        let report = UsageReport {
            policy_id: "p".to_owned(),
            window_key: "default/p/2026-07".to_owned(),
            reset_at: "2026-08-01T00:00:00.000Z".to_owned(),
            limit_micros: Some(0),
            spent_micros: 0,
            totals: UsageTotals::default(),
        };
        assert!(report.exhausted());
        let body = report.to_json();
        assert_eq!(body["budget"]["ledger"], "blocked");
        assert_eq!(body["budget"]["remainingMicros"], 0);
    }
}
