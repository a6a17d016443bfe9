use super::*;
use crate::{test_support, CATALOGUE};

fn finding(id: &str, status: Status, subject: Option<&str>) -> Finding {
    test_support::bare_finding(id, subject, status)
}

/// An MCP server with one authorization server whose metadata was found,
/// nothing probed.
fn mcp() -> Context {
    Context {
        checked_directly: None,
        servers: 1,
        server_metadata_found: true,
        ..Context::default()
    }
}

fn step(story: &[StoryStep], step: Step) -> &StoryStep {
    story.iter().find(|s| s.step == step).unwrap()
}

#[test]
fn every_catalogue_id_maps_to_one_step_or_other() {
    let unmapped: Vec<&str> = CATALOGUE
        .iter()
        .map(|c| c.id)
        .filter(|id| step_entry(id).is_none())
        .collect();
    assert!(
        unmapped.is_empty(),
        "add these ids to story::STEP_OF: {unmapped:?}"
    );
}

/// First match wins, so each id has exactly one step; an entry that an
/// earlier, shorter prefix shadows would never be used.
#[test]
fn no_entry_of_the_table_is_shadowed() {
    for (i, (prefix, _)) in STEP_OF.iter().enumerate() {
        let first = step_entry(prefix).map(|(p, _)| *p);
        assert_eq!(
            first,
            Some(*prefix),
            "entry {i} ({prefix}) is shadowed by {first:?}"
        );
    }
}

/// Where the ids of spec-checklist.md §2 that `check` does not grade yet
/// (and the ones it does whose step is an exception) will land.
#[test]
fn checklist_ids_land_in_their_steps() {
    for (id, expected) in [
        ("CH-401", Some(Step::Challenge)),
        ("CH-INVALID-TOKEN", Some(Step::Challenge)),
        ("CH-403-SCOPE", Some(Step::McpCall)),
        ("CH-STATELESS-DISCOVER", Some(Step::Challenge)),
        // Plain check's enforcement probes refuse before any login.
        ("RS-UNAUTHENTICATED-REFUSED", Some(Step::Challenge)),
        ("RS-EXPIRED-TOKEN-REFUSED", Some(Step::Challenge)),
        ("RS-FORGED-TOKEN-REFUSED", Some(Step::Challenge)),
        ("PRM-DISCOVERABLE", Some(Step::ResourceMetadata)),
        ("DISC-AS-FOUND", Some(Step::ServerMetadata)),
        ("DISC-PROTOCOL-HEADER", Some(Step::ServerMetadata)),
        ("AS-OFFLINE-ACCESS", Some(Step::ServerMetadata)),
        ("AS-PROTECTED-RESOURCES", Some(Step::ServerMetadata)),
        ("AS-TOKEN-ENDPOINT-REACHABLE", Some(Step::ServerMetadata)),
        ("DCR-STATUS", Some(Step::Registration)),
        ("DCR-HTTPS", Some(Step::ServerMetadata)),
        ("CIMD-AUTH-METHODS", Some(Step::ServerMetadata)),
        ("EXT-DPOP", Some(Step::ServerMetadata)),
        ("CIMD-LIVE", Some(Step::Registration)),
        ("AUTHZ-PKCE-ENFORCED", Some(Step::Authorize)),
        ("ISS-RESPONSE", Some(Step::Authorize)),
        ("STATE-ECHO", Some(Step::Authorize)),
        ("TOK-RESPONSE", Some(Step::Token)),
        ("TOK-RESOURCE-ACCEPTED", Some(Step::Token)),
        ("TOK-AUDIENCE", Some(Step::Token)),
        ("TOK-PKCE-VERIFIED", Some(Step::Token)),
        ("TOKEN-AUD", Some(Step::Token)),
        ("RS-ACCEPTS-TOKEN", Some(Step::McpCall)),
        ("RS-AUDIENCE-ENFORCED", Some(Step::McpCall)),
        ("TOK-REFRESH-ROTATION", Some(Step::Refresh)),
        ("UI-CALL", None),
        ("UI-AUDIENCE", None),
        ("CORS-TOKEN", None),
        ("SEC-HTTPS-RS", None),
        ("SEC-HTTPS-AS", None),
        ("SEC-TLS-VALID", None),
    ] {
        assert!(step_entry(id).is_some(), "{id} is not mapped");
        assert_eq!(Step::of(id), expected, "{id}");
    }
}

#[test]
fn the_story_has_every_step_in_flow_order() {
    let s = story(&mcp(), &[]);
    let labels: Vec<&str> = s.iter().map(|l| l.step.label()).collect();
    assert_eq!(
        labels,
        [
            "401",
            "protected resource metadata",
            "authorization server metadata",
            "registration",
            "authorize",
            "token",
            "MCP call",
            "refresh"
        ]
    );
}

