//! TOKEN-*: the token vectors of a resource server's bearer check.

use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::Value;

use super::*;

const ISS: &str = "https://as.example";
const RES: &str = "https://mcp.example/mcp";
const NOW: u64 = 1_800_000_000;

struct Key {
    pair: rcgen::KeyPair,
}

impl Key {
    fn new() -> Self {
        Self {
            pair: rcgen::KeyPair::generate().unwrap(),
        }
    }
    fn jwks(&self, kid: &str) -> jsonwebtoken::jwk::JwkSet {
        let raw = self.pair.public_key_raw();
        let b = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        serde_json::from_value(serde_json::json!({"keys": [{
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
            "x": b(&raw[1..33]), "y": b(&raw[33..65]),
        }]}))
        .unwrap()
    }
    fn sign(&self, kid: &str, claims: &Value) -> String {
        self.sign_typ(kid, Some("at+jwt"), claims)
    }
    fn sign_typ(&self, kid: &str, typ: Option<&str>, claims: &Value) -> String {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(kid.into());
        h.typ = typ.map(str::to_owned);
        encode(
            &h,
            claims,
            &EncodingKey::from_ec_pem(self.pair.serialize_pem().as_bytes()).unwrap(),
        )
        .unwrap()
    }
}

fn claims(aud: &str, exp: u64) -> Value {
    serde_json::json!({"iss": ISS, "aud": aud, "exp": exp, "sub": "alice", "scope": "openid mcp:tools"})
}

fn expect(scopes: &[String]) -> Expect<'_> {
    Expect {
        issuer: Some(ISS),
        resource: Some(RES),
        required_scopes: scopes,
        leeway: 60,
        now: NOW,
    }
}

fn failed(i: &TokenGraded) -> Vec<&str> {
    i.checks
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.id.as_str())
        .collect()
}

fn verify(
    token: &str,
    jwks: Option<&jsonwebtoken::jwk::JwkSet>,
    expect: &Expect<'_>,
) -> TokenGraded {
    grade_token(&TokenFacts {
        token,
        jwks,
        no_jwks: "the issuer publishes no jwks_uri",
        introspection: None,
        no_introspection: "no client id",
        expect: expect.clone(),
        verify_signature: true,
    })
}

#[test]
fn token_signature_a_good_token_is_accepted() {
    let k = Key::new();
    let i = verify(
        &k.sign("k1", &claims(RES, NOW + 600)),
        Some(&k.jwks("k1")),
        &expect(&["mcp:tools".into()]),
    );
    assert!(i.accepted, "{:?}", i.checks);
    assert!(i.signature_verified);
}

#[test]
fn token_signature_fails_for_another_key() {
    let k = Key::new();
    let other_key = Key::new();
    let forged = verify(
        &other_key.sign("k1", &claims(RES, NOW + 600)),
        Some(&k.jwks("k1")),
        &expect(&[]),
    );
    assert_eq!(failed(&forged), ["TOKEN-SIGNATURE"]);
    assert!(!forged.signature_verified);
}

#[test]
fn token_exp_fails_past_the_leeway_only() {
    let k = Key::new();
    let jwks = k.jwks("k1");
    let e = expect(&[]);
    let expired = verify(&k.sign("k1", &claims(RES, NOW - 3600)), Some(&jwks), &e);
    assert_eq!(failed(&expired), ["TOKEN-EXP"]);
    assert!(verify(&k.sign("k1", &claims(RES, NOW - 30)), Some(&jwks), &e).accepted);
}

#[test]
fn token_aud_fails_without_the_resource_and_leads_with_its_fix() {
    let k = Key::new();
    let wrong_aud = verify(
        &k.sign("k1", &claims("https://other.example", NOW + 600)),
        Some(&k.jwks("k1")),
        &expect(&[]),
    );
    assert_eq!(failed(&wrong_aud), ["TOKEN-AUD"]);
    assert!(wrong_aud.hint.as_deref().unwrap().contains("audience"));
}

#[test]
fn token_scope_fails_when_a_required_scope_is_missing() {
    let k = Key::new();
    let scopes = ["admin".to_owned()];
    let scope = verify(
        &k.sign("k1", &claims(RES, NOW + 600)),
        Some(&k.jwks("k1")),
        &expect(&scopes),
    );
    assert_eq!(failed(&scope), ["TOKEN-SCOPE"]);
}

#[test]
fn token_nbf_in_the_future_fails() {
    let k = Key::new();
    let mut c = claims(RES, NOW + 600);
    c["nbf"] = (NOW + 3600).into();
    let i = verify(&k.sign("k1", &c), Some(&k.jwks("k1")), &expect(&[]));
    assert_eq!(failed(&i), ["TOKEN-NBF"]);
    c["nbf"] = (NOW + 30).into();
    let i = verify(&k.sign("k1", &c), Some(&k.jwks("k1")), &expect(&[]));
    assert!(i.accepted, "within the leeway");
}

#[test]
fn token_signature_refuses_alg_none_and_tampering() {
    let k = Key::new();
    let jwks = k.jwks("k1");
    let b = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b(&serde_json::json!({"alg": "none"})),
        b(&claims(RES, NOW + 600))
    );
    let i = verify(&none, Some(&jwks), &expect(&[]));
    assert!(!i.accepted);
    assert!(i.checks[0].detail.contains("unsigned"), "{:?}", i.checks);
    let good = k.sign("k1", &claims(RES, NOW + 600));
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = b(&claims(RES, NOW + 999_999));
    let tampered = verify(&parts.join("."), Some(&jwks), &expect(&[]));
    assert_eq!(failed(&tampered), ["TOKEN-SIGNATURE"]);
}

