//! Integration tests of `clawrouter-policy`, one binary (see ARCHITECTURE.md).
