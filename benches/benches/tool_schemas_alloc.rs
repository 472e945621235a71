//! Allocations of tool-schema normalization, from a counting `#[global_allocator]` in its own
//! bench binary (so the counting does not perturb the criterion timings); plain `main`.
//!
//! The openai pass-through must not allocate (POLICY.md §4.3 "the very same array"; issue 6):
//! this binary fails (exit status 1) when it does. The other families are shown for comparison.
//!
//! Prints one line per family: `ALLOC\ttool_schemas\t<family>\t<tools>\t<allocs per call>\t<bytes per call>`.

// The workspace forbids `unsafe`; this crate only denies it (see benches/Cargo.toml) so that the
// `GlobalAlloc` impl below — the only unsafe code here, forwarding to `System` — can exist.
#![allow(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use clawrouter_benches::tool_schemas::tool_set;
use clawrouter_policy::tools::normalize_tools;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counters
// are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size as u64, Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const CALLS: u64 = 20;

fn main() -> ExitCode {
    let tools = tool_set();
    let mut status = ExitCode::SUCCESS;
    println!("| family | tools | allocations per call | bytes per call |");
    println!("|---|---:|---:|---:|");
    for (family, model) in [
        ("openai", "openai/gpt-5.5"),
        ("gemini", "google/gemini-3.5-flash"),
        ("deepseek", "deepseek/deepseek-v4-flash"),
        ("perplexity", "perplexity/sonar-pro"),
    ] {
        // One warm-up call outside the count.
        drop(black_box(normalize_tools(model, &tools)));
        let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
        for _ in 0..CALLS {
            drop(black_box(normalize_tools(
                black_box(model),
                black_box(&tools),
            )));
        }
        let allocs = (ALLOCS.load(Relaxed) - a0) / CALLS;
        let bytes = (BYTES.load(Relaxed) - b0) / CALLS;
        println!("| {family} | {} | {allocs} | {bytes} |", tools.len());
        println!(
            "ALLOC\ttool_schemas\t{family}\t{}\t{allocs}\t{bytes}",
            tools.len()
        );
        if family == "openai" && allocs != 0 {
            eprintln!(
                "error: the openai pass-through allocated {allocs} times per call; it must not allocate"
            );
            status = ExitCode::FAILURE;
        }
    }
    status
}
