//! The CIMD-DOC-* checks. A check of the document skips when there is no
//! document to read (a fetch that did not answer 200, a body that is not a
//! JSON object); the checks of how it is served skip for a file.

use url::Url;

use super::CimdAnalysis;
use crate::{CheckDef, Grade, Level, Outcome};
use mcp_auth_evidence::metadata::ClientIdMetadataDocument;

/// The auth methods CIMD forbids: a document is public, so is any secret in it.
pub(crate) const SHARED_SECRET_METHODS: [&str; 3] = [
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
];

/// RFC 7591 §2 (the document's method) and RFC 8414 §2 (the server's list)
/// default to this when absent.
const DEFAULT_METHOD: &str = "client_secret_basic";

/// The document, or a skip saying why there is none.
fn document<'a>(a: &'a CimdAnalysis<'_>) -> Result<&'a ClientIdMetadataDocument, Outcome> {
    a.doc.as_ref().map_err(|e| Outcome::skip(e.clone()))
}

/// Every problem of a client identifier URL (empty: none), and whether it is
/// plain http on loopback (a development setup).
pub(crate) fn url_problems(value: &str) -> (Vec<String>, bool) {
    let url = match Url::parse(value) {
        Ok(u) => u,
        Err(e) => {
            return (
                vec![format!("'{value}' is not an absolute URL ({e})")],
                false,
            )
        }
    };
    let loopback_http = url.scheme() == "http" && mcp_auth_evidence::urls::is_loopback(&url);
    let mut problems = Vec::new();
    if url.scheme() != "https" && !loopback_http {
        problems.push(format!("scheme {} (must be https)", url.scheme()));
    }
    if url.path().is_empty() || url.path() == "/" {
        problems.push("no path".to_owned());
    }
    let before_query = value.split(['?', '#']).next().unwrap_or_default();
    if before_query
        .split('/')
        .skip(3)
        .any(|s| s == "." || s == "..")
    {
        problems.push("a . or .. path segment".to_owned());
    }
    if value.contains('#') {
        problems.push("a fragment".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        problems.push("a username or password".to_owned());
    }
    (problems, loopback_http)
}

pub const CIMD_DOC_URL: CheckDef = CheckDef {
    id: "CIMD-DOC-URL",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "The client_id URL is https, with a path and no fragment",
    spec: "draft-ietf-oauth-client-id-metadata-document §Client Identifier URL; MCP 2025-11-25 §Client ID Metadata Documents",
    hint: "Serve the document at an https URL with a path, such as https://app.example.com/oauth/client.json, without a fragment, dot segments or credentials.",
    doc: "Looks at the URL the document was fetched from (for a file, its client_id): it must \
          parse as an absolute URL with the https scheme, a path other than /, no . or .. \
          segment, no fragment and no username or password. Plain http on a loopback host warns \
          (development only: no authorization server fetches it from elsewhere); any other \
          problem fails, and a file without a client_id skips. Authorization servers refuse a \
          client_id that is not such a URL before fetching anything, so the login ends on their \
          error page. Sources: draft-ietf-oauth-client-id-metadata-document §Client Identifier \
          URL; MCP 2025-11-25 §Client ID Metadata Documents.",
    grade: Grade::Cimd(|a| {
        let value = match (a.url, a.doc.as_ref().ok().and_then(|d| d.client_id.as_deref())) {
            (Some(u), _) | (None, Some(u)) => u,
            (None, None) => return Outcome::skip("a file without a client_id: no URL to check"),
        };
        match url_problems(value) {
            (p, _) if !p.is_empty() => Outcome::fail(format!("{value}: {}", p.join(", "))),
            (_, true) => Outcome::warn(format!(
                "{value} is plain http on loopback: development only, no authorization server elsewhere can fetch it"
            )),
            _ => Outcome::pass(format!("{value} is https with a path")),
        }
    }),
};

pub const CIMD_DOC_SERVED: CheckDef = CheckDef {
    id: "CIMD-DOC-SERVED",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "The document is served with 200 and Content-Type application/json",
    spec: "draft-ietf-oauth-client-id-metadata-document §Client ID Metadata Document, §Client Information Discovery",
    hint: "Answer the GET with 200 and `Content-Type: application/json` (raw file hosts such as raw.githubusercontent.com serve text/plain; use GitHub Pages or your own site).",
    doc: "For a document fetched from its URL (skipped for a file): the GET, sent as an \
          authorization server sends it with no redirect followed, must be answered 200 with a \
          Content-Type whose media type is application/json, and a body that is a JSON object. \
          Another status (a redirect included), another media type or a body that does not parse \
          fails. Authorization servers that fetch the document strictly refuse text/plain (as \
          served by raw file hosts) and redirects, and the user sees an error page instead of \
          the consent screen. Source: draft-ietf-oauth-client-id-metadata-document §Client \
          Metadata.",
    grade: Grade::Cimd(|a| {
        let Some(ex) = a.exchange else {
            return Outcome::skip("a file: nothing was served");
        };
        let Some(r) = &ex.response else {
            return Outcome::fail(format!("no response: {}", ex.failure()));
        };
        let ct = r.header("content-type");
        let media = ct.map(mcp_auth_evidence::media_type);
        if r.status != 200 {
            Outcome::fail(format!("answered {} (must be 200, no redirect)", r.status))
        } else if media.as_deref() != Some("application/json") {
            Outcome::fail(format!(
                "Content-Type {} (must be application/json)",
                ct.unwrap_or("(none)")
            ))
        } else if let Err(e) = &a.doc {
            Outcome::fail(e.clone())
        } else {
            Outcome::pass("200 with application/json")
        }
    }),
};

pub const CIMD_DOC_CLIENT_ID: CheckDef = CheckDef {
    id: "CIMD-DOC-CLIENT-ID",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "client_id is exactly the URL the document is served from",
    spec: "draft-ietf-oauth-client-id-metadata-document §Client ID Metadata Document; MCP 2025-11-25 §Client ID Metadata Documents",
    hint: "Set client_id to the document's own URL, character for character (scheme, host, path, no trailing-slash or case difference).",
    doc: "Compares the document's client_id, as an exact string, with the URL it was fetched \
          from: a different value, a missing or non-string client_id fails. For a file the URL \
          is unknown: an https client_id is only reported (info; validate the URL to compare), \
          any other value skips, and a missing one fails. Authorization servers MUST reject a \
          document whose client_id differs from the URL they fetched, so the client cannot log \
          in at all (one published client was missing client_id altogether). Sources: \
          draft-ietf-oauth-client-id-metadata-document §Client Metadata; MCP 2025-11-25 §Client \
          ID Metadata Documents.",
    grade: Grade::Cimd(|a| {
        let doc = match document(a) {
            Ok(d) => d,
            Err(o) => return o,
        };
        let Some(id) = doc.client_id.as_deref() else {
            return Outcome::fail(if a.mistyped("client_id") {
                "client_id is not a string"
            } else {
                "no client_id member"
            });
        };
        match a.url {
            Some(url) if id == url => Outcome::pass(format!("client_id is {url}")),
            Some(url) => Outcome::fail(format!(
                "client_id {id} is not the URL it was fetched from, {url}"
            )),
            None if id.starts_with("https://") => Outcome::info(format!(
                "client_id is {id}; validate that URL to compare it with where it is served"
            )),
            None => Outcome::skip(format!(
                "client_id {id} is not an https URL, so there is no URL to compare it with"
            )),
        }
    }),
};

/// Why a redirect URI is not of an allowed shape, if it is not.
pub(crate) fn redirect_problem(value: &str) -> Option<String> {
    let url = match Url::parse(value) {
        Ok(u) => u,
        Err(e) => return Some(format!("{value} is not an absolute URI ({e})")),
    };
    if value.contains('#') {
        return Some(format!("{value} has a fragment"));
    }
    match url.scheme() {
        "https" => None,
        "http" => match url.host_str() {
            Some("127.0.0.1" | "[::1]" | "localhost") => None,
            _ => Some(format!("{value} is plain http outside loopback")),
        },
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "ftp" | "ws" | "wss" => {
            Some(format!(
                "{value}: the scheme {} cannot be a redirect",
                url.scheme()
            ))
        }
        _ => None,
    }
}

pub const CIMD_DOC_REDIRECT_URIS: CheckDef = CheckDef {
    id: "CIMD-DOC-REDIRECT-URIS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "redirect_uris is a non-empty list of https, loopback http or private-use URIs",
    spec: "draft-ietf-oauth-client-id-metadata-document §Redirect URL Registration; RFC 7591 §2; RFC 8252 §7",
    hint: "List every redirect URI the client uses in redirect_uris: https URLs, http://127.0.0.1/… (or [::1], localhost) for a native app's loopback listener, or a private-use scheme such as com.example.app:/callback; no fragments.",
    doc: "Requires redirect_uris to be a non-empty array of strings, each an absolute URI \
          without a fragment that is https, http on 127.0.0.1, [::1] or localhost (RFC 8252 \
          loopback redirects), or a private-use scheme (not javascript, data, file and the \
          like). A missing, mistyped or empty list, or any entry of another shape, fails and is \
          named. Authorization servers take the redirect URIs from the document alone and \
          refuse any other, so a missing one ends every login at their error page. Sources: \
          draft-ietf-oauth-client-id-metadata-document §Client Metadata; RFC 7591 §2; RFC 8252 \
          §7.",
    grade: Grade::Cimd(|a| {
        let doc = match document(a) {
            Ok(d) => d,
            Err(o) => return o,
        };
        let uris = match &doc.redirect_uris {
            Some(u) if !u.is_empty() => u,
            Some(_) => return Outcome::fail("redirect_uris is empty"),
            None if a.mistyped("redirect_uris") => {
                return Outcome::fail("redirect_uris is not an array of strings")
            }
            None => return Outcome::fail("no redirect_uris member"),
        };
        let bad: Vec<String> = uris.iter().filter_map(|u| redirect_problem(u)).collect();
        if bad.is_empty() {
            Outcome::pass(format!("redirect_uris: {}", uris.join(", ")))
        } else {
            Outcome::fail(bad.join("; "))
        }
    }),
};

pub const CIMD_DOC_NO_SECRET: CheckDef = CheckDef {
    id: "CIMD-DOC-NO-SECRET",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "No shared secret: no client_secret, no client_secret_* auth method",
    spec: "draft-ietf-oauth-client-id-metadata-document §Credential and Key Material Restrictions",
    hint: "Use token_endpoint_auth_method none (a public client with PKCE) or private_key_jwt with a jwks_uri, and remove any client_secret: the document is public.",
    doc: "Fails when the document has a client_secret member (its value is never shown) or a \
          token_endpoint_auth_method of client_secret_basic, client_secret_post or \
          client_secret_jwt, or one that is not a string. A document without \
          token_endpoint_auth_method warns: RFC 7591 defaults it to client_secret_basic, which \
          an authorization server may then apply; say none or private_key_jwt. The document is \
          public, so a secret in it is no secret, and authorization servers refuse such \
          documents. Sources: draft-ietf-oauth-client-id-metadata-document §Credential and Key \
          Material Restrictions; RFC 7591 §2.",
    grade: Grade::Cimd(|a| {
        let doc = match document(a) {
            Ok(d) => d,
            Err(o) => return o,
        };
        if doc.client_secret.is_some() || a.mistyped("client_secret") {
            return Outcome::fail("the document has a client_secret member (value not shown)");
        }
        match doc.token_endpoint_auth_method.as_deref() {
            Some(m) if SHARED_SECRET_METHODS.contains(&m) => Outcome::fail(format!(
                "token_endpoint_auth_method {m} needs a shared secret"
            )),
            Some(m) => Outcome::pass(format!("token_endpoint_auth_method {m}")),
            None if a.mistyped("token_endpoint_auth_method") => {
                Outcome::fail("token_endpoint_auth_method is not a string")
            }
            None => Outcome::warn(format!(
                "no token_endpoint_auth_method: RFC 7591 defaults it to {DEFAULT_METHOD}, a shared secret; say none or private_key_jwt"
            )),
        }
    }),
};

pub const CIMD_DOC_KEYS: CheckDef = CheckDef {
    id: "CIMD-DOC-KEYS",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "private_key_jwt comes with its keys: jwks or jwks_uri",
    spec: "draft-ietf-oauth-client-id-metadata-document §Credential and Key Material Restrictions; RFC 7591 §2",
    hint: "Publish the client's public keys: a jwks_uri (https) in the document, or an inline jwks; not both.",
    doc: "Applies when token_endpoint_auth_method is private_key_jwt (skips otherwise): the \
          document must carry exactly one of jwks (a JWK Set object with a keys array) and \
          jwks_uri (an https URL, or http on loopback). Neither, both, a jwks without keys or a \
          jwks_uri of another shape fails. Without the keys the authorization server cannot \
          verify the client's assertion, so the token request fails after the user consented. \
          Sources: draft-ietf-oauth-client-id-metadata-document §Credential and Key Material \
          Restrictions; RFC 7591 §2.",
    grade: Grade::Cimd(|a| {
        let doc = match document(a) {
            Ok(d) => d,
            Err(o) => return o,
        };
        match doc.token_endpoint_auth_method.as_deref() {
            Some("private_key_jwt") => {}
            m => {
                return Outcome::skip(format!(
                    "token_endpoint_auth_method is {}: no keys needed",
                    m.unwrap_or("absent")
                ))
            }
        }
        keys_outcome(doc)
    }),
};

fn keys_outcome(doc: &ClientIdMetadataDocument) -> Outcome {
    use mcp_auth_evidence::urls::{transport, Transport};
    match (&doc.jwks, doc.jwks_uri.as_deref()) {
        (Some(_), Some(_)) => Outcome::fail("both jwks and jwks_uri (RFC 7591: only one)"),
        (None, None) => Outcome::fail("private_key_jwt without jwks or jwks_uri"),
        (Some(j), None) => match j.get("keys").and_then(|k| k.as_array()) {
            Some(keys) if !keys.is_empty() => {
                Outcome::pass(format!("jwks with {} key(s)", keys.len()))
            }
            _ => Outcome::fail("jwks has no keys"),
        },
        (None, Some(u)) => match transport(u) {
            Transport::Https | Transport::LoopbackHttp => Outcome::pass(format!("jwks_uri {u}")),
            _ => Outcome::fail(format!("jwks_uri {u} is not an https URL")),
        },
    }
}

pub const CIMD_DOC_AS_METHOD: CheckDef = CheckDef {
    id: "CIMD-DOC-AS-METHOD",
    at: concat!(file!(), ":", line!()),
    level: Level::Must,
    title: "The issuer supports the document's token_endpoint_auth_method",
    spec: "RFC 8414 §2; draft-ietf-oauth-client-id-metadata-document §Authorization Server Metadata; MCP 2025-11-25 §Client ID Metadata Documents",
    hint: "Use an auth method the authorization server lists in token_endpoint_auth_methods_supported (for MCP, none is the one every server must take), or ask its operator to add yours.",
    doc: "With --issuer (skips without, or when the issuer's metadata cannot be had): the \
          document's token_endpoint_auth_method (absent: client_secret_basic, RFC 7591) must be \
          in the issuer's token_endpoint_auth_methods_supported (absent: client_secret_basic \
          only, RFC 8414); otherwise it fails and names both. A fallback the document lists in \
          its own token_endpoint_auth_methods_supported (ChatGPT's lists none beside \
          private_key_jwt) is named, but servers go by token_endpoint_auth_method. The token \
          request fails after consent with invalid_client. Sources: RFC 8414 §2; \
          draft-ietf-oauth-client-id-metadata-document §Authorization Server Metadata.",
    grade: Grade::Cimd(|a| {
        let (issuer, md) = match issuer_metadata(a) {
            Ok(x) => x,
            Err(o) => return o,
        };
        let doc = match document(a) {
            Ok(d) => d,
            Err(o) => return o,
        };
        let method = doc
            .token_endpoint_auth_method
            .as_deref()
            .unwrap_or(DEFAULT_METHOD);
        let supported: Vec<&str> = match &md.token_endpoint_auth_methods_supported {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => vec![DEFAULT_METHOD],
        };
        if supported.contains(&method) {
            return Outcome::pass(format!(
                "{method} is in {issuer}'s token_endpoint_auth_methods_supported [{}]",
                supported.join(", ")
            ));
        }
        let fallback: Vec<&str> = doc
            .token_endpoint_auth_methods_supported
            .iter()
            .flatten()
            .map(String::as_str)
            .filter(|m| *m != method && supported.contains(m))
            .collect();
        let note = if fallback.is_empty() {
            String::new()
        } else {
            format!(
                " (the document also lists {}, which {issuer} supports, but servers go by token_endpoint_auth_method)",
                fallback.join(", ")
            )
        };
        Outcome::fail(format!(
            "token_endpoint_auth_method {method} is not in {issuer}'s token_endpoint_auth_methods_supported [{}]{note}",
            supported.join(", ")
        ))
    }),
};

/// The issuer and its metadata, or a skip saying why not.
fn issuer_metadata<'a>(
    a: &'a CimdAnalysis<'_>,
) -> Result<(&'a str, &'a mcp_auth_evidence::metadata::AsMetadata), Outcome> {
    let Some(i) = a.issuer else {
        return Err(Outcome::skip("no --issuer to check the document against"));
    };
    match &i.metadata {
        Ok(md) => Ok((i.issuer, md)),
        Err(e) => Err(Outcome::skip(format!(
            "no usable metadata at {}: {e}",
            i.issuer
        ))),
    }
}

