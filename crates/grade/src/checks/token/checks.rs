//! TOKEN-*: one check per step of a resource server's bearer check. A check
//! returns `None` when it does not apply to this token (a JWT-only check on
//! an opaque token, `nbf` when absent, scopes when none are required).

use serde_json::Value;

use crate::{CheckDef, Grade, Level, Outcome};

const AUDIENCE_HINT: &str = "Request the token for the MCP server: send the RFC 8707 `resource` parameter (Auth0: also set `audience` to the API identifier; Keycloak: add an audience mapper for the client scope; Entra ID: ask for the scope `<resource>/.default` instead of `resource`).";

fn ok_or_fail(ok: bool, detail: String) -> Outcome {
    if ok {
        Outcome::pass(detail)
    } else {
        Outcome::fail(detail)
    }
}

pub const TOKEN_SIGNATURE: CheckDef = CheckDef {
    id: "TOKEN-SIGNATURE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "JWT signature verifies with a key of the issuer's JWKS (never alg none)",
    spec: "RFC 9068 §4; RFC 7515 §5.2; MCP 2025-06-18+ §Token Handling",
    hint: "Sign access tokens with a key published at the issuer's jwks_uri (RS256 or ES256); never issue unsigned tokens.",
    doc: "For a JWT access token (`mcp-auth token inspect`), verifies the signature with the \
          header's alg and a key of the issuer's JWKS: the key whose kid matches the header's, or \
          the first key when the header has no kid. An alg of none or empty, an unknown alg, no \
          JWKS, no key with that kid, an unusable key, or a signature that does not verify fails; \
          the claims have their own checks. Not applied to opaque tokens, nor in `whoami`, which \
          reads the claims unverified. An MCP server that validates JWT access tokens locally \
          does the same, and must never accept an unsigned token. Sources: RFC 9068 §4; RFC 7515 \
          §5.2; MCP 2025-06-18+ §Token Handling.",
    grade: Grade::Token(|t| {
        t.signature
            .as_ref()
            .map(|(ok, detail)| ok_or_fail(*ok, detail.clone()))
    }),
};

pub const TOKEN_TYP: CheckDef = CheckDef {
    id: "TOKEN-TYP",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "JWT header typ, when present, is at+jwt",
    spec: "RFC 9068 §2.1, §4",
    hint: "Issue RFC 9068 access tokens with the header typ at+jwt, so an ID token cannot pass for an access token.",
    doc: "Applies only when the JWT header has a typ: at+jwt or application/at+jwt (any case) \
          passes, anything else, such as JWT, fails. RFC 9068 access tokens carry typ at+jwt so \
          that a resource server can tell them from ID tokens and other JWTs signed with the same \
          keys, and RFC 9068 tells resource servers to reject tokens with any other typ. Source: \
          RFC 9068 §2.1, §4.",
    grade: Grade::Token(|t| {
        let typ = t.decoded.as_ref()?.header.get("typ")?.as_str()?;
        Some(ok_or_fail(
            typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt"),
            format!("typ={typ} (RFC 9068 access tokens use at+jwt)"),
        ))
    }),
};

pub const TOKEN_ISS: CheckDef = CheckDef {
    id: "TOKEN-ISS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "iss is the authorization server's issuer",
    spec: "RFC 9068 §4; RFC 7519 §4.1.1",
    hint: "The token must come from the authorization server the MCP server trusts: its iss equals that server's issuer exactly.",
    doc: "Compares the JWT's iss claim, as an exact string, with the expected issuer: --issuer, \
          else the cached login's issuer, else the token's own iss (which then only shows that \
          there is one); a different or missing iss fails. An MCP server accepts only tokens from \
          the authorization server it trusts, identified by exactly this issuer string. Not \
          applied to opaque tokens. Sources: RFC 9068 §4; RFC 7519 §4.1.1.",
    grade: Grade::Token(|t| {
        let a = t.audience.as_ref()?;
        Some(match (t.expect.issuer, &a.iss) {
            (Some(want), Some(got)) => ok_or_fail(want == got, format!("iss={got}, expected {want}")),
            (Some(want), None) => Outcome::fail(format!("no iss; expected {want}")),
            (None, got) => ok_or_fail(
                got.is_some(),
                format!("iss={}", got.as_deref().unwrap_or("(none)")),
            ),
        })
    }),
};

