//! The replay policy (POLICY.md §2).

pub mod claude;
