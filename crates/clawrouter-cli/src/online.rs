//! The user commands that talk to a ClawRouter server (CLI.md "User commands"): `models`,
//! `models status`, `status --usage` and `run`. `demo` runs them against the built-in emulator.
//!
//! Each command is an `async fn` writing to an [`Out`], so `demo` can run the very same code.
//! Human output goes through `anstream`, which drops colour when stdout is not a terminal or
//! `NO_COLOR` is set. The key is read from the environment variable named by `--api-key-env`
//! (never from a flag) and never printed: only whether it is present.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use clawrouter_catalog::{BaseUrl, CatalogModel, CatalogResolution, DropKind, UsageSnapshot};
use clawrouter_client::{ChatRequest, Client};
use clawrouter_wire::events::StreamEvent;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, ModelsArgs, RunArgs, StatusArgs};
use crate::table::{Align, Table, group_thousands};

/// Where a user command writes: stdout (colour-aware) for results, stderr for progress.
pub(crate) type Out = anstream::AutoStream<io::Stdout>;

/// A failed user command: one line for stderr, already saying what to do.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl<E: Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(error.to_string())
    }
}

pub(crate) const DIM: Style = AnsiColor::BrightBlack.on_default();
pub(crate) const BOLD: Style = Style::new().bold();
const WARN: Style = AnsiColor::Yellow.on_default();

/// The per-operation default timeouts can be lowered (or raised) with `--timeout SECS`.
pub(crate) fn build_client(global: &GlobalArgs) -> Result<(Client, KeySource), Failure> {
    let key = std::env::var(&global.api_key_env)
        .ok()
        .filter(|value| !value.trim().is_empty());
    let source = KeySource {
        env: global.api_key_env.clone(),
        present: key.is_some(),
    };
    let mut builder = Client::builder().base_url(BaseUrl::new(global.base_url.as_deref()));
    if let Some(key) = key {
        builder = builder.api_key(key.into());
    }
    if let Some(seconds) = global.timeout {
        let timeout = Duration::from_secs_f64(seconds);
        builder = builder
            .catalog_timeout(timeout)
            .usage_timeout(timeout)
            .first_byte_timeout(timeout)
            .idle_timeout(timeout);
    }
    Ok((builder.build()?, source))
}

/// Where the key came from (never the key itself).
#[derive(Debug, Clone)]
pub(crate) struct KeySource {
    /// The environment variable read.
    pub(crate) env: String,
    /// Whether it held a non-blank value.
    pub(crate) present: bool,
}

/// A current-thread tokio runtime: the commands make a handful of requests at a time.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure(format!("cannot start the async runtime: {error}")))
}

fn no_key_failure(source: &KeySource) -> Failure {
    Failure(format!(
        "no ClawRouter key: the environment variable {} is not set — export the key your ClawRouter administrator issued (keys are never read from flags)",
        source.env
    ))
}

/// `clawrouter models [--all] [--provider P] [--json]`.
pub(crate) async fn models(
    client: &Client,
    source: &KeySource,
    args: &ModelsArgs,
    out: &mut Out,
) -> Result<(), Failure> {
    if !source.present {
        return Err(no_key_failure(source));
    }
    let catalog = client.catalog().await?;
    let wanted = |model: &CatalogModel| {
        args.provider
            .as_deref()
            .is_none_or(|provider| model.provider() == provider)
    };
    let models: Vec<&CatalogModel> = catalog.models.iter().filter(|m| wanted(m)).collect();
    if args.json {
        let mut value = serde_json::Map::new();
        value.insert(
            "models".into(),
            models.iter().map(|model| model_json(model)).collect(),
        );
        if args.all {
            value.insert("dropped".into(), dropped_json(&catalog));
        }
        return print_json(out, &Value::Object(value));
    }
    let mut table = Table::new(&[
        ("MODEL", Align::Left),
        ("TRANSPORT", Align::Left),
        ("CONTEXT", Align::Right),
        ("MAX OUT", Align::Right),
        ("$/M IN", Align::Right),
        ("$/M OUT", Align::Right),
        ("REASONING", Align::Left),
    ]);
    for model in &models {
        table.row(vec![
            model.model_ref().to_string(),
            model.transport().as_str().to_owned(),
            group_thousands(model.context_window()),
            group_thousands(model.max_tokens()),
            price(model.cost().input),
            price(model.cost().output),
            reasoning_levels(model),
        ]);
    }
    if table.is_empty() {
        writeln!(out, "no models granted{}", provider_suffix(args))?;
    } else {
        write!(out, "{}", table.render())?;
    }
    if args.all && !catalog.dropped.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}not offered{BOLD:#} (rows the catalog sent that cannot be used):"
        )?;
        for row in &catalog.dropped {
            writeln!(out, "  {}  {WARN}{}{WARN:#}", row_name(row), row.reason)?;
        }
    } else if !catalog.dropped.is_empty() {
        writeln!(
            out,
            "{DIM}{} catalog row(s) not offered; `clawrouter models --all` or `clawrouter models status` says why{DIM:#}",
            catalog.dropped.len()
        )?;
    }
    Ok(())
}

