//! CORS for browser-based MCP clients (checklist §2.9). No MCP revision
//! requires CORS; these checks model what a browser (the Fetch standard) and
//! the TypeScript SDK's `fetchWithCorsRetry` need. The origin and requested
//! headers are read back from the recorded requests.

use super::reachability::{self, AS_JWKS_REACHABLE, AS_TOKEN_ENDPOINT_REACHABLE};
use crate::evidence::{Exchange, ProbeKind};
use crate::util::join_list;
use crate::{AsAnalysis, CheckDef, Grade, Level, Outcome};

/// The CORS-relevant parts of a probe.
struct View<'a> {
    status: Option<u16>,
    origin: Option<&'a str>,
    requested_headers: Vec<String>,
    allow_origin: Option<&'a str>,
    allow_headers: Vec<String>,
    expose_headers: Vec<String>,
    error: Option<&'a str>,
}

fn list(value: Option<&str>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn view(ex: &Exchange) -> View<'_> {
    let req_header = |name: &str| {
        ex.request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    };
    let resp = ex.response.as_ref();
    View {
        status: resp.map(|r| r.status),
        origin: req_header("origin"),
        requested_headers: list(req_header("access-control-request-headers")),
        allow_origin: resp.and_then(|r| r.header("access-control-allow-origin")),
        allow_headers: list(resp.and_then(|r| r.header("access-control-allow-headers"))),
        expose_headers: list(resp.and_then(|r| r.header("access-control-expose-headers"))),
        error: ex.error.as_ref().map(|e| e.message.as_str()),
    }
}

