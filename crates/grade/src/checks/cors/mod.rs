//! CORS for browser-based MCP clients (checklist §2.9). No MCP revision
//! requires CORS; these checks model what a browser (the Fetch standard) and
//! the TypeScript SDK's `fetchWithCorsRetry` need. The origin and requested
//! headers are read back from the recorded requests.

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

/// Grade a preflight: 2xx, origin allowed, every requested header allowed.
fn preflight(ex: Option<&Exchange>, what: &str) -> Outcome {
    let Some(ex) = ex else {
        return Outcome::skip(format!("{what}: not probed"));
    };
    let v = view(ex);
    let Some(status) = v.status else {
        return Outcome::warn(format!(
            "{what}: no response ({})",
            v.error.unwrap_or("unknown")
        ));
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
        None => Outcome::warn(format!(
            "{what}: no response ({})",
            v.error.unwrap_or("unknown")
        )),
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
    spec: "practice: Fetch standard (CORS preflight); MDN Access-Control-Allow-Headers",
    hint: "Answer OPTIONS with 2xx, Access-Control-Allow-Origin, and Access-Control-Allow-Headers naming authorization, content-type and mcp-protocol-version explicitly (`*` never covers Authorization).",
    grade: Grade::Resource(|r| {
        let ex = r.probe(ProbeKind::CorsMcpPreflight);
        if let Some(403) = ex.and_then(|e| e.response.as_ref()).map(|x| x.status) {
            return Outcome::info("403 to the preflight: the server validates Origin (Streamable HTTP MUST), so only allow-listed browser origins work");
        }
        preflight(ex, "OPTIONS MCP endpoint")
    }),
};

pub const CORS_MCP_EXPOSE: CheckDef = CheckDef {
    id: "CORS-MCP-EXPOSE",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can read the 401's WWW-Authenticate",
    spec: "practice: Fetch standard (CORS-safelisted response headers)",
    hint: "On the 401, send Access-Control-Allow-Origin and `Access-Control-Expose-Headers: WWW-Authenticate` (plus Mcp-Session-Id if you use sessions).",
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
    grade: Grade::Resource(|r| simple(r.probe(ProbeKind::CorsPrmGet), "GET metadata")),
};

pub const CORS_PRM_PREFLIGHT: CheckDef = CheckDef {
    id: "CORS-PRM-PREFLIGHT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Metadata preflight allows MCP-Protocol-Version",
    spec: "practice: TypeScript SDK sends MCP-Protocol-Version on metadata requests",
    hint: "Answer OPTIONS on the metadata with 2xx, Access-Control-Allow-Origin and Access-Control-Allow-Headers including mcp-protocol-version.",
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
    grade: Grade::Server(|a| simple(a.probe(ProbeKind::CorsAsGet), "GET metadata")),
};

pub const CORS_AS_PREFLIGHT: CheckDef = CheckDef {
    id: "CORS-AS-PREFLIGHT",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Metadata preflight allows MCP-Protocol-Version",
    spec: "practice: TypeScript SDK sends MCP-Protocol-Version on metadata requests",
    hint: "Answer OPTIONS on the metadata with 2xx, Access-Control-Allow-Origin and Access-Control-Allow-Headers including mcp-protocol-version.",
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
    grade: Grade::Server(|a| demote_to_info(simple(a.probe(ProbeKind::CorsJwks), "GET jwks_uri"))),
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
    grade: Grade::Server(|a| {
        let present = a.doc().is_some_and(|d| d.md.registration_endpoint.is_some());
        when_endpoint(a, present, || preflight(a.probe(ProbeKind::CorsRegPreflight), "OPTIONS registration"))
    }),
};

pub const CORS_TOKEN: CheckDef = CheckDef {
    id: "CORS-TOKEN",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "Browsers can read token responses",
    spec: "practice: browser public clients redeem codes with a simple POST",
    hint: "Send Access-Control-Allow-Origin on token endpoint responses, error responses included.",
    grade: Grade::Server(|a| {
        let present = a.doc().is_some_and(|d| d.md.token_endpoint.is_some());
        when_endpoint(a, present, || {
            simple(a.probe(ProbeKind::CorsToken), "POST token (invalid code)")
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
    grade: Grade::Server(|a| {
        let present = a.doc().is_some_and(|d| d.md.userinfo_endpoint.is_some());
        when_endpoint(a, present, || {
            demote_to_info(preflight(a.probe(ProbeKind::CorsUserinfoPreflight), "OPTIONS userinfo"))
        })
    }),
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_as;
