//! Tests of the dynamic client registration checks (DCR-*), with the request
//! bodies `requests::registration_metadata` builds.

use serde_json::{json, Value};

use crate::evidence::requests::registration_metadata;
use crate::evidence::{Evidence, Exchange, ProbeKind, TransportError, TransportErrorKind};
use crate::test_support::*;
use crate::Status::*;

const REGISTER: &str = "https://auth.example.com/tenant1/register";

/// The redirect URIs the probe sends for `host`.
fn redirect_uris(host: &str) -> Value {
    registration_metadata(host, true)["redirect_uris"].clone()
}

/// A registration POST as `ProbeRequest::register` sends it, with the body
/// `registration_metadata(host, application_type)`.
fn registration(host: &str, application_type: bool, status: u16, body: &str) -> Exchange {
    let mut ex = exchange(
        "POST",
        REGISTER,
        &[
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ],
        status,
        &[("content-type", "application/json")],
        body,
    );
    ex.request.body = Some(registration_metadata(host, application_type).to_string());
    ex
}

/// A compliant client information response for `host` (secrets are recorded redacted).
fn client(host: &str) -> Value {
    json!({
        "client_id": "c-123",
        "client_id_issued_at": 1_700_000_000,
        "client_name": "mcp-auth check (probe)",
        "redirect_uris": redirect_uris(host),
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
        "registration_access_token": "[redacted]",
        "registration_client_uri": "https://auth.example.com/tenant1/register/c-123"
    })
}

/// `client("127.0.0.1")` with members changed (`Value::Null` removes one).
pub(super) fn client_with(changes: &[(&str, Value)]) -> Value {
    let mut c = client("127.0.0.1");
    let obj = c.as_object_mut().unwrap();
    for (member, value) in changes {
        if value.is_null() {
            obj.remove(*member);
        } else {
            obj.insert((*member).into(), value.clone());
        }
    }
    c
}

pub(super) fn refusal(error: &str, description: &str) -> String {
    json!({"error": error, "error_description": description}).to_string()
}

/// The main registration (127.0.0.1, application_type native).
fn main_reg(status: u16, body: &str) -> Exchange {
    registration("127.0.0.1", true, status, body)
}

fn localhost_reg(status: u16, body: &str) -> Exchange {
    registration("localhost", true, status, body)
}

fn no_app_type_reg(status: u16, body: &str) -> Exchange {
    registration("127.0.0.1", false, status, body)
}

/// `good_mcp()` whose first authorization server got these registration probes.
fn registered(probes: Vec<(ProbeKind, Exchange)>) -> Evidence {
    probes
        .into_iter()
        .fold(good_mcp(), |ev, (kind, ex)| with_server_probe(ev, kind, ex))
}

/// Only the main registration.
pub(super) fn main_only(status: u16, body: &str) -> Evidence {
    registered(vec![(
        ProbeKind::RegisterLoopbackIp,
        main_reg(status, body),
    )])
}

/// All three registrations.
fn all_three(main: Exchange, localhost: Exchange, no_app_type: Exchange) -> Evidence {
    registered(vec![
        (ProbeKind::RegisterLoopbackIp, main),
        (ProbeKind::RegisterLocalhost, localhost),
        (ProbeKind::RegisterNoAppType, no_app_type),
    ])
}

fn accepted_everywhere() -> Evidence {
    all_three(
        main_reg(201, &client("127.0.0.1").to_string()),
        localhost_reg(201, &client("localhost").to_string()),
        no_app_type_reg(201, &client("127.0.0.1").to_string()),
    )
}

/// The registration with an invalid redirect URI (`RegisterInvalid`).
fn invalid_reg(status: u16, body: &str) -> Exchange {
    let mut ex = main_reg(status, body);
    let mut sent = registration_metadata("127.0.0.1", true);
    sent["redirect_uris"] = json!(["not a valid redirect uri"]);
    ex.request.body = Some(sent.to_string());
    ex
}

