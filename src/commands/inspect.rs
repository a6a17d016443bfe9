//! `mcp-auth token inspect`: what an MCP resource server's bearer check would
//! make of a token. A JWT's signature is verified against the issuer's
//! `jwks_uri` (discovered), then `iss`, `aud` ∋ resource, `exp`/`nbf` with a
//! leeway, and required scopes; `alg: none` is always refused. An opaque
//! token can be introspected (RFC 7662) with client credentials.

use std::io::{Read, Write};

use comfy_table::Cell;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::{Format, TokenInspectArgs};
use crate::commands::login::{prober, report_error, select};
use crate::exit::ExitStatus;
use crate::jwt;
use crate::login::LoginError;
use crate::report::table::{header, new_table, Style};
use crate::token_store::{now, TokenStore};

#[derive(Debug, Serialize)]
pub struct Inspection {
    /// `jwt` or `opaque`.
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    /// Whether the signature was verified with a key of the issuer's JWKS.
    pub signature_verified: bool,
    /// Each step a resource server's bearer check takes.
    pub steps: Vec<Step>,
    /// Would an MCP resource server accept it?
    pub accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn step(name: &'static str, ok: bool, detail: impl Into<String>) -> Step {
    Step {
        name,
        ok,
        detail: detail.into(),
    }
}

const AUDIENCE_HINT: &str = "Request the token for the MCP server: send the RFC 8707 `resource` parameter (Auth0: also set `audience` to the API identifier; Keycloak: add an audience mapper for the client scope; Entra ID: ask for the scope `<resource>/.default` instead of `resource`).";

/// Everything the verification needs besides the token: pure, so unit tests
/// can drive it with any JWKS.
pub struct Expect<'a> {
    pub issuer: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub required_scopes: &'a [String],
    pub leeway: u64,
    pub now: u64,
}

