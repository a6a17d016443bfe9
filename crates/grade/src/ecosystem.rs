//! What `matrix --registry` says of a public MCP server before any client
//! verdict: whether it asks for sign-in at all. A server that answers the
//! unauthenticated `initialize` with 2xx needs no sign-in (its client rows
//! say nothing about OAuth); one that does not answer, or answers as a dead
//! URL does, has no verdict; every other answer (401, and the 400/403 that
//! spec clients do not start OAuth on) is a server that asks for sign-in,
//! whose client rows are the ecosystem's figures.

use serde::{Deserialize, Serialize};

use crate::verdict::Graded;

/// How a listed server answered an MCP client without a token.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// 401, or another answer that is not a success (400, 403, …): a client
    /// has to sign in, and the client rows say whether it can.
    SignIn,
    /// 2xx without a token: nothing to sign in to.
    Open,
    /// 404, 405, 410 or 5xx: the URL does not serve MCP now.
    Unavailable,
    /// No answer: DNS, connection, TLS, timeout, or refused by the URL policy.
    Unreachable,
    /// Listed, but not checked (an `sse` remote, a template variable without
    /// a default, not an https URL, not a public address).
    Skipped,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign-in",
            Self::Open => "open",
            Self::Unavailable => "unavailable",
            Self::Unreachable => "unreachable",
            Self::Skipped => "skipped",
        }
    }

    /// Every value, in the order reports list them.
    pub const ALL: [Access; 5] = [
        Self::SignIn,
        Self::Open,
        Self::Unavailable,
        Self::Unreachable,
        Self::Skipped,
    ];
}

/// The class of an unauthenticated answer's status.
pub fn access_of_status(status: Option<u16>) -> Access {
    match status {
        None => Access::Unreachable,
        Some(200..=299) => Access::Open,
        Some(404 | 405 | 410 | 500..=599) => Access::Unavailable,
        Some(_) => Access::SignIn,
    }
}

/// The class of a graded MCP server (an issuer target has no MCP answer:
/// it is graded as asking for sign-in).
pub fn access(graded: &Graded<'_>) -> Access {
    match &graded.analysis.resource {
        Some(r) => access_of_status(r.status),
        None => Access::SignIn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classed_as_a_client_sees_them() {
        assert_eq!(access_of_status(Some(401)), Access::SignIn);
        assert_eq!(access_of_status(Some(403)), Access::SignIn);
        assert_eq!(access_of_status(Some(400)), Access::SignIn);
        assert_eq!(access_of_status(Some(200)), Access::Open);
        assert_eq!(access_of_status(Some(202)), Access::Open);
        assert_eq!(access_of_status(Some(404)), Access::Unavailable);
        assert_eq!(access_of_status(Some(503)), Access::Unavailable);
        assert_eq!(access_of_status(None), Access::Unreachable);
        let names: Vec<_> = Access::ALL.iter().map(|a| a.as_str()).collect();
        let json: Vec<String> = Access::ALL
            .iter()
            .map(|a| {
                serde_json::to_value(a)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(names, json, "as_str is the JSON name");
    }
}
