//! Integration tests of `clawrouter-client`, one binary (see ARCHITECTURE.md).
