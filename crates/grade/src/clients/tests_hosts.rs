//! Every host profile over recorded exchanges: a server made for it, where
//! it gets through, and one where it stops, at the step its profile says.

use serde_json::{json, Value};

use super::profile::{RegistrationMethod, ScopeSource};
use super::*;
use crate::test_support::*;

fn hosts() -> Vec<&'static Profile> {
    profiles()
        .iter()
        .filter(|p| p.kind() == ProfileKind::Host)
        .collect()
}

/// The row of `id` for an MCP server whose authorization server serves `doc`.
fn row(doc: &Value, id: &str) -> ClientPath {
    let ev = mcp_with_server(&good_prm(), ISSUER, vec![json(doc)]);
    let analysis = crate::Analysis::new(&ev);
    resource_client_paths(analysis.resource.as_ref().unwrap())
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

/// A server any host can use: https on 443, CIMD with `none` and
/// `private_key_jwt`, dynamic registration, S256.
fn made_for_hosts() -> Value {
    good_doc()
}

fn with_member(mut doc: Value, member: &str, value: Value) -> Value {
    let o = doc.as_object_mut().unwrap();
    if value.is_null() {
        o.remove(member);
    } else {
        o.insert(member.into(), value);
    }
    doc
}

#[test]
fn every_host_gets_through_a_server_made_for_it() {
    for p in hosts() {
        let r = row(&made_for_hosts(), &p.id);
        assert!(r.works, "{}: {}", p.id, r.detail);
        assert_eq!(r.stops_at, None, "{}", p.id);
        assert_eq!(r.kind, ProfileKind::Host);
        let reg = p.def.registration.as_ref().unwrap();
        let how = match reg.order[0] {
            RegistrationMethod::Cimd => "registers with its Client ID Metadata Document",
            RegistrationMethod::Dcr => "registers dynamically at",
            RegistrationMethod::Preregistered => "register by hand",
        };
        assert!(r.detail.contains(how), "{}: {}", p.id, r.detail);
    }
}

/// Each host's own way to fail, read from its profile.
fn failing_server(p: &Profile) -> (Value, &'static str, String) {
    let reg = p.def.registration.as_ref().unwrap();
    if p.def.network.as_ref().is_some_and(|n| n.https_443_only) {
        let token = "https://auth.example.com:8443/tenant1/token";
        return (
            with_member(made_for_hosts(), "token_endpoint", json!(token)),
            "discovery",
            format!("{token} is not"),
        );
    }
    if !reg.order.contains(&RegistrationMethod::Preregistered) {
        let doc = with_member(made_for_hosts(), "registration_endpoint", Value::Null);
        let doc = with_member(doc, "client_id_metadata_document_supported", Value::Null);
        return (doc, "registration", "fails at registration: ".to_owned());
    }
    // It can always fall back to a client registered by hand: the issuer
    // comparison (or PKCE) is where it stops.
    let doc = with_member(
        made_for_hosts(),
        "code_challenge_methods_supported",
        json!(["plain"]),
    );
    (doc, "discovery", "S256".to_owned())
}

#[test]
fn every_host_stops_where_its_profile_says() {
    for p in hosts() {
        let (doc, step, why) = failing_server(p);
        let r = row(&doc, &p.id);
        assert!(!r.works, "{}: {}", p.id, r.detail);
        assert_eq!(r.stops_at.as_deref(), Some(step), "{}: {}", p.id, r.detail);
        assert!(
            r.detail.contains(&why),
            "{}: {}\n  wanted: {why}",
            p.id,
            r.detail
        );
    }
}

#[test]
fn a_host_that_needs_none_for_cimd_registers_dynamically_without_it() {
    let needs_none: Vec<_> = hosts()
        .into_iter()
        .filter(|p| {
            p.def
                .registration
                .as_ref()
                .is_some_and(|r| r.cimd_requires.iter().any(|c| c == "none"))
        })
        .collect();
    assert!(!needs_none.is_empty(), "Claude's rule is in the data");
    let doc = with_member(
        made_for_hosts(),
        "token_endpoint_auth_methods_supported",
        json!(["client_secret_basic", "private_key_jwt"]),
    );
    for p in needs_none {
        let r = row(&doc, &p.id);
        assert!(
            r.detail.contains("lacks \"none\""),
            "{}: {}",
            p.id,
            r.detail
        );
        let dcr = p
            .def
            .registration
            .as_ref()
            .unwrap()
            .order
            .contains(&RegistrationMethod::Dcr);
        if dcr {
            assert!(r.works, "{}: {}", p.id, r.detail);
            assert!(
                r.detail.contains("registers dynamically at"),
                "{}",
                r.detail
            );
        }
    }
}

#[test]
fn a_cimd_document_with_private_key_jwt_needs_it_or_its_fallback() {
    let jwt: Vec<_> = hosts()
        .into_iter()
        .filter(|p| {
            p.def.registration.as_ref().is_some_and(|r| {
                r.order.first() == Some(&RegistrationMethod::Cimd)
                    && r.auth_method == "private_key_jwt"
            })
        })
        .collect();
    assert!(!jwt.is_empty(), "ChatGPT's document is in the data");
    let methods =
        |m: Value| with_member(made_for_hosts(), "token_endpoint_auth_methods_supported", m);
    for p in jwt {
        let fallback = p
            .def
            .registration
            .as_ref()
            .unwrap()
            .fallback_auth_method
            .clone();
        // Only its fallback listed: it works if the server honours the fallback.
        let r = row(&methods(json!(["none", "client_secret_basic"])), &p.id);
        assert_eq!(r.works, fallback.as_deref() == Some("none"), "{}", r.detail);
        if r.works {
            assert!(
                r.detail
                    .contains("works only if the server honours the fallback"),
                "{}",
                r.detail
            );
        }
        // Neither: it stops at registration, naming both sides.
        let r = row(&methods(json!(["client_secret_basic"])), &p.id);
        assert!(!r.works);
        assert_eq!(r.stops_at.as_deref(), Some("registration"));
        assert!(
            r.detail.contains("uses private_key_jwt")
                && r.detail.contains("the server lists client_secret_basic"),
            "{}",
            r.detail
        );
    }
}

#[test]
fn a_host_taking_every_scope_says_what_it_requests() {
    for p in hosts() {
        let takes_all = p
            .def
            .scope
            .as_ref()
            .is_some_and(|s| s.from.first() == Some(&ScopeSource::AuthorizationServer));
        let r = row(&made_for_hosts(), &p.id);
        assert_eq!(
            r.detail.contains(
                "requests every scope the authorization server lists (openid profile mcp:tools)"
            ),
            takes_all,
            "{}: {}",
            p.id,
            r.detail
        );
    }
}

#[test]
fn a_finding_about_one_host_stops_that_host_only() {
    let ids: Vec<&str> = hosts().iter().map(|p| p.id.as_str()).take(2).collect();
    let paths: Vec<ClientPath> = ids
        .iter()
        .map(|id| test_path(id, true, Some("https://a/.well-known/x")))
        .collect();
    let mut f = crate::test_support::bare_finding(
        "AUTHZ-RESOURCE-ACCEPTED",
        Some(ids[0]),
        crate::Status::Fail,
    );
    f.subject = Some(ids[0].to_owned());
    let out = through_flow(paths, &[f], |_| Some("https://a".to_owned()));
    assert!(!out[0].works, "{}", out[0].detail);
    assert_eq!(out[0].stops_at.as_deref(), Some("authorize"));
    assert!(out[1].works, "another host's finding");
}

/// A check of a behaviour a host does not have does not stop it.
#[test]
fn a_failed_check_stops_only_the_hosts_it_concerns() {
    let stopped = |check: &str, id: &str| {
        let f = crate::test_support::bare_finding(check, None, crate::Status::Fail);
        let path = test_path(id, true, Some("https://a/.well-known/x"));
        !through_flow(vec![path], &[f], |_| None)[0].works
    };
    // Gemini CLI reads no `iss`; Codex compares it exactly.
    assert!(!stopped("ISS-RESPONSE", "gemini-cli"));
    assert!(stopped("ISS-RESPONSE", "codex-cli"));
    // VS Code's callback has a fixed port; Codex picks any.
    assert!(!stopped("AUTHZ-LOOPBACK-PORT", "vscode"));
    assert!(stopped("AUTHZ-LOOPBACK-PORT", "codex-cli"));
    // Every host here sends `resource`.
    assert!(stopped("AUTHZ-RESOURCE-ACCEPTED", "claude"));
}

/// `--probe-hosts`: a refused CIMD client (AUTHZ-HOST-ACCEPTED warns for
/// it) stops that host when it would register with its document here, and
/// not when it registers dynamically.
#[test]
fn a_refused_host_probe_stops_the_host_that_uses_cimd_there() {
    let refused = |cimd: bool| {
        let mut path = test_path("claude", true, Some("https://a/.well-known/x"));
        path.registers_with = Some(if cimd {
            RegistrationMethod::Cimd
        } else {
            RegistrationMethod::Dcr
        });
        let other = test_path("chatgpt", true, Some("https://a/.well-known/x"));
        let f = crate::test_support::bare_finding(
            "AUTHZ-HOST-ACCEPTED",
            Some("claude"),
            crate::Status::Warn,
        );
        through_flow(vec![path, other], &[f], |_| Some("https://a".to_owned()))
    };
    let out = refused(true);
    assert!(!out[0].works);
    assert_eq!(out[0].stops_at.as_deref(), Some("authorize"));
    assert!(
        out[0]
            .detail
            .ends_with("then AUTHZ-HOST-ACCEPTED warns (authorize)"),
        "{}",
        out[0].detail
    );
    assert!(out[1].works, "another host");
    assert!(
        refused(false)[0].works,
        "it registers dynamically: the probe is not its path"
    );
}

/// The hosts over real published documents (`../shared/fixtures/real-metadata`).
fn real_rows(prm: &str, issuer: &str, doc: &str) -> Vec<ClientPath> {
    let ev = mcp_with_server(&real_metadata(prm), issuer, vec![json(&real_metadata(doc))]);
    let analysis = crate::Analysis::new(&ev);
    resource_client_paths(analysis.resource.as_ref().unwrap())
        .into_iter()
        .filter(|c| c.kind == ProfileKind::Host)
        .collect()
}

fn verdict<'a>(rows: &'a [ClientPath], id: &str) -> &'a ClientPath {
    rows.iter().find(|c| c.id == id).unwrap()
}

