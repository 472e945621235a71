//! The ClawRouter model catalog: parse, validate and resolve `GET /v1/catalog`, and compute
//! `/v1/usage` snapshots (sans-IO).
//!
//! Under construction: see the open issue for this crate. Today it holds the base-URL
//! normalization of PROTOCOL.md §2.

mod base_url;

pub use base_url::{BaseUrl, DEFAULT_ROOT_URL};