/// Verify a JWT against a JWKS and the expectations. Pure.
pub fn verify(
    token: &str,
    jwks: Option<&jsonwebtoken::jwk::JwkSet>,
    expect: &Expect<'_>,
) -> Inspection {
    let Some(decoded) = jwt::decode_unverified(token) else {
        return Inspection {
            format: "opaque",
            header: None,
            claims: None,
            signature_verified: false,
            steps: vec![step("format", false, "not a JWT: only the issuer (introspection) can say what it means")],
            accepted: false,
            hint: Some("Pass --client-id/--client-secret to introspect it (RFC 7662), or ask the provider for JWT access tokens (RFC 9068).".to_owned()),
        };
    };
    let mut steps = Vec::new();
    let mut hint = None;
    let alg_name = decoded
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut verified = false;
    if alg_name.eq_ignore_ascii_case("none") || alg_name.is_empty() {
        steps.push(step(
            "signature",
            false,
            format!("alg={alg_name:?}: an unsigned token is never accepted"),
        ));
    } else {
        match (alg_name.parse::<Algorithm>(), jwks) {
            (Err(_), _) => steps.push(step("signature", false, format!("unknown alg {alg_name}"))),
            (_, None) => steps.push(step(
                "signature",
                false,
                "no JWKS to verify with (the issuer publishes no jwks_uri)",
            )),
            (Ok(alg), Some(set)) => {
                let kid = decoded.header.get("kid").and_then(Value::as_str);
                let key = set
                    .keys
                    .iter()
                    .find(|k| kid.is_none() || k.common.key_id.as_deref() == kid);
                match key.map(DecodingKey::from_jwk) {
                    None => steps.push(step(
                        "signature",
                        false,
                        format!(
                            "no key with kid {:?} in the issuer's JWKS",
                            kid.unwrap_or("")
                        ),
                    )),
                    Some(Err(e)) => steps.push(step(
                        "signature",
                        false,
                        format!("the JWKS key cannot be used: {e}"),
                    )),
                    Some(Ok(key)) => {
                        // Only the signature here; the claims are checked step by step below.
                        let mut v = Validation::new(alg);
                        v.validate_exp = false;
                        v.validate_aud = false;
                        v.required_spec_claims.clear();
                        match jsonwebtoken::decode::<Value>(token, &key, &v) {
                            Ok(_) => {
                                verified = true;
                                steps.push(step(
                                    "signature",
                                    true,
                                    format!(
                                        "{alg_name} signature verified with key {}",
                                        kid.unwrap_or("(no kid)")
                                    ),
                                ));
                            }
                            Err(e) => steps.push(step(
                                "signature",
                                false,
                                format!("{alg_name} signature does not verify: {e}"),
                            )),
                        }
                    }
                }
            }
        }
    }
    let c = &decoded.claims;
    if let Some(typ) = decoded.header.get("typ").and_then(Value::as_str) {
        steps.push(step(
            "typ",
            typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt"),
            format!("typ={typ} (RFC 9068 access tokens use at+jwt)"),
        ));
    }
    let a = jwt::audience(c, expect.resource, expect.now);
    match (expect.issuer, &a.iss) {
        (Some(want), Some(got)) => steps.push(step(
            "iss",
            want == got,
            format!("iss={got}, expected {want}"),
        )),
        (Some(want), None) => steps.push(step("iss", false, format!("no iss; expected {want}"))),
        (None, got) => steps.push(step(
            "iss",
            got.is_some(),
            format!("iss={}", got.as_deref().unwrap_or("(none)")),
        )),
    }
    match a.contains_resource {
        Some(true) => steps.push(step(
            "aud",
            true,
            format!("aud {} contains the resource", a.aud.join(", ")),
        )),
        Some(false) => {
            steps.push(step(
                "aud",
                false,
                format!(
                    "aud [{}] does not contain {}",
                    a.aud.join(", "),
                    expect.resource.unwrap_or_default()
                ),
            ));
            hint = Some(AUDIENCE_HINT.to_owned());
        }
        None => steps.push(step(
            "aud",
            !a.aud.is_empty(),
            format!("aud [{}] (give --resource to check it)", a.aud.join(", ")),
        )),
    }
    let leeway = i64::try_from(expect.leeway).unwrap_or(0);
    match a.expires_in {
        Some(s) if s + leeway < 0 => {
            steps.push(step("exp", false, format!("expired {} s ago", -s)));
            hint.get_or_insert_with(|| {
                "Refresh it (`mcp-auth login --refresh`) or log in again.".to_owned()
            });
        }
        Some(s) => steps.push(step("exp", true, format!("expires in {s} s"))),
        None => steps.push(step(
            "exp",
            false,
            "no exp claim: resource servers require one",
        )),
    }
    if let Some(nbf) = c.get("nbf").and_then(Value::as_i64) {
        let now = i64::try_from(expect.now).unwrap_or(i64::MAX);
        steps.push(step(
            "nbf",
            nbf - leeway <= now,
            format!("not before {nbf} (now {now})"),
        ));
    }
    if !expect.required_scopes.is_empty() {
        let missing: Vec<&String> = expect
            .required_scopes
            .iter()
            .filter(|s| !a.scopes.contains(s))
            .collect();
        let ok = missing.is_empty();
        steps.push(step(
            "scope",
            ok,
            if ok {
                format!("has {}", expect.required_scopes.join(" "))
            } else {
                format!(
                    "lacks {} (has: {})",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    a.scopes.join(" ")
                )
            },
        ));
        if !ok {
            hint.get_or_insert_with(|| "Log in again asking for the missing scopes (`mcp-auth login --scope`); an MCP server answers 403 insufficient_scope.".to_owned());
        }
    }
    let accepted = verified && steps.iter().all(|s| s.ok);
    Inspection {
        format: "jwt",
        header: Some(decoded.header),
        claims: Some(decoded.claims),
        signature_verified: verified,
        steps,
        accepted,
        hint,
    }
}

fn read_token(arg: Option<&str>) -> Result<Option<String>, LoginError> {
    match arg {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| LoginError::Usage(format!("cannot read the token from stdin: {e}")))?;
            Ok(Some(s.trim().to_owned()))
        }
        Some(t) => Ok(Some(t.trim().to_owned())),
        None => Ok(None),
    }
}

