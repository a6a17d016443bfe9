//! Which client a login is: `--client-id` (with its secret or key); else a
//! Client ID Metadata Document where the server supports them (yours, or
//! mcp-auth's own); else the client mcp-auth registered at this server
//! before (from the cache); else one registered now (RFC 7591). The
//! redirect listener comes with it: a document or a reused registration
//! decides the port.

use std::io::Write;

use url::Url;

use crate::metadata::{lists, AsMetadata, ClientInformation, Lenient};
use crate::probe::{ProbeRequest, Prober};
use crate::token_store::TokenStore;

use super::client::{method_for, AuthMethod, Client};
use super::register::register;
use super::{callback, LoginError, LoginSettings, Resolved};

/// mcp-auth's own Client ID Metadata Document, as published (docs/client-metadata.json).
pub const CLIENT_METADATA: &str = include_str!("../../../../docs/client-metadata.json");

/// The URL mcp-auth's own document is published at (its `client_id`).
pub fn default_client_metadata_url() -> String {
    document_client_id(CLIENT_METADATA).unwrap_or_default()
}

fn document_client_id(doc: &str) -> Option<String> {
    let obj = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(doc).ok()?;
    ClientInformation::from_object(&obj).0.client_id
}

/// The loopback redirect: a listener on a port we hold, and its URI.
pub(super) struct Redirect {
    pub server: callback::CallbackServer,
    pub uri: String,
    /// The path of `uri`, where the callback is expected.
    pub path: String,
}

impl Redirect {
    /// Listen on `port` (0: any); `uri`, when given, must name that port on loopback.
    async fn listen(port: u16, uri: Option<&str>, path: &str) -> Result<Self, LoginError> {
        let server = callback::CallbackServer::bind(port)
            .await
            .map_err(|e| LoginError::Usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        let uri = match uri {
            Some(u) => {
                let parsed = Url::parse(u)
                    .map_err(|e| LoginError::Usage(format!("--redirect-uri '{u}': {e}")))?;
                if parsed.scheme() != "http"
                    || !crate::evidence::urls::is_loopback(&parsed)
                    || parsed.port() != Some(server.port)
                {
                    return Err(LoginError::Usage(format!(
                        "--redirect-uri must be http://127.0.0.1:{}/… or http://localhost:{}/… (the port this login listens on; use --redirect-port)",
                        server.port, server.port
                    )));
                }
                u.to_owned()
            }
            None => format!("http://127.0.0.1:{}{path}", server.port),
        };
        let path = Url::parse(&uri)
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| "/callback".into());
        Ok(Self { server, uri, path })
    }

    /// The listener the user asked for (`--redirect-port`, `--redirect-uri`), if any.
    async fn explicit(s: &LoginSettings) -> Result<Option<Self>, LoginError> {
        match s.redirect_port {
            Some(port) => Ok(Some(
                Self::listen(port, s.redirect_uri.as_deref(), "/callback").await?,
            )),
            None => Ok(None),
        }
    }

    /// Listen where `registered` (a redirect URI used before) says, else on any port.
    async fn like(registered: Option<&str>, err: &mut dyn Write) -> Result<Self, LoginError> {
        let Some(u) = registered.and_then(|u| Url::parse(u).ok()) else {
            return Self::listen(0, None, "/callback").await;
        };
        let path = u.path().to_owned();
        match u.port() {
            Some(port) => match Self::listen(port, Some(u.as_str()), &path).await {
                Ok(r) => Ok(r),
                Err(e) => {
                    writeln!(err, "warning: {e}; listening on another port (RFC 8252 §7.3 lets a loopback redirect's port vary)")?;
                    Self::listen(0, None, &path).await
                }
            },
            None => Self::listen(0, None, &path).await,
        }
    }
}

