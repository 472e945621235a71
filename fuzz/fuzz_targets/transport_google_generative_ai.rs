//! The `GoogleGenerativeAi` transport decoder behind the framing layer and the message assembler: see
//! `common::check_transport` (chunk-split invariance of events, message and errors; no panic;
//! tool-call arguments valid or flagged). The first input byte picks SSE (even) or the JSON
//! array (odd).
#![no_main]

mod common;

use clawrouter_wire::transport::Transport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::check_transport(Transport::GoogleGenerativeAi, data));
