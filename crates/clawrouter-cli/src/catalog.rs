//! `clawrouter catalog resolve`: a `/v1/catalog` body on stdin, the provider configuration
//! OpenClaw builds from it on stdout (CLI.md; PROTOCOL.md §4).

use std::io;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use clawrouter_catalog::{BaseUrl, ResolveOptions, resolve_catalog_with};

use crate::output::{Status, diagnostic};
use crate::stdin_body::{print_json, read_body};

const RESOLVE_AFTER_HELP: &str = "\
Output: one JSON object, OpenClaw's provider configuration (PROTOCOL.md §4.5–§4.6):
  {\"baseUrl\",\"api\":\"openai-responses\",\"models\":[{\"id\",\"name\",\"api\",\"baseUrl\",
   \"reasoning\",\"thinkingLevelMap\"?,\"compat\"?,\"input\",\"cost\",\"contextWindow\",
   \"maxTokens\",\"params\":{\"clawrouterRoute\":{\"api\",\"baseUrl\",\"upstreamModel\"?}}}]}
  Models are sorted by id as JavaScript's localeCompare sorts them. Absent fields are
  omitted; no apiKey is ever printed.
With --explain, two more arrays, each entry {\"provider\":id|null,\"model\":id|null,\"reason\"}:
  \"dropped\"  every provider row or model row that was not advertised, and why;
  \"ignored\"  every part of a row that was ignored (a route, a pricing field, an effort list).
A body that is not JSON, has no providers[] array, carries pagination keys, or is larger
than 4 MiB exits 1 with one error line.

Examples:
  clawrouter catalog resolve --explain < fixtures/catalog/fixture-c.json
  curl -s -H \"Authorization: Bearer $CLAWROUTER_API_KEY\" https://clawrouter.openclaw.ai/v1/catalog \\
    | clawrouter catalog resolve";

/// Options of `clawrouter catalog`.
#[derive(Debug, Args)]
pub(crate) struct CatalogArgs {
    #[command(subcommand)]
    pub(crate) command: CatalogCommand,
}

/// The `catalog` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CatalogCommand {
    /// Resolve a /v1/catalog body read from stdin into the models OpenClaw would offer
    #[command(after_help = RESOLVE_AFTER_HELP)]
    Resolve(ResolveArgs),
}

/// Options of `clawrouter catalog resolve`.
#[derive(Debug, Args)]
pub(crate) struct ResolveArgs {
    /// Also list every dropped row and ignored field, with the reason
    #[arg(long)]
    pub(crate) explain: bool,

    /// Read advertised input modalities (PROTOCOL.md §4.9, off by default per §14 D4)
    #[arg(long)]
    pub(crate) advertised_modalities: bool,
}

/// Runs `clawrouter catalog …`.
pub(crate) fn main(args: &CatalogArgs, base_url: Option<&str>) -> ExitCode {
    match &args.command {
        CatalogCommand::Resolve(args) => resolve(args, base_url).into(),
    }
}

fn resolve(args: &ResolveArgs, base_url: Option<&str>) -> Status {
    let mut err = io::stderr().lock();
    let body = match read_body("clawrouter catalog resolve", "the catalog body", &mut err) {
        Ok(body) => body,
        Err(status) => return status,
    };
    let base = BaseUrl::new(base_url);
    let options =
        ResolveOptions::default().with_advertised_input_modalities(args.advertised_modalities);
    match resolve_catalog_with(&body, &base, options) {
        Ok(catalog) => print_json(&catalog.to_openclaw_json(args.explain), &mut err),
        Err(error) => {
            diagnostic(&mut err, format_args!("error: {error}"));
            Status::Failed
        }
    }
}