#[test]
fn a_failed_check_fails_its_step_and_the_first_one_in_report_order_is_named() {
    let findings = [
        finding("CH-401", Status::Pass, None),
        finding("CH-SCOPE", Status::Warn, None),
        finding("CH-BEARER-SCHEME", Status::Fail, None),
        finding("CH-RESOURCE-METADATA", Status::Fail, None),
    ];
    let s = story(&mcp(), &findings);
    let line = step(&s, Step::Challenge);
    assert_eq!(line.verdict, StepVerdict::Fail);
    assert_eq!(line.check.as_deref(), Some("CH-BEARER-SCHEME"));
    assert_eq!(line.note, None);
}

#[test]
fn a_warning_without_a_failure_warns_and_info_counts_as_pass() {
    let findings = [
        finding("PRM-DISCOVERABLE", Status::Pass, None),
        finding("PRM-NAME", Status::Info, None),
        finding("PRM-SCOPES", Status::Warn, None),
        finding("PRM-NO-OFFLINE-ACCESS", Status::Warn, None),
        finding("AS-USERINFO", Status::Info, None),
        finding("AS-OIDC-REQUIRED", Status::Skip, None),
        // Other checks do not count for any step.
        finding("CORS-PRM-GET", Status::Warn, None),
        finding("SEC-HTTPS-AS", Status::Warn, None),
    ];
    let s = story(&mcp(), &findings);
    let prm = step(&s, Step::ResourceMetadata);
    assert_eq!(prm.verdict, StepVerdict::Warn);
    assert_eq!(prm.check.as_deref(), Some("PRM-SCOPES"));
    let asm = step(&s, Step::ServerMetadata);
    assert_eq!(asm.verdict, StepVerdict::Pass);
    assert_eq!((asm.check.as_deref(), asm.note.as_deref()), (None, None));
}

#[test]
fn a_step_of_skips_only_did_not_run_and_says_which_flag_runs_it() {
    let findings = [
        finding("AS-REGISTRATION-ENDPOINT", Status::Pass, Some("A")),
        finding("DCR-STATUS", Status::Skip, Some("A")),
        finding("DCR-CLIENT-ID", Status::Skip, Some("A")),
        finding("AUTHZ-REDIRECT-EXACT", Status::Skip, Some("A")),
        // The live checks are always listed, skipped without --login.
        finding("TOK-RESPONSE", Status::Skip, None),
        finding("RS-ACCEPTS-TOKEN", Status::Skip, None),
    ];
    let s = story(&mcp(), &findings);
    for (st, why) in [
        (Step::Registration, "needs --register (creates a client)"),
        (Step::Authorize, "needs --probe-authorize"),
        (Step::Token, "needs --login"),
        (Step::McpCall, "needs --login"),
        (Step::Refresh, "needs --login"),
    ] {
        let line = step(&s, st);
        assert_eq!(line.verdict, StepVerdict::NotRun, "{st:?}");
        assert_eq!(line.note.as_deref(), Some(why), "{st:?}");
        assert_eq!(line.check, None, "{st:?}");
    }
    // Probed, but every check skipped (e.g. no registration endpoint).
    let probed = Context {
        registration_probed: true,
        authorize_probed: true,
        logged_in: true,
        ..mcp()
    };
    let s = story(&probed, &findings);
    assert_eq!(
        step(&s, Step::Registration).note.as_deref(),
        Some("every check skipped (see DCR-STATUS)")
    );
    assert_eq!(
        step(&s, Step::Authorize).note.as_deref(),
        Some("every check skipped (see AUTHZ-REDIRECT-EXACT)")
    );
    let logged_in = Context {
        logged_in: true,
        ..mcp()
    };
    assert_eq!(
        step(&story(&logged_in, &findings), Step::Registration)
            .note
            .as_deref(),
        Some("--login's client; --register probes")
    );
    // Logged in, the token step's skips are the checks' own business.
    assert_eq!(
        step(&s, Step::Token).note.as_deref(),
        Some("every check skipped (see TOK-RESPONSE)")
    );
}

#[test]
fn without_authorization_server_metadata_its_steps_say_so() {
    let ctx = Context {
        server_metadata_found: false,
        ..mcp()
    };
    let findings = [
        finding("DISC-AS-FOUND", Status::Fail, Some("A")),
        finding("DCR-STATUS", Status::Skip, Some("A")),
        finding("AUTHZ-REDIRECT-EXACT", Status::Skip, Some("A")),
    ];
    let s = story(&ctx, &findings);
    assert_eq!(step(&s, Step::ServerMetadata).verdict, StepVerdict::Fail);
    for st in [Step::Registration, Step::Authorize] {
        assert_eq!(
            step(&s, st).note.as_deref(),
            Some("no authorization server metadata"),
            "{st:?}"
        );
    }
}

