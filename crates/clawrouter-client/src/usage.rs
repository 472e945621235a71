//! `GET root/v1/usage` (PROTOCOL.md §8.1, §8.3).
//!
//! [`Client::fetch_usage`] returns the HTTP status and, for a 2xx response, the body (at most
//! 1 MiB). Turning them into the snapshot of §8.3 is `clawrouter_catalog::usage_snapshot(status,
//! body, now_ms)`'s job. A non-2xx body is never read (§8.3 rule 1: it is dropped with the
//! connection). The whole fetch is bounded by [`Timeouts::usage`](crate::Timeouts::usage), which is
//! also the idle timeout between chunks, so a usage lookup can fail but never hangs; a failure is
//! a value the caller shows, and never gates a model call (§8.3, "Semantics").

use bytes::Bytes;

use crate::client::{Client, within_budget};
use crate::error::{ClientError, Operation};
use crate::retry;
use tracing::Instrument;

/// The usage body cap: 1 MiB (PROTOCOL.md §8.1).
pub const USAGE_BODY_LIMIT: usize = 1024 * 1024;

/// What `GET /v1/usage` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body of a 2xx response; empty otherwise (never read).
    pub body: Bytes,
}

impl Client {
    /// Fetches `GET root/v1/usage`. Retryable statuses (429, 5xx) and connection failures are
    /// retried within the usage timeout; any other status is returned as is.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoKey`] without a key (usage is not requested, §3.1), a
    /// [`ClientError::Timeout`], [`ClientError::BodyTooLarge`] beyond 1 MiB, or a connection
    /// failure.
    pub async fn fetch_usage(&self) -> Result<UsageResponse, ClientError> {
        let span = tracing::info_span!(
            "clawrouter.usage",
            http.request.method = "GET",
            url.full = %self.base_url().usage_url(),
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        let result = self.fetch_usage_in().instrument(span.clone()).await;
        match &result {
            Ok(response) => span.record("http.response.status_code", response.status),
            Err(error) => span.record("error.type", error.kind()),
        };
        result
    }

    async fn fetch_usage_in(&self) -> Result<UsageResponse, ClientError> {
        let operation = Operation::Usage;
        if !self.has_key() {
            return Err(ClientError::NoKey { operation });
        }
        let outgoing = self.json_get(operation, &self.base_url().usage_url())?;
        let budget = self.timeouts().usage;
        let deadline = crate::retry::deadline_after(budget);
        let fetch = async {
            let attempt = retry::run(&self.inner.retry, true, Some(deadline), || async {
                let response = self.send_once(&outgoing).await?;
                let status = response.status();
                if status.as_u16() == 429 || status.is_server_error() {
                    // Retryable: make it an error for the loop; its status comes back below.
                    return Err(self.status_error(operation, response).await);
                }
                Ok(response)
            })
            .await;
            let response = match attempt {
                Ok(response) => response,
                Err(error) => {
                    return match error.status() {
                        Some(status) => Ok(UsageResponse {
                            status,
                            body: Bytes::new(),
                        }),
                        None => Err(error),
                    };
                }
            };
            let status = response.status().as_u16();
            if !response.status().is_success() {
                return Ok(UsageResponse {
                    status,
                    body: Bytes::new(),
                });
            }
            let body = self
                .read_body(operation, response, USAGE_BODY_LIMIT, budget, deadline)
                .await?;
            Ok(UsageResponse { status, body })
        };
        within_budget(operation, budget, deadline, fetch).await
    }
}
