//! Integration tests of `clawrouter-emulator`, one binary (see ARCHITECTURE.md).
