//! Dynamic client registration, probed with `--register` (checklist §2.6).
//! The probe registers a public native client three ways: with a
//! `127.0.0.1` redirect URI, with `localhost`, and without `application_type`.

mod metadata;
pub use metadata::{CIMD_AUTH_METHODS, DCR_HTTPS};

use crate::evidence::{Exchange, ProbeKind};
use crate::metadata::{ClientInformation, ErrorResponse};
use crate::{body_doc, AsAnalysis, CheckDef, Doc, Grade, Level, Outcome};

/// RFC 7591 §3.2.2 error codes (plus RFC 6749's generic ones).
const DCR_ERRORS: [&str; 7] = [
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
    "invalid_request",
    "access_denied",
    "invalid_token",
];

/// A registration attempt, read.
struct Reg<'a> {
    ex: &'a Exchange,
    status: Option<u16>,
    client: Option<Doc<ClientInformation>>,
    sent: Option<Doc<ClientInformation>>,
}

impl Reg<'_> {
    fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// "201", or "400 invalid_redirect_uri: …", or the transport error.
    fn describe(&self) -> String {
        let Some(status) = self.status else {
            return self.ex.failure().to_owned();
        };
        match body_doc::<ErrorResponse>(self.ex)
            .and_then(|d| d.md.error.map(|e| (e, d.md.error_description)))
        {
            Some((e, Some(d))) if !self.ok() => format!("{status} {e}: {d}"),
            Some((e, None)) if !self.ok() => format!("{status} {e}"),
            _ => status.to_string(),
        }
    }
}

fn reg<'a>(a: &'a AsAnalysis<'_>, kind: ProbeKind) -> Option<Reg<'a>> {
    let ex = a.probe(kind)?;
    Some(Reg {
        ex,
        status: ex.response.as_ref().map(|r| r.status),
        client: body_doc(ex),
        sent: ex.request.body.as_deref().and_then(|b| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(b)
                .ok()
                .map(|raw| {
                    let (md, type_errors) =
                        <ClientInformation as crate::metadata::Lenient>::from_object(&raw);
                    Doc {
                        raw,
                        md,
                        type_errors,
                    }
                })
        }),
    })
}

/// Run `f` on the main (loopback IP) registration, or skip.
fn with_main(a: &AsAnalysis<'_>, f: impl FnOnce(&Reg<'_>) -> Outcome) -> Outcome {
    match reg(a, ProbeKind::RegisterLoopbackIp) {
        Some(r) => f(&r),
        None if a
            .doc()
            .is_some_and(|d| d.md.registration_endpoint.is_none()) =>
        {
            Outcome::skip("no registration endpoint")
        }
        None => {
            Outcome::skip("not probed: run with --register (it creates a client at the provider)")
        }
    }
}