fn provider_suffix(args: &ModelsArgs) -> String {
    args.provider
        .as_deref()
        .map(|provider| format!(" for provider {provider}"))
        .unwrap_or_default()
}

fn price(usd_per_million: f64) -> String {
    if usd_per_million == 0.0 {
        "-".to_owned()
    } else {
        format!("{usd_per_million:.2}")
    }
}

fn reasoning_levels(model: &CatalogModel) -> String {
    match model.thinking_levels(None) {
        Some(levels) if !levels.is_empty() => levels.join(","),
        _ if model.reasoning() => "yes".to_owned(),
        _ => "-".to_owned(),
    }
}

fn model_json(model: &CatalogModel) -> Value {
    let cost = model.cost();
    json!({
        "ref": model.model_ref().to_string(),
        "id": model.id(),
        "name": model.name(),
        "provider": model.provider(),
        "api": model.transport().as_str(),
        "baseUrl": model.base_url(),
        "contextWindow": model.context_window(),
        "maxTokens": model.max_tokens(),
        "cost": {"input": cost.input, "output": cost.output, "cacheRead": cost.cache_read, "cacheWrite": cost.cache_write},
        "reasoning": model.reasoning(),
        "thinkingLevels": model.thinking_levels(None),
        "input": model.input().iter().map(|modality| modality.as_str()).collect::<Vec<_>>(),
    })
}

fn row_name(row: &clawrouter_catalog::DroppedRow) -> String {
    match (row.kind, &row.provider, &row.model) {
        (_, _, Some(model)) => model.clone(),
        (DropKind::Provider, Some(provider), None) => format!("provider {provider}"),
        (_, Some(provider), None) => {
            format!("a model of {provider} (row {})", row.model_row.unwrap_or(0))
        }
        (_, None, None) => format!("provider row {}", row.provider_row),
    }
}

fn dropped_json(catalog: &CatalogResolution) -> Value {
    catalog
        .dropped
        .iter()
        .map(|row| json!({"provider": row.provider, "model": row.model, "reason": row.reason}))
        .collect()
}

/// `clawrouter models status [--json]`: key present? catalog reachable? what was dropped.
pub(crate) async fn models_status(
    client: &Client,
    source: &KeySource,
    json_output: bool,
    out: &mut Out,
) -> Result<(), Failure> {
    let catalog = if source.present {
        Some(client.catalog().await)
    } else {
        None
    };
    if json_output {
        let catalog_json = match &catalog {
            None => json!({"reachable": null, "error": no_key_failure(source).0}),
            Some(Ok(catalog)) => json!({
                "reachable": true,
                "models": catalog.models.len(),
                "dropped": dropped_json(catalog),
            }),
            Some(Err(error)) => json!({"reachable": false, "error": error.to_string()}),
        };
        print_json(
            out,
            &json!({
                "baseUrl": client.base_url().root(),
                "key": {"env": source.env, "present": source.present},
                "catalog": catalog_json,
            }),
        )?;
    } else {
        writeln!(out, "base URL  {}", client.base_url().root())?;
        if source.present {
            writeln!(out, "key       present ({})", source.env)?;
        } else {
            writeln!(
                out,
                "key       {WARN}missing{WARN:#} ({} is not set)",
                source.env
            )?;
        }
        match &catalog {
            None => writeln!(out, "catalog   not requested (no key)")?,
            Some(Ok(catalog)) => {
                writeln!(
                    out,
                    "catalog   reachable: {} model(s) granted, {} row(s) dropped",
                    catalog.models.len(),
                    catalog.dropped.len()
                )?;
                for row in &catalog.dropped {
                    writeln!(
                        out,
                        "  dropped {}: {WARN}{}{WARN:#}",
                        row_name(row),
                        row.reason
                    )?;
                }
            }
            Some(Err(error)) => writeln!(out, "catalog   {WARN}unreachable{WARN:#}: {error}")?,
        }
    }
    match catalog {
        None => Err(no_key_failure(source)),
        Some(Err(error)) => Err(Failure(error.to_string())),
        Some(Ok(_)) => Ok(()),
    }
}

/// `clawrouter status --usage [--json]`.
pub(crate) async fn status(
    client: &Client,
    source: &KeySource,
    args: &StatusArgs,
    out: &mut Out,
) -> Result<(), Failure> {
    if !source.present {
        return Err(no_key_failure(source));
    }
    let snapshot = client.usage().await?;
    if args.json {
        return print_json(out, &snapshot.to_openclaw_json());
    }
    print_usage(&snapshot, out)
}