/// Every valid variant accepted, the invalid one refused as RFC 7591 says.
fn compliant() -> Evidence {
    with_server_probe(
        accepted_everywhere(),
        ProbeKind::RegisterInvalid,
        invalid_reg(400, &refusal("invalid_redirect_uri", "not a URI")),
    )
}

fn unanswered() -> Exchange {
    let mut ex = main_reg(0, "");
    ex.response = None;
    ex.error = Some(TransportError {
        kind: TransportErrorKind::Connect,
        message: "connection reset".into(),
    });
    ex
}

const DCR_IDS: [&str; 8] = [
    "DCR-STATUS",
    "DCR-CLIENT-ID",
    "DCR-ECHO-METADATA",
    "DCR-AUTH-METHOD",
    "DCR-LOOPBACK-IP",
    "DCR-LOOPBACK-LOCALHOST",
    "DCR-APP-TYPE",
    "DCR-ERROR-FORMAT",
];

// ---------------------------------------------------------------- not probed

#[test]
fn every_dcr_check_skips_without_register() {
    for ev in [good_mcp(), served_at_oauth(&good_doc())] {
        for id in DCR_IDS {
            let f = finding(&ev, id);
            assert_eq!(f.status, Skip, "{id}: {}", f.detail);
            assert!(f.detail.contains("--register"), "{id}: {}", f.detail);
        }
    }
}

#[test]
fn every_dcr_check_skips_without_a_registration_endpoint() {
    let ev = with("registration_endpoint", Value::Null);
    for id in DCR_IDS {
        let f = finding(&ev, id);
        assert_eq!(f.status, Skip, "{id}: {}", f.detail);
        assert!(
            f.detail.contains("no registration endpoint"),
            "{id}: {}",
            f.detail
        );
    }
}

#[test]
fn a_compliant_registration_passes_every_check() {
    let ev = compliant();
    for id in DCR_IDS {
        let f = finding(&ev, id);
        assert_eq!(f.status, Pass, "{id}: {}", f.detail);
        assert_eq!(f.subject.as_deref(), Some(ISSUER), "{id}");
    }
}

// ---------------------------------------------------------------- DCR-STATUS

#[test]
fn dcr_status() {
    let f = finding(
        &main_only(201, &client("127.0.0.1").to_string()),
        "DCR-STATUS",
    );
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "201");

    let f = finding(
        &main_only(200, &client("127.0.0.1").to_string()),
        "DCR-STATUS",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("200"), "{}", f.detail);

    let body = refusal(
        "invalid_redirect_uri",
        "loopback redirect URIs are not allowed",
    );
    let f = finding(&main_only(400, &body), "DCR-STATUS");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail
            .contains("400 invalid_redirect_uri: loopback redirect URIs are not allowed"),
        "{}",
        f.detail
    );

    let ev = registered(vec![(ProbeKind::RegisterLoopbackIp, unanswered())]);
    let f = finding(&ev, "DCR-STATUS");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("connection reset"), "{}", f.detail);
}

#[test]
fn dcr_checks_work_in_issuer_mode() {
    let ev = with_server_probe(
        served_at_oauth(&good_doc()),
        ProbeKind::RegisterLoopbackIp,
        main_reg(201, &client("127.0.0.1").to_string()),
    );
    let f = finding(&ev, "DCR-STATUS");
    assert_eq!(f.status, Pass);
    assert_eq!(f.subject, None);
}

// ---------------------------------------------------------------- DCR-CLIENT-ID

