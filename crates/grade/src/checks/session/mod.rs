//! What using a token showed: the userinfo endpoint (`whoami`: UI-CALL,
//! UI-AUDIENCE) and the MCP server (`call`: RS-ACCEPTS-TOKEN, CH-403-SCOPE).
//! Pure: the answers are facts gathered elsewhere.

mod checks;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use checks::{CH_403_SCOPE, RS_ACCEPTS_TOKEN, UI_AUDIENCE, UI_CALL};

use crate::{finding, Finding, Grade, Status, Verdict, CATALOGUE};

/// How an HTTP request made with the token ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    /// A 2xx with a usable body.
    Ok(T),
    /// An HTTP error status (with its `WWW-Authenticate`, and a short body).
    Refused {
        status: u16,
        challenge: Option<String>,
        detail: String,
    },
    /// A 2xx whose body is not what was asked for.
    Unusable(String),
    /// No HTTP answer at all.
    Unreachable(String),
    /// Not asked (e.g. no `userinfo_endpoint`).
    NotAsked(String),
}

/// `whoami`: the userinfo answer for the cached token.
#[derive(Debug, Clone)]
pub struct UserinfoFacts {
    pub endpoint: Option<String>,
    pub issuer: String,
    /// The RFC 8707 resource the token was requested for.
    pub token_resource: Option<String>,
    pub answer: Answer<Map<String, Value>>,
}

/// `call`: how the MCP server answered the requests made with the token.
#[derive(Debug, Clone)]
pub struct CallFacts {
    pub url: String,
    /// The first refusal, or `Ok(())` when every request got a 2xx.
    pub answer: Answer<()>,
    /// The scopes the token was granted.
    pub token_scopes: Vec<String>,
    /// The called tool answered `isError: true`.
    pub tool_error: bool,
}

/// What a check of this family looks at.
#[derive(Debug, Clone, Copy)]
pub enum Session<'a> {
    Userinfo(&'a UserinfoFacts),
    Call(&'a CallFacts),
}

/// Findings that apply, in catalogue order.
fn run(subject: Session<'_>) -> Vec<Finding> {
    CATALOGUE
        .iter()
        .filter_map(|c| match c.grade {
            Grade::Session(f) => f(subject).map(|o| finding(c, o, None)),
            _ => None,
        })
        .collect()
}

/// `whoami`'s findings; the verdict is UI-CALL's (who you are is the answer).
pub fn grade_userinfo(facts: &UserinfoFacts) -> (Vec<Finding>, Verdict) {
    let findings = run(Session::Userinfo(facts));
    let failed = findings
        .iter()
        .any(|f| f.id == UI_CALL.id && f.status == Status::Fail);
    (
        findings,
        if failed {
            Verdict::RequiredFailed
        } else {
            Verdict::Ok
        },
    )
}

/// `call`'s findings and verdict: unreachable is `NotFound`; a failed MUST,
/// or a refusal the checks explain, is `RequiredFailed`.
pub fn grade_call(facts: &CallFacts) -> (Vec<Finding>, Verdict) {
    let findings = run(Session::Call(facts));
    let verdict = match &facts.answer {
        Answer::Ok(()) if facts.tool_error => Verdict::RequiredFailed,
        Answer::Ok(()) => Verdict::Ok,
        Answer::Unreachable(_) => Verdict::NotFound,
        _ => Verdict::RequiredFailed,
    };
    (findings, verdict)
}

/// The one line that says why a call failed, with what to do.
pub fn call_error_line(facts: &CallFacts, findings: &[Finding]) -> Option<String> {
    let detail_of = |id: &str| {
        findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.detail.clone())
    };
    match &facts.answer {
        Answer::Ok(()) if facts.tool_error => Some("the tool reported an error".to_owned()),
        Answer::Ok(()) => None,
        Answer::Unreachable(e) => Some(format!("cannot reach {}: {e}", facts.url)),
        Answer::Refused { status: 401, .. } => detail_of(RS_ACCEPTS_TOKEN.id),
        Answer::Refused { status: 403, .. } => detail_of(CH_403_SCOPE.id),
        Answer::Refused { status, detail, .. } => {
            Some(format!("{} answered {status}: {detail}", facts.url))
        }
        Answer::Unusable(e) | Answer::NotAsked(e) => Some(format!("{}: {e}", facts.url)),
    }
}
