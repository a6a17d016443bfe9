//! `mcp-auth`: check whether an OAuth 2.1 / OpenID Connect provider will work
//! with Model Context Protocol clients.
//!
//! The binary: the command line ([`cli`]), the settings it resolves to, and
//! one module per command ([`commands`]), each reading settings → gather →
//! grade → render over the library crates, whose graph keeps the layers
//! apart (docs/ARCHITECTURE.md):
//! - `mcp-auth-evidence`: what was observed, as data, and shared protocol facts;
//! - `mcp-auth-net`: the one HTTP client, discovery, gathering, login, token cache;
//! - `mcp-auth-grade`: evidence → findings with stable ids → verdict, pure;
//! - `mcp-auth-report`: graded results → table, JSON, Markdown; decides nothing.

pub mod cli;
pub mod commands;
pub mod exit;
pub mod output;
pub mod platform;
pub mod progress;
pub mod secrets;
pub mod settings;

use mcp_auth_evidence as evidence;
use mcp_auth_evidence::jwt;
use mcp_auth_grade as checks;
use mcp_auth_grade::providers;
use mcp_auth_net::{discovery, gather, login, probe, registry, token_store};
use mcp_auth_report as report;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

/// Errors that end a run before a report exists.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Url(#[from] discovery::UrlError),
    #[error(transparent)]
    Probe(#[from] probe::ProbeError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// The exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Ok,
            _ => ExitStatus::Usage,
        }
    }
}

/// Run a parsed command line.
pub async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let no_color = std::env::var("NO_COLOR").ok();
    let style = output::resolve_style(cli.color, no_color.as_deref());
    output::init_logging(
        cli.verbose,
        style.color || no_color.map_or(true, |v| v.is_empty()),
    );
    progress::enable(cli.verbose);
    // Reports are written in one go at the end: a buffer, not stdout's line
    // buffering (a JSON report is thousands of lines, one write(2) each).
    // Prompts and progress go to stderr, unbuffered.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let status = dispatch(&cli, style, &mut out).await;
    // Flush what was written even when the command failed: a partial report
    // comes before the error line.
    let flushed = out.flush();
    let status = status?;
    match flushed {
        // A reader that went away (`| head`) does not change the verdict.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(status),
        other => other.map(|()| status).map_err(Error::from),
    }
}

async fn dispatch(
    cli: &Cli,
    style: report::table::Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, Error> {
    match &cli.command {
        Command::Check(args) => commands::check::run(args, style, out).await,
        Command::Login(args) => commands::login::login(args, out).await,
        Command::Whoami(args) => commands::whoami::run(args, style, out).await,
        Command::Call(args) => commands::call::run(args, style, out).await,
        Command::Token(cli::TokenCommand::Inspect(args)) => {
            commands::inspect::run(args, style, out).await
        }
        Command::Cimd(cli::CimdCommand::Validate(args)) => {
            commands::cimd::run(args, style, out).await
        }
        Command::Logout(args) => commands::login::logout(args, out).await,
        Command::Tokens(args) => commands::login::tokens(args, style, out),
        Command::Matrix(args) => commands::matrix::run(args, style, out).await,
        Command::Clients(args) => commands::clients::run(args, style, out),
        Command::ProvidersSchema => {
            out.write_all(providers::json_schema().as_bytes())?;
            Ok(ExitStatus::Ok)
        }
        Command::Checks(args) => commands::checks::run(args, style, out),
        Command::Completions { shell } => {
            cli::shell::completions(*shell, out)?;
            Ok(ExitStatus::Ok)
        }
        Command::Man { dir } => {
            cli::shell::man(dir.as_deref(), out)?;
            Ok(ExitStatus::Ok)
        }
    }
}