#[test]
fn dcr_client_id() {
    let f = finding(
        &main_only(201, &client("127.0.0.1").to_string()),
        "DCR-CLIENT-ID",
    );
    assert_eq!(f.status, Pass);
    assert_eq!(f.detail, "client_id c-123");

    for id in [Value::Null, json!(""), json!(42)] {
        let body = client_with(&[("client_id", id.clone())]).to_string();
        let f = finding(&main_only(201, &body), "DCR-CLIENT-ID");
        assert_eq!(f.status, Fail, "{id}: {}", f.detail);
    }

    let f = finding(&main_only(201, "<html>created</html>"), "DCR-CLIENT-ID");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not a JSON object"), "{}", f.detail);

    let body = refusal("invalid_redirect_uri", "no loopback");
    let f = finding(&main_only(400, &body), "DCR-CLIENT-ID");
    assert_eq!(f.status, Skip);
    assert!(
        f.detail.contains("refused (400 invalid_redirect_uri"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------------- DCR-ECHO-METADATA

#[test]
fn dcr_echo_metadata_passes_when_redirect_uris_come_back() {
    let f = finding(
        &main_only(201, &client("127.0.0.1").to_string()),
        "DCR-ECHO-METADATA",
    );
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.contains("http://127.0.0.1:8976/callback"),
        "{}",
        f.detail
    );
}

#[test]
fn dcr_echo_metadata_fails_without_redirect_uris() {
    let body = client_with(&[("redirect_uris", Value::Null)]).to_string();
    let f = finding(&main_only(201, &body), "DCR-ECHO-METADATA");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("not echoed"), "{}", f.detail);
}

#[test]
fn dcr_echo_metadata_warns_on_other_redirect_uris_than_sent() {
    let body = client_with(&[("redirect_uris", json!(["http://127.0.0.1/other"]))]).to_string();
    let f = finding(&main_only(201, &body), "DCR-ECHO-METADATA");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail
            .contains("sent http://127.0.0.1:8976/callback, got http://127.0.0.1/other"),
        "{}",
        f.detail
    );

    // Without a recorded request body there is nothing to compare with.
    let mut ex = main_reg(201, &body);
    ex.request.body = None;
    let ev = registered(vec![(ProbeKind::RegisterLoopbackIp, ex)]);
    assert_eq!(status_of(&ev, "DCR-ECHO-METADATA"), Pass);
}

#[test]
fn dcr_echo_metadata_skips_when_refused() {
    let body = refusal("invalid_client_metadata", "nope");
    assert_eq!(status_of(&main_only(400, &body), "DCR-ECHO-METADATA"), Skip);
}

// ---------------------------------------------------------------- DCR-LOOPBACK-IP

#[test]
fn dcr_loopback_ip() {
    let f = finding(
        &main_only(201, &client("127.0.0.1").to_string()),
        "DCR-LOOPBACK-IP",
    );
    assert_eq!(f.status, Pass);

    let body = refusal("invalid_redirect_uri", "http redirect URIs are not allowed");
    let f = finding(&main_only(400, &body), "DCR-LOOPBACK-IP");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("refused: 400 invalid_redirect_uri"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------------- DCR-LOOPBACK-LOCALHOST

#[test]
fn dcr_loopback_localhost() {
    assert_eq!(
        status_of(&accepted_everywhere(), "DCR-LOOPBACK-LOCALHOST"),
        Pass
    );

    let ev = all_three(
        main_reg(201, &client("127.0.0.1").to_string()),
        localhost_reg(400, &refusal("invalid_redirect_uri", "localhost")),
        no_app_type_reg(201, &client("127.0.0.1").to_string()),
    );
    let f = finding(&ev, "DCR-LOOPBACK-LOCALHOST");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail.contains("refused: 400 invalid_redirect_uri"),
        "{}",
        f.detail
    );

    // Only the main registration was recorded.
    let f = finding(
        &main_only(201, &client("127.0.0.1").to_string()),
        "DCR-LOOPBACK-LOCALHOST",
    );
    assert_eq!(f.status, Skip);
    assert_eq!(f.detail, "not probed");
}

// ---------------------------------------------------------------- DCR-APP-TYPE

#[test]
fn dcr_app_type() {
    let f = finding(&accepted_everywhere(), "DCR-APP-TYPE");
    assert_eq!(f.status, Pass);
    assert!(
        f.detail.contains("also accepted without application_type"),
        "{}",
        f.detail
    );

    let f = finding(
        &main_only(201, &client("127.0.0.1").to_string()),
        "DCR-APP-TYPE",
    );
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("not probed"), "{}", f.detail);
}