/// The client of this login and its redirect listener.
pub(super) async fn choose(
    prober: &Prober,
    store: &TokenStore,
    r: &Resolved,
    s: &LoginSettings,
    err: &mut dyn Write,
) -> Result<(Client, Redirect), LoginError> {
    let md = &r.metadata;
    if let Some(id) = &s.client_id {
        let redirect = match Redirect::explicit(s).await? {
            Some(r) => r,
            None => Redirect::listen(0, None, "/callback").await?,
        };
        let mut client = given(id, md, s);
        client.redirect_uri = Some(redirect.uri.clone());
        return Ok((client, redirect));
    }
    if let Some(url) = document_url(md, s) {
        let redirect = match Redirect::explicit(s).await? {
            Some(r) => r,
            None => document_redirect(prober, &url).await?,
        };
        let client = Client {
            redirect_uri: Some(redirect.uri.clone()),
            ..Client::public(url)
        };
        return Ok((client, redirect));
    }
    if let Some(cached) = cached_registration(store, &r.issuer) {
        let redirect = match Redirect::explicit(s).await? {
            Some(r) => r,
            None => Redirect::like(cached.redirect_uri.as_deref(), err).await?,
        };
        writeln!(
            err,
            "Reusing client {} registered at {}",
            cached.id, r.issuer
        )?;
        return Ok((cached, redirect));
    }
    let Some(endpoint) = &md.registration_endpoint else {
        return Err(LoginError::Usage(format!(
            "{} offers neither dynamic registration nor Client ID Metadata Documents: register a public client (token_endpoint_auth_method none) with the redirect URI http://127.0.0.1:8976/callback and pass --client-id with --redirect-port 8976 (and --client-secret-file for a confidential one)",
            r.issuer
        )));
    };
    let redirect = match Redirect::explicit(s).await? {
        Some(r) => r,
        None => Redirect::listen(0, None, "/callback").await?,
    };
    let wanted = registration_method(md);
    let info = register(prober, endpoint, &redirect.uri, wanted).await?;
    let client = registered(info, md, &redirect.uri)?;
    writeln!(
        err,
        "Registered client {} at {endpoint} ({})",
        client.id,
        client.method.name()
    )?;
    Ok((client, redirect))
}

/// The Client ID Metadata Document URL a login without `--client-id` uses
/// (yours, else mcp-auth's own), when the server supports them.
pub(super) fn document_url(md: &AsMetadata, s: &LoginSettings) -> Option<String> {
    (s.client_id.is_none() && md.client_id_metadata_document_supported == Some(true)).then(|| {
        s.client_metadata_url
            .clone()
            .unwrap_or_else(default_client_metadata_url)
    })
}

/// The client as given: a pre-registered one authenticates with its key
/// (`private_key_jwt`) or its secret, as the server supports.
pub(super) fn given(id: &str, md: &AsMetadata, s: &LoginSettings) -> Client {
    let method = match &s.client_key {
        Some(_) => AuthMethod::PrivateKeyJwt,
        None => method_for(None, s.client_secret.is_some(), md),
    };
    Client {
        method,
        secret: s.client_secret.clone(),
        key: s.client_key.clone(),
        ..Client::public(id)
    }
}

/// The method to ask for at registration: `none` (a native app is a public
/// client) unless the server's token endpoint does not take it.
fn registration_method(md: &AsMetadata) -> AuthMethod {
    match &md.token_endpoint_auth_methods_supported {
        Some(l) if !l.is_empty() && !lists(&md.token_endpoint_auth_methods_supported, "none") => {
            method_for(None, true, md)
        }
        _ => AuthMethod::None,
    }
}

/// The client a registration response describes, authenticating as it says.
fn registered(
    info: ClientInformation,
    md: &AsMetadata,
    redirect_uri: &str,
) -> Result<Client, LoginError> {
    let id = info.client_id.ok_or_else(|| {
        LoginError::Refused("the registration response has no client_id".to_owned())
    })?;
    let secret = info.client_secret.map(crate::token_store::Secret::new);
    Ok(Client {
        method: method_for(
            info.token_endpoint_auth_method.as_deref(),
            secret.is_some(),
            md,
        ),
        secret,
        registered: true,
        redirect_uri: Some(redirect_uri.to_owned()),
        ..Client::public(id)
    })
}

/// The client mcp-auth registered at `issuer` before (the newest cached one).
fn cached_registration(store: &TokenStore, issuer: &str) -> Option<Client> {
    store
        .list()
        .into_iter()
        .filter_map(|(_, e)| e.ok())
        .filter(|e| e.registered && e.issuer == issuer)
        .max_by_key(|e| e.obtained_at)
        .map(|e| Client::of_entry(&e))
}

/// The redirect URIs of a Client ID Metadata Document read from `url`, when
/// an authorization server can accept it: a JSON object whose `client_id` is
/// exactly `url` (draft-ietf-oauth-client-id-metadata-document §4.1; servers
/// refuse any other, with an error page instead of a redirect).
fn document_uris(url: &str, doc: &str) -> Result<Vec<String>, LoginError> {
    let Ok(obj) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(doc) else {
        return Err(LoginError::Usage(format!(
            "the client metadata document {url} is not a JSON object: authorization servers refuse it"
        )));
    };
    let info = ClientInformation::from_object(&obj).0;
    match info.client_id.as_deref() {
        Some(id) if id == url => Ok(info.redirect_uris.unwrap_or_default()),
        Some(id) => Err(LoginError::Usage(format!(
            "the client metadata document {url} names the client_id {id}: it must be exactly the document's URL, else authorization servers refuse it (an error page instead of the redirect)"
        ))),
        None => Err(LoginError::Usage(format!(
            "the client metadata document {url} has no client_id: it must be exactly the document's URL, else authorization servers refuse it (an error page instead of the redirect)"
        ))),
    }
}

