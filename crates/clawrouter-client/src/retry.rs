//! Retry decisions (issue 7): pure functions of the attempt number and the error, plus the small
//! loop that applies them.
//!
//! Only failures *before the first byte of a response body reaches the caller* are ever retried:
//! the loop wraps sending the request and reading the status, never a body already being
//! streamed. Only retryable failures are retried ([`ClientError::is_retryable`]: 429, 5xx except
//! 501, connection failures, connect and first-byte timeouts); auth and budget errors never are.
//! A `Retry-After` / `retry-after-ms` delay is honoured when it is within
//! [`RetryConfig::max_retry_after`]; a longer one ends the retries, so the caller sees the error
//! with the delay instead of a client that sleeps for minutes. Dispatch `POST`s are not
//! idempotent (a retried model call may be billed twice), so they are retried only when
//! [`RetryConfig::retry_dispatch`] or the request asks for it.

use std::future::Future;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use tokio::time::Instant;

use crate::error::ClientError;

/// How the client retries. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in total, the first included; `1` disables retries.
    pub max_attempts: u32,
    /// The delay before the first retry when the server gives none; doubled on each retry.
    pub initial_backoff: Duration,
    /// The longest computed backoff.
    pub max_backoff: Duration,
    /// The longest server-requested delay the client is willing to wait; a longer one ends the
    /// retries.
    pub max_retry_after: Duration,
    /// Whether dispatch `POST`s are retried (off by default: they are not idempotent).
    pub retry_dispatch: bool,
}

impl Default for RetryConfig {
    /// 3 attempts, 250 ms doubling up to 4 s, `Retry-After` honoured up to 30 s, dispatch not
    /// retried.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(30),
            retry_dispatch: false,
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// What to do after attempt number `attempt` (1 for the first) failed with `error`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use clawrouter_client::{ClientError, RetryConfig, RetryDecision};
    ///
    /// let config = RetryConfig::default();
    /// let refused = ClientError::Config("stand-in for a permanent error".into());
    /// assert_eq!(config.decide(1, &refused), RetryDecision::GiveUp);
    /// ```
    pub fn decide(&self, attempt: u32, error: &ClientError) -> RetryDecision {
        if attempt >= self.max_attempts || !error.is_retryable() {
            return RetryDecision::GiveUp;
        }
        match error.retry_after() {
            Some(delay) if delay > self.max_retry_after => RetryDecision::GiveUp,
            Some(delay) => RetryDecision::Retry(delay),
            None => {
                let doublings = attempt.saturating_sub(1).min(31);
                let backoff = self
                    .initial_backoff
                    .saturating_mul(1u32 << doublings)
                    .min(self.max_backoff);
                RetryDecision::Retry(backoff)
            }
        }
    }
}

/// The outcome of [`RetryConfig::decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Return the error to the caller.
    GiveUp,
}

/// Runs `attempt` until it succeeds or [`RetryConfig::decide`] gives up. `deadline` bounds the
/// whole loop: a retry whose wait would end past it is not started (the last error is returned).
pub(crate) async fn run<T, F, Fut>(
    config: &RetryConfig,
    retries_allowed: bool,
    deadline: Option<Instant>,
    mut attempt: F,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let mut number = 1;
    loop {
        let error = match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if !retries_allowed {
            return Err(error);
        }
        let RetryDecision::Retry(delay) = config.decide(number, &error) else {
            return Err(error);
        };
        if deadline.is_some_and(|deadline| deadline_after(delay) >= deadline) {
            return Err(error);
        }
        tokio::time::sleep(delay).await;
        number += 1;
    }
}

