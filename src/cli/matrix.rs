//! `matrix` (clap types only).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{parse_timeout, NetArgs};

/// `matrix --concurrency` when not given.
pub const DEFAULT_CONCURRENCY: usize = 128;

#[derive(Debug, Args)]
pub struct MatrixArgs {
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

    /// Output format.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
    pub format: MatrixFormat,

    /// Save each provider's evidence as DIR/<id>.json.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,

    /// Grade DIR/<id>.json instead of going to the network.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,

    /// A previous `--format json` output: print what changed, exit 1 on regressions.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Providers checked at once. Each provider is a different server, so the
    /// default runs a typical directory in one wave; it is lowered when the
    /// open-file limit cannot hold that many connections.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,

    #[command(flatten)]
    pub net: NetArgs,

    /// Seconds allowed for one provider's whole check.
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = parse_timeout)]
    pub provider_timeout: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Table,
    Markdown,
    Json,
    /// JUnit XML: a test suite per provider, a test case per check.
    Junit,
}
