//! `mcp-auth check`: resolve the input, gather evidence, grade, render.

use std::io::Write;
use std::path::Path;

use crate::cli::{CheckArgs, Format, TargetAs};
use crate::discovery::{self, parse_http_url};
use crate::evidence::{Evidence, Target, TargetKind};
use crate::exit::ExitStatus;
use crate::gather;
use crate::report::{self, table::Style, Report};
use crate::Error;
use mcp_auth_grade::Verdict;

/// What the user asked to check, resolved.
enum Input {
    /// An issuer or an MCP endpoint.
    Url(url::Url),
    WellKnown(url::Url),
    File(String),
    Evidence(std::path::PathBuf),
}

fn looks_like_url(s: &str) -> bool {
    s.contains("://")
}

fn resolve(args: &CheckArgs) -> Result<Input, Error> {
    if let Some(path) = &args.from_evidence {
        return Ok(Input::Evidence(path.clone()));
    }
    if let Some(u) = &args.well_known_url {
        return Ok(Input::WellKnown(parse_http_url(u)?));
    }
    let target = args.target.as_deref().unwrap_or_default();
    if looks_like_url(target) {
        let url = parse_http_url(target)?;
        if discovery::is_well_known_url(&url) && args.target_as != TargetAs::Mcp {
            Ok(Input::WellKnown(url))
        } else {
            Ok(Input::Url(url))
        }
    } else if Path::new(target).exists() {
        Ok(Input::File(target.to_owned()))
    } else if let Some(url) = did_you_mean(target) {
        Err(Error::Input(format!(
            "'{target}' is not a URL (nor an existing file): did you mean {url}?"
        )))
    } else {
        Err(Error::Input(format!(
            "'{target}' is neither an http(s) URL nor an existing file"
        )))
    }
}

/// `https://HOST…` for what looks like a bare host (`example.com`,
/// `localhost:3000/mcp`): a dot or `localhost` before any `/`, no spaces.
fn did_you_mean(target: &str) -> Option<String> {
    let host = target.split(['/', '?', '#']).next()?;
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let hostlike = !name.is_empty()
        && (name.contains('.') || name == "localhost")
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    // `metadata.json` is a file that is not there, not a host.
    let file_like = [".json", ".toml", ".yaml", ".yml", ".txt", ".pem"]
        .iter()
        .any(|ext| name.ends_with(ext));
    let candidate = format!("https://{target}");
    (hostlike
        && !file_like
        && !target.contains(char::is_whitespace)
        && parse_http_url(&candidate).is_ok())
    .then_some(candidate)
}

/// Whether no request of the run got a complete answer: each one failed to
/// connect, was refused, or was cut off by the timeout. The report of such a
/// run is a page of skips; the one error line says all there is.
fn never_answered(ev: &Evidence) -> bool {
    use crate::evidence::{Exchange, TransportErrorKind};
    let answered = |ex: &Exchange| {
        ex.response.is_some()
            && !ex
                .error
                .as_ref()
                .is_some_and(|e| e.kind == TransportErrorKind::Timeout)
    };
    let mut exchanges: Vec<&Exchange> = Vec::new();
    if let Some(r) = &ev.resource {
        exchanges.push(&r.unauthenticated);
        exchanges.extend(r.prm.iter().map(|p| &p.exchange));
        exchanges.extend(r.probes.iter().map(|p| &p.exchange));
    }
    for server in &ev.authorization_servers {
        exchanges.extend(server.attempts.iter().filter_map(|a| a.exchange.as_ref()));
        exchanges.extend(server.probes.iter().map(|p| &p.exchange));
    }
    !exchanges.is_empty() && !exchanges.into_iter().any(answered)
}

/// `check`'s gathering settings (`--register`, `--probe-authorize`,
/// `--probe-hosts`).
fn gather_settings(args: &CheckArgs) -> Result<gather::Settings, Error> {
    let hosts = if args.probe_hosts {
        super::hosts::host_clients()?
    } else {
        Vec::new()
    };
    Ok(gather::Settings {
        register: args.register,
        authorize: args.probe_authorize.then(|| gather::AuthorizeSettings {
            client_id: args.client_id.clone(),
            redirect_uri: args.redirect_uri.clone(),
            resource: None,
        }),
        lifecycle: args.protocol_version.clone(),
        hosts,
        hosts_resource: None,
    })
}

/// Evidence about to be gathered for `kind`: what the user typed, the issuer.
fn new_evidence(args: &CheckArgs, kind: TargetKind, issuer: Option<String>) -> Evidence {
    let input = args
        .target
        .clone()
        .or_else(|| args.well_known_url.clone())
        .unwrap_or_default();
    Evidence::new(
        gather::tool_name(),
        Some(gather::now_rfc3339()),
        Target {
            input,
            kind,
            issuer,
            server_type: crate::settings::server_type(args.server_type),
        },
    )
}