/// Run `f` on a successful main registration's client information.
fn with_client(
    a: &AsAnalysis<'_>,
    f: impl FnOnce(&Reg<'_>, &ClientInformation) -> Outcome,
) -> Outcome {
    with_main(a, |r| match (&r.client, r.ok()) {
        (Some(c), true) => f(r, &c.md),
        (None, true) => Outcome::fail("the registration response is not a JSON object"),
        (_, false) => Outcome::skip(format!("registration was refused ({})", r.describe())),
    })
}

pub const DCR_STATUS: CheckDef = CheckDef {
    id: "DCR-STATUS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Registration answers 201 Created",
    spec: "RFC 7591 §3.2.1",
    hint: "Answer a successful registration with 201 Created and a JSON body.",
    doc: "With --register, `mcp-auth check` registers a public native client at the registration \
          endpoint (redirect URI http://127.0.0.1:<port>/callback, token_endpoint_auth_method \
          none, application_type native); this check grades the status of that registration. 201 \
          Created passes, another 2xx warns (the TypeScript SDK accepts any 2xx, the Python SDK \
          only 200 or 201), and anything else fails: MCP CLIs and desktop apps, which are such \
          clients, cannot register. Skipped without a registration endpoint or without \
          --register, which creates a real client at the provider. Source: RFC 7591 §3.2.1.",
    grade: Grade::Server(|a| {
        with_main(a, |r| match r.status {
            Some(201) => Outcome::pass("201"),
            Some(s @ 200..=299) => Outcome::warn(format!(
                "{s}: the TypeScript SDK accepts any 2xx, the Python SDK only 200/201"
            )),
            _ => Outcome::fail(format!(
                "a public native client was not registered: {}",
                r.describe()
            )),
        })
    }),
};

pub const DCR_CLIENT_ID: CheckDef = CheckDef {
    id: "DCR-CLIENT-ID",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Registration returns a client_id",
    spec: "RFC 7591 §3.2.1 (REQUIRED)",
    hint: "Return the new client's `client_id` as a string.",
    doc: "For a successful registration (a 2xx to the --register probe), requires a non-empty \
          `client_id` string in the response; a missing or empty one fails, and so does a body \
          that is not a JSON object. Skipped when the registration was refused or not probed. RFC \
          7591 makes `client_id` REQUIRED, and both SDKs reject a registration response without \
          it. Source: RFC 7591 §3.2.1 (REQUIRED).",
    grade: Grade::Server(|a| {
        with_client(a, |_, c| match &c.client_id {
            Some(id) if !id.is_empty() => Outcome::pass(format!("client_id {id}")),
            _ => Outcome::fail("no `client_id` string in the response"),
        })
    }),
};

pub const DCR_ECHO_METADATA: CheckDef = CheckDef {
    id: "DCR-ECHO-METADATA",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Registration echoes the registered metadata",
    spec: "RFC 7591 §3.2.1 (\"MUST return all registered metadata\")",
    hint: "Return the registered metadata, at least `redirect_uris`, in the registration response.",
    doc: "For a successful registration, requires the response to echo `redirect_uris`: a missing \
          member fails, a list other than the one sent warns (the server registered other \
          redirect URIs), and the same list passes; skipped when the registration was refused or \
          not probed. RFC 7591 says the server MUST return all registered metadata, and the \
          TypeScript SDK parses the response with a schema that requires `redirect_uris`, so \
          without it registration aborts in every TypeScript-SDK-based client. Source: RFC 7591 \
          §3.2.1.",
    grade: Grade::Server(|a| {
        with_client(a, |r, c| {
            let sent = r
                .sent
                .as_ref()
                .and_then(|s| s.md.redirect_uris.clone())
                .unwrap_or_default();
            match &c.redirect_uris {
                None => Outcome::fail("`redirect_uris` is not echoed: every TypeScript-SDK-based client aborts registration"),
                Some(got) if !sent.is_empty() && got != &sent => Outcome::warn(format!(
                    "the server registered other redirect URIs than requested: sent {}, got {}",
                    sent.join(", "),
                    got.join(", ")
                )),
                Some(got) => Outcome::pass(format!("redirect_uris {}", got.join(", "))),
            }
        })
    }),
};

pub const DCR_AUTH_METHOD: CheckDef = CheckDef {
    id: "DCR-AUTH-METHOD",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "The public client stays public (auth method none)",
    spec: "RFC 7591 §3.2.1 (client_secret_expires_at REQUIRED with a secret)",
    hint: "Register `token_endpoint_auth_method: none` as requested; if you substitute a secret method, return the secret and client_secret_expires_at.",
    doc: "For a successful registration of a client that asked for token_endpoint_auth_method \
          none, reads what the server registered: none without a secret passes (unless the \
          metadata's token_endpoint_auth_methods_supported leaves out none: the echo alone does \
          not show the token endpoint accepts the public client, and some providers store it \
          as confidential, so that warns), while a \
          substituted secret method with `client_secret` and `client_secret_expires_at`, none \
          with a secret anyway, a secret without a method, or no method echoed (the RFC 7591 \
          default is client_secret_basic) warns. A method other than none without \
          `client_secret`, or a secret without `client_secret_expires_at` (REQUIRED with a \
          secret), fails: the Python SDK rejects such a registration as unusable, and the \
          TypeScript SDK may send the wrong client authentication at the token endpoint. Source: \
          RFC 7591 §3.2.1.",
    grade: Grade::Server(|a| {
        // What the token endpoint says it takes: a registration echo alone
        // does not show that a public client is accepted there.
        let endpoint_refuses_none = a
            .doc()
            .and_then(|d| d.md.token_endpoint_auth_methods_supported.as_ref())
            .is_some_and(|l| !l.iter().any(|m| m == "none"));
        with_client(a, |_, c| {
            let method = c.token_endpoint_auth_method.as_deref();
            match (method, &c.client_secret, c.client_secret_expires_at) {
                (Some("none"), None, _) if endpoint_refuses_none => Outcome::warn(
                    "registered as none, but token_endpoint_auth_methods_supported does not list none: the token endpoint may refuse this public client (unauthorized_client)",
                ),
                (Some("none"), None, _) => Outcome::pass("none"),
                (Some("none"), Some(_), _) => Outcome::warn("method none, but a client_secret was issued anyway"),
                (Some(m), Some(_), Some(_)) => Outcome::warn(format!(
                    "the server substituted {m} (with a secret): clients must now send it at the token endpoint"
                )),
                (Some(m), Some(_), None) => Outcome::fail(format!(
                    "{m} with a client_secret but no client_secret_expires_at (REQUIRED with a secret)"
                )),
                (Some(m), None, _) => Outcome::fail(format!(
                    "{m} but no client_secret: the Python SDK rejects such a registration as unusable"
                )),
                (None, None, _) => Outcome::warn("no token_endpoint_auth_method echoed (the RFC 7591 default is client_secret_basic)"),
                (None, Some(_), _) => Outcome::warn("a client_secret was issued without naming the method"),
            }
        })
    }),
};

pub const DCR_LOOPBACK_IP: CheckDef = CheckDef {
    id: "DCR-LOOPBACK-IP",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "A 127.0.0.1 redirect URI is accepted",
    spec: "OAuth 2.1 draft-13 §8.4.2; MCP §Communication Security; OIDC Registration 1.0 §2",
    hint: "Accept http://127.0.0.1:<port>/… redirect URIs for native clients (any port at request time).",
    doc: "Passes when the --register probe's registration with the redirect URI \
          http://127.0.0.1:<port>/callback got a 2xx, and fails, with the server's error, when it \
          was refused or got no answer; skipped without a registration endpoint or without \
          --register. MCP requires redirect URIs to be localhost or https, which makes a loopback \
          URI the native-client form, and OAuth 2.1 defines loopback redirects and prefers the IP \
          literal. Native MCP clients such as CLIs and desktop apps cannot register otherwise. \
          Sources: OAuth 2.1 draft-13 §8.4.2; MCP §Communication Security; OIDC Registration 1.0 \
          §2.",
    grade: Grade::Server(|a| {
        with_main(a, |r| {
            if r.ok() {
                Outcome::pass("accepted")
            } else {
                Outcome::fail(format!("refused: {}", r.describe()))
            }
        })
    }),
};

pub const DCR_LOOPBACK_LOCALHOST: CheckDef = CheckDef {
    id: "DCR-LOOPBACK-LOCALHOST",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "A localhost redirect URI is accepted",
    spec: "MCP §Communication Security (localhost allowed); OAuth 2.1 §8.4.2 (NOT RECOMMENDED for clients)",
    hint: "Accept http://localhost:<port>/… redirect URIs: the MCP Inspector web app uses them.",
    doc: "Registers the same native client with the redirect URI http://localhost:<port>/callback \
          and passes on a 2xx; a refusal warns, and the check is skipped when not probed. MCP \
          allows localhost redirect URIs although OAuth 2.1 calls localhost NOT RECOMMENDED for \
          clients, and real clients use it: the MCP Inspector web app's callback is \
          http://localhost:6274/oauth/callback. Sources: MCP §Communication Security; OAuth 2.1 \
          draft-13 §8.4.2.",
    grade: Grade::Server(|a| match reg(a, ProbeKind::RegisterLocalhost) {
        None => with_main(a, |_| Outcome::skip("not probed")),
        Some(r) if r.ok() => Outcome::pass("accepted"),
        Some(r) => Outcome::warn(format!("refused: {}", r.describe())),
    }),
};

pub const DCR_APP_TYPE: CheckDef = CheckDef {
    id: "DCR-APP-TYPE",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "Native clients register, with and without application_type",
    spec: "MCP 2026-07-28 client-registration §Application Type; OIDC Registration 1.0 §2",
    hint: "Accept `application_type: native` with loopback redirect URIs, and loopback URIs from clients that omit application_type (pre-2026 SDKs).",
    doc: "Fails when the main registration, with application_type native and a 127.0.0.1 redirect \
          URI, was refused. When it succeeded, the same registration without application_type is \
          graded: accepted passes, refused warns, because TypeScript and Python SDK 1.x clients \
          omit the member (OpenID Connect registration then defaults it to web). MCP 2026-07-28 \
          says clients MUST specify an appropriate application_type and native clients SHOULD use \
          native. Skipped when not probed. Sources: MCP 2026-07-28 client-registration \
          §Application Type; OIDC Registration 1.0 §2.",
    grade: Grade::Server(|a| {
        with_main(a, |native| {
            if !native.ok() {
                return Outcome::fail(format!("application_type native refused: {}", native.describe()));
            }
            match reg(a, ProbeKind::RegisterNoAppType) {
                None => Outcome::pass("native accepted (variant without application_type not probed)"),
                Some(r) if r.ok() => Outcome::pass("native accepted; also accepted without application_type"),
                Some(r) => Outcome::warn(format!(
                    "native accepted, but without application_type refused ({}): TypeScript and Python SDK 1.x clients cannot register",
                    r.describe()
                )),
            }
        })
    }),
};

pub const DCR_ERROR_FORMAT: CheckDef = CheckDef {
    id: "DCR-ERROR-FORMAT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Refusals are 400 with an RFC 7591 error code",
    spec: "RFC 7591 §3.2.2",
    hint: "Refuse a registration with 400 and a JSON body {\"error\": \"invalid_redirect_uri\" | \"invalid_client_metadata\" | …, \"error_description\": …}.",
    doc: "Looks at every registration the probes had refused (the 127.0.0.1, localhost and \
          no-application_type variants, and one with the invalid redirect URI 'not a valid \
          redirect uri'): each must be a 400 with a JSON `error` code from RFC 7591 \
          (invalid_redirect_uri, invalid_client_metadata and so on) or RFC 6749's generic ones. A \
          refusal in any other form warns, and so does accepting the invalid redirect URI; it \
          passes when every refusal is well-formed and is skipped when nothing was refused or \
          nothing probed. Without a usable error clients cannot tell the user why registration \
          failed (MCP 2026-07-28 clients SHOULD surface a meaningful error). Source: RFC 7591 \
          §3.2.2.",
    grade: Grade::Server(|a| {
        if let Some(r) = reg(a, ProbeKind::RegisterInvalid).filter(Reg::ok) {
            return Outcome::warn(format!(
                "a client with the redirect URI 'not a valid redirect uri' was accepted ({})",
                r.describe()
            ));
        }
        let refused: Vec<Reg<'_>> = [
            ProbeKind::RegisterLoopbackIp,
            ProbeKind::RegisterLocalhost,
            ProbeKind::RegisterNoAppType,
            ProbeKind::RegisterInvalid,
        ]
        .into_iter()
        .filter_map(|k| reg(a, k))
        .filter(|r| r.status.is_some() && !r.ok())
        .collect();
        if refused.is_empty() {
            return with_main(a, |_| Outcome::skip("no registration was refused"));
        }
        let bad: Vec<String> = refused
            .iter()
            .filter(|r| {
                let code = body_doc::<ErrorResponse>(r.ex).and_then(|d| d.md.error);
                r.status != Some(400) || !code.is_some_and(|c| DCR_ERRORS.contains(&c.as_str()))
            })
            .map(Reg::describe)
            .collect();
        if bad.is_empty() {
            Outcome::pass(format!("{} refusal(s), all 400 with an RFC 7591 code", refused.len()))
        } else {
            Outcome::warn(format!("refusals without a usable error: {}", bad.join("; ")))
        }
    }),
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_auth_method;
#[cfg(test)]
mod tests_metadata;