/// Stripe's MCP server: DCR and `none`, no CIMD, and no
/// `response_types_supported`: the hosts on the TypeScript SDK v2's
/// discovery (its zod schema requires it) throw; every other host
/// registers dynamically.
#[test]
fn on_real_stripe_ts_sdk_hosts_throw_and_the_others_register_dynamically() {
    let rows = real_rows(
        "stripe-mcp--prm.json",
        "https://access.stripe.com/mcp",
        "stripe-mcp--oauth-as.json",
    );
    for r in &rows {
        let ts = profile(&r.id).unwrap().def.metadata.discovery
            == super::profile::MetadataDiscovery::TsSdk;
        if ts {
            assert_eq!(r.stops_at.as_deref(), Some("discovery"), "{}", r.id);
            assert!(
                r.detail.contains("missing response_types_supported"),
                "{}: {}",
                r.id,
                r.detail
            );
        } else {
            assert!(r.works, "{}: {}", r.id, r.detail);
            assert_eq!(r.registers_with, Some(RegistrationMethod::Dcr), "{}", r.id);
        }
    }
    assert!(rows.iter().any(|r| r.id == "inspector" && !r.works));
}

/// Google Compute's MCP server: its PRM names `https://accounts.google.com/`
/// and Google's document says `https://accounts.google.com`: the hosts that
/// compare issuers exactly stop at discovery; those that compare nothing get
/// through to registration, where Google offers neither DCR nor CIMD: they
/// need a client registered by hand.
#[test]
fn on_real_google_the_issuer_rule_and_registration_decide() {
    let rows = real_rows(
        "google-compute-mcp--prm.json",
        "https://accounts.google.com/",
        "google--oauth-as.json",
    );
    let claude = verdict(&rows, "claude");
    assert_eq!(
        claude.stops_at.as_deref(),
        Some("discovery"),
        "{}",
        claude.detail
    );
    assert!(
        claude
            .detail
            .contains("issuer 'https://accounts.google.com'"),
        "{}",
        claude.detail
    );
    let vscode = verdict(&rows, "vscode");
    assert!(
        vscode.works,
        "VS Code compares no issuer: {}",
        vscode.detail
    );
    assert_eq!(
        vscode.registers_with,
        Some(RegistrationMethod::Preregistered)
    );
    let gemini = verdict(&rows, "gemini-cli");
    assert_eq!(
        gemini.registers_with,
        Some(RegistrationMethod::Preregistered)
    );
    assert!(
        gemini
            .detail
            .contains("no registration_endpoint: works only with a client id you register by hand"),
        "{}",
        gemini.detail
    );
    assert_eq!(
        verdict(&rows, "cursor").stops_at.as_deref(),
        Some("discovery")
    );
}
