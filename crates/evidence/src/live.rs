//! The live flow of `check --login`: every exchange of the login, the MCP
//! calls with the token, the refresh and userinfo, recorded with every
//! token, code, verifier, secret and assertion redacted; and the facts
//! grading needs that the redacted exchanges no longer show (the access
//! token's decoded claims, whether the callback's `state` matched, whether a
//! refresh token came back and whether it differed: booleans, never values).

use serde::{Deserialize, Serialize};

use crate::Exchange;

/// Which step of the live flow an exchange belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveStep {
    /// Registration and the token request of the login.
    Login,
    /// `initialize` and `tools/list` with the login token.
    McpCall,
    /// The refresh with the same `resource`.
    Refresh,
    /// GET `userinfo_endpoint` with the login token.
    Userinfo,
    /// A token obtained for another audience (without `resource`).
    OtherAudienceToken,
    /// The MCP server called with that token.
    OtherAudienceCall,
    /// `--intrusive`: the refresh token used again after rotation.
    RefreshReuse,
    /// `--intrusive`: a second authorization code redeemed with a wrong `code_verifier`.
    PkceWrongVerifier,
}

/// One exchange of the live flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LiveExchange {
    pub step: LiveStep,
    pub exchange: Exchange,
}

/// How a request made with a token ended (the session checks' answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum LiveAnswer {
    /// 2xx with a usable answer.
    Ok,
    /// An HTTP error status.
    Refused {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        challenge: Option<String>,
        detail: String,
    },
    /// A 2xx without the answer asked for.
    Unusable { detail: String },
    /// No HTTP answer.
    Unreachable { detail: String },
    /// Not asked, and why.
    NotAsked { detail: String },
}

/// What the authorization response (the loopback callback) carried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CallbackFacts {
    /// A callback arrived.
    pub received: bool,
    /// Its `state` equals the one sent.
    pub state_matched: bool,
    /// Its RFC 9207 `iss`, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The metadata advertised `authorization_response_iss_parameter_supported`.
    pub iss_advertised: bool,
    /// Its `error`, when it carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a token endpoint answer held, decoded (never the token itself).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TokenFacts {
    /// `token_type` as served.
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// The granted scope (as returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A refresh token came back.
    pub refresh_token: bool,
    /// The access token is a JWT; its claims follow.
    pub jwt: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aud: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// The JWT's `scope` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_scope: Option<String>,
}

/// The refresh with the same `resource`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RefreshFacts {
    /// The refresh succeeded; its answer's facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenFacts>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A new refresh token came back and differs from the old one.
    pub rotated: bool,
    /// `--intrusive`: the old refresh token used again was refused (None: not tried).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_refused: Option<bool>,
}

/// A token not issued for this MCP server, and what the server did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OtherAudience {
    /// How it was obtained ("a token request without resource", …).
    pub how: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenFacts>,
    /// Why no such token was obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The MCP server's answer to it (None: not called).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<LiveAnswer>,
}

/// Everything `check --login` observed after discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LiveEvidence {
    /// The grant (`authorization_code`, `client_credentials`, …).
    pub grant: String,
    pub issuer: String,
    /// The client id used (a CIMD URL, a pre-registered or a registered id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The RFC 8707 resource sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The scope requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_requested: Option<String>,
    /// `--intrusive` was given.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub intrusive: bool,
    /// Why the login stopped without a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackFacts>,
    /// The login's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenFacts>,
    /// The MCP server's answer to `initialize` and `tools/list` with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<LiveAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<RefreshFacts>,
    /// userinfo's answer, and the names of the claims it returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo: Option<LiveAnswer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub userinfo_claims: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_audience: Option<OtherAudience>,
    /// Every exchange, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<LiveExchange>,
}

impl LiveEvidence {
    /// The exchanges of one step, in order.
    pub fn step(&self, step: LiveStep) -> impl Iterator<Item = &Exchange> {
        self.exchanges
            .iter()
            .filter(move |e| e.step == step)
            .map(|e| &e.exchange)
    }

    /// The token request of a step: its last exchange with a `grant_type`.
    pub fn token_exchange(&self, step: LiveStep) -> Option<&Exchange> {
        self.step(step)
            .filter(|e| {
                e.request
                    .body
                    .as_deref()
                    .is_some_and(|b| b.contains("grant_type="))
            })
            .last()
    }
}