#[test]
fn token_introspection_an_opaque_token_not_introspected_is_neither_accepted_nor_rejected() {
    let i = verify("opaque-value", None, &expect(&[]));
    assert_eq!(i.format, TokenFormat::Opaque);
    assert!(failed(&i).is_empty(), "{:?}", i.checks);
    let f = &i.checks[0];
    assert_eq!(
        (f.id.as_str(), f.status),
        ("TOKEN-INTROSPECTION", Status::Skip)
    );
    assert!(
        f.detail.contains("offline") && f.detail.contains("no client id"),
        "{}",
        f.detail
    );
    assert!(!i.accepted);
    assert_eq!(i.outcome, TokenOutcome::Unknown);
    assert_eq!(i.verdict(), crate::Verdict::NotFound);
    assert!(i.hint.as_deref().is_some_and(|h| h.contains("--client-id")));
}

#[test]
fn token_typ_and_nbf_apply_only_when_present() {
    let k = Key::new();
    let mut c = claims(RES, NOW + 600);
    c["nbf"] = (NOW + 3600).into();
    let i = verify(&k.sign("k1", &c), Some(&k.jwks("k1")), &expect(&[]));
    assert_eq!(failed(&i), ["TOKEN-NBF"]);
    assert!(i
        .checks
        .iter()
        .any(|f| f.id == "TOKEN-TYP" && f.status == Status::Pass));
    // No nbf, no scopes required: those checks do not appear.
    let i = verify(
        &k.sign("k1", &claims(RES, NOW + 600)),
        Some(&k.jwks("k1")),
        &expect(&[]),
    );
    assert!(!i
        .checks
        .iter()
        .any(|f| f.id == "TOKEN-NBF" || f.id == "TOKEN-SCOPE"));
}

#[test]
fn token_iss_must_be_the_expected_issuer() {
    let k = Key::new();
    let mut c = claims(RES, NOW + 600);
    c["iss"] = "https://evil.example".into();
    let i = verify(&k.sign("k1", &c), Some(&k.jwks("k1")), &expect(&[]));
    assert_eq!(failed(&i), ["TOKEN-ISS"]);
    assert!(!i.accepted);
}

#[test]
fn token_introspection_of_an_opaque_token() {
    let e = expect(&[]);
    let graded = |answer| {
        grade_token(&TokenFacts {
            token: "opaque-value",
            jwks: None,
            no_jwks: "",
            introspection: Some(Introspection {
                endpoint: "https://as.example/introspect".into(),
                answer,
            }),
            no_introspection: "",
            expect: e.clone(),
            verify_signature: true,
        })
    };
    let active = graded(Ok(serde_json::json!({"active": true, "sub": "alice"})
        .as_object()
        .cloned()
        .unwrap()));
    assert!(active.accepted, "{:?}", active.checks);
    assert_eq!(active.outcome, TokenOutcome::Accepted);
    assert_eq!(active.claims.as_ref().unwrap()["sub"], "alice");
    let inactive = graded(Ok(serde_json::json!({"active": false})
        .as_object()
        .cloned()
        .unwrap()));
    assert_eq!(failed(&inactive), ["TOKEN-INTROSPECTION"]);
    assert_eq!(inactive.outcome, TokenOutcome::Rejected);
    // A failed request says nothing about the token: unknown, not rejected.
    let refused = graded(Err("https://as.example/introspect answered 401".into()));
    assert!(refused.checks[0].detail.contains("401"));
    assert_eq!(refused.checks[0].status, Status::Warn);
    assert_eq!(refused.outcome, TokenOutcome::Unknown);
    let no_active = graded(Ok(serde_json::json!({"sub": "alice"})
        .as_object()
        .cloned()
        .unwrap()));
    assert_eq!(no_active.checks[0].status, Status::Warn);
    assert_eq!(no_active.outcome, TokenOutcome::Unknown);
}

#[test]
fn token_signature_is_not_graded_for_unverified_claims() {
    // whoami: the claims are read, not verified.
    let k = Key::new();
    let i = grade_token(&TokenFacts {
        token: &k.sign("k1", &claims(RES, NOW + 600)),
        jwks: None,
        no_jwks: "",
        introspection: None,
        no_introspection: "",
        expect: expect(&[]),
        verify_signature: false,
    });
    assert!(i.accepted, "{:?}", i.checks);
    assert!(!i.signature_verified);
    assert!(!i.checks.iter().any(|f| f.id == "TOKEN-SIGNATURE"));
}

#[test]
fn token_typ_fails_for_another_type_and_does_not_apply_without_one() {
    let k = Key::new();
    let c = claims(RES, NOW + 600);
    // An ID token (typ JWT) must not pass for an access token.
    let i = verify(
        &k.sign_typ("k1", Some("JWT"), &c),
        Some(&k.jwks("k1")),
        &expect(&[]),
    );
    assert_eq!(failed(&i), ["TOKEN-TYP"]);
    assert!(!i.accepted);
    let i = verify(
        &k.sign_typ("k1", None, &c),
        Some(&k.jwks("k1")),
        &expect(&[]),
    );
    assert!(!i.checks.iter().any(|f| f.id == "TOKEN-TYP"));
    assert!(i.accepted, "{:?}", i.checks);
}