pub const CIMD_DOC_AS_CIMD: CheckDef = CheckDef {
    id: "CIMD-DOC-AS-CIMD",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "The issuer advertises client_id_metadata_document_supported: true",
    spec: "draft-ietf-oauth-client-id-metadata-document §Authorization Server Metadata; MCP 2025-11-25 §Client ID Metadata Documents",
    hint: "Ask the authorization server's operator to enable CIMD and publish client_id_metadata_document_supported: true; until then clients register dynamically or need a pre-registered client.",
    doc: "With --issuer (skips without, or when the issuer's metadata cannot be had): passes \
          when the issuer's metadata has client_id_metadata_document_supported true, warns when \
          it is false or absent. The MCP TypeScript and Python SDKs, and Claude, use a URL \
          client_id only when the flag is true (Claude also needs none among the auth methods), \
          and fall back to dynamic registration or to asking the user for a client id \
          otherwise, so the document is never used. Sources: \
          draft-ietf-oauth-client-id-metadata-document §Authorization Server Metadata; MCP \
          2025-11-25 §Client ID Metadata Documents.",
    grade: Grade::Cimd(|a| {
        let (issuer, md) = match issuer_metadata(a) {
            Ok(x) => x,
            Err(o) => return o,
        };
        match md.client_id_metadata_document_supported {
            Some(true) => Outcome::pass(format!(
                "{issuer} has client_id_metadata_document_supported: true"
            )),
            Some(false) => Outcome::warn(format!(
                "{issuer} has client_id_metadata_document_supported: false; clients will not use the document there"
            )),
            None => Outcome::warn(format!(
                "{issuer} does not advertise client_id_metadata_document_supported; clients will not use the document there"
            )),
        }
    }),
};

