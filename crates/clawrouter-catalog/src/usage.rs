//! The `/v1/usage` snapshot (PROTOCOL.md §8.3, variant U3): HTTP status and body bytes in,
//! OpenClaw's usage snapshot out. Pure: the caller reads the body (at most
//! [`MAX_USAGE_BODY_BYTES`]) and passes the time.

use serde_json::{Map, Value};

use crate::json;
use crate::model::js_number;

/// The usage body cap: 1 MiB (PROTOCOL.md §8.1).
pub const MAX_USAGE_BODY_BYTES: usize = 1024 * 1024;

/// The error text of a malformed body (§8.3 rule 3).
pub const MALFORMED_USAGE: &str = "Malformed usage response";

/// A usage response that yields no snapshot.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// A non-2xx status (§8.3 rule 1); the body is never looked at.
    #[error("ClawRouter usage request failed (HTTP {status})")]
    Http {
        /// The HTTP status.
        status: u16,
    },
    /// The body is larger than [`MAX_USAGE_BODY_BYTES`] (§8.3 rule 2).
    #[error("ClawRouter usage response exceeds 1048576 bytes")]
    TooLarge {
        /// The body length seen.
        received: usize,
    },
}

/// The one budget window a metered key has (§8.3 rule 5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UsageWindow {
    /// Percent of the monthly budget used, 0–100, not rounded.
    pub used_percent: f64,
    /// When the window resets: epoch milliseconds of 00:00 UTC on the first of next month.
    pub reset_at_ms: Option<i64>,
}

/// Billing information (§8.3 rule 6).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Billing {
    /// A metered key: USD used of the monthly limit.
    Budget {
        /// USD spent this month.
        used: f64,
        /// USD monthly limit.
        limit: f64,
        /// When the window resets (epoch ms).
        reset_at_ms: Option<i64>,
    },
    /// An unmetered key with a known spend.
    Spend {
        /// USD spent.
        amount: f64,
    },
}

/// OpenClaw's usage snapshot for a ClawRouter key.
#[derive(Clone, Debug, PartialEq)]
pub struct UsageSnapshot {
    window: Option<UsageWindow>,
    billing: Option<Billing>,
    summary: Option<String>,
    plan: Option<&'static str>,
    error: Option<&'static str>,
    fetched_at_ms: i64,
}

impl UsageSnapshot {
    /// The monthly budget window, when the key is metered and the numbers are valid.
    pub fn window(&self) -> Option<UsageWindow> {
        self.window
    }

    /// Percent of the budget used (the window's), when there is a window.
    pub fn used_percent(&self) -> Option<f64> {
        self.window.map(|window| window.used_percent)
    }

    /// When the budget window resets (epoch ms), when known.
    pub fn reset_at_ms(&self) -> Option<i64> {
        self.window.and_then(|window| window.reset_at_ms)
    }

    /// Budget or spend.
    pub fn billing(&self) -> Option<Billing> {
        self.billing
    }

    /// `12 requests · 34,567 tokens · $25.00 used`, or the parts that are known.
    pub fn summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }

    /// `Managed monthly budget` or `Unmetered proxy key` (absent on a malformed body).
    pub fn plan(&self) -> Option<&str> {
        self.plan
    }

    /// `Malformed usage response` when the body could not be read.
    pub fn error(&self) -> Option<&str> {
        self.error
    }

    /// The `now_ms` the snapshot was computed at (not part of OpenClaw's shape).
    pub fn fetched_at_ms(&self) -> i64 {
        self.fetched_at_ms
    }

    /// OpenClaw's JSON shape (CLI.md `usage summarize`): `{provider, displayName, windows,
    /// billing?, summary?, plan}` or, for a malformed body, `{provider, displayName, windows,
    /// error}`. Absent keys are omitted.
    pub fn to_openclaw_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("provider".into(), "clawrouter".into());
        out.insert("displayName".into(), "ClawRouter".into());
        let windows: Vec<Value> = self
            .window
            .iter()
            .map(|window| {
                let mut entry = Map::new();
                entry.insert("label".into(), "Monthly budget".into());
                entry.insert("usedPercent".into(), js_number(window.used_percent));
                if let Some(reset) = window.reset_at_ms {
                    entry.insert("resetAt".into(), reset.into());
                }
                Value::Object(entry)
            })
            .collect();
        out.insert("windows".into(), windows.into());
        if let Some(billing) = self.billing {
            let mut entry = Map::new();
            match billing {
                Billing::Budget {
                    used,
                    limit,
                    reset_at_ms,
                } => {
                    entry.insert("type".into(), "budget".into());
                    entry.insert("used".into(), js_number(used));
                    entry.insert("limit".into(), js_number(limit));
                    entry.insert("unit".into(), "USD".into());
                    entry.insert("period".into(), "month".into());
                    if let Some(reset) = reset_at_ms {
                        entry.insert("resetAt".into(), reset.into());
                    }
                }
                Billing::Spend { amount } => {
                    entry.insert("type".into(), "spend".into());
                    entry.insert("amount".into(), js_number(amount));
                    entry.insert("unit".into(), "USD".into());
                }
            }
            out.insert("billing".into(), vec![Value::Object(entry)].into());
        }
        if let Some(summary) = &self.summary {
            out.insert("summary".into(), summary.clone().into());
        }
        if let Some(plan) = self.plan {
            out.insert("plan".into(), plan.into());
        }
        if let Some(error) = self.error {
            out.insert("error".into(), error.into());
        }
        Value::Object(out)
    }
}

