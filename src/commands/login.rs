//! The `login`, `logout` and `tokens` commands: arguments in, exit status out.

use std::io::Write;
use std::time::Duration;

use crate::cli::{Format, LoginArgs, LogoutArgs, ResultFormat, TokensArgs};
use crate::exit::ExitStatus;
use crate::login::{Grant, LoginError, LoginSettings};
use crate::probe::Prober;
use crate::report::table::Style;
use crate::report::tokens::{
    self, Cached, CachedLogin, LoggedOut, TokenRow, TokensReport, Unreadable,
};
use crate::token_store::{now, TokenEntry, TokenStore};
use mcp_auth_net::dpop::DpopMode;

/// The prober for `--timeout` and `--cacert`, with a spinner on a terminal.
pub fn prober(net: &crate::cli::NetArgs) -> Result<Prober, crate::Error> {
    Ok(crate::progress::attach(Prober::new(
        crate::settings::probe(net),
    )?))
}

/// The prober, sending only what the URL policy allows for `target` (the
/// URL the user named): what remote documents name is held to it, as in `check`.
pub fn prober_for(net: &crate::cli::NetArgs, target: &str) -> Result<Prober, crate::Error> {
    let prober = prober(net)?;
    Ok(match url::Url::parse(target) {
        Ok(u) => prober.within(crate::evidence::urls::UrlPolicy::for_target(&u)),
        Err(_) => prober,
    })
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

/// A cache entry as `tokens`, `login --format json` show it (never its values).
fn row(path: &std::path::Path, e: &TokenEntry) -> TokenRow {
    TokenRow {
        file: path.display().to_string(),
        entry: Cached::Login(CachedLogin {
            expiry: describe_expiry(e),
            expires_in: e.expires_in(now()),
            refresh_token: e.refresh_token.is_some(),
            issuer: e.issuer.clone(),
            client_id: e.client_id.clone(),
            resource: e.resource.clone(),
            mcp_url: e.mcp_url.clone(),
            scope: e.scope.clone(),
        }),
    }
}

fn login_settings(args: &LoginArgs) -> Result<LoginSettings, LoginError> {
    // A secret belongs to a pre-registered client: the environment's is read only with --client-id.
    let crate::settings::ClientCredentials {
        secret: client_secret,
        key: client_key,
        grant,
    } = crate::settings::client_credentials(
        args.client_id.as_ref(),
        args.client_secret_file.as_deref(),
        args.private_key.as_deref(),
        args.signing_alg.as_deref(),
        &args.grants,
    )?;
    Ok(LoginSettings {
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
        client_secret,
        client_key,
        grant: grant.grant,
        assertion: grant.assertion,
        subject_token: grant.subject_token,
        refresh_token: grant.refresh_token,
        idp: grant.idp,
        dpop: match args.dpop {
            crate::cli::Dpop::Auto => DpopMode::Auto,
            crate::cli::Dpop::Always => DpopMode::Always,
            crate::cli::Dpop::Never => DpopMode::Never,
        },
    })
}

/// `login --refresh`: refresh the cached token for the target.
async fn refresh_cached(
    args: &LoginArgs,
    prober: &Prober,
    store: &TokenStore,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let result = async {
        let (path, entry) = select(store, Some(&args.target))?;
        Ok((path, crate::login::refresh(prober, store, &entry).await?))
    }
    .await;
    Ok(match result {
        Ok((path, e)) if args.format == ResultFormat::Json => {
            let shown = args.show_token.then(|| e.access_token.expose());
            tokens::login_json(&row(&path, &e), shown, out)?;
            ExitStatus::Ok
        }
        Ok((_, e)) => {
            let expiry = describe_expiry(&e);
            writeln!(out, "Refreshed the token for {} ({expiry}).", e.issuer)?;
            if args.show_token {
                writeln!(out, "{}", e.access_token.expose())?;
            }
            ExitStatus::Ok
        }
        Err(e) => report_error(&e, &mut std::io::stderr()),
    })
}

/// Follow the target to its authorization server, refuse it by check id if
/// a precondition fails, then run the flow (or the grant without a user).
pub async fn log_in(
    target: &str,
    kind: crate::evidence::TargetHint,
    prober: &Prober,
    store: &TokenStore,
    settings: &LoginSettings,
    err: &mut dyn Write,
) -> Result<(TokenEntry, std::path::PathBuf), LoginError> {
    let destination = crate::login::destination(prober, target, kind).await?;
    log_in_resolved(destination, prober, store, settings, err).await
}

/// Refuse the destination by check id if a precondition fails, then run the flow.
pub async fn log_in_resolved(
    destination: crate::login::Destination,
    prober: &Prober,
    store: &TokenStore,
    settings: &LoginSettings,
    err: &mut dyn Write,
) -> Result<(TokenEntry, std::path::PathBuf), LoginError> {
    let target = destination
        .mcp_url
        .clone()
        .unwrap_or_else(|| destination.issuer.clone());
    if destination.uses_default_endpoints() {
        let _ = writeln!(
            err,
            "warning: {target} has no protected resource metadata and {} no authorization server metadata: using the MCP 2025-03-26 default endpoints /authorize, /token and /register (PKCE S256 cannot be confirmed)",
            destination.issuer
        );
        return crate::login::login(prober, store, destination, settings, err).await;
    }
    // The login's preconditions are catalogue checks: a refusal names one.
    let gate = mcp_auth_grade::login_gate::assess_login(
        destination.chain.as_ref(),
        &destination.discovery,
        &destination.issuer,
        settings.force,
        settings.grant.interactive(),
    );
    if let Some(why) = gate.refusal {
        return Err(LoginError::Refused(why));
    }
    for w in &gate.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    match settings.grant {
        Grant::AuthorizationCode => {
            crate::login::login(prober, store, destination, settings, err).await
        }
        _ => crate::login::obtain(prober, store, destination, settings).await,
    }
}

/// "Logged in to … as client …; scope …; token cached in …".
fn logged_in_line(entry: &TokenEntry, path: &std::path::Path) -> String {
    // A JWT bearer grant may have no client (a workload's assertion alone).
    let client = match entry.client_id.as_str() {
        "" => " without a client".to_owned(),
        id => format!(" as client {id}"),
    };
    format!(
        "Logged in to {}{client}{}; {} ({}); token cached in {}",
        entry.issuer,
        entry
            .resource
            .as_deref()
            .map(|r| format!(" for {r}"))
            .unwrap_or_default(),
        entry
            .scope
            .as_deref()
            .map_or("no scope".to_owned(), |s| format!("scope \"{s}\"")),
        describe_expiry(entry),
        path.display()
    )
}

pub async fn login(args: &LoginArgs, out: &mut dyn Write) -> Result<ExitStatus, crate::Error> {
    let prober = prober_for(&args.net, &args.target)?;
    let mut err = std::io::stderr();
    let store = match TokenStore::from_env() {
        Ok(s) => s,
        Err(e) => return Ok(report_error(&LoginError::Store(e), &mut err)),
    };
    if args.refresh {
        return refresh_cached(args, &prober, &store, out).await;
    }
    let settings = match login_settings(args) {
        Ok(s) => s,
        Err(e) => return Ok(report_error(&e, &mut err)),
    };
    let kind = args.target_as.into();
    match log_in(&args.target, kind, &prober, &store, &settings, &mut err).await {
        Err(e) => Ok(report_error(&e, &mut err)),
        Ok((entry, path)) => {
            match args.format {
                ResultFormat::Json => {
                    let shown = settings.show_token.then(|| entry.access_token.expose());
                    tokens::login_json(&row(&path, &entry), shown, out)?;
                }
                ResultFormat::Table => {
                    writeln!(out, "{}", logged_in_line(&entry, &path))?;
                    if settings.show_token {
                        writeln!(out, "{}", entry.access_token.expose())?;
                    }
                }
            }
            Ok(ExitStatus::Ok)
        }
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
        // Nothing to undo is not a failure: logging out twice is fine.
        let what = args.target.as_deref().unwrap_or("anything");
        writeln!(err, "Not logged in to {what}: nothing to log out of.")?;
        if args.format == ResultFormat::Json {
            tokens::logout_json(&[], out)?;
        }
        return Ok(ExitStatus::Ok);
    }
    let mut done = Vec::new();
    for (path, entry) in found {
        let mut gone = LoggedOut {
            name: path.display().to_string(),
            file: path.display().to_string(),
            revoked: false,
            warning: None,
        };
        if let Ok(e) = &entry {
            // The cached endpoints were held to the URL policy when `login` read them.
            match crate::login::revoke(&prober, e).await {
                Ok(revoked) => gone.revoked = revoked,
                Err(msg) => gone.warning = Some(format!("{msg}; deleting the cached token anyway")),
            }
            gone.name = e.mcp_url.clone().unwrap_or_else(|| e.issuer.clone());
        }
        if args.format == ResultFormat::Table {
            if let (Ok(e), true) = (&entry, gone.revoked) {
                writeln!(out, "Revoked the token at {}", e.issuer)?;
            }
            if let Some(w) = &gone.warning {
                writeln!(err, "warning: {w}")?;
            }
        }
        crate::token_store::TokenStore::delete(&path)
            .map_err(|e| crate::Error::Input(e.to_string()))?;
        if args.format == ResultFormat::Table {
            writeln!(
                out,
                "Logged out of {} (deleted {})",
                gone.name,
                path.display()
            )?;
        }
        done.push(gone);
    }
    if args.format == ResultFormat::Json {
        tokens::logout_json(&done, out)?;
    }
    Ok(ExitStatus::Ok)
}

pub fn tokens(
    args: &TokensArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let store = TokenStore::from_env().map_err(|e| crate::Error::Input(e.to_string()))?;
    let rows = store
        .list()
        .into_iter()
        .map(|(path, e)| match e {
            Ok(e) => row(&path, &e),
            Err(err) => TokenRow {
                file: path.display().to_string(),
                entry: Cached::Unreadable(Unreadable {
                    error: err.to_string(),
                }),
            },
        })
        .collect();
    let report = TokensReport {
        dir: store.dir().display().to_string(),
        tokens: rows,
    };
    if report.tokens.is_empty() && args.format != Format::Json {
        writeln!(
            out,
            "no cached tokens in {} (`mcp-auth login URL` caches one)",
            report.dir
        )?;
        return Ok(ExitStatus::Ok);
    }
    match args.format {
        Format::Json => tokens::json(&report, out)?,
        Format::Table => tokens::table(&report, style, out)?,
        Format::Markdown => tokens::markdown(&report, out)?,
    }
    Ok(ExitStatus::Ok)
}
