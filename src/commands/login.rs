//! The `login`, `logout` and `tokens` commands: arguments in, exit status out.

use std::io::Write;
use std::time::Duration;

use crate::cli::{Format, LoginArgs, LogoutArgs, TokensArgs};
use crate::exit::ExitStatus;
use crate::login::{LoginError, LoginSettings};
use crate::probe::Prober;
use crate::report::table::Style;
use crate::report::tokens::{self, Cached, CachedLogin, TokenRow, TokensReport, Unreadable};
use crate::token_store::{now, TokenEntry, TokenStore};

pub fn prober(net: &crate::cli::NetArgs) -> Result<Prober, crate::Error> {
    Ok(Prober::new(crate::settings::probe(net))?)
}

/// Exit status and one-line message for a login error.
pub fn report_error(e: &LoginError, err: &mut dyn Write) -> ExitStatus {
    let _ = writeln!(err, "error: {e}");
    match e {
        LoginError::Usage(_) | LoginError::Output(_) => ExitStatus::Usage,
        LoginError::Unreachable(_) => ExitStatus::Unreachable,
        _ => ExitStatus::Failed,
    }
}

fn describe_expiry(e: &TokenEntry) -> String {
    match e.expires_in(now()) {
        Some(s) if s < 0 => format!("expired {} s ago", -s),
        Some(s) => format!("expires in {s} s"),
        None => "no expiry given".to_owned(),
    }
}

/// The one cached entry for `target` (or the only one), or a clear error.
pub fn select(
    store: &TokenStore,
    target: Option<&str>,
) -> Result<(std::path::PathBuf, TokenEntry), LoginError> {
    let found = crate::login::matching(store, target);
    let mut ok = Vec::new();
    for (path, e) in found {
        match e {
            Ok(e) => ok.push((path, e)),
            Err(e) if target.is_none() => return Err(LoginError::Store(e)),
            Err(_) => {}
        }
    }
    match (ok.len(), target) {
        (1, _) => Ok(ok.remove(0)),
        (0, Some(t)) => Err(LoginError::Usage(format!(
            "no cached login for {t}; run `mcp-auth login {t}`"
        ))),
        (0, None) => Err(LoginError::Usage(
            "no cached login; run `mcp-auth login <url>`".to_owned(),
        )),
        (n, _) => Err(LoginError::Usage(format!(
            "{n} cached logins match; name one: {}",
            ok.iter()
                .map(|(_, e)| e.mcp_url.clone().unwrap_or_else(|| e.issuer.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub async fn login(args: &LoginArgs, out: &mut dyn Write) -> Result<ExitStatus, crate::Error> {
    let prober = prober(&args.net)?;
    let mut err = std::io::stderr();
    let store = match TokenStore::from_env() {
        Ok(s) => s,
        Err(e) => return Ok(report_error(&LoginError::Store(e), &mut err)),
    };
    if args.refresh {
        let result = async {
            let (_, entry) = select(&store, Some(&args.target))?;
            crate::login::refresh(&prober, &store, &entry).await
        }
        .await;
        return Ok(match result {
            Ok(e) => {
                writeln!(
                    out,
                    "Refreshed the token for {} ({}).",
                    e.issuer,
                    describe_expiry(&e)
                )?;
                ExitStatus::Ok
            }
            Err(e) => report_error(&e, &mut err),
        });
    }
    let settings = LoginSettings {
        client_id: args.client_id.clone(),
        client_metadata_url: args.client_metadata_url.clone(),
        scope: args.scope.clone(),
        resource: args.resource.clone(),
        no_resource: args.no_resource,
        redirect_port: args.redirect_port,
        redirect_uri: args.redirect_uri.clone(),
        no_browser: args.no_browser,
        force: args.force,
        timeout: Duration::from_secs(args.login_timeout),
        show_token: args.show_token,
    };
    match crate::login::login(
        &prober,
        &store,
        &args.target,
        args.target_as.into(),
        &settings,
        &mut err,
    )
    .await
    {
        Ok((entry, path)) => {
            writeln!(
                out,
                "Logged in to {} as client {}{}; {} ({}); token cached in {}",
                entry.issuer,
                entry.client_id,
                entry
                    .resource
                    .as_deref()
                    .map(|r| format!(" for {r}"))
                    .unwrap_or_default(),
                entry
                    .scope
                    .as_deref()
                    .map_or("no scope".to_owned(), |s| format!("scope \"{s}\"")),
                describe_expiry(&entry),
                path.display()
            )?;
            if settings.show_token {
                writeln!(out, "{}", entry.access_token.expose())?;
            }
            Ok(ExitStatus::Ok)
        }
        Err(e) => Ok(report_error(&e, &mut err)),
    }
}

pub async fn logout(args: &LogoutArgs, out: &mut dyn Write) -> Result<ExitStatus, crate::Error> {
    let mut err = std::io::stderr();
    let store = match TokenStore::from_env() {
        Ok(s) => s,
        Err(e) => return Ok(report_error(&LoginError::Store(e), &mut err)),
    };
    let prober = prober(&args.net)?;
    let found = crate::login::matching(&store, args.target.as_deref());
    if found.is_empty() {
        let what = args.target.as_deref().unwrap_or("anything");
        writeln!(err, "error: no cached login for {what}")?;
        return Ok(ExitStatus::Failed);
    }
    for (path, entry) in found {
        let name = match &entry {
            Ok(e) => {
                match crate::login::revoke(&prober, e).await {
                    Ok(true) => writeln!(out, "Revoked the token at {}", e.issuer)?,
                    Ok(false) => {}
                    Err(msg) => writeln!(err, "warning: {msg}; deleting the cached token anyway")?,
                }
                e.mcp_url.clone().unwrap_or_else(|| e.issuer.clone())
            }
            Err(_) => path.display().to_string(),
        };
        crate::token_store::TokenStore::delete(&path)
            .map_err(|e| crate::Error::Input(e.to_string()))?;
        writeln!(out, "Logged out of {name} (deleted {})", path.display())?;
    }
    Ok(ExitStatus::Ok)
}

pub fn tokens(
    args: &TokensArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let store = TokenStore::from_env().map_err(|e| crate::Error::Input(e.to_string()))?;
    let now = now();
    let rows = store
        .list()
        .into_iter()
        .map(|(path, e)| TokenRow {
            file: path.display().to_string(),
            entry: match e {
                Ok(e) => Cached::Login(CachedLogin {
                    expiry: describe_expiry(&e),
                    expires_in: e.expires_in(now),
                    refresh_token: e.refresh_token.is_some(),
                    issuer: e.issuer,
                    client_id: e.client_id,
                    resource: e.resource,
                    mcp_url: e.mcp_url,
                    scope: e.scope,
                }),
                Err(err) => Cached::Unreadable(Unreadable {
                    error: err.to_string(),
                }),
            },
        })
        .collect();
    let report = TokensReport {
        dir: store.dir().display().to_string(),
        tokens: rows,
    };
    match args.format {
        Format::Json => tokens::json(&report, out)?,
        Format::Table => tokens::table(&report, style, out)?,
        Format::Markdown => tokens::markdown(&report, out)?,
    }
    Ok(ExitStatus::Ok)
}
