//! A ClawRouter-compatible server for demos and tests.
//!
//! Under construction: see the open issue for this crate.