/// `now + delay`, saturating at a far future instead of overflowing: a timeout or TTL of
/// `Duration::MAX` means "never", not a panic.
pub(crate) fn deadline_after(delay: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(delay)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

/// The delay a response asks for: `retry-after-ms` (milliseconds, OpenAI's header) first, then
/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), relative to `now`. A date
/// in the past means "now"; anything unparsable is ignored.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
    };
    if let Some(millis) = header("retry-after-ms").and_then(|text| text.parse::<f64>().ok())
        && millis.is_finite()
        && millis >= 0.0
    {
        return Duration::try_from_secs_f64(millis / 1000.0).ok();
    }
    let value = header("retry-after")?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an HTTP date in any of the three forms a recipient must accept (RFC 9110 §5.6.7):
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 and asctime.
fn parse_http_date(text: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{HttpFailure, Operation, TimeoutPhase};

    fn status_error(status: u16, retry_after: Option<Duration>) -> ClientError {
        crate::error::classify_status(
            Operation::Catalog,
            HttpFailure {
                status,
                code: None,
                message: None,
                retry_after,
                request_id: None,
                excerpt: String::new(),
            },
        )
    }

    #[test]
    fn decisions() {
        let config = RetryConfig::default();
        let ms = Duration::from_millis;
        let check = |attempt: u32, error: ClientError, expected: RetryDecision| {
            assert_eq!(config.decide(attempt, &error), expected, "{error}");
        };
        check(1, status_error(503, None), RetryDecision::Retry(ms(250)));
        check(2, status_error(503, None), RetryDecision::Retry(ms(500)));
        check(3, status_error(503, None), RetryDecision::GiveUp);
        check(1, status_error(501, None), RetryDecision::GiveUp);
        check(
            1,
            status_error(429, Some(ms(1500))),
            RetryDecision::Retry(ms(1500)),
        );
        check(
            1,
            status_error(429, Some(ms(30_001))),
            RetryDecision::GiveUp,
        );
        check(1, status_error(401, None), RetryDecision::GiveUp);
        check(1, status_error(403, None), RetryDecision::GiveUp);
        check(1, status_error(402, None), RetryDecision::GiveUp);
        check(1, status_error(400, None), RetryDecision::GiveUp);
        check(
            1,
            ClientError::Timeout {
                operation: Operation::Catalog,
                phase: TimeoutPhase::FirstByte,
                after: ms(10),
            },
            RetryDecision::Retry(ms(250)),
        );
        check(
            1,
            ClientError::Timeout {
                operation: Operation::Catalog,
                phase: TimeoutPhase::Idle,
                after: ms(10),
            },
            RetryDecision::GiveUp,
        );
        let capped = RetryConfig {
            max_attempts: 10,
            ..RetryConfig::default()
        };
        assert_eq!(
            capped.decide(9, &status_error(500, None)),
            RetryDecision::Retry(Duration::from_secs(4))
        );
    }

    #[test]
    fn retry_after_headers() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let check = |pairs: &[(&'static str, &str)], expected: Option<Duration>| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.insert(
                    http::HeaderName::from_static(name),
                    http::HeaderValue::from_str(value).unwrap(),
                );
            }
            assert_eq!(retry_after(&headers, now), expected, "{pairs:?}");
        };
        let s = Duration::from_secs;
        check(&[], None);
        check(&[("retry-after", "7")], Some(s(7)));
        check(&[("retry-after", " 0 ")], Some(s(0)));
        check(
            &[("retry-after-ms", "1500")],
            Some(Duration::from_millis(1500)),
        );
        check(
            &[("retry-after-ms", "250.5"), ("retry-after", "9")],
            Some(Duration::from_micros(250_500)),
        );
        check(
            &[("retry-after-ms", "-1"), ("retry-after", "9")],
            Some(s(9)),
        );
        check(
            &[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")],
            Some(s(10)),
        );
        check(
            &[("retry-after", "Sun, 06 Nov 1994 08:49:00 GMT")],
            Some(s(0)),
        );
        check(
            &[("retry-after", "Mon, 07 Nov 1994 08:49:37 GMT")],
            Some(s(86_400)),
        );
        check(
            &[("retry-after", "Sunday, 06-Nov-94 08:49:57 GMT")],
            Some(s(20)),
        );
        check(&[("retry-after", "Sun Nov  6 08:49:40 1994")], Some(s(3)));
        check(&[("retry-after", "soon")], None);
        check(&[("retry-after", "-5")], None);
    }

    proptest::proptest! {
        /// Any header text: parsing never panics.
        #[test]
        fn retry_after_of_arbitrary_text(value in "[ -~]{0,40}") {
            let mut headers = HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert("retry-after", value.clone());
                headers.insert("retry-after-ms", value);
            }
            let _ = retry_after(&headers, SystemTime::now());
        }
    }

    #[test]
    fn http_dates() {
        let check = |text: &str, seconds: u64| {
            assert_eq!(
                parse_http_date(text),
                Some(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)),
                "{text}"
            );
        };
        check("Thu, 01 Jan 1970 00:00:00 GMT", 0);
        check("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777);
        check("Tue, 29 Feb 2028 12:00:00 GMT", 1_835_438_400);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
    }
}
