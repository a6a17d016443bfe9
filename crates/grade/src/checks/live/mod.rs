//! The live flow of `check --login` (spec-checklist §2.8, §2.10): the token
//! response and its audience, the refresh, the authorization response, a
//! token for another audience at the MCP server; and, through the session
//! family's own definitions, RS-ACCEPTS-TOKEN, CH-403-SCOPE, UI-CALL and
//! UI-AUDIENCE read from the same evidence. Without `--login` every one
//! skips. Pure: the facts were gathered (and redacted) elsewhere.

mod flow;
#[cfg(test)]
mod tests;
mod token;

use serde_json::{Map, Value};

pub use flow::{CIMD_LIVE, ISS_RESPONSE, RS_AUDIENCE_ENFORCED, STATE_ECHO, TOK_REFRESH_LIFECYCLE};
pub use token::{
    TOK_AUDIENCE, TOK_PKCE_VERIFIED, TOK_REFRESH_ROTATION, TOK_RESOURCE_ACCEPTED, TOK_RESPONSE,
};

use super::session::{Answer, CallFacts, Session, UserinfoFacts};
use crate::evidence::live::{LiveAnswer, LiveEvidence};
use crate::{finding, Finding, Grade, Outcome, ResourceAnalysis, CATALOGUE};

/// The skip of every live check without `--login`.
pub const NOT_RUN: &str = "not observed: run with --login";

/// What the live checks read: the live evidence, and the resource the
/// protected resource metadata names.
#[derive(Debug, Clone, Copy)]
pub struct LiveAnalysis<'a> {
    pub live: Option<&'a LiveEvidence>,
    /// The PRM `resource` (else the MCP server's URL).
    pub resource: &'a str,
}

impl<'a> LiveAnalysis<'a> {
    pub fn new(live: Option<&'a LiveEvidence>, resource: &'a ResourceAnalysis<'_>) -> Self {
        let prm = resource
            .prm_doc()
            .and_then(|(_, d)| d.md.resource.as_deref());
        Self {
            live,
            resource: prm.unwrap_or_else(|| resource.url()),
        }
    }
}

/// The live evidence, or the skip of a run without `--login`.
fn live<'a>(a: &LiveAnalysis<'a>) -> Result<&'a LiveEvidence, Outcome> {
    a.live.ok_or_else(|| Outcome::skip(NOT_RUN))
}

/// The login's token, or why there is none (the login stopped).
fn logged_in(l: &LiveEvidence) -> Result<&crate::evidence::live::TokenFacts, Outcome> {
    l.token.as_ref().ok_or_else(|| {
        Outcome::skip(format!(
            "no token: the login stopped ({})",
            l.error.as_deref().unwrap_or("no reason recorded")
        ))
    })
}

/// The session family's answer from the evidence's.
fn answer<T>(a: &LiveAnswer, ok: T) -> Answer<T> {
    match a {
        LiveAnswer::Ok => Answer::Ok(ok),
        LiveAnswer::Refused {
            status,
            challenge,
            detail,
        } => Answer::Refused {
            status: *status,
            challenge: challenge.clone(),
            detail: detail.clone(),
        },
        LiveAnswer::Unusable { detail } => Answer::Unusable(detail.clone()),
        LiveAnswer::Unreachable { detail } => Answer::Unreachable(detail.clone()),
        LiveAnswer::NotAsked { detail } => Answer::NotAsked(detail.clone()),
    }
}

fn scopes(scope: Option<&str>) -> Vec<String> {
    scope
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A session check (RS-ACCEPTS-TOKEN, CH-403-SCOPE, UI-CALL, UI-AUDIENCE)
/// graded by its own definition on the live evidence's facts.
fn session(a: &LiveAnalysis<'_>, id: &str, f: fn(Session<'_>) -> Option<Outcome>) -> Outcome {
    let l = match live(a) {
        Ok(l) => l,
        Err(skip) => return skip,
    };
    if let Err(skip) = logged_in(l) {
        return skip;
    }
    let call = l.call.as_ref().map(|c| CallFacts {
        url: a.resource.to_owned(),
        answer: answer(c, ()),
        token_scopes: scopes(l.token.as_ref().and_then(|t| t.scope.as_deref())),
        tool_error: false,
    });
    let userinfo = l.userinfo.as_ref().map(|u| UserinfoFacts {
        endpoint: None,
        issuer: l.issuer.clone(),
        token_resource: l.resource.clone(),
        answer: answer(
            u,
            l.userinfo_claims
                .iter()
                .map(|c| (c.clone(), Value::Null))
                .collect::<Map<String, Value>>(),
        ),
    });
    let outcome = call
        .as_ref()
        .and_then(|c| f(Session::Call(c)))
        .or_else(|| userinfo.as_ref().and_then(|u| f(Session::Userinfo(u))))
        .map(|o| audience_bound_userinfo(id, o, userinfo.as_ref()));
    outcome.unwrap_or_else(|| match (id.starts_with("UI-"), &userinfo) {
        (true, None) => Outcome::skip(format!(
            "userinfo was not called: the {} grant has no user",
            l.grant
        )),
        (true, Some(_)) if l.resource.is_none() => {
            Outcome::skip("the token was requested without a resource")
        }
        (true, Some(_)) => Outcome::skip("userinfo's answer says nothing about the audience"),
        (false, _) if id == "CH-403-SCOPE" => {
            Outcome::skip("the MCP server did not answer 403: no step-up was needed")
        }
        (false, _) => Outcome::skip("the MCP server was not reached with the token"),
    })
}

/// In `check --login`, userinfo refusing the token with 401 because it was
/// issued for the MCP server (RFC 8707) is UI-AUDIENCE's finding, not a
/// failure of the flow: MCP needs no userinfo. `whoami`, whose verdict is
/// userinfo's, still fails on it.
fn audience_bound_userinfo(id: &str, o: Outcome, u: Option<&UserinfoFacts>) -> Outcome {
    let refused_bound = u.is_some_and(|u| {
        u.token_resource.is_some() && matches!(u.answer, Answer::Refused { status: 401, .. })
    });
    if id == "UI-CALL" && o.status == crate::Status::Fail && refused_bound {
        return Outcome::info(format!(
            "{}: the token was issued for the MCP server (RFC 8707 resource), and the MCP flow needs no userinfo (see UI-AUDIENCE)",
            o.detail
        ));
    }
    o
}

/// The live findings of an MCP server, in catalogue order.
pub fn run(a: &LiveAnalysis<'_>) -> Vec<Finding> {
    CATALOGUE
        .iter()
        .filter_map(|c| match c.grade {
            Grade::Live(f) => Some(finding(c, f(a), None)),
            Grade::Session(f) => Some(finding(c, session(a, c.id, f), None)),
            _ => None,
        })
        .collect()
}
