//! `matrix` (clap types only).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{parse_timeout, NetArgs};
use crate::evidence::registry::Shard;

/// The official MCP Registry (`--registry` without a URL).
pub const OFFICIAL_REGISTRY: &str = "https://registry.modelcontextprotocol.io";

/// `matrix --concurrency` when not given.
pub const DEFAULT_CONCURRENCY: usize = 128;

/// `matrix --registry --concurrency` when not given: a registry's servers
/// are thousands of strangers, a few of them slow or silent, each holding
/// its slot until its budget ends (BENCHMARKS.md, "matrix --registry").
pub const DEFAULT_REGISTRY_CONCURRENCY: usize = 256;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MatrixArgs {
    #[command(subcommand)]
    pub command: Option<MatrixCommand>,

    /// Ad-hoc targets (issuer or MCP server URLs, detected as `check` does),
    /// checked beside the provider files of --providers or --only; with URLs
    /// and neither, only the URLs. Each row's id is made from its URL.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,

    /// An ad-hoc target, as a positional URL; repeatable.
    #[arg(long = "target", value_name = "URL")]
    pub targets: Vec<String>,

    /// The providers directory (default: ./providers if present, else the built-in set).
    #[arg(long, value_name = "DIR")]
    pub providers: Option<PathBuf>,

    /// Only these provider ids (comma-separated); includes entries with matrix = false.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub only: Vec<String>,

    /// Output format [default: table; with --registry, jsonl (the only one it writes)].
    #[arg(long, value_enum)]
    pub format: Option<MatrixFormat>,

    /// Save each provider's evidence as DIR/<id>.json.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,

    /// Grade DIR/<id>.json instead of going to the network.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,

    /// A previous `--format json` output: print what changed, exit 1 on regressions.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Providers (registry servers) checked at once [default: 128; 256 with
    /// --registry]. Each is a different server, so the default runs a
    /// typical directory in one wave; it is lowered when the open-file limit
    /// cannot hold that many connections.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    #[command(flatten)]
    pub net: NetArgs,

    /// Seconds allowed for one provider's (one registry server's) whole check.
    #[arg(long, visible_alias = "server-timeout", value_name = "SECS", default_value_t = 60.0, value_parser = parse_timeout)]
    pub provider_timeout: f64,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// `matrix --registry`: every remote server an MCP Registry lists.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// Check every remote MCP server of an MCP Registry (default: the official
    /// one) instead of providers/: metadata and probes only (no login, no
    /// registration, no authorization request), https remotes only, one JSON
    /// Lines row per server as it finishes.
    #[arg(long = "registry", value_name = "URL", num_args = 0..=1,
          default_missing_value = OFFICIAL_REGISTRY,
          conflicts_with_all = ["urls", "targets", "providers", "only", "record", "replay", "baseline"])]
    pub url: Option<String>,

    /// Only shard I of N (1 <= I <= N): a stable hash of each URL puts it in
    /// exactly one shard; `matrix merge` joins the shards' outputs.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse, requires = "url")]
    pub shard: Option<Shard>,

    /// Write the rows to FILE (default: stdout).
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        requires = "url",
        conflicts_with = "resume"
    )]
    pub output: Option<PathBuf>,

    /// Continue an interrupted run: skip the servers FILE has rows for, and
    /// append the others' rows to it.
    #[arg(long, value_name = "FILE", requires = "url")]
    pub resume: Option<PathBuf>,

    /// Requests in flight to one host at once (by host name).
    #[arg(long, value_name = "N", default_value_t = 4, requires = "url")]
    pub per_host: usize,

    /// Requests in flight in total (what this machine holds open; the
    /// politeness to each server is --per-host).
    #[arg(long, value_name = "N", default_value_t = 1024, requires = "url")]
    pub max_requests: usize,

    /// Stop after checking N servers (a sample).
    #[arg(long, value_name = "N", requires = "url")]
    pub max_servers: Option<usize>,

    /// Servers asked for per registry page.
    #[arg(long, value_name = "N", default_value_t = 100, requires = "url",
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,
}

#[derive(Debug, Subcommand)]
pub enum MatrixCommand {
    /// Join `matrix --registry` outputs (shards, resumed runs) into one
    /// report: rows deduplicated and sorted by URL, as JSON Lines, the JSON
    /// report, the Markdown summary or the self-contained HTML page.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON Lines files written by `matrix --registry`.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = MergeFormat::Jsonl)]
    pub format: MergeFormat,

    /// Write to FILE (default: stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MergeFormat {
    /// The rows, one JSON object a line, sorted by URL.
    Jsonl,
    /// One JSON document: the summary, the checks' fixes and the rows.
    Json,
    /// The summary as Markdown.
    Markdown,
    /// One self-contained HTML page: the summary, a sortable and filterable
    /// table, a detail view per server.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Table,
    Markdown,
    Json,
    /// JUnit XML: a test suite per provider, a test case per check.
    Junit,
    /// One JSON row a line (what --registry writes).
    Jsonl,
}