/// A metadata document read from a file (graded as served at `--issuer`).
fn file_evidence(args: &CheckArgs, path: &str, issuer: Option<String>) -> Result<Evidence, Error> {
    let body = read_file(Path::new(path))?;
    if let Err(e) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&body) {
        return Err(Error::Input(format!("{path} is not a JSON object: {e}")));
    }
    let mut ev = new_evidence(args, TargetKind::File, issuer.clone());
    ev.authorization_servers = vec![discovery::from_file(path, body, issuer)];
    Ok(ev)
}

/// One metadata URL the user named, and its server's probes.
async fn well_known_evidence(
    args: &CheckArgs,
    url: &url::Url,
    issuer: Option<String>,
) -> Result<Evidence, Error> {
    let issuer = issuer.or_else(|| discovery::issuer_from_well_known(url));
    let prober = super::login::prober(&args.net)?;
    let mut disc = discovery::fetch_well_known(&prober, url, issuer.clone()).await;
    let policy = gather::UrlPolicy::for_target(url);
    disc.probes = gather::server_probes(&prober, &disc, gather_settings(args)?, &policy).await;
    let mut ev = new_evidence(args, TargetKind::WellKnownUrl, issuer);
    ev.authorization_servers = vec![disc];
    Ok(ev)
}

/// Gather evidence for the input (the only step that touches the network).
async fn gather(args: &CheckArgs, input: Input) -> Result<Evidence, Error> {
    let issuer_flag = match &args.issuer {
        Some(i) => {
            parse_http_url(i)?;
            Some(i.clone())
        }
        None => None,
    };
    match input {
        Input::Evidence(path) => {
            let mut ev = super::load_evidence(&path).map_err(Error::Input)?;
            if args.server_type.is_some() {
                ev.target.server_type = crate::settings::server_type(args.server_type);
            }
            Ok(ev)
        }
        Input::File(path) => file_evidence(args, &path, issuer_flag),
        Input::WellKnown(url) => well_known_evidence(args, &url, issuer_flag).await,
        Input::Url(url) => {
            let prober = super::login::prober(&args.net)?;
            let text = args.target.clone().unwrap_or_default();
            Ok(gather::url_evidence(
                &prober,
                &url,
                &text,
                args.target_as.into(),
                gather_settings(args)?,
                crate::settings::server_type(args.server_type),
            )
            .await)
        }
    }
}

fn read_file(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))
}

/// Run `check`; returns the exit status.
pub async fn run(args: &CheckArgs, style: Style, out: &mut dyn Write) -> Result<ExitStatus, Error> {
    let input = resolve(args)?;
    let live = args.live.login && !matches!(input, Input::Evidence(_));
    let mut evidence = gather(args, input).await?;
    if live {
        super::check_live::gather(args, &mut evidence).await?;
    }
    if let Some(path) = &args.save_evidence {
        let text = serde_json::to_string_pretty(&evidence).expect("evidence serialises");
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))?;
    }
    let graded = mcp_auth_grade::grade_known(&evidence);
    let verdict = graded.verdict(args.strict);
    // Unreachable: one line, not a page of skips (JSON still carries the
    // report for scripts).
    if verdict == Verdict::NotFound && args.format != Format::Json && never_answered(&evidence) {
        eprintln!("error: {}", graded.not_found_message());
        return Ok(verdict.into());
    }
    let mut report = Report::new(&graded);
    report.retain_clients(crate::settings::keeps_client(&args.client));
    match args.format {
        Format::Table => report::table::render(&report, style, args.all, out)?,
        Format::Json => report::json(&report, out)?,
        Format::Markdown => report::markdown::render(&report, args.all, out)?,
    }
    if verdict == Verdict::NotFound {
        out.flush()?;
        eprintln!("error: {}", graded.not_found_message());
    }
    Ok(verdict.into())
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn a_bare_host_gets_a_suggestion() {
        for (typed, url) in [
            ("example.com", "https://example.com"),
            ("mcp.example.com/mcp", "https://mcp.example.com/mcp"),
            ("localhost:3000/mcp", "https://localhost:3000/mcp"),
            ("auth.example.com:8443", "https://auth.example.com:8443"),
        ] {
            assert_eq!(did_you_mean(typed).as_deref(), Some(url), "{typed}");
        }
        for typed in [
            "metadata",
            "./metadata.json",
            "a b.com",
            ".hidden",
            "",
            "foo:bar",
            "metadata.json",
        ] {
            assert_eq!(did_you_mean(typed), None, "{typed}");
        }
    }
}