pub const TOKEN_AUD: CheckDef = CheckDef {
    id: "TOKEN-AUD",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "aud contains the MCP server (the RFC 8707 resource)",
    spec: "RFC 8707 §2; RFC 9068 §4; MCP 2025-06-18+ §Token Handling (audience validation)",
    hint: AUDIENCE_HINT,
    doc: "Checks the JWT's aud claim (a string or an array) against the MCP server's resource \
          (--resource, else the resource of the cached login): it passes when an entry equals the \
          resource exactly and fails otherwise; with no resource to compare it only requires a \
          non-empty aud. MCP servers MUST validate that tokens were issued for them, so they \
          refuse a token that lacks them in its audience even when all else is right; the usual \
          cause is a token requested without the RFC 8707 resource parameter (the hint names \
          provider-specific fixes). Not applied to opaque tokens. Sources: RFC 8707 §2; RFC 9068 \
          §4; MCP 2025-06-18+ §Token Handling.",
    grade: Grade::Token(|t| {
        let a = t.audience.as_ref()?;
        let aud = a.aud.join(", ");
        Some(match a.contains_resource {
            Some(true) => Outcome::pass(format!("aud {aud} contains the resource")),
            Some(false) => Outcome::fail(format!(
                "aud [{aud}] does not contain {}",
                t.expect.resource.unwrap_or_default()
            )),
            None => ok_or_fail(
                !a.aud.is_empty(),
                format!("aud [{aud}] (give --resource to check it)"),
            ),
        })
    }),
};

pub const TOKEN_EXP: CheckDef = CheckDef {
    id: "TOKEN-EXP",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "exp is present and not past (with the leeway)",
    spec: "RFC 9068 §2.2; RFC 7519 §4.1.4",
    hint: "Refresh it (`mcp-auth login --refresh`) or log in again.",
    doc: "Requires a numeric exp claim and fails when it is missing or lies further in the past \
          than the leeway (--leeway, 60 seconds by default, in `token inspect`; none in \
          `whoami`). RFC 9068 makes exp REQUIRED in JWT access tokens, and resource servers \
          reject expired ones, so an MCP server answers 401 until the token is refreshed or a new \
          one obtained. Not applied to opaque tokens. Sources: RFC 9068 §2.2; RFC 7519 §4.1.4.",
    grade: Grade::Token(|t| {
        let a = t.audience.as_ref()?;
        let leeway = i64::try_from(t.expect.leeway).unwrap_or(0);
        Some(match a.expires_in {
            Some(s) if s + leeway < 0 => Outcome::fail(format!("expired {} s ago", -s)),
            Some(s) => Outcome::pass(format!("expires in {s} s")),
            None => Outcome::fail("no exp claim: resource servers require one"),
        })
    }),
};

pub const TOKEN_NBF: CheckDef = CheckDef {
    id: "TOKEN-NBF",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "nbf, when present, is not in the future (with the leeway)",
    spec: "RFC 7519 §4.1.5",
    hint: "Check the clocks of the authorization server and the MCP server (NTP).",
    doc: "Applies only when the JWT has a numeric nbf claim, and fails when it lies further in \
          the future than the leeway (--leeway, 60 seconds by default, in `token inspect`; none \
          in `whoami`). Resource servers reject a token before its not-before time; a failure \
          here usually means the clocks of the authorization server and the MCP server, or of \
          this machine, disagree. Source: RFC 7519 §4.1.5.",
    grade: Grade::Token(|t| {
        let nbf = t
            .decoded
            .as_ref()?
            .claims
            .get("nbf")
            .and_then(Value::as_i64)?;
        let now = i64::try_from(t.expect.now).unwrap_or(i64::MAX);
        let leeway = i64::try_from(t.expect.leeway).unwrap_or(0);
        Some(ok_or_fail(
            nbf - leeway <= now,
            format!("not before {nbf} (now {now})"),
        ))
    }),
};

