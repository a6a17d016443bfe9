//! What is recorded of a request or response: credentials never are. Header
//! values of `Authorization`, the secret members of JSON bodies and the
//! secret parameters of form bodies are replaced by `[redacted]`; everything
//! else is kept byte for byte.

/// JSON members whose values are secrets: never recorded.
const SECRET_MEMBERS: [&str; 5] = [
    "client_secret",
    "registration_access_token",
    "access_token",
    "refresh_token",
    "id_token",
];

/// Form parameters whose values are secrets (token, refresh, revocation and
/// introspection requests): never recorded.
const SECRET_PARAMS: [&str; 10] = [
    "code",
    "subject_token",
    "actor_token",
    "code_verifier",
    "refresh_token",
    "client_secret",
    "client_assertion",
    "token",
    "password",
    "assertion",
];

/// What gets recorded of a header value: credentials never are.
pub fn recorded_value(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("dpop") {
        // A DPoP proof is bound to one request, but it carries the token's hash.
        return "[redacted]".to_owned();
    }
    if name.eq_ignore_ascii_case("authorization") {
        let scheme = value.split(' ').next().unwrap_or_default();
        format!("{scheme} [redacted]")
    } else {
        value.to_owned()
    }
}

/// Whether `body` has `name` as a JSON string (a member name or a value):
/// bodies without any secret member's name are kept without parsing them.
fn has_quoted(body: &str, name: &str) -> bool {
    body.match_indices(name)
        .any(|(i, _)| body[..i].ends_with('"') && body[i + name.len()..].starts_with('"'))
}

/// A JSON body with secret members replaced; other bodies unchanged, byte for
/// byte (metadata naming `"refresh_token"` as a grant type is kept as served).
pub fn redact_body(body: &str) -> std::borrow::Cow<'_, str> {
    if !SECRET_MEMBERS.iter().any(|m| has_quoted(body, m)) {
        return body.into();
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut obj)) => {
            let mut redacted = false;
            for m in SECRET_MEMBERS {
                if let Some(v) = obj.get_mut(m) {
                    if v.is_string() {
                        *v = serde_json::Value::String("[redacted]".to_owned());
                        redacted = true;
                    }
                }
            }
            if redacted {
                serde_json::Value::Object(obj).to_string().into()
            } else {
                body.into()
            }
        }
        _ => body.into(),
    }
}

/// A request body as recorded: a form with its secret parameters replaced, a
/// JSON object with its secret members replaced, anything else unchanged.
pub fn redact_request_body(body: &str) -> std::borrow::Cow<'_, str> {
    if body.trim_start().starts_with('{') {
        return redact_body(body);
    }
    let secret = |k: &str| SECRET_PARAMS.contains(&k);
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !body.contains('=') || !pairs.iter().any(|(k, _)| secret(k)) {
        return body.into();
    }
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| {
            let v = if secret(k) { "[redacted]" } else { v.as_str() };
            (k.as_str(), v)
        }))
        .finish()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_recorded() {
        assert_eq!(
            recorded_value("Authorization", "Bearer abc.def"),
            "Bearer [redacted]"
        );
        assert_eq!(recorded_value("accept", "x"), "x");
        let body =
            r#"{"client_id":"c","client_secret":"s3cret","registration_access_token":"t0k"}"#;
        let red = redact_body(body);
        assert!(!red.contains("s3cret") && !red.contains("t0k"), "{red}");
        assert!(red.contains("\"client_id\":\"c\""));
        assert_eq!(
            redact_body("not json client_secret"),
            "not json client_secret"
        );
        // A token response with spaces: redacted.
        let red = redact_body(r#"{ "access_token" : "at-1", "token_type": "Bearer" }"#);
        assert!(!red.contains("at-1"), "{red}");
        // Metadata naming secrets only as values is kept byte for byte
        // (spacing and duplicate members included), not re-serialised.
        let md = "{\"grant_types_supported\": [\"refresh_token\"],\n \"token_endpoint_auth_methods_supported\": [\"client_secret_basic\"], \"a\": 1, \"a\": 2}";
        assert!(matches!(redact_body(md), std::borrow::Cow::Borrowed(b) if b == md));
    }

    #[test]
    fn secret_form_parameters_are_not_recorded() {
        let body = "grant_type=authorization_code&code=c0de&code_verifier=v3r&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&client_id=abc";
        let red = redact_request_body(body);
        assert!(!red.contains("c0de") && !red.contains("v3r"), "{red}");
        assert!(red.contains("client_id=abc") && red.contains("grant_type=authorization_code"));
        let red = redact_request_body("grant_type=refresh_token&refresh_token=rt-1&resource=x");
        assert!(
            !red.contains("rt-1") && red.contains("grant_type=refresh_token"),
            "{red}"
        );
        assert_eq!(
            redact_request_body("token_type_hint=x&client_id=y"),
            "token_type_hint=x&client_id=y"
        );
        let red = redact_request_body(r#"{"client_secret":"s","client_name":"n"}"#);
        assert!(!red.contains("\"s\""), "{red}");
        // id_token in a token response is a credential too.
        let red = redact_body(r#"{"access_token":"a","id_token":"eyJ.x.y"}"#);
        assert!(!red.contains("eyJ"), "{red}");
    }
}