pub async fn run(
    args: &TokenInspectArgs,
    style: Style,
    out: &mut dyn Write,
) -> Result<ExitStatus, crate::Error> {
    let mut err = std::io::stderr();
    let prober = prober(&args.net)?;
    let (token, mut issuer, mut resource) = match read_token(args.token.as_deref()) {
        Err(e) => return Ok(report_error(&e, &mut err)),
        Ok(Some(t)) => (t, args.issuer.clone(), args.resource.clone()),
        Ok(None) => {
            let store = match TokenStore::from_env() {
                Ok(s) => s,
                Err(e) => return Ok(report_error(&LoginError::Store(e), &mut err)),
            };
            match select(&store, args.cached.as_deref()) {
                Ok((_, e)) => (
                    e.access_token.expose().to_owned(),
                    args.issuer.clone().or(Some(e.issuer)),
                    args.resource.clone().or(e.resource),
                ),
                Err(e) => return Ok(report_error(&e, &mut err)),
            }
        }
    };
    if token.is_empty() {
        return Ok(report_error(
            &LoginError::Usage("the token is empty".to_owned()),
            &mut err,
        ));
    }
    let decoded = jwt::decode_unverified(&token);
    if issuer.is_none() {
        issuer = decoded.as_ref().and_then(|d| {
            d.claims
                .get("iss")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    }
    resource = resource.filter(|r| !r.is_empty());
    // The issuer's metadata gives the JWKS (and the introspection endpoint).
    let metadata = match &issuer {
        Some(i) => match crate::discovery::parse_http_url(i) {
            Ok(u) => {
                let disc = crate::discovery::discover_issuer(
                    &prober,
                    &u,
                    i,
                    crate::evidence::AsRole::Target,
                )
                .await;
                match crate::login::validated_metadata(&disc, i) {
                    Ok(md) => Some(md),
                    Err(e) => {
                        let _ = writeln!(err, "warning: {e}");
                        None
                    }
                }
            }
            Err(e) => return Ok(report_error(&LoginError::Usage(e.to_string()), &mut err)),
        },
        None => None,
    };
    let jwks = match metadata.as_ref().and_then(|m| m.jwks_uri.clone()) {
        Some(uri) if decoded.is_some() => {
            let ex = prober
                .send(crate::probe::ProbeRequest::metadata_get(uri.clone()))
                .await;
            match ex.response.filter(|r| r.status == 200) {
                Some(r) => serde_json::from_str::<jsonwebtoken::jwk::JwkSet>(&r.body).ok(),
                None => {
                    let _ = writeln!(err, "warning: cannot fetch the JWKS at {uri}");
                    None
                }
            }
        }
        _ => None,
    };
    let mut inspection = verify(
        &token,
        jwks.as_ref(),
        &Expect {
            issuer: issuer.as_deref(),
            resource: resource.as_deref(),
            required_scopes: &args.require_scope,
            leeway: args.leeway,
            now: args.at.unwrap_or_else(now),
        },
    );
    if inspection.format == "opaque" {
        if let (Some(id), Some(secret), Some(endpoint)) = (
            &args.client_id,
            &args.client_secret,
            metadata
                .as_ref()
                .and_then(|m| m.introspection_endpoint.clone()),
        ) {
            use base64::Engine;
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            let req = crate::probe::ProbeRequest::form_post(
                endpoint.as_str(),
                &[("token", token.as_str())],
            )
            .header("authorization", format!("Basic {basic}"));
            let (ex, raw) = prober.send_keeping_secrets(req).await;
            match (&ex.response, &ex.error) {
                (Some(r), None) if (200..300).contains(&r.status) => {
                    let text = raw.unwrap_or_default();
                    let body: Map<String, Value> = serde_json::from_str(&text).unwrap_or_default();
                    let active = body.get("active").and_then(Value::as_bool).unwrap_or(false);
                    inspection.steps = vec![step(
                        "introspection",
                        active,
                        format!("{endpoint}: active={active}"),
                    )];
                    inspection.accepted = active;
                    inspection.claims = Some(body);
                }
                (Some(r), _) => inspection.steps.push(step(
                    "introspection",
                    false,
                    format!("{endpoint} answered {}", r.status),
                )),
                (None, e) => inspection.steps.push(step(
                    "introspection",
                    false,
                    format!(
                        "{endpoint}: {}",
                        e.as_ref().map_or("no response", |e| e.message.as_str())
                    ),
                )),
            }
        }
    }
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &inspection).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Table | Format::Markdown => render(&inspection, style, out)?,
    }
    Ok(if inspection.accepted {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    })
}

