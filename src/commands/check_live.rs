//! `check --login`: after discovery and the probes, the live flow (the
//! login, the MCP server called with the token, the refresh, userinfo, a
//! token for another audience), recorded in the evidence's `live`.

use std::time::Duration;

use crate::cli::CheckArgs;
use crate::evidence::live::LiveEvidence;
use crate::evidence::{Evidence, TargetHint, TargetKind};
use crate::login::{LoginError, LoginSettings};
use crate::token_store::TokenStore;
use crate::Error;
use mcp_auth_net::dpop::DpopMode;
use mcp_auth_net::login::live::{self, LiveOptions, Stores};

/// `login`'s settings from `check`'s flags.
fn settings(args: &CheckArgs) -> Result<LoginSettings, LoginError> {
    let a = &args.live;
    let crate::settings::ClientCredentials {
        secret: client_secret,
        key: client_key,
        grant,
    } = crate::settings::client_credentials(
        args.client_id.as_ref(),
        a.client_secret_file.as_deref(),
        a.private_key.as_deref(),
        a.signing_alg.as_deref(),
        &a.grants,
    )?;
    Ok(LoginSettings {
        client_id: args.client_id.clone(),
        client_metadata_url: a.client_metadata_url.clone(),
        scope: a.scope.clone(),
        resource: None,
        no_resource: false,
        redirect_port: a.redirect_port,
        redirect_uri: None,
        no_browser: a.no_browser,
        force: false,
        timeout: Duration::from_secs(a.login_timeout),
        show_token: false,
        client_secret,
        client_key,
        grant: grant.grant,
        assertion: grant.assertion,
        subject_token: grant.subject_token,
        refresh_token: grant.refresh_token,
        idp: grant.idp,
        dpop: DpopMode::Auto,
    })
}

/// A live run that stopped before the login: why.
fn stopped(issuer: String, grant: &str, why: String) -> LiveEvidence {
    LiveEvidence {
        grant: grant.to_owned(),
        issuer,
        error: Some(why),
        ..LiveEvidence::default()
    }
}

/// Run the live flow for an MCP server's evidence and record it there.
pub async fn gather(args: &CheckArgs, ev: &mut Evidence) -> Result<(), Error> {
    if ev.target.kind != TargetKind::McpServer {
        return Err(Error::Input(format!(
            "--login grades the live flow of an MCP server, and {} was not found to be one (no 401 and no protected resource metadata; --as mcp insists)",
            ev.target.input
        )));
    }
    let settings = settings(args).map_err(|e| Error::Input(e.to_string()))?;
    let url = ev.target.input.clone();
    let prober = super::login::prober_for(&args.net, &url)?;
    let user = if args.live.save_login {
        Some(TokenStore::from_env().map_err(|e| Error::Input(e.to_string()))?)
    } else {
        None
    };
    let options = LiveOptions {
        intrusive: args.live.intrusive,
        lifecycle: args.protocol_version.clone(),
    };
    let live = flow(&prober, &url, &settings, options, user.as_ref()).await?;
    ev.live = Some(live);
    Ok(())
}

/// The live flow against the MCP server at `url`: the login's token goes
/// to `user` (the user's cache, `--save-login`) or a scratch store removed
/// afterwards; the token for another audience always to a scratch store.
/// A refusal before the login (no metadata, a policy) is recorded, not an
/// error.
pub async fn flow(
    prober: &crate::probe::Prober,
    url: &str,
    settings: &LoginSettings,
    options: LiveOptions,
    user: Option<&TokenStore>,
) -> Result<LiveEvidence, Error> {
    let grant = settings.grant.name();
    let mut err = std::io::stderr();
    let destination = match crate::login::destination(prober, url, TargetHint::Mcp).await {
        Ok(d) => d,
        Err(e) => return Ok(stopped(String::new(), grant, e.to_string())),
    };
    let gate = mcp_auth_grade::login_gate::assess_login(
        destination.chain.as_ref(),
        &destination.discovery,
        &destination.issuer,
        false,
        settings.grant.interactive(),
    );
    if let Some(why) = gate.refusal {
        return Ok(stopped(destination.issuer.clone(), grant, why));
    }
    let scratch_dir = tempfile::tempdir().map_err(|e| Error::Input(e.to_string()))?;
    let scratch = TokenStore::at(scratch_dir.path());
    let other_dir = tempfile::tempdir().map_err(|e| Error::Input(e.to_string()))?;
    let other = TokenStore::at(other_dir.path());
    let stores = Stores {
        login: user.unwrap_or(&scratch),
        scratch: &other,
    };
    Ok(live::run(prober, stores, destination, settings, options, &mut err).await)
}
