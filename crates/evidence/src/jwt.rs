//! Reading a JWT access token without verifying it, and what a resource
//! server would think of it (audience, expiry, scopes). Pure.

use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};

/// A JWT's header and claims, not verified.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Decoded {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

fn part(s: &str) -> Option<Map<String, Value>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Decode a compact JWS; `None` for an opaque token.
pub fn decode_unverified(token: &str) -> Option<Decoded> {
    let mut parts = token.split('.');
    let (h, c, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(Decoded {
        header: part(h)?,
        claims: part(c)?,
    })
}

/// What an MCP resource server's bearer check would make of the claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Audience {
    pub iss: Option<String>,
    pub aud: Vec<String>,
    /// Whether `aud` contains the resource the token was requested for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contains_resource: Option<bool>,
    /// Seconds until `exp` (negative: expired).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    /// `scope` (space-separated) or `scp` (array or string).
    pub scopes: Vec<String>,
}

pub fn audience(claims: &Map<String, Value>, resource: Option<&str>, now: u64) -> Audience {
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let aud = strings(claims.get("aud"));
    let scopes = match claims.get("scope") {
        Some(Value::String(s)) => s
            .split(' ')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => match claims.get("scp") {
            Some(Value::String(s)) => s.split(' ').map(str::to_owned).collect(),
            other => strings(other),
        },
    };
    Audience {
        iss: claims.get("iss").and_then(Value::as_str).map(str::to_owned),
        contains_resource: resource.map(|r| aud.iter().any(|a| a == r)),
        aud,
        expires_in: claims
            .get("exp")
            .and_then(Value::as_i64)
            .map(|exp| exp - i64::try_from(now).unwrap_or(i64::MAX)),
        scopes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &Value, claims: &Value) -> String {
        let e = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", e(header), e(claims))
    }

    #[test]
    fn decodes_and_analyses() {
        let t = jwt(
            &serde_json::json!({"alg": "RS256", "typ": "at+jwt"}),
            &serde_json::json!({"iss": "https://as", "aud": ["https://mcp/mcp"], "exp": 1100, "scope": "openid mcp:tools"}),
        );
        let d = decode_unverified(&t).unwrap();
        assert_eq!(d.header["typ"], "at+jwt");
        let a = audience(&d.claims, Some("https://mcp/mcp"), 1000);
        assert_eq!(a.contains_resource, Some(true));
        assert_eq!(a.expires_in, Some(100));
        assert_eq!(a.scopes, ["openid", "mcp:tools"]);
        let a = audience(&d.claims, Some("https://other/mcp"), 2000);
        assert_eq!(a.contains_resource, Some(false));
        assert_eq!(a.expires_in, Some(-900));
    }

    #[test]
    fn opaque_tokens_are_not_jwts() {
        assert_eq!(decode_unverified("opaque-token"), None);
        assert_eq!(decode_unverified("a.b.c"), None);
        assert_eq!(decode_unverified("a.b.c.d.e"), None);
    }

    #[test]
    fn scp_and_single_audience() {
        let claims = serde_json::json!({"aud": "x", "scp": ["a", "b"]});
        let a = audience(claims.as_object().unwrap(), None, 0);
        assert_eq!(a.aud, ["x"]);
        assert_eq!(a.scopes, ["a", "b"]);
        assert_eq!(a.contains_resource, None);
    }
}
