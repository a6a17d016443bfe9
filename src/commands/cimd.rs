//! `mcp-auth cimd validate`: a client's Client ID Metadata Document, graded
//! the way authorization servers will take it. Settings (a URL or a file) →
//! gather (`mcp_auth_net::cimd`: the document's GET, and with `--issuer` that
//! issuer's metadata) into a [`CimdEvidence`] (or read one back with
//! `--from-evidence`) → grade (`mcp_auth_grade::cimd`, the CIMD-DOC-* checks)
//! → render (`mcp_auth_report::cimd`).

use std::io::Write;
use std::path::Path;

use mcp_auth_evidence::cimd::{CimdEvidence, CimdIssuer, CimdSource, CIMD_EVIDENCE_SCHEMA_VERSION};
use mcp_auth_evidence::metadata::AsMetadata;
use mcp_auth_grade::cimd::{grade_cimd, is_json_object, CimdFacts, CimdGraded, Issuer, Origin};
use mcp_auth_net::cimd;

use crate::cli::{CimdValidateArgs, Format};
use crate::commands::login::{prober_for, report_error};
use crate::exit::ExitStatus;
use crate::gather;
use crate::login::LoginError;
use crate::report::table::Style;
use crate::settings::{cimd_target, CimdTarget};

/// Fetch or read the document; a usage error for a file that cannot be read
/// or is not JSON, unreachable for a URL that did not answer.
async fn read_document(args: &CimdValidateArgs, target: &str) -> Result<CimdSource, LoginError> {
    match cimd_target(target).map_err(LoginError::Usage)? {
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
            Ok(CimdSource::Url { url, exchange })
        }
        CimdTarget::File(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| LoginError::Usage(format!("cannot read {name}: {e}")))?;
            is_json_object(&text).map_err(|e| LoginError::Usage(format!("{name}: {e}")))?;
            // Read as a fetched document is recorded: a `client_secret` it
            // wrongly carries is never kept (nor saved with --save-evidence).
            let text = mcp_auth_net::redact::redact_body(&text).into_owned();
            Ok(CimdSource::File { path: name, text })
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

/// Everything the run needs, from the network (or the file) or, with
/// `--from-evidence`, from a saved run.
async fn gather(args: &CimdValidateArgs) -> Result<CimdEvidence, LoginError> {
    if let Some(path) = &args.from_evidence {
        return load_evidence(path).map_err(LoginError::Usage);
    }
    let target = args.target.as_deref().unwrap_or_default();
    let document = read_document(args, target).await?;
    let issuer = match &args.issuer {
        Some(i) => Some(CimdIssuer::new(i, &issuer_metadata(args, i).await?)),
        None => None,
    };
    Ok(CimdEvidence {
        schema_version: CIMD_EVIDENCE_SCHEMA_VERSION,
        tool: gather::tool_name(),
        recorded_at: Some(gather::now_rfc3339()),
        target: target.to_owned(),
        document,
        issuer,
    })
}

/// Read a file written by `cimd validate --save-evidence`.
fn load_evidence(path: &Path) -> Result<CimdEvidence, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    CimdEvidence::from_json(&path.display().to_string(), &text)
}

/// Write the evidence as `check --save-evidence` does: pretty JSON, a final
/// newline.
fn save_evidence(path: &Path, ev: &CimdEvidence) -> Result<(), LoginError> {
    let text = serde_json::to_string_pretty(ev).expect("evidence serialises");
    std::fs::write(path, text + "\n")
        .map_err(|e| LoginError::Usage(format!("cannot write {}: {e}", path.display())))
}

fn grade(ev: &CimdEvidence, metadata: Option<&Result<AsMetadata, String>>) -> CimdGraded {
    let origin = match &ev.document {
        CimdSource::Url { url, exchange } => Origin::Url { url, exchange },
        CimdSource::File { path, text } => Origin::File { path, text },
    };
    grade_cimd(&CimdFacts {
        origin,
        issuer: ev.issuer.as_ref().zip(metadata).map(|(i, md)| Issuer {
            issuer: &i.issuer,
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
    let evidence = match gather(args).await {
        Ok(ev) => ev,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    if let Some(path) = &args.save_evidence {
        if let Err(e) = save_evidence(path, &evidence) {
            return Ok(report_error(&e, &mut err));
        }
    }
    let metadata = evidence.issuer.as_ref().map(CimdIssuer::metadata);
    if let Some(Err(e)) = &metadata {
        writeln!(err, "warning: {e}")?;
    }
    let graded = grade(&evidence, metadata.as_ref());
    match args.format {
        Format::Json => crate::report::cimd::json(&graded, out)?,
        Format::Table => crate::report::cimd::table(&graded, style, out)?,
        Format::Markdown => crate::report::cimd::markdown(&graded, out)?,
    }
    Ok(graded.verdict().into())
}
