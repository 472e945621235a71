//! `clawrouter demo`: the main job with no network and no key (CLI.md). It starts the built-in
//! emulator on a loopback port and runs the user commands against it — the same code paths as
//! `models`, `models status`, `status --usage` and `run` — printing each command first.

use std::io::Write;

use clawrouter_catalog::BaseUrl;
use clawrouter_client::Client;
use clawrouter_emulator::{Emulator, Scenario};
use clawrouter_wire::transport::Transport;

use crate::cli::{DemoArgs, ModelsArgs, RunArgs, StatusArgs};
use crate::online::{self, BOLD, DIM, Failure, KeySource, Out};

/// The prompt of every demo call.
const PROMPT: &str = "What does ClawRouter do?";

/// Runs the demo.
pub(crate) async fn demo(args: &DemoArgs, out: &mut Out) -> Result<(), Failure> {
    let mut scenario = Scenario::default();
    if args.fast {
        scenario = scenario.with_chunk_delay_ms(0);
    }
    let key_of = |label: &str| {
        scenario
            .keys_labelled(label)
            .next()
            .map(|entry| entry.key.expose().to_owned())
            .ok_or_else(|| Failure(format!("the built-in scenario has no {label} key")))
    };
    let demo_key = key_of("demo")?;
    let revoked_key = key_of("revoked")?;
    let emulator = Emulator::start(scenario.clone()).await?;
    let base = emulator.base_url().to_owned();
    writeln!(
        out,
        "{BOLD}clawrouter demo{BOLD:#}: a ClawRouter emulator is serving {base} on loopback —\n\
         no network, no account. Every command below is what you would type against a real\n\
         router, with CLAWROUTER_BASE_URL={base} and the emulator's demo key in CLAWROUTER_API_KEY."
    )?;

    let client = client_for(&base, &demo_key)?;
    let source = KeySource {
        env: "CLAWROUTER_API_KEY".to_owned(),
        present: true,
    };

    step(out, "clawrouter models --all")?;
    let models_args = ModelsArgs {
        command: None,
        all: true,
        provider: None,
        json: false,
    };
    online::models(&client, &source, &models_args, out).await?;

    step(out, "clawrouter models status")?;
    online::models_status(&client, &source, false, out).await?;

    let status_args = StatusArgs {
        usage: true,
        json: false,
    };
    step(out, "clawrouter status --usage")?;
    online::status(&client, &source, &status_args, out).await?;

    let catalog = client.catalog().await?;
    for transport in Transport::ALL {
        let Some(model) = catalog
            .models
            .iter()
            .find(|model| model.transport() == transport)
        else {
            writeln!(
                out,
                "\n{DIM}(the demo key is granted no {} model){DIM:#}",
                transport.as_str()
            )?;
            continue;
        };
        let model_ref = model.model_ref().to_string();
        let reasoning = model.reasoning().then(|| "low".to_owned());
        let level = reasoning
            .as_deref()
            .map(|level| format!(" --reasoning {level}"))
            .unwrap_or_default();
        step(
            out,
            &format!("clawrouter run --model {model_ref}{level} --message '{PROMPT}'"),
        )?;
        let run_args = RunArgs {
            model: model_ref,
            message: PROMPT.to_owned(),
            system: None,
            max_tokens: Some(4096),
            reasoning,
            json: false,
        };
        online::run(&client, &source, &run_args, out).await?;
    }

    step(
        out,
        "clawrouter status --usage   # the calls above were charged",
    )?;
    online::status(&client, &source, &status_args, out).await?;

    writeln!(
        out,
        "\n{BOLD}What failures look like{BOLD:#} (one line each, exit status 1):"
    )?;
    step(
        out,
        "clawrouter run --model clawrouter/openai/gpt-5 --message hi",
    )?;
    let unknown = RunArgs {
        model: "clawrouter/openai/gpt-5".to_owned(),
        message: "hi".to_owned(),
        system: None,
        max_tokens: None,
        reasoning: None,
        json: false,
    };
    let result = online::run(&client, &source, &unknown, out).await;
    show_failure(out, result)?;
    step(out, "CLAWROUTER_API_KEY=<a revoked key> clawrouter models")?;
    let revoked = client_for(&base, &revoked_key)?;
    let result = online::models(&revoked, &source, &models_args, out).await;
    show_failure(out, result)?;

    emulator.shutdown().await?;
    writeln!(
        out,
        "\n{DIM}Done. Run `clawrouter emulator` to keep a server up and point any ClawRouter client at it.{DIM:#}"
    )?;
    Ok(())
}

fn client_for(base: &str, key: &str) -> Result<Client, Failure> {
    Ok(Client::builder()
        .base_url(BaseUrl::new(Some(base)))
        .api_key(key.to_owned().into())
        .build()?)
}

fn step(out: &mut Out, command: &str) -> Result<(), Failure> {
    writeln!(out, "\n{BOLD}$ {command}{BOLD:#}")?;
    Ok(())
}

fn show_failure(out: &mut Out, result: Result<(), Failure>) -> Result<(), Failure> {
    match result {
        Err(Failure(line)) => writeln!(out, "error: {line}")?,
        Ok(()) => writeln!(out, "(unexpectedly succeeded)")?,
    }
    Ok(())
}
