//! `matrix`'s live flow: for a provider whose file names a test tenant
//! (`[live]`), `check --login`'s flow without a browser, with credentials
//! read from the environment variables the file names (the nightly workflow
//! sets them from repository secrets). Without them the row says why the
//! live flow did not run; no value ever reaches a report, a log or the
//! recorded evidence (the live evidence is redacted like `check --login`'s).

use std::time::Duration;

use crate::evidence::live::LiveEvidence;
use crate::login::LoginSettings;
use crate::providers::{Live, LiveGrant, Provider, ProviderKind};
use crate::token_store::Secret;
use mcp_auth_net::dpop::DpopMode;
use mcp_auth_net::login::live::LiveOptions;
use mcp_auth_net::login::Grant;

/// Why the live flow does not run for `p`, or the credentials it runs with.
pub enum Plan {
    NotRun(String),
    Run(Box<LoginSettings>),
}

/// A variable's value, when set and not empty.
fn env(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

/// What the row's live flow will be, from the provider file and the
/// environment.
pub fn plan(p: &Provider) -> Plan {
    let Some(live) = &p.def.live else {
        return Plan::NotRun(format!(
            "no test tenant ({}.toml has no [live] table)",
            p.id
        ));
    };
    if p.def.kind != ProviderKind::Mcp {
        return Plan::NotRun("the live flow needs an MCP server (kind = \"mcp\")".to_owned());
    }
    let unset: Vec<&str> = live
        .env_names()
        .into_iter()
        .filter(|(_, n)| env(n).is_none())
        .map(|(_, n)| n)
        .collect();
    if !unset.is_empty() {
        return Plan::NotRun(format!("set {}", unset.join(", ")));
    }
    Plan::Run(Box::new(settings(live)))
}

/// `login`'s settings for a `[live]` table whose variables are all set.
fn settings(live: &Live) -> LoginSettings {
    let (grant, assertion, refresh_token) = match live.grant {
        LiveGrant::ClientCredentials => (Grant::ClientCredentials, None, None),
        LiveGrant::JwtBearer => (
            Grant::JwtBearer,
            live.assertion_env.as_deref().and_then(env),
            None,
        ),
        LiveGrant::RefreshToken => (
            Grant::RefreshToken,
            None,
            live.refresh_token_env.as_deref().and_then(env),
        ),
    };
    LoginSettings {
        client_id: env(&live.client_id_env).map(|s| s.expose().to_owned()),
        client_metadata_url: None,
        scope: live.scope.clone(),
        resource: None,
        no_resource: false,
        redirect_port: None,
        redirect_uri: None,
        no_browser: true,
        force: false,
        timeout: Duration::from_secs(60),
        show_token: false,
        client_secret: live.client_secret_env.as_deref().and_then(env),
        client_key: None,
        grant,
        assertion,
        subject_token: None,
        refresh_token,
        idp: None,
        dpop: DpopMode::Auto,
    }
}

/// The live flow for `url` within `limit`; a timeout is recorded as the
/// flow's error, never a secret.
pub async fn run(
    prober: &crate::probe::Prober,
    url: &str,
    settings: &LoginSettings,
    limit: Duration,
) -> LiveEvidence {
    let flow = super::check_live::flow(prober, url, settings, LiveOptions::default(), None);
    let grant = settings.grant.name().to_owned();
    match tokio::time::timeout(limit, flow).await {
        Ok(Ok(live)) => live,
        Ok(Err(e)) => LiveEvidence {
            grant,
            error: Some(e.to_string()),
            ..LiveEvidence::default()
        },
        Err(_) => LiveEvidence {
            grant,
            error: Some(format!(
                "the live flow did not finish within {} s (--provider-timeout)",
                limit.as_secs_f64()
            )),
            ..LiveEvidence::default()
        },
    }
}
