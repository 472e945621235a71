//! The ClawRouter model catalog: parse, validate and resolve GET /v1/catalog, and compute /v1/usage snapshots (sans-IO).
//!
//! Under construction: see the open issue for this crate.