#[test]
fn several_authorization_servers_take_the_worst_and_name_it() {
    let ctx = Context {
        servers: 2,
        ..mcp()
    };
    let findings = [
        finding("AS-ISS-PARAM", Status::Warn, Some("https://a.example")),
        finding("AS-RESPONSE-TYPES", Status::Pass, Some("https://a.example")),
        finding("AS-ISS-PARAM", Status::Pass, Some("https://b.example")),
        finding("AS-RESPONSE-TYPES", Status::Fail, Some("https://b.example")),
        finding("DCR-STATUS", Status::Warn, Some("https://a.example")),
        finding("DCR-STATUS", Status::Warn, Some("https://b.example")),
    ];
    let s = story(&ctx, &findings);
    let asm = step(&s, Step::ServerMetadata);
    assert_eq!(asm.verdict, StepVerdict::Fail);
    assert_eq!(asm.check.as_deref(), Some("AS-RESPONSE-TYPES"));
    assert_eq!(asm.subject.as_deref(), Some("https://b.example"));
    // Equally bad: the first in report order.
    let reg = step(&s, Step::Registration);
    assert_eq!(reg.verdict, StepVerdict::Warn);
    assert_eq!(reg.subject.as_deref(), Some("https://a.example"));
    // With one server, the subject goes without saying.
    let one = story(&mcp(), &findings);
    assert_eq!(step(&one, Step::ServerMetadata).subject, None);
}

#[test]
fn the_legacy_chain_says_so_on_the_resource_metadata_step() {
    let ctx = Context {
        legacy: true,
        ..mcp()
    };
    let findings = [
        finding("PRM-DISCOVERABLE", Status::Fail, None),
        finding("PRM-HTTP", Status::Skip, None),
    ];
    let s = story(&ctx, &findings);
    let prm = step(&s, Step::ResourceMetadata);
    assert_eq!(prm.verdict, StepVerdict::Fail);
    assert_eq!(prm.check.as_deref(), Some("PRM-DISCOVERABLE"));
    assert_eq!(prm.note.as_deref(), Some("legacy 2025-03-26 chain: no PRM"));
    assert_eq!(story(&mcp(), &findings)[1].note, None);
}

#[test]
fn an_issuer_target_has_no_401_or_resource_metadata_steps() {
    let ev = test_support::served_at_oauth(&test_support::good_doc());
    let (analysis, findings) = crate::grade(&ev);
    let ctx = Context::new(&ev, &analysis);
    assert_eq!(ctx.checked_directly, Some("issuer"));
    let s = story(&ctx, &findings);
    for st in [Step::Challenge, Step::ResourceMetadata] {
        let line = step(&s, st);
        assert_eq!(line.verdict, StepVerdict::NotRun);
        assert_eq!(line.note.as_deref(), Some("issuer checked directly"));
    }
    assert_eq!(
        step(&s, Step::McpCall).note.as_deref(),
        Some("no MCP server (issuer target)")
    );
    assert_eq!(step(&s, Step::ServerMetadata).verdict, StepVerdict::Pass);
}

#[test]
fn a_document_without_response_types_fails_the_metadata_step() {
    let mut doc = test_support::good_doc();
    doc.as_object_mut()
        .unwrap()
        .remove("response_types_supported");
    let ev = test_support::served_at_oauth(&doc);
    let (analysis, findings) = crate::grade(&ev);
    let s = story(&Context::new(&ev, &analysis), &findings);
    let asm = step(&s, Step::ServerMetadata);
    assert_eq!(asm.verdict, StepVerdict::Fail);
    assert_eq!(asm.check.as_deref(), Some("AS-RESPONSE-TYPES"));
}

#[test]
fn a_compliant_mcp_server_passes_its_first_steps() {
    let ev = test_support::good_mcp();
    let (analysis, findings) = crate::grade(&ev);
    let ctx = Context::new(&ev, &analysis);
    assert_eq!((ctx.checked_directly, ctx.legacy), (None, false));
    let s = story(&ctx, &findings);
    for st in [Step::Challenge, Step::ResourceMetadata] {
        assert_eq!(step(&s, st).verdict, StepVerdict::Pass, "{st:?}");
    }
    assert_eq!(
        step(&s, Step::Registration).note.as_deref(),
        Some("needs --register (creates a client)")
    );
}
