//! A presented access token, graded the way an MCP server's bearer check
//! treats it (`token inspect`, `whoami`): signature against the issuer's
//! JWKS, `typ`, `iss`, `aud` ∋ resource, `exp` and `nbf` with a leeway, the
//! required scopes; an opaque token by RFC 7662 introspection. `alg: none`
//! is never accepted. Pure: the JWKS and the introspection answer are facts
//! gathered elsewhere.

mod checks;
mod signature;
#[cfg(test)]
mod tests;

use serde::Serialize;
use serde_json::{Map, Value};

pub use checks::{
    TOKEN_AUD, TOKEN_EXP, TOKEN_INTROSPECTION, TOKEN_ISS, TOKEN_NBF, TOKEN_SCOPE, TOKEN_SIGNATURE,
    TOKEN_TYP,
};
use mcp_auth_evidence::jwt::{self, Audience, Decoded};

use crate::{finding, CheckDef, Finding, Grade, Status, CATALOGUE};

/// What the token must satisfy besides its signature.
#[derive(Debug, Clone)]
pub struct Expect<'a> {
    pub issuer: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub required_scopes: &'a [String],
    pub leeway: u64,
    pub now: u64,
}

/// What an RFC 7662 introspection request got.
#[derive(Debug, Clone)]
pub struct Introspection {
    pub endpoint: String,
    /// The response's JSON object, or why there is none.
    pub answer: Result<Map<String, Value>, String>,
}

/// Everything known about one token. The token itself is read (its
/// signature), never copied into a finding.
pub struct TokenFacts<'a> {
    pub token: &'a str,
    pub jwks: Option<&'a jsonwebtoken::jwk::JwkSet>,
    /// Why there is no JWKS, when there is none.
    pub no_jwks: &'a str,
    pub introspection: Option<Introspection>,
    /// Why there is no introspection, when there is none (an opaque token).
    pub no_introspection: &'a str,
    pub expect: Expect<'a>,
    /// Whether the signature is to be checked at all (`whoami` reads the
    /// claims unverified).
    pub verify_signature: bool,
}

/// One token as the checks see it.
#[derive(Debug)]
pub struct TokenAnalysis<'a> {
    pub decoded: Option<Decoded>,
    /// `Some((verified, detail))` when the signature was looked at.
    pub signature: Option<(bool, String)>,
    pub audience: Option<Audience>,
    pub introspection: Option<&'a Introspection>,
    pub no_introspection: &'a str,
    pub expect: &'a Expect<'a>,
}

/// `jwt` or `opaque`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenFormat {
    Jwt,
    Opaque,
}

/// What an MCP server would make of the token, as far as can be known here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenOutcome {
    /// No check failed, and the signature verified or the issuer said active.
    Accepted,
    /// A check failed.
    Rejected,
    /// An opaque token that was not introspected: nothing offline can say.
    Unknown,
}

/// A graded token.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TokenGraded {
    pub format: TokenFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    /// Whether the signature was verified with a key of the issuer's JWKS.
    pub signature_verified: bool,
    /// The checks that apply to this token, in catalogue order.
    pub checks: Vec<Finding>,
    /// Would an MCP resource server accept it? (`outcome` is `Accepted`.)
    pub accepted: bool,
    pub outcome: TokenOutcome,
    /// The fix of the first failing check that has one worth leading with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// The checks whose fix leads, in this order, when more than one fails.
const HINT_ORDER: [&CheckDef; 4] = [&TOKEN_AUD, &TOKEN_EXP, &TOKEN_SCOPE, &TOKEN_INTROSPECTION];

impl TokenGraded {
    /// Accepted; a required check failed; or nothing to judge by (an opaque
    /// token not introspected: `NotFound`, exit 3).
    pub fn verdict(&self) -> crate::Verdict {
        match self.outcome {
            TokenOutcome::Accepted => crate::Verdict::Ok,
            TokenOutcome::Rejected => crate::Verdict::RequiredFailed,
            TokenOutcome::Unknown => crate::Verdict::NotFound,
        }
    }
}

/// Grade a token.
pub fn grade_token(facts: &TokenFacts<'_>) -> TokenGraded {
    let decoded = jwt::decode_unverified(facts.token);
    let signature = match (&decoded, facts.verify_signature) {
        (Some(d), true) => Some(signature::verify(facts.token, d, facts.jwks, facts.no_jwks)),
        _ => None,
    };
    let analysis = TokenAnalysis {
        audience: decoded
            .as_ref()
            .map(|d| jwt::audience(&d.claims, facts.expect.resource, facts.expect.now)),
        decoded,
        signature,
        introspection: facts.introspection.as_ref(),
        no_introspection: facts.no_introspection,
        expect: &facts.expect,
    };
    let checks: Vec<Finding> = CATALOGUE
        .iter()
        .filter_map(|c| match c.grade {
            Grade::Token(f) => f(&analysis).map(|o| finding(c, o, None)),
            _ => None,
        })
        .collect();
    let failed = |c: &CheckDef| {
        checks
            .iter()
            .any(|f| f.id == c.id && f.status == Status::Fail)
    };
    let verified = analysis.signature.as_ref().is_some_and(|(ok, _)| *ok);
    let introspected = checks
        .iter()
        .any(|f| f.id == TOKEN_INTROSPECTION.id && f.status == Status::Pass);
    let format = if analysis.decoded.is_some() {
        TokenFormat::Jwt
    } else {
        TokenFormat::Opaque
    };
    let outcome = if checks.iter().any(|f| f.status == Status::Fail) {
        TokenOutcome::Rejected
    } else if verified || introspected || !facts.verify_signature {
        TokenOutcome::Accepted
    } else if format == TokenFormat::Opaque {
        TokenOutcome::Unknown
    } else {
        TokenOutcome::Rejected
    };
    let hint = match outcome {
        TokenOutcome::Unknown => Some(TOKEN_INTROSPECTION.hint.to_owned()),
        _ => HINT_ORDER
            .iter()
            .find(|c| failed(c))
            .map(|c| c.hint.to_owned()),
    };
    let (header, claims) = match analysis.decoded {
        Some(d) => (Some(d.header), Some(d.claims)),
        None => (
            None,
            facts
                .introspection
                .as_ref()
                .and_then(|i| i.answer.as_ref().ok().cloned()),
        ),
    };
    TokenGraded {
        format,
        header,
        claims,
        signature_verified: verified,
        checks,
        accepted: outcome == TokenOutcome::Accepted,
        outcome,
        hint,
    }
}
