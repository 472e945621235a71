//! The async ClawRouter client: catalog cache, usage, streaming dispatch for the four transports.
//!
//! Under construction: see the open issue for this crate.
