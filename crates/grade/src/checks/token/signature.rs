//! The signature of a JWT, against the keys of the issuer's JWKS.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use mcp_auth_evidence::jwt::Decoded;

/// Whether the signature verifies, and what was found.
pub fn verify(
    token: &str,
    decoded: &Decoded,
    jwks: Option<&jsonwebtoken::jwk::JwkSet>,
    no_jwks: &str,
) -> (bool, String) {
    let alg_name = decoded
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("");
    if alg_name.eq_ignore_ascii_case("none") || alg_name.is_empty() {
        return (
            false,
            format!("alg={alg_name:?}: an unsigned token is never accepted"),
        );
    }
    let Ok(alg) = alg_name.parse::<Algorithm>() else {
        return (false, format!("unknown alg {alg_name}"));
    };
    let Some(set) = jwks else {
        return (false, format!("no JWKS to verify with ({no_jwks})"));
    };
    let kid = decoded.header.get("kid").and_then(Value::as_str);
    let key = set
        .keys
        .iter()
        .find(|k| kid.is_none() || k.common.key_id.as_deref() == kid);
    let key = match key.map(DecodingKey::from_jwk) {
        None => {
            return (
                false,
                format!(
                    "no key with kid {:?} in the issuer's JWKS",
                    kid.unwrap_or("")
                ),
            )
        }
        Some(Err(e)) => return (false, format!("the JWKS key cannot be used: {e}")),
        Some(Ok(key)) => key,
    };
    // Only the signature here; the claims are graded check by check.
    let mut v = Validation::new(alg);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    match jsonwebtoken::decode::<Value>(token, &key, &v) {
        Ok(_) => (
            true,
            format!(
                "{alg_name} signature verified with key {}",
                kid.unwrap_or("(no kid)")
            ),
        ),
        Err(e) => (false, format!("{alg_name} signature does not verify: {e}")),
    }
}
