//! What the probes send, as data: protocol versions, the browser origin the
//! CORS probes claim, the invalid token, and the client metadata registration
//! probes register. Shared by the gathering side (which sends them) and the
//! grading side (whose tests build the exchanges those requests produce).

/// The newest MCP protocol revision; sent as `MCP-Protocol-Version` on metadata
/// requests, as the SDK clients do.
pub const MCP_PROTOCOL_VERSION: &str = "2026-07-28";

/// The `protocolVersion` of the probes' JSON-RPC `initialize`: the newest
/// revision every released SDK server accepts (servers answer an unknown
/// version with an error before authorization is even looked at).
pub const INITIALIZE_PROTOCOL_VERSION: &str = "2025-11-25";

/// The `Origin` CORS probes send: the MCP Inspector's (a browser-based client).
pub const CORS_ORIGIN: &str = "http://localhost:6274";

/// The request headers the MCP endpoint's CORS preflight asks for: those
/// every revision's POST carries, and MCP 2026-07-28's `Mcp-Method` and
/// `Mcp-Name` (sent on every request of the stateless transport).
pub const MCP_PREFLIGHT_HEADERS: &str =
    "authorization, content-type, mcp-protocol-version, mcp-method, mcp-name";

/// The bearer token the invalid-token probes send.
pub const GARBAGE_TOKEN: &str = "mcp-auth-probe-invalid-token";

/// The made-up tool the unauthenticated `tools/call` probe calls.
pub const PROBE_TOOL: &str = "mcp-auth-probe-no-such-tool";

/// The audience of the wrong-audience token probe: a resource that is not
/// the MCP server (reserved `.invalid` name, RFC 2606).
pub const FOREIGN_AUDIENCE: &str = "https://other-resource.invalid/mcp";

/// How long ago the expired token probe's token expired, in seconds.
pub const EXPIRED_AGO_SECS: u64 = 3600;

/// The redirect URI port registration probes use (`login --redirect-port` can reuse it).
pub const PROBE_REDIRECT_PORT: u16 = 8976;

/// The client metadata a public native MCP client registers.
pub fn registration_metadata(host: &str, application_type: bool) -> serde_json::Value {
    let mut m = serde_json::json!({
        "client_name": "mcp-auth check (probe)",
        "redirect_uris": [format!("http://{host}:{PROBE_REDIRECT_PORT}/callback")],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    if application_type {
        m["application_type"] = "native".into();
    }
    m
}