fn print_usage(snapshot: &UsageSnapshot, out: &mut Out) -> Result<(), Failure> {
    if let Some(error) = snapshot.error() {
        writeln!(out, "usage     {WARN}{error}{WARN:#}")?;
        return Ok(());
    }
    if let Some(plan) = snapshot.plan() {
        writeln!(out, "plan      {plan}")?;
    }
    if let Some(window) = snapshot.window() {
        let reset = window
            .reset_at_ms
            .map(|ms| format!(", resets {}", utc_date(ms)))
            .unwrap_or_default();
        writeln!(out, "budget    {:.2}% used{reset}", window.used_percent)?;
    }
    if let Some(summary) = snapshot.summary() {
        writeln!(out, "totals    {summary}")?;
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM UTC` for epoch milliseconds (a time out of the calendar's range prints
/// as milliseconds since the epoch).
fn utc_date(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) {
        Ok(at) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute()
        ),
        Err(_) => format!("{ms} ms after 1970-01-01 UTC"),
    }
}

/// `clawrouter run --model REF --message TEXT …`: streams the reply as it arrives.
pub(crate) async fn run(
    client: &Client,
    source: &KeySource,
    args: &RunArgs,
    out: &mut Out,
) -> Result<(), Failure> {
    if !source.present {
        return Err(no_key_failure(source));
    }
    let mut request = ChatRequest::user(&args.model, &args.message);
    if let Some(system) = &args.system {
        request = request.system(system);
    }
    if let Some(limit) = args.max_tokens {
        request = request.max_output_tokens(limit);
    }
    if let Some(level) = &args.reasoning {
        request = request.reasoning(level);
    }
    let spinner = Spinner::start(!args.json);
    let mut stream = match client.chat(&request).await {
        Ok(stream) => stream,
        Err(error) => {
            spinner.stop();
            return Err(error.into());
        }
    };
    let mut spinner = Some(spinner);
    let mut in_reasoning = false;
    let mut failure = None;
    while let Some(item) = stream.next().await {
        let event = match item {
            Ok(event) => event,
            Err(error) => {
                failure = Some(error);
                break;
            }
        };
        if args.json {
            serde_json::to_writer(&mut *out, &event)?;
            writeln!(out)?;
            continue;
        }
        match &event {
            StreamEvent::TextDelta { text } => {
                if let Some(spinner) = spinner.take() {
                    spinner.stop();
                }
                if in_reasoning {
                    writeln!(out, "{DIM:#}")?;
                    in_reasoning = false;
                }
                write!(out, "{text}")?;
                out.flush()?;
            }
            StreamEvent::ReasoningDelta { text } => {
                if let Some(spinner) = spinner.take() {
                    spinner.stop();
                }
                if !in_reasoning {
                    write!(out, "{DIM}thinking: ")?;
                    in_reasoning = true;
                }
                write!(out, "{text}")?;
                out.flush()?;
            }
            _ => {}
        }
    }
    if let Some(spinner) = spinner.take() {
        spinner.stop();
    }
    if args.json {
        return match failure {
            Some(error) => Err(error.into()),
            None => Ok(()),
        };
    }
    if in_reasoning {
        write!(out, "{DIM:#}")?;
    }
    let message = stream.message();
    if !message.text().is_empty() {
        writeln!(out)?;
    }
    for call in message.tool_calls() {
        writeln!(
            out,
            "{BOLD}tool call{BOLD:#} {}({})",
            call.name, call.arguments
        )?;
    }
    let usage = message
        .usage
        .as_ref()
        .map(|usage| {
            format!(
                " · {} in / {} out tokens",
                usage.input.unwrap_or(0),
                usage.output.unwrap_or(0)
            )
        })
        .unwrap_or_default();
    let finish = message
        .finish_reason
        .as_deref()
        .map(|reason| format!(" · {reason}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{DIM}[{} · {}{usage}{finish}]{DIM:#}",
        args.model,
        stream.transport().as_str()
    )?;
    match failure {
        Some(error) => Err(Failure(format!(
            "{error} (everything received before it is printed above)"
        ))),
        None => Ok(()),
    }
}

/// Prints one JSON value and a newline.
pub(crate) fn print_json(out: &mut Out, value: &Value) -> Result<(), Failure> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A spinner on stderr until the first token, only when stderr is a terminal.
struct Spinner(Option<indicatif::ProgressBar>);

impl Spinner {
    fn start(wanted: bool) -> Self {
        if !wanted || !io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message("waiting for the first token");
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner(Some(bar))
    }

    fn stop(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01 00:00 UTC");
        // 2026-12-01T00:00:00Z, a budget reset.
        assert_eq!(utc_date(1_796_083_200_000), "2026-12-01 00:00 UTC");
        assert_eq!(
            utc_date(951_782_400_000 + 90_061_000),
            "2000-03-01 01:01 UTC"
        );
    }
}