/// Computes the snapshot of a `/v1/usage` response (§8.3).
///
/// ```
/// use clawrouter_catalog::usage_snapshot;
///
/// let body = br#"{"budget":{"configured":true,"windowKey":"default/team/2026-07",
///   "limitMicros":100000000,"spentMicros":25000000},
///   "usage":{"summary":{"requestCount":12,"totalTokens":34567,"actualCostMicros":25000000}}}"#;
/// let snapshot = usage_snapshot(200, body, 0).unwrap();
/// assert_eq!(snapshot.used_percent(), Some(25.0));
/// assert_eq!(snapshot.summary(), Some("12 requests · 34,567 tokens · $25.00 used"));
/// assert_eq!(usage_snapshot(503, b"", 0).unwrap_err().to_string(),
///     "ClawRouter usage request failed (HTTP 503)");
/// ```
pub fn usage_snapshot(status: u16, body: &[u8], now_ms: i64) -> Result<UsageSnapshot, UsageError> {
    if !(200..300).contains(&status) {
        return Err(UsageError::Http { status });
    }
    if body.len() > MAX_USAGE_BODY_BYTES {
        return Err(UsageError::TooLarge {
            received: body.len(),
        });
    }
    let root = match json::parse(body) {
        Ok(Value::Object(root)) => root,
        _ => {
            return Ok(UsageSnapshot {
                window: None,
                billing: None,
                summary: None,
                plan: None,
                error: Some(MALFORMED_USAGE),
                fetched_at_ms: now_ms,
            });
        }
    };
    let budget = root.get("budget");
    let field =
        |parent: Option<&Value>, key: &str| parent.and_then(|p| p.get(key)).and_then(valid_number);
    let limit = field(budget, "limitMicros");
    let spent = field(budget, "spentMicros");
    let summary_object = root.get("usage").and_then(|usage| usage.get("summary"));
    let cost = field(summary_object, "actualCostMicros");
    let configured = budget.and_then(|b| b.get("configured")) == Some(&Value::Bool(true));
    let reset_at_ms = budget
        .and_then(|b| b.get("windowKey"))
        .and_then(Value::as_str)
        .and_then(reset_at);

    let (window, billing) = match (configured, limit, spent) {
        (true, Some(limit), Some(spent)) => {
            let used_percent = if limit == 0.0 {
                100.0
            } else {
                (spent / limit * 100.0).min(100.0)
            };
            (
                Some(UsageWindow {
                    used_percent,
                    reset_at_ms,
                }),
                Some(Billing::Budget {
                    used: spent / 1e6,
                    limit: limit / 1e6,
                    reset_at_ms,
                }),
            )
        }
        _ => (None, cost.map(|cost| Billing::Spend { amount: cost / 1e6 })),
    };

    let mut parts = Vec::new();
    if let Some(requests) = field(summary_object, "requestCount") {
        parts.push(format!("{} requests", group_digits(requests)));
    }
    if let Some(tokens) = field(summary_object, "totalTokens") {
        parts.push(format!("{} tokens", group_digits(tokens)));
    }
    if let Some(cost) = cost {
        parts.push(format!("{} used", usd(cost / 1e6)));
    }
    Ok(UsageSnapshot {
        window,
        billing,
        summary: (!parts.is_empty()).then(|| parts.join(" · ")),
        plan: Some(if configured {
            "Managed monthly budget"
        } else {
            "Unmetered proxy key"
        }),
        error: None,
        fetched_at_ms: now_ms,
    })
}

/// §8.3: a finite JSON number ≥ 0.
fn valid_number(value: &Value) -> Option<f64> {
    value.as_f64().filter(|n| n.is_finite() && *n >= 0.0)
}

/// §8.3 rule 7: `…/<YYYY>-<MM>` → 00:00 UTC on day 1 of the following month, epoch ms.
fn reset_at(window_key: &str) -> Option<i64> {
    let bytes = window_key.as_bytes();
    let tail = bytes
        .len()
        .checked_sub(8)
        .and_then(|start| bytes.get(start..))?;
    let [b'/', y1, y2, y3, y4, b'-', m1, m2] = *tail else {
        return None;
    };
    let digits = [y1, y2, y3, y4, m1, m2];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = |ds: &[u8]| {
        ds.iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
    };
    let year = i32::try_from(value(&[y1, y2, y3, y4])).ok()?;
    let month = time::Month::try_from(u8::try_from(value(&[m1, m2])).ok()?).ok()?;
    let next_year = if month == time::Month::December {
        year + 1
    } else {
        year
    };
    let first_of_next = time::Date::from_calendar_date(next_year, month.next(), 1).ok()?;
    Some(first_of_next.midnight().assume_utc().unix_timestamp() * 1000)
}