/// The redirect listener a Client ID Metadata Document allows: its first
/// loopback `http` redirect URI, on the port it names (a port-less one may
/// use any port, RFC 8252 §7.3). A document that cannot be read leaves the
/// choice to the server (any port); one that names another client_id, lists
/// no usable loopback URI, or whose port is taken, fails the login at once.
async fn document_redirect(prober: &Prober, url: &str) -> Result<Redirect, LoginError> {
    let doc = if url == default_client_metadata_url() {
        Some(CLIENT_METADATA.to_owned())
    } else {
        let ex = prober.send(ProbeRequest::metadata_get(url)).await;
        ex.response.filter(|r| r.status == 200).map(|r| r.body)
    };
    let Some(doc) = doc else {
        return Redirect::listen(0, None, "/callback").await;
    };
    let uris = document_uris(url, &doc)?;
    let usable = uris
        .iter()
        .filter_map(|u| Url::parse(u).ok())
        .find(|u| u.scheme() == "http" && crate::evidence::urls::is_loopback(u));
    let Some(u) = usable else {
        return Err(LoginError::Usage(format!(
            "the client metadata document {url} lists no loopback http redirect URI ({}): mcp-auth can only receive the redirect on 127.0.0.1; add one such as http://127.0.0.1/callback",
            uris.join(", ")
        )));
    };
    match u.port() {
        None => Redirect::listen(0, None, u.path()).await,
        Some(port) => Redirect::listen(port, Some(u.as_str()), u.path())
            .await
            .map_err(|e| {
                LoginError::Usage(format!(
                    "the client metadata document {url} names the fixed redirect {u}, and {e}; free the port, or list a port-less loopback redirect URI in the document"
                ))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_document_names_itself_and_loopback_redirects() {
        let url = default_client_metadata_url();
        assert!(
            url.starts_with("https://") && url.ends_with("/client-metadata.json"),
            "{url}"
        );
        let obj: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(CLIENT_METADATA).unwrap();
        let info = ClientInformation::from_object(&obj).0;
        assert_eq!(info.token_endpoint_auth_method.as_deref(), Some("none"));
        let uris = info.redirect_uris.unwrap();
        assert!(!uris.is_empty());
        for u in uris {
            let u = Url::parse(&u).unwrap();
            // RFC 8252 §7.3: loopback, no fixed port.
            assert!(
                crate::evidence::urls::is_loopback(&u) && u.port().is_none(),
                "{u}"
            );
        }
    }

    #[test]
    fn a_document_must_name_its_own_url() {
        let url = "https://app.example/client.json";
        let doc = |id: &str| {
            format!(r#"{{"client_id":"{id}","redirect_uris":["http://127.0.0.1/callback"]}}"#)
        };
        assert_eq!(
            document_uris(url, &doc(url)).unwrap(),
            ["http://127.0.0.1/callback"]
        );
        let e = document_uris(url, &doc("https://app.example/other.json"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(url) && e.contains("names the client_id https://app.example/other.json"),
            "{e}"
        );
        // Exactly: no normalisation.
        assert!(document_uris(url, &doc("https://app.example/client.json/")).is_err());
        let e = document_uris(url, r#"{"redirect_uris":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("has no client_id"), "{e}");
        let e = document_uris(url, "<html>").unwrap_err().to_string();
        assert!(e.contains("not a JSON object"), "{e}");
        // mcp-auth's own document passes its own check.
        let own = default_client_metadata_url();
        assert!(!document_uris(&own, CLIENT_METADATA).unwrap().is_empty());
    }

    use crate::login::client::tests::md;

    #[test]
    fn registration_asks_for_none_unless_the_server_refuses_it() {
        assert_eq!(registration_method(&md(None)), AuthMethod::None);
        assert_eq!(
            registration_method(&md(Some(&["none", "client_secret_basic"]))),
            AuthMethod::None
        );
        assert_eq!(
            registration_method(&md(Some(&["client_secret_post"]))),
            AuthMethod::ClientSecretPost
        );
        assert_eq!(
            registration_method(&md(Some(&["client_secret_basic"]))),
            AuthMethod::ClientSecretBasic
        );
    }

    #[test]
    fn a_registration_with_a_secret_authenticates_as_it_says() {
        let info = ClientInformation {
            client_id: Some("c".into()),
            client_secret: Some("s".into()),
            token_endpoint_auth_method: Some("client_secret_post".into()),
            ..ClientInformation::default()
        };
        let c = registered(
            info,
            &md(Some(&["client_secret_post"])),
            "http://127.0.0.1:1/callback",
        )
        .unwrap();
        assert_eq!(c.method, AuthMethod::ClientSecretPost);
        assert!(c.registered);
        assert_eq!(c.secret.unwrap().expose(), "s");
        let e = registered(ClientInformation::default(), &md(None), "x").unwrap_err();
        assert!(e.to_string().contains("no client_id"), "{e}");
    }
}
