//! Integration tests of `clawrouter-catalog`, one binary (see ARCHITECTURE.md).
