//! `mcp-auth cimd validate`: a client's Client ID Metadata Document, graded
//! the way authorization servers will take it. Settings (a URL or a file) →
//! gather (`mcp_auth_net::cimd`: the document's GET, and with `--issuer` that
//! issuer's metadata) → grade (`mcp_auth_grade::cimd`, the CIMD-DOC-* checks)
//! → render (`mcp_auth_report::cimd`).

use std::io::Write;

use mcp_auth_evidence::metadata::AsMetadata;
use mcp_auth_grade::cimd::{grade_cimd, is_json_object, CimdFacts, CimdGraded, Issuer, Origin};
use mcp_auth_net::cimd;

use crate::cli::{CimdValidateArgs, Format};
use crate::commands::login::{prober_for, report_error};
use crate::exit::ExitStatus;
use crate::login::LoginError;
use crate::report::table::Style;
use crate::settings::{cimd_target, CimdTarget};

/// The document as read: its origin's parts, owned.
enum Read {
    Url {
        url: String,
        exchange: mcp_auth_evidence::Exchange,
    },
    File {
        path: String,
        text: String,
    },
}

/// Fetch or read the document; a usage error for a file that cannot be read
/// or is not JSON, unreachable for a URL that did not answer.
async fn read_document(args: &CimdValidateArgs) -> Result<Read, LoginError> {
    match cimd_target(&args.target).map_err(LoginError::Usage)? {
        CimdTarget::Url(url) => {
            let prober =
                prober_for(&args.net, &url).map_err(|e| LoginError::Usage(e.to_string()))?;
            let exchange = cimd::fetch_document(&prober, &url).await;
            if !cimd::answered(&exchange) {
                return Err(LoginError::Unreachable(format!(
                    "cannot fetch {url}: {}",
                    exchange.failure()
                )));
            }
            Ok(Read::Url { url, exchange })
        }
        CimdTarget::File(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| LoginError::Usage(format!("cannot read {name}: {e}")))?;
            is_json_object(&text).map_err(|e| LoginError::Usage(format!("{name}: {e}")))?;
            Ok(Read::File { path: name, text })
        }
    }
}

/// The issuer's metadata, or why there is none (a check skips); unreachable
/// and usage errors end the run.
async fn issuer_metadata(
    args: &CimdValidateArgs,
    issuer: &str,
) -> Result<Result<AsMetadata, String>, LoginError> {
    let prober = prober_for(&args.net, issuer).map_err(|e| LoginError::Usage(e.to_string()))?;
    match cimd::issuer_metadata(&prober, issuer).await {
        Ok(md) => Ok(Ok(md)),
        Err(e @ (LoginError::Unreachable(_) | LoginError::Usage(_))) => Err(e),
        Err(e) => Ok(Err(e.to_string())),
    }
}

fn grade(read: &Read, issuer: Option<(&str, &Result<AsMetadata, String>)>) -> CimdGraded {
    let origin = match read {
        Read::Url { url, exchange } => Origin::Url { url, exchange },
        Read::File { path, text } => Origin::File { path, text },
    };
    grade_cimd(&CimdFacts {
        origin,
        issuer: issuer.map(|(issuer, md)| Issuer {
            issuer,
            metadata: md.as_ref().map_err(Clone::clone),
        }),
    })
}

pub async fn run(
    args: &CimdValidateArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let mut err = std::io::stderr();
    let read = match read_document(args).await {
        Ok(r) => r,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    let metadata = match &args.issuer {
        Some(i) => match issuer_metadata(args, i).await {
            Ok(md) => Some((i.as_str(), md)),
            Err(e) => return Ok(report_error(&e, &mut err)),
        },
        None => None,
    };
    if let Some((_, Err(e))) = &metadata {
        writeln!(err, "warning: {e}")?;
    }
    let graded = grade(&read, metadata.as_ref().map(|(i, md)| (*i, md)));
    match args.format {
        Format::Json => crate::report::cimd::json(&graded, out)?,
        Format::Table => crate::report::cimd::table(&graded, style, out)?,
        Format::Markdown => crate::report::cimd::markdown(&graded, out)?,
    }
    Ok(graded.verdict().into())
}