pub const CIMD_DOC_CACHE: CheckDef = CheckDef {
    id: "CIMD-DOC-CACHE",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "The document is served with cache headers (Cache-Control max-age or Expires)",
    spec: "draft-ietf-oauth-client-id-metadata-document §Metadata Caching; RFC 9111 §5.2, §5.3",
    hint: "Send `Cache-Control: max-age=…` (for example a day) with the document, so authorization servers know how long to keep it.",
    doc: "For a document fetched from its URL and answered 200 (skipped otherwise): passes when \
          the response has a Cache-Control with max-age or s-maxage, or an Expires header; \
          warns without either. Authorization servers cache the document as its HTTP headers \
          allow; without them each picks its own lifetime, so a change to the redirect URIs \
          takes effect at unpredictable times, or the document is fetched on every \
          authorization request. Sources: draft-ietf-oauth-client-id-metadata-document §Client \
          Metadata; RFC 9111 §5.2, §5.3.",
    grade: Grade::Cimd(|a| {
        let Some(ex) = a.exchange else {
            return Outcome::skip("a file: no HTTP headers");
        };
        let Some(r) = ex.response.as_ref().filter(|r| r.status == 200) else {
            return Outcome::skip("the document was not served");
        };
        let cc = r.header_all("cache-control").join(", ");
        let has_max_age = cc
            .split(',')
            .map(|d| d.trim().to_ascii_lowercase())
            .any(|d| d.starts_with("max-age=") || d.starts_with("s-maxage="));
        if has_max_age {
            Outcome::pass(format!("Cache-Control: {cc}"))
        } else if let Some(e) = r.header("expires") {
            Outcome::pass(format!("Expires: {e}"))
        } else if cc.is_empty() {
            Outcome::warn("no Cache-Control max-age and no Expires")
        } else {
            Outcome::warn(format!("Cache-Control: {cc} (no max-age) and no Expires"))
        }
    }),
};

pub const CIMD_DOC_CLIENT_NAME: CheckDef = CheckDef {
    id: "CIMD-DOC-CLIENT-NAME",
    at: concat!(file!(), ":", line!()),
    level: Level::Should,
    title: "client_name names the client for the consent screen",
    spec: "draft-ietf-oauth-client-id-metadata-document §Client ID Metadata Document; RFC 7591 §2",
    hint:
        "Add a client_name (and a client_uri) so users recognise the client on the consent screen.",
    doc: "Passes when the document has a non-empty string client_name; informs when it has \
          none (skips when there is no document). Authorization servers show the client's name \
          on the consent screen; without one they show the bare URL, or a warning that the \
          client is unknown, which users are taught to distrust. Nothing breaks, so this is \
          never a warning. Sources: draft-ietf-oauth-client-id-metadata-document §Client \
          Metadata; RFC 7591 §2.",
    grade: Grade::Cimd(|a| {
        let doc = match document(a) {
            Ok(d) => d,
            Err(o) => return o,
        };
        match doc.client_name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => Outcome::pass(format!("client_name {n}")),
            _ => Outcome::info("no client_name: the consent screen will show the URL"),
        }
    }),
};