fn render(i: &Inspection, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    if let (Some(h), Some(c)) = (&i.header, &i.claims) {
        writeln!(out, "JWT header: {}", Value::Object(h.clone()))?;
        let mut t = new_table(style);
        header(&mut t, &["Claim", "Value"], style);
        for (k, v) in c {
            t.add_row(vec![
                Cell::new(k),
                Cell::new(match v {
                    Value::String(s) => s.clone(),
                    o => o.to_string(),
                }),
            ]);
        }
        writeln!(out, "{t}")?;
    } else {
        writeln!(out, "Opaque token (not a JWT).")?;
    }
    let mut t = new_table(style);
    header(&mut t, &["Step", "OK", "Detail"], style);
    for s in &i.steps {
        t.add_row(vec![
            Cell::new(s.name),
            Cell::new(if s.ok { "yes" } else { "no" }),
            Cell::new(&s.detail),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "{}",
        if i.accepted {
            "An MCP server checking signature, issuer, audience, expiry and scopes would accept this token."
        } else {
            "An MCP server would reject this token."
        }
    )?;
    if let Some(h) = &i.hint {
        writeln!(out, "fix: {h}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use jsonwebtoken::{encode, EncodingKey, Header};

    const ISS: &str = "https://as.example";
    const RES: &str = "https://mcp.example/mcp";
    const NOW: u64 = 1_800_000_000;

    struct Key {
        pair: rcgen::KeyPair,
    }

    impl Key {
        fn new() -> Self {
            Self {
                pair: rcgen::KeyPair::generate().unwrap(),
            }
        }
        fn jwks(&self, kid: &str) -> jsonwebtoken::jwk::JwkSet {
            let raw = self.pair.public_key_raw();
            let b = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
            serde_json::from_value(serde_json::json!({"keys": [{
                "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
                "x": b(&raw[1..33]), "y": b(&raw[33..65]),
            }]}))
            .unwrap()
        }
        fn sign(&self, kid: &str, claims: &Value) -> String {
            let mut h = Header::new(Algorithm::ES256);
            h.kid = Some(kid.into());
            h.typ = Some("at+jwt".into());
            encode(
                &h,
                claims,
                &EncodingKey::from_ec_pem(self.pair.serialize_pem().as_bytes()).unwrap(),
            )
            .unwrap()
        }
    }

    fn claims(aud: &str, exp: u64) -> Value {
        serde_json::json!({"iss": ISS, "aud": aud, "exp": exp, "sub": "alice", "scope": "openid mcp:tools"})
    }

    fn expect(scopes: &[String]) -> Expect<'_> {
        Expect {
            issuer: Some(ISS),
            resource: Some(RES),
            required_scopes: scopes,
            leeway: 60,
            now: NOW,
        }
    }

    fn failed(i: &Inspection) -> Vec<&'static str> {
        i.steps.iter().filter(|s| !s.ok).map(|s| s.name).collect()
    }

    #[test]
    fn a_good_token_is_accepted() {
        let k = Key::new();
        let i = verify(
            &k.sign("k1", &claims(RES, NOW + 600)),
            Some(&k.jwks("k1")),
            &expect(&["mcp:tools".into()]),
        );
        assert!(i.accepted, "{:?}", i.steps);
        assert!(i.signature_verified);
    }

    #[test]
    fn each_rejection_names_its_step() {
        let k = Key::new();
        let jwks = k.jwks("k1");
        let e = expect(&[]);
        let expired = verify(&k.sign("k1", &claims(RES, NOW - 3600)), Some(&jwks), &e);
        assert_eq!(failed(&expired), ["exp"]);
        // Within the leeway is still fine.
        assert!(verify(&k.sign("k1", &claims(RES, NOW - 30)), Some(&jwks), &e).accepted);
        let wrong_aud = verify(
            &k.sign("k1", &claims("https://other.example", NOW + 600)),
            Some(&jwks),
            &e,
        );
        assert_eq!(failed(&wrong_aud), ["aud"]);
        assert!(wrong_aud.hint.as_deref().unwrap().contains("audience"));
        let other_key = Key::new();
        let forged = verify(
            &other_key.sign("k1", &claims(RES, NOW + 600)),
            Some(&jwks),
            &e,
        );
        assert_eq!(failed(&forged), ["signature"]);
        assert!(!forged.signature_verified);
        let scopes = ["admin".to_owned()];
        let scope = verify(
            &k.sign("k1", &claims(RES, NOW + 600)),
            Some(&jwks),
            &expect(&scopes),
        );
        assert_eq!(failed(&scope), ["scope"]);
    }

    #[test]
    fn alg_none_and_tampering_are_refused() {
        let k = Key::new();
        let jwks = k.jwks("k1");
        let b = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!(
            "{}.{}.",
            b(&serde_json::json!({"alg": "none"})),
            b(&claims(RES, NOW + 600))
        );
        let i = verify(&none, Some(&jwks), &expect(&[]));
        assert!(!i.accepted);
        assert!(i.steps[0].detail.contains("unsigned"), "{:?}", i.steps);
        let good = k.sign("k1", &claims(RES, NOW + 600));
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[1] = b(&claims(RES, NOW + 999_999));
        let tampered = verify(&parts.join("."), Some(&jwks), &expect(&[]));
        assert_eq!(failed(&tampered), ["signature"]);
    }

    #[test]
    fn opaque_tokens_say_so() {
        let i = verify("opaque-value", None, &expect(&[]));
        assert_eq!(i.format, "opaque");
        assert!(!i.accepted);
    }
}