impl View<'_> {
    fn origin_allowed(&self) -> bool {
        match (self.allow_origin, self.origin) {
            (Some("*"), _) => true,
            (Some(a), Some(o)) => a == o,
            _ => false,
        }
    }

    fn describe_origin(&self) -> String {
        match self.allow_origin {
            Some(a) => format!("Access-Control-Allow-Origin: {a}"),
            None => "no Access-Control-Allow-Origin".to_owned(),
        }
    }

    /// Requested headers the preflight does not allow. Per the Fetch
    /// standard `*` never covers `Authorization`.
    fn missing_headers(&self) -> Vec<String> {
        self.requested_headers
            .iter()
            .filter(|h| {
                let wildcard = self.allow_headers.iter().any(|a| a == "*");
                // Per the Fetch standard `*` never covers Authorization.
                let covered =
                    self.allow_headers.contains(h) || (wildcard && h.as_str() != "authorization");
                !covered
            })
            .cloned()
            .collect()
    }

    fn is_2xx(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A probe without a response: skipped when it was never sent (the URL
/// policy refused the URL), else a warning.
fn no_response(ex: &Exchange, what: &str) -> Outcome {
    match ex.error.as_ref().and_then(|e| e.unsent_reason()) {
        Some(why) => Outcome::skip(format!("{what}: not sent: {why}")),
        None => Outcome::warn(format!(
            "{what}: no response ({})",
            ex.error.as_ref().map_or("unknown", |e| e.message.as_str())
        )),
    }
}

/// A preflight of an authorization server's endpoint that got no answer at
/// all says nothing about CORS: the endpoint is down. (Any status, 404
/// included, is an answer browsers fail on, so it is graded.)
fn endpoint_preflight(ex: Option<&Exchange>, what: &str) -> Outcome {
    match ex {
        Some(e)
            if e.response.is_none()
                && e.error.as_ref().and_then(|x| x.unsent_reason()).is_none() =>
        {
            Outcome::skip(format!(
                "{what}: the endpoint did not answer ({}): not a CORS finding",
                e.failure()
            ))
        }
        _ => preflight(ex, what),
    }
}

/// Grade a preflight: 2xx, origin allowed, every requested header allowed.
fn preflight(ex: Option<&Exchange>, what: &str) -> Outcome {
    let Some(ex) = ex else {
        return Outcome::skip(format!("{what}: not probed"));
    };
    let v = view(ex);
    let Some(status) = v.status else {
        return no_response(ex, what);
    };
    let mut problems = Vec::new();
    if !v.is_2xx() {
        problems.push(format!("preflight answered {status}"));
    }
    if !v.origin_allowed() {
        problems.push(v.describe_origin());
    }
    let missing = v.missing_headers();
    if !missing.is_empty() {
        problems.push(format!("headers not allowed: {}", missing.join(", ")));
    }
    if problems.is_empty() {
        Outcome::pass(format!("{what}: {status}, {}", v.describe_origin()))
    } else {
        Outcome::warn(format!("{what}: {}", join_list(&problems)))
    }
}

/// Grade a simple (non-preflighted) request: the response allows the origin.
fn simple(ex: Option<&Exchange>, what: &str) -> Outcome {
    let Some(ex) = ex else {
        return Outcome::skip(format!("{what}: not probed"));
    };
    let v = view(ex);
    match v.status {
        None => no_response(ex, what),
        Some(s) if v.origin_allowed() => {
            Outcome::pass(format!("{what}: {s}, {}", v.describe_origin()))
        }
        Some(s) => Outcome::warn(format!("{what}: {s}, {}", v.describe_origin())),
    }
}

pub const CORS_MCP_PREFLIGHT: CheckDef = CheckDef {
    id: "CORS-MCP-PREFLIGHT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers may POST to the MCP endpoint with a token",
    spec: "practice: Fetch standard (CORS preflight); MDN Access-Control-Allow-Headers; MCP 2026-07-28 Streamable HTTP (Mcp-Method, Mcp-Name)",
    hint: "Answer OPTIONS with 2xx, Access-Control-Allow-Origin, and Access-Control-Allow-Headers naming authorization, content-type, mcp-protocol-version, mcp-method and mcp-name explicitly (`*` never covers Authorization).",
    doc: "Sends the OPTIONS preflight a browser sends before POSTing with a token: Origin \
          http://localhost:6274 (the MCP Inspector's) and Access-Control-Request-Headers \
          authorization, content-type, mcp-protocol-version, mcp-method, mcp-name (the last two \
          are sent on every POST of MCP 2026-07-28's stateless transport). It passes on a 2xx \
          that allows the origin (* or the origin itself) and every requested header, where * \
          never covers authorization, as the Fetch standard says; any shortfall in the headers \
          every revision sends, or no response, warns, and a 403 is INFO, since the server then \
          validates Origin (which Streamable HTTP requires) and only allow-listed browser origins \
          work. When only mcp-method or mcp-name is missing, it warns if the server allows one of \
          the two or answered a 2026-07-28 server/discover (the probe, or --login's call): it \
          speaks 2026-07-28, and browsers block its clients' requests; it is INFO otherwise: an \
          older server is fine for its own clients, and needs both once it moves to 2026-07-28 \
          (OpenMetadata#30673). Evidence recorded before these headers were requested \
          is graded on the three it asked for. Without the headers browser-based MCP clients \
          cannot send the token; no MCP revision requires CORS, so this is a practice check. \
          Sources: Fetch standard (CORS preflight); MDN Access-Control-Allow-Headers; MCP \
          2026-07-28 Streamable HTTP.",
    grade: Grade::Resource(|r| {
        mcp_preflight(r.probe(ProbeKind::CorsMcpPreflight), r.speaks_stateless)
    }),
};

/// The headers only MCP 2026-07-28's stateless transport sends, on every POST.
const STATELESS_HEADERS: [&str; 2] = ["mcp-method", "mcp-name"];

fn mcp_preflight(ex: Option<&Exchange>, speaks_stateless: bool) -> Outcome {
    const WHAT: &str = "OPTIONS MCP endpoint";
    if let Some(403) = ex.and_then(|e| e.response.as_ref()).map(|x| x.status) {
        return Outcome::info("403 to the preflight: the server validates Origin (Streamable HTTP MUST), so only allow-listed browser origins work");
    }
    let Some(v) = ex.map(view) else {
        return preflight(ex, WHAT);
    };
    let (stateless, core): (Vec<String>, Vec<String>) = v
        .missing_headers()
        .into_iter()
        .partition(|h| STATELESS_HEADERS.contains(&h.as_str()));
    let Some(status) = v.status else {
        return preflight(ex, WHAT);
    };
    if stateless.is_empty() || !core.is_empty() || !v.is_2xx() || !v.origin_allowed() {
        return preflight(ex, WHAT);
    }
    let allowed: Vec<&str> = STATELESS_HEADERS
        .into_iter()
        .filter(|h| v.requested_headers.iter().any(|r| r == h) && !stateless.iter().any(|m| m == h))
        .collect();
    let missing = stateless.join(", ");
    if allowed.is_empty() && speaks_stateless {
        Outcome::warn(format!(
            "{WHAT}: {status}, {missing} not allowed although the server speaks MCP 2026-07-28 (it answered server/discover): browsers block every request of its 2026-07-28 clients"
        ))
    } else if allowed.is_empty() {
        Outcome::info(format!(
            "{WHAT}: {status}, the headers of MCP up to 2025-11-25 are allowed but not {missing}: MCP 2026-07-28 clients send them on every POST, so browsers will block them once this server moves to 2026-07-28"
        ))
    } else {
        Outcome::warn(format!(
            "{WHAT}: {status}, {} is allowed (MCP 2026-07-28) but not {missing}: browsers block the 2026-07-28 requests that carry it",
            join_list(&allowed)
        ))
    }
}

pub const CORS_MCP_EXPOSE: CheckDef = CheckDef {
    id: "CORS-MCP-EXPOSE",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can read the 401's WWW-Authenticate",
    spec: "practice: Fetch standard (CORS-safelisted response headers)",
    hint: "On the 401, send Access-Control-Allow-Origin and `Access-Control-Expose-Headers: WWW-Authenticate` (plus Mcp-Session-Id if you use sessions).",
    doc: "Sends the unauthenticated MCP POST with an Origin header and reads the CORS headers of \
          the answer, normally the 401. It passes when the origin is allowed and \
          Access-Control-Expose-Headers contains WWW-Authenticate (or *), and warns when the \
          header is not exposed, when the origin is not allowed, or without a response. \
          WWW-Authenticate is not a CORS-safelisted response header, so a browser client sees the \
          401 but reads the header as null, never learns resource_metadata and never starts OAuth \
          (twentyhq/twenty PR #19836, modelcontextprotocol/inspector PR #402). Source: practice, \
          Fetch standard (CORS-safelisted response headers).",
    grade: Grade::Resource(|r| {
        let Some(ex) = r.probe(ProbeKind::CorsMcpPost) else {
            return Outcome::skip("not probed");
        };
        let v = view(ex);
        let Some(status) = v.status else {
            return Outcome::warn(format!("no response ({})", v.error.unwrap_or("unknown")));
        };
        let exposed = v.expose_headers.iter().any(|h| h == "www-authenticate" || h == "*");
        match (v.origin_allowed(), exposed) {
            (true, true) => Outcome::pass(format!("{status}: origin allowed, WWW-Authenticate exposed")),
            (true, false) => Outcome::warn(format!(
                "{status}: origin allowed but WWW-Authenticate is not exposed: browser clients see the 401 without resource_metadata"
            )),
            (false, _) => Outcome::warn(format!(
                "{status}: {}: browser clients cannot read the response at all",
                v.describe_origin()
            )),
        }
    }),
};

pub const CORS_PRM_GET: CheckDef = CheckDef {
    id: "CORS-PRM-GET",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can read the protected resource metadata",
    spec: "practice: TypeScript SDK fetchWithCorsRetry",
    hint: "Send `Access-Control-Allow-Origin: *` on the protected resource metadata.",
    doc: "Sends a GET of the protected resource metadata that was followed (the header's URL, \
          else the first well-known one that served it) with an Origin header, and passes when \
          the answer allows that origin (Access-Control-Allow-Origin * or the origin itself); \
          otherwise, or without a response, it warns. Browser clients cannot read the metadata \
          without it, and the TypeScript SDK then treats the location as not found and moves on. \
          Skipped when not probed. Source: practice (the TypeScript SDK's fetchWithCorsRetry).",
    grade: Grade::Resource(|r| simple(r.probe(ProbeKind::CorsPrmGet), "GET metadata")),
};

pub const CORS_PRM_PREFLIGHT: CheckDef = CheckDef {
    id: "CORS-PRM-PREFLIGHT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Metadata preflight allows MCP-Protocol-Version",
    spec: "practice: TypeScript SDK sends MCP-Protocol-Version on metadata requests",
    hint: "Answer OPTIONS on the metadata with 2xx, Access-Control-Allow-Origin and Access-Control-Allow-Headers including mcp-protocol-version.",
    doc: "Sends an OPTIONS preflight for a GET of the protected resource metadata with \
          Access-Control-Request-Headers mcp-protocol-version, which browsers send because the \
          TypeScript SDK adds MCP-Protocol-Version to metadata requests, and passes on a 2xx that \
          allows the origin and that header (* counts here). A failing preflight is only INFO \
          when the plain GET (CORS-PRM-GET) works, because the SDK's fetchWithCorsRetry retries \
          without custom headers; it warns when both fail, since the SDK then skips the URL. \
          Source: practice (the TypeScript SDK's fetchWithCorsRetry).",
    grade: Grade::Resource(|r| {
        downgrade_if_simple_works(
            preflight(r.probe(ProbeKind::CorsPrmPreflight), "OPTIONS metadata"),
            simple(r.probe(ProbeKind::CorsPrmGet), "GET metadata"),
        )
    }),
};

/// The TypeScript SDK retries a failed preflighted GET as a simple GET, so
/// a failing preflight only matters when the simple GET fails too.
fn downgrade_if_simple_works(pre: Outcome, simple: Outcome) -> Outcome {
    if pre.status == crate::Status::Warn && simple.status == crate::Status::Pass {
        Outcome::info(format!(
            "{}; the TypeScript SDK retries without custom headers, which works",
            pre.detail
        ))
    } else {
        pre
    }
}

pub const CORS_AS_GET: CheckDef = CheckDef {
    id: "CORS-AS-GET",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can read the authorization server metadata",
    spec: "practice: TypeScript SDK fetchWithCorsRetry",
    hint: "Send `Access-Control-Allow-Origin: *` on the authorization server metadata.",
    doc: "Sends a GET of the authorization server metadata with an Origin header and passes when \
          the answer allows that origin (Access-Control-Allow-Origin * or the origin itself); \
          otherwise, or without a response, it warns. Browser clients cannot read the metadata \
          without it, and the TypeScript SDK then treats the URL as not found and moves on to the \
          next candidate. Skipped when not probed. Source: practice (the TypeScript SDK's \
          fetchWithCorsRetry).",
    grade: Grade::Server(|a| simple(a.probe(ProbeKind::CorsAsGet), "GET metadata")),
};

pub const CORS_AS_PREFLIGHT: CheckDef = CheckDef {
    id: "CORS-AS-PREFLIGHT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Metadata preflight allows MCP-Protocol-Version",
    spec: "practice: TypeScript SDK sends MCP-Protocol-Version on metadata requests",
    hint: "Answer OPTIONS on the metadata with 2xx, Access-Control-Allow-Origin and Access-Control-Allow-Headers including mcp-protocol-version.",
    doc: "Sends an OPTIONS preflight for a GET of the authorization server metadata with \
          Access-Control-Request-Headers mcp-protocol-version, which browsers send because the \
          TypeScript SDK adds MCP-Protocol-Version to metadata requests, and passes on a 2xx that \
          allows the origin and that header (* counts here). A failing preflight is only INFO \
          when the plain GET (CORS-AS-GET) works, because the SDK's fetchWithCorsRetry retries \
          without custom headers; it warns when both fail, since the SDK then skips the URL. \
          Source: practice (the TypeScript SDK's fetchWithCorsRetry).",
    grade: Grade::Server(|a| {
        downgrade_if_simple_works(
            preflight(a.probe(ProbeKind::CorsAsPreflight), "OPTIONS metadata"),
            simple(a.probe(ProbeKind::CorsAsGet), "GET metadata"),
        )
    }),
};

pub const CORS_JWKS: CheckDef = CheckDef {
    id: "CORS-JWKS",
    at: concat!(file!(), ":", line!()),
    level: Level::May,
    title: "Browsers can read the JWKS",
    spec: "practice",
    hint:
        "Send `Access-Control-Allow-Origin: *` on jwks_uri so browser clients can verify ID tokens.",
    doc: "Sends a GET of the authorization server's `jwks_uri` with an Origin header and passes \
          when the answer allows that origin; a missing or different Access-Control-Allow-Origin \
          is only INFO. It is skipped when not probed (no `jwks_uri`), and when no JWK Set is \
          there (no answer, an error status, a body that is not a JWK Set): that is \
          AS-JWKS-REACHABLE's finding, not a missing CORS header. Browser-based clients cannot \
          fetch the keys to verify ID tokens without it. Source: practice.",
    grade: Grade::Server(|a| match reachability::jwks_dead(a) {
        Some(why) => Outcome::skip(format!(
            "no JWK Set at jwks_uri ({why}): see {}",
            AS_JWKS_REACHABLE.id
        )),
        None => demote_to_info(simple(a.probe(ProbeKind::CorsJwks), "GET jwks_uri")),
    }),
};

fn demote_to_info(o: Outcome) -> Outcome {
    if o.status == crate::Status::Warn {
        Outcome::info(o.detail)
    } else {
        o
    }
}

fn when_endpoint(a: &AsAnalysis<'_>, present: bool, f: impl FnOnce() -> Outcome) -> Outcome {
    if a.doc().is_none() {
        Outcome::skip("no metadata document")
    } else if !present {
        Outcome::skip("the endpoint is not advertised")
    } else {
        f()
    }
}

pub const CORS_REG_PREFLIGHT: CheckDef = CheckDef {
    id: "CORS-REG-PREFLIGHT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can use dynamic registration",
    spec: "practice: TypeScript SDK registration from browsers",
    hint: "Answer OPTIONS on the registration endpoint with 2xx, Access-Control-Allow-Origin and Access-Control-Allow-Headers including content-type, and send Access-Control-Allow-Origin on the POST response.",
    doc: "When the metadata advertises a `registration_endpoint`, sends an OPTIONS preflight for \
          a POST with Access-Control-Request-Headers content-type and passes on a 2xx that allows \
          the origin and that header; anything else warns, and it is skipped without metadata or \
          a registration endpoint, and when the endpoint does not answer at all (a dead endpoint \
          is not a CORS finding). Browser-based MCP clients cannot use dynamic client \
          registration without it. node-oidc-provider, for one, registers no CORS route for \
          registration (its maintainer: not intended to work), so expect this warning there. \
          Source: practice (the TypeScript SDK's own registration handler enables CORS for \
          web-based clients).",
    grade: Grade::Server(|a| {
        let present = a.doc().is_some_and(|d| d.md.registration_endpoint.is_some());
        when_endpoint(a, present, || endpoint_preflight(a.probe(ProbeKind::CorsRegPreflight), "OPTIONS registration"))
    }),
};

pub const CORS_TOKEN: CheckDef = CheckDef {
    id: "CORS-TOKEN",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can read token responses",
    spec: "practice: browser public clients redeem codes with a simple POST",
    hint: "Send Access-Control-Allow-Origin on token endpoint responses, error responses included.",
    doc: "When the metadata advertises a `token_endpoint`, sends a token request that cannot \
          succeed (an authorization_code grant with a made-up code, form-encoded, with an Origin \
          header) and passes when the answer, normally a 400 error, allows that origin; otherwise \
          it warns. It is skipped without metadata or a token endpoint, and when no token endpoint \
          answered (no answer, 404, 405, 5xx, a login page): that is \
          AS-TOKEN-ENDPOINT-REACHABLE's finding, not a missing CORS header. Such a request needs \
          no preflight, but browser public clients can read neither the tokens nor the error \
          unless the response allows their origin, so they cannot redeem codes (see \
          getsentry/sentry-mcp#999). Source: practice.",
    grade: Grade::Server(|a| {
        let present = a.doc().is_some_and(|d| d.md.token_endpoint.is_some());
        when_endpoint(a, present, || match reachability::token_dead(a) {
            Some(why) => Outcome::skip(format!(
                "the endpoint did not answer as a token endpoint ({why}): see {}",
                AS_TOKEN_ENDPOINT_REACHABLE.id
            )),
            None => simple(a.probe(ProbeKind::CorsToken), "POST token (invalid code)"),
        })
    }),
};

pub const CORS_USERINFO: CheckDef = CheckDef {
    id: "CORS-USERINFO",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can call userinfo",
    spec: "OIDC Core 1.0 §5.3 (\"SHOULD support the use of CORS\")",
    hint: "Answer OPTIONS on userinfo with Access-Control-Allow-Origin and Access-Control-Allow-Headers naming authorization.",
    doc: "When the metadata advertises a `userinfo_endpoint`, sends an OPTIONS preflight for a \
          GET with Access-Control-Request-Headers authorization; it passes on a 2xx that allows \
          the origin and names authorization explicitly (* never covers it), and any shortfall is \
          only INFO. Skipped without metadata or a userinfo endpoint, and when the endpoint does \
          not answer at all (a dead endpoint is not a CORS finding). OpenID Connect says the \
          userinfo endpoint SHOULD support CORS; without it browser clients cannot do what \
          `mcp-auth whoami` does. Source: OIDC Core 1.0 §5.3.",
    grade: Grade::Server(|a| {
        let present = a.doc().is_some_and(|d| d.md.userinfo_endpoint.is_some());
        when_endpoint(a, present, || {
            demote_to_info(endpoint_preflight(a.probe(ProbeKind::CorsUserinfoPreflight), "OPTIONS userinfo"))
        })
    }),
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_as;