/// `Intl.NumberFormat("en-US", {maximumFractionDigits: 0})`: rounded half away from zero,
/// grouped by thousands. Large values keep the shortest round-trip digits, zero-padded (as ICU).
fn group_digits(number: f64) -> String {
    let rounded = number.round();
    // Shortest round-trip digits and exponent, e.g. "1.1805916207174113e21".
    let scientific = format!("{rounded:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: usize = exponent.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if rounded == 0.0 {
        digits = "0".to_owned();
    } else {
        while digits.len() < exponent + 1 {
            digits.push('0');
        }
        digits.truncate(exponent + 1);
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if number.is_sign_negative() {
        // Only −0 gets here (valid numbers are ≥ 0); Intl prints it as "-0".
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// §8.3 rule 8's USD text: `$` + 4 decimals below one cent (but above 0), else 2 decimals,
/// as JavaScript's `toFixed` (ties round up; ≥ 1e21 prints like `String(n)`).
fn usd(dollars: f64) -> String {
    let dollars = dollars + 0.0; // −0 → +0, as toFixed prints it
    let places = if dollars > 0.0 && dollars < 0.01 {
        4
    } else {
        2
    };
    if dollars >= 1e21 {
        let scientific = format!("{dollars:e}");
        return format!("${}", scientific.replacen('e', "e+", 1));
    }
    format!("${}", to_fixed(dollars, places))
}

/// `Number.prototype.toFixed` for 0 ≤ x < 1e21: the exact decimal value, ties rounded up.
fn to_fixed(number: f64, places: usize) -> String {
    // Rust's `{:.N}` rounds the exact binary value half to even; toFixed picks the larger of
    // two equally near candidates. They differ only on exact ties, which an extra digit shows.
    let wide = format!("{number:.*}", places + 30);
    let (whole, fraction) = wide.split_once('.').unwrap_or((&wide, ""));
    let kept = fraction.get(..places).unwrap_or_default();
    let rest = fraction.get(places..).unwrap_or_default();
    let round_up = rest.starts_with(|c: char| c >= '5');
    let mut digits: Vec<u8> = format!("{whole}{kept}").into_bytes();
    if round_up {
        let mut index = digits.len();
        loop {
            if index == 0 {
                digits.insert(0, b'1');
                break;
            }
            index -= 1;
            match digits.get_mut(index) {
                Some(digit) if *digit == b'9' => *digit = b'0',
                Some(digit) => {
                    *digit += 1;
                    break;
                }
                None => break,
            }
        }
    }
    let text = String::from_utf8(digits).unwrap_or_default();
    let split = text.len().saturating_sub(places);
    let (whole, fraction) = text.split_at(split);
    if places == 0 {
        whole.to_owned()
    } else {
        format!("{}.{fraction}", if whole.is_empty() { "0" } else { whole })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        for (n, expected) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (34_567.0, "34,567"),
            (999.0, "999"),
            (1000.0, "1,000"),
            (2.5, "3"),
            (1234567.4, "1,234,567"),
            (1e21, "1,000,000,000,000,000,000,000"),
            (2f64.powi(70), "1,180,591,620,717,411,300,000"),
        ] {
            assert_eq!(group_digits(n), expected, "{n}");
        }
        for (dollars, expected) in [
            (25.0, "$25.00"),
            (0.0, "$0.00"),
            (-0.0, "$0.00"),
            (0.005, "$0.0050"),
            (0.000001, "$0.0000"),
            (1234.5, "$1234.50"),
            (0.125, "$0.13"),
            (0.01, "$0.01"),
            (0.00995, "$0.0100"),
            (9.995, "$9.99"),
            (99.999, "$100.00"),
            (1e21, "$1e+21"),
        ] {
            assert_eq!(usd(dollars), expected, "{dollars}");
        }
    }

    #[test]
    fn reset_times() {
        for (key, expected) in [
            ("default/test-policy/2026-07", Some(1_785_542_400_000)),
            ("t/p/2026-12", Some(1_798_761_600_000)),
            ("t/p/1969-12", Some(0)),
            ("t/p/2028-02", Some(1_835_481_600_000)),
            ("t/p/0000-01", Some(-62_164_540_800_000)),
            ("t/p/9999-12", Some(253_402_300_800_000)),
            ("t/p/2026-13", None),
            ("t/p/2026-00", None),
            ("2026-07", None),
            ("t/p/2026-7", None),
            ("t/p/2026-07/", None),
        ] {
            assert_eq!(reset_at(key), expected, "{key}");
        }
    }
}
