//! `cargo xtask reliability`: issue 9's proofs, and the figures section of RELIABILITY.md.
//!
//! Runs the fault, secret and limit tests of `clawrouter-client` and the secret tests of the CLI
//! (nextest), then the load example in release mode (`examples/load.rs`: 2 000 concurrent chat
//! streams and a 100 MiB hostile stream), and replaces what lies between the
//! `<!-- figures:start -->` and `<!-- figures:end -->` markers of RELIABILITY.md with the
//! example's Markdown lines, the date and the machine's core count. Not part of `cargo xtask ci`:
//! CI has 2 cores and a time budget.
//!
//! `cargo xtask reliability [STREAMS]` (default 2000).

use std::fs;

use anyhow::{Context, Result, bail};

use crate::{cargo_with, output_of, run_logged, workspace_root};

const START: &str = "<!-- figures:start -->";
const END: &str = "<!-- figures:end -->";

pub fn run(args: &[String]) -> Result<()> {
    let streams = match args.first() {
        Some(streams) => streams
            .parse::<usize>()
            .with_context(|| format!("STREAMS must be a number, not `{streams}`"))?,
        None => 2000,
    };
    run_logged(&mut cargo_with([
        "nextest",
        "run",
        "-p",
        "clawrouter-client",
        "-p",
        "clawrouter-cli",
        "-E",
        "test(/^(faults|secrets|limits)::/)",
    ]))?;
    let mut load = cargo_with([
        "run",
        "--release",
        "-q",
        "-p",
        "clawrouter-client",
        "--example",
        "load",
        "--",
    ]);
    load.arg(streams.to_string());
    println!("xtask: $ cargo run --release -p clawrouter-client --example load -- {streams}");
    let figures = output_of(&mut load)?;
    if figures.trim().is_empty() {
        bail!("the load example printed no figures");
    }
    print!("{figures}");
    let path = workspace_root().join("RELIABILITY.md");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let updated = replace_figures(&text, &figures, &stamp())?;
    fs::write(&path, updated).with_context(|| format!("writing {}", path.display()))?;
    println!("xtask: RELIABILITY.md figures updated");
    Ok(())
}

/// The date (UTC, from `date -u`) and core count the figures were measured on.
fn stamp() -> String {
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|date| date.trim().to_owned())
        .unwrap_or_else(|| "unknown date".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    format!("Measured by `cargo xtask reliability` on {date}, {cores} cores (release build).")
}

/// `text` with the lines between the markers replaced by `stamp` and `figures`.
fn replace_figures(text: &str, figures: &str, stamp: &str) -> Result<String> {
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        bail!("RELIABILITY.md lacks the `{START}` / `{END}` markers");
    };
    if end < start {
        bail!("RELIABILITY.md's figure markers are out of order");
    }
    let before = text.get(..start + START.len()).unwrap_or_default();
    let after = text.get(end..).unwrap_or_default();
    Ok(format!(
        "{before}\n{stamp}\n\n{}\n{after}",
        figures.trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_replaced_between_the_markers() {
        let text = "# R\n<!-- figures:start -->\nold\n<!-- figures:end -->\ntail\n";
        assert_eq!(
            replace_figures(text, "- new\n", "stamp").unwrap(),
            "# R\n<!-- figures:start -->\nstamp\n\n- new\n<!-- figures:end -->\ntail\n"
        );
        assert!(replace_figures("no markers", "x", "s").is_err());
    }
}