pub const TOKEN_SCOPE: CheckDef = CheckDef {
    id: "TOKEN-SCOPE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "the token carries the required scopes",
    spec: "RFC 6750 §3.1 (insufficient_scope → 403); MCP 2025-11-25 §Scope Challenge Handling",
    hint: "Log in again asking for the missing scopes (`mcp-auth login --scope`); an MCP server answers 403 insufficient_scope.",
    doc: "Applies only when scopes are required (`token inspect --require-scope`, repeatable): \
          reads the JWT's space-separated scope claim, or else scp as a string or an array, and \
          fails when any required scope is missing. An MCP server answers a token that lacks a \
          needed scope with 403 insufficient_scope, and the client must then step up with a new \
          authorization request. Not applied to opaque tokens. Sources: RFC 6750 §3.1; MCP \
          2025-11-25 §Scope Challenge Handling.",
    grade: Grade::Token(|t| {
        let a = t.audience.as_ref()?;
        let required = t.expect.required_scopes;
        if required.is_empty() {
            return None;
        }
        let missing: Vec<&str> = required
            .iter()
            .filter(|s| !a.scopes.contains(s))
            .map(String::as_str)
            .collect();
        Some(if missing.is_empty() {
            Outcome::pass(format!("has {}", required.join(" ")))
        } else {
            Outcome::fail(format!(
                "lacks {} (has: {})",
                missing.join(" "),
                a.scopes.join(" ")
            ))
        })
    }),
};

pub const TOKEN_INTROSPECTION: CheckDef = CheckDef {
    id: "TOKEN-INTROSPECTION",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "an opaque token is active at the issuer (RFC 7662 introspection)",
    spec: "RFC 7662 §2.2; RFC 9068 §1 (JWT access tokens avoid the round trip)",
    hint: "Introspect it (RFC 7662): pass --client-id, with --client-secret-file or MCP_AUTH_CLIENT_SECRET for a confidential client (a cached login's client is used by default), or ask the provider for JWT access tokens (RFC 9068).",
    doc: "Applies only to opaque (non-JWT) tokens, which cannot be judged offline: only the \
          issuer can interpret them. When the issuer's metadata has an `introspection_endpoint` \
          and a client is known (--client-id, else the cached login's; HTTP Basic with a secret \
          from --client-secret-file or MCP_AUTH_CLIENT_SECRET, else the client id alone, as a \
          public client), `token inspect` asks the issuer (RFC 7662): active true passes, active \
          false fails. An answer without a boolean active, an error status or no answer warns, \
          and without introspection it is skipped: the token is then neither accepted nor \
          rejected (exit 3). Sources: RFC 7662 §2.2; RFC 9068 §1.",
    grade: Grade::Token(|t| {
        if t.decoded.is_some() {
            return None;
        }
        Some(match t.introspection {
            None => Outcome::skip(format!(
                "opaque: cannot be checked offline, and not introspected: {}",
                t.no_introspection
            )),
            Some(i) => match &i.answer {
                Ok(body) => match body.get("active").and_then(Value::as_bool) {
                    Some(true) => Outcome::pass(format!("{}: active=true", i.endpoint)),
                    Some(false) => Outcome::fail(format!(
                        "{}: active=false (expired, revoked, or not issued there)",
                        i.endpoint
                    )),
                    None => Outcome::warn(format!(
                        "{}: the answer has no boolean active member",
                        i.endpoint
                    )),
                },
                Err(e) => Outcome::warn(format!("could not introspect: {e}")),
            },
        })
    }),
};
