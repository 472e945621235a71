//! A ClawRouter-compatible server for demos and tests.
//!
//! `clawrouter-emulator` serves what a ClawRouter server serves (PROTOCOL.md §11): a catalog
//! scoped to the presenting key, a live usage ledger, and the four streaming transports in
//! their real wire formats (WIRE.md §2), driven by a [`Scenario`]. It enforces what the real
//! server enforces (key syntax and auth, grants, methods, `X-Request-ID` and attribution ids,
//! the monthly budget) and can inject faults (stalls, cuts, in-stream errors, slow first
//! bytes, 429, 5xx) per key or per model, switchable at runtime. Replies are deterministic
//! functions of the request ([`expected_reply_text`]).
//!
//! # Example: start the built-in scenario and call it
//!
//! ```
//! use clawrouter_emulator::{Emulator, Endpoint, Scenario, expected_reply_text};
//! use std::io::{Read, Write};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(0)).await?;
//! let address = emulator.local_addr();
//!
//! // Any HTTP client works; here a bare HTTP/1.1 request on a blocking socket.
//! let response = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
//!     let body = r#"{"model":"openai/gpt-4.1-mini","stream":true,"messages":[{"role":"user","content":"Hi there"}]}"#;
//!     let mut socket = std::net::TcpStream::connect(address)?;
//!     write!(
//!         socket,
//!         "POST /v1/chat/completions HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\
//!          Authorization: Bearer clawrouter-test-demo-emulator0001\r\n\
//!          Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
//!         body.len()
//!     )?;
//!     let mut response = String::new();
//!     socket.read_to_string(&mut response)?;
//!     Ok(response)
//! })
//! .await??;
//!
//! assert!(response.starts_with("HTTP/1.1 200 OK"));
//! assert!(response.contains("data: [DONE]"));
//! assert_eq!(
//!     expected_reply_text("Hi there"),
//!     "You said: \"Hi there\". This is a deterministic reply from the ClawRouter emulator."
//! );
//! assert_eq!(emulator.request_count(Endpoint::ChatCompletions), 1);
//! let usage = emulator.usage_of("clawrouter-test-demo-emulator0001").unwrap();
//! assert_eq!(usage.totals.success_count, 1);
//! emulator.shutdown().await?;
//! # Ok(())
//! # }
//! ```
//!
//! | Module | What it does | Spec |
//! | --- | --- | --- |
//! | [`scenario`] | the scenario file (TOML / JSON) and the built-in default | PROTOCOL.md §4.2 |
//! | [`keys`] | key syntax, the credential headers | PROTOCOL.md §1 |
//! | [`catalog`] | `GET /v1/catalog` scoped to a policy | PROTOCOL.md §4.1–§4.2 |
//! | [`ledger`] | `GET /v1/usage` and the budget window | PROTOCOL.md §8.2 |
//! | [`reply`] | the deterministic reply to a request | — |
//! | [`wire`] | the reply in each transport's wire format, cut into writes | WIRE.md §2 |
//! | [`faults`] | fault switches | WIRE.md §2 (errors) |
//! | `server` | routing and the server's checks, pacing | PROTOCOL.md §4.4, §7.5, §11 |
//!
//! # Architecture invariants
//!
//! - A reply depends only on the request body (and the scenario): the same request gives the
//!   same bytes, whatever the time or the other traffic. Only the pacing and faults vary.
//! - The catalog never carries a pagination key (PROTOCOL.md §4.1); every amount in the catalog
//!   and the usage body is a JSON number.
//! - Keys are never printed by the library: `Debug` of a [`keys::ProxyKey`] is redacted, and
//!   no error message contains one.
//! - Shutdown ends stalled and streaming responses too, so it never hangs on a faulted call.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod faults;
pub mod keys;
pub mod ledger;
pub mod reply;
pub mod scenario;
mod server;
pub mod wire;

pub use faults::{Fault, FaultScope};
pub use ledger::{UsageReport, UsageTotals};
pub use reply::{Reply, expected_reasoning_text, expected_reply_text, tool_arguments};
pub use scenario::{Pricing, Scenario, ScenarioError};
pub use server::{Emulator, EmulatorError, Endpoint, RunningEmulator};