#[test]
fn dcr_app_type_fails_when_native_is_refused() {
    let ev = all_three(
        main_reg(
            400,
            &refusal("invalid_client_metadata", "application_type native"),
        ),
        localhost_reg(
            400,
            &refusal("invalid_client_metadata", "application_type native"),
        ),
        no_app_type_reg(201, &client("127.0.0.1").to_string()),
    );
    let f = finding(&ev, "DCR-APP-TYPE");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("application_type native refused"),
        "{}",
        f.detail
    );
}

#[test]
fn dcr_app_type_warns_when_refused_without_application_type() {
    let ev = all_three(
        main_reg(201, &client("127.0.0.1").to_string()),
        localhost_reg(201, &client("localhost").to_string()),
        no_app_type_reg(
            400,
            &refusal("invalid_client_metadata", "application_type required"),
        ),
    );
    let f = finding(&ev, "DCR-APP-TYPE");
    assert_eq!(f.status, Warn);
    assert!(
        f.detail
            .contains("without application_type refused (400 invalid_client_metadata"),
        "{}",
        f.detail
    );
}

// ---------------------------------------------------------------- DCR-ERROR-FORMAT

#[test]
fn dcr_error_format_passes_on_400_with_an_rfc7591_code() {
    let ev = main_only(400, &json!({"error": "invalid_redirect_uri"}).to_string());
    let f = finding(&ev, "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("1 refusal(s)"), "{}", f.detail);

    let ev = all_three(
        main_reg(201, &client("127.0.0.1").to_string()),
        localhost_reg(400, &refusal("invalid_redirect_uri", "localhost")),
        no_app_type_reg(400, &refusal("invalid_client_metadata", "app type")),
    );
    let f = finding(&ev, "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("2 refusal(s)"), "{}", f.detail);
}

#[test]
fn dcr_error_format_warns_on_unusable_refusals() {
    let f = finding(&main_only(500, "Internal Server Error"), "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("500"), "{}", f.detail);

    let f = finding(&main_only(400, "Bad Request"), "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("400"), "{}", f.detail);

    // A 400 with a code that is not RFC 7591's.
    let f = finding(
        &main_only(400, &refusal("server_error", "oops")),
        "DCR-ERROR-FORMAT",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("server_error"), "{}", f.detail);

    // The right code with the wrong status.
    let f = finding(
        &main_only(403, &refusal("invalid_redirect_uri", "no")),
        "DCR-ERROR-FORMAT",
    );
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("403"), "{}", f.detail);
}

#[test]
fn dcr_error_format_skips_when_nothing_was_refused() {
    let f = finding(&accepted_everywhere(), "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Skip);
    assert!(
        f.detail.contains("no registration was refused"),
        "{}",
        f.detail
    );

    // A registration without a response is not a refusal.
    let ev = registered(vec![(ProbeKind::RegisterLoopbackIp, unanswered())]);
    assert_eq!(status_of(&ev, "DCR-ERROR-FORMAT"), Skip);
}

#[test]
fn dcr_error_format_grades_the_invalid_redirect_uri_probe() {
    let f = finding(&compliant(), "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Pass);
    assert!(f.detail.contains("1 refusal(s)"), "{}", f.detail);

    let ev = with_server_probe(
        accepted_everywhere(),
        ProbeKind::RegisterInvalid,
        invalid_reg(201, &client("127.0.0.1").to_string()),
    );
    let f = finding(&ev, "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("was accepted"), "{}", f.detail);

    let ev = with_server_probe(
        accepted_everywhere(),
        ProbeKind::RegisterInvalid,
        invalid_reg(500, "Internal Server Error"),
    );
    let f = finding(&ev, "DCR-ERROR-FORMAT");
    assert_eq!(f.status, Warn);
    assert!(f.detail.contains("500"), "{}", f.detail);
}
