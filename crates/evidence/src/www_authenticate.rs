//! A parser for the `WWW-Authenticate` response header (RFC 9110 §11.6.1,
//! with the Bearer parameters of RFC 6750 §3 and RFC 9728 §5.1).
//!
//! ```text
//! WWW-Authenticate = #challenge
//! challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param       = token BWS "=" BWS ( token / quoted-string )
//! ```
//!
//! It never fails: whatever it cannot read becomes a message in
//! [`Parsed::errors`], and parsing resumes at the next comma. It also models
//! how the TypeScript and Python SDKs read `resource_metadata` (a regular
//! expression over the raw header), because they differ from the grammar.

use serde::Serialize;

/// One `name=value` of a challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Param {
    pub name: String,
    /// The value, unescaped.
    pub value: String,
    /// Written as a quoted-string.
    pub quoted: bool,
    /// The quoted-string contained a backslash escape.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub escaped: bool,
}

/// One challenge: a scheme and its parameters (or a token68).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Challenge {
    pub scheme: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token68: Option<String>,
    pub params: Vec<Param>,
    /// The whitespace between the scheme and the first parameter (RFC 9110:
    /// spaces; the TypeScript SDK splits on a single space).
    #[serde(skip)]
    pub separator: String,
}

impl Challenge {
    /// The first parameter with this name (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    pub fn is_bearer(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("bearer")
    }
}

/// Every challenge of a header, plus what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Parsed {
    pub challenges: Vec<Challenge>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Parsed {
    /// The first Bearer challenge.
    pub fn bearer(&self) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.is_bearer())
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }
    /// Skip spaces and tabs; return what was skipped.
    fn skip_ws(&mut self) -> String {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }
    fn skip_ws_and_commas(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
    }
    fn token(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        (self.pos > start).then(|| String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }
    /// Whether `token BWS "="` (not followed by another `=`) starts here.
    fn at_param(&self) -> bool {
        let mut i = self.pos;
        let start = i;
        while self.s.get(i).copied().is_some_and(is_tchar) {
            i += 1;
        }
        if i == start {
            return false;
        }
        while matches!(self.s.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        self.s.get(i) == Some(&b'=') && self.s.get(i + 1) != Some(&b'=')
    }
    /// Skip to just after the next comma (error recovery).
    fn recover(&mut self) {
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b',' {
                break;
            }
        }
    }
}

/// Parse one or more header values (several `WWW-Authenticate` fields are
/// one comma-separated list).
pub fn parse<S: AsRef<str>>(values: &[S]) -> Parsed {
    let joined = values
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    let mut c = Cursor {
        s: joined.as_bytes(),
        pos: 0,
    };
    let mut out = Parsed::default();
    loop {
        c.skip_ws_and_commas();
        let Some(b) = c.peek() else { break };
        let Some(scheme) = c.token() else {
            out.errors.push(format!(
                "unexpected {:?} at offset {} where an auth-scheme should start",
                b as char, c.pos
            ));
            c.recover();
            continue;
        };
        let separator = c.skip_ws();
        let mut challenge = Challenge {
            scheme,
            token68: None,
            params: Vec::new(),
            separator,
        };
        if !challenge.separator.is_empty() && c.peek().is_some_and(|b| b != b',') {
            if !c.at_param() {
                // token68
                let start = c.pos;
                while c.peek().is_some_and(is_token68_char) {
                    c.pos += 1;
                }
                while c.peek() == Some(b'=') {
                    c.pos += 1;
                }
                if c.pos > start {
                    challenge.token68 =
                        Some(String::from_utf8_lossy(&c.s[start..c.pos]).into_owned());
                }
                c.skip_ws();
                if c.peek().is_some_and(|b| b != b',') {
                    out.errors.push(format!(
                        "unexpected {:?} at offset {} in the {} challenge",
                        c.peek().unwrap_or_default() as char,
                        c.pos,
                        challenge.scheme
                    ));
                    c.recover();
                }
            } else {
                parse_params(&mut c, &mut challenge, &mut out.errors);
            }
        } else if c.peek().is_some_and(|b| b != b',') {
            out.errors.push(format!(
                "unexpected {:?} right after the scheme {}",
                c.peek().unwrap_or_default() as char,
                challenge.scheme
            ));
            c.recover();
        }
        out.challenges.push(challenge);
    }
    out
}

fn parse_params(c: &mut Cursor<'_>, challenge: &mut Challenge, errors: &mut Vec<String>) {
    loop {
        let name = c.token().expect("at_param checked a token");
        c.skip_ws();
        c.pos += 1; // '='
        c.skip_ws();
        let mut param = Param {
            name,
            value: String::new(),
            quoted: false,
            escaped: false,
        };
        if c.peek() == Some(b'"') {
            c.pos += 1;
            param.quoted = true;
            let mut value = Vec::new();
            let mut closed = false;
            while let Some(b) = c.peek() {
                c.pos += 1;
                match b {
                    b'\\' => {
                        param.escaped = true;
                        if let Some(next) = c.peek() {
                            value.push(next);
                            c.pos += 1;
                        }
                    }
                    b'"' => {
                        closed = true;
                        break;
                    }
                    other => value.push(other),
                }
            }
            param.value = String::from_utf8_lossy(&value).into_owned();
            if !closed {
                errors.push(format!(
                    "unterminated quoted string in parameter {} of the {} challenge",
                    param.name, challenge.scheme
                ));
            }
        } else if let Some(v) = c.token() {
            param.value = v;
        }
        challenge.params.push(param);
        c.skip_ws();
        match c.peek() {
            None => return,
            Some(b',') => {
                c.skip_ws_and_commas();
                if !c.at_param() {
                    return; // a new challenge (or the end)
                }
            }
            Some(other) => {
                errors.push(format!(
                    "unexpected {:?} at offset {} in the {} challenge",
                    other as char, c.pos, challenge.scheme
                ));
                c.recover();
                c.skip_ws_and_commas();
                if !c.at_param() {
                    return;
                }
            }
        }
    }
}

/// What the TypeScript SDK (`extractWWWAuthenticateParams`) reads as
/// `resource_metadata`: nothing unless the header's first space-separated
/// word is `bearer`; then the regex `resource_metadata=(?:"([^"]+)"|([^\s,]+))`.
pub fn ts_sdk_resource_metadata(header: &str) -> Option<String> {
    let first = header.split(' ').next().unwrap_or_default();
    if !first.eq_ignore_ascii_case("bearer") {
        return None;
    }
    sdk_regex(header, "resource_metadata")
}

/// What the Python SDK reads: the same regular expression, on the whole header.
pub fn python_sdk_resource_metadata(header: &str) -> Option<String> {
    sdk_regex(header, "resource_metadata")
}

/// `name=(?:"([^"]+)"|([^\s,]+))`, first match.
fn sdk_regex(header: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=");
    let mut from = 0;
    while let Some(i) = header[from..].find(&needle) {
        let rest = &header[from + i + needle.len()..];
        if let Some(q) = rest.strip_prefix('"') {
            if let Some(end) = q.find('"') {
                if end > 0 {
                    return Some(q[..end].to_owned());
                }
            }
        }
        let end = rest
            .find(|ch: char| ch.is_whitespace() || ch == ',')
            .unwrap_or(rest.len());
        if end > 0 {
            return Some(rest[..end].to_owned());
        }
        from += i + needle.len();
    }
    None
}

/// RFC 6750 §3 scope-token characters: `%x21 / %x23-5B / %x5D-7E`.
pub fn scope_chars_valid(scope: &str) -> bool {
    scope.split(' ').all(|t| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(h: &str) -> Parsed {
        parse(&[h])
    }

    #[test]
    fn bearer_with_quoted_params() {
        let p = one(
            r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="files:read files:write""#,
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.challenges.len(), 1);
        let b = p.bearer().unwrap();
        assert_eq!(
            b.param("resource_metadata").unwrap().value,
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(b.param("SCOPE").unwrap().value, "files:read files:write");
    }

    #[test]
    fn several_challenges_in_one_field_and_across_fields() {
        let p = one(
            r#"Basic realm="x", Bearer error="invalid_token", error_description="expired", Negotiate abc=="#,
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let schemes: Vec<_> = p.challenges.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Basic", "Bearer", "Negotiate"]);
        assert_eq!(p.challenges[1].params.len(), 2);
        assert_eq!(p.challenges[2].token68.as_deref(), Some("abc=="));

        let p = parse(&["Basic realm=\"x\"", "Bearer realm=\"y\""]);
        assert_eq!(p.challenges.len(), 2);
        assert_eq!(p.bearer().unwrap().param("realm").unwrap().value, "y");
    }

    #[test]
    fn token_values_escapes_and_bare_schemes() {
        let p = one(r#"Bearer realm=example, error_description="say \"hi\"""#);
        let b = p.bearer().unwrap();
        assert_eq!(b.param("realm").unwrap().value, "example");
        assert!(!b.param("realm").unwrap().quoted);
        let d = b.param("error_description").unwrap();
        assert_eq!(d.value, r#"say "hi""#);
        assert!(d.escaped);
        let p = one("Bearer");
        assert_eq!(p.challenges.len(), 1);
        assert!(p.challenges[0].params.is_empty());
    }

    #[test]
    fn malformed_input_is_reported_not_fatal() {
        for h in [
            r#"Bearer resource_metadata="https://x"#,
            "Bearer realm=\"a\" junk",
            "=oops, Bearer realm=\"a\"",
            ",,,",
            "\"",
            "Bearer a=\"\\",
            "Bearer ===",
        ] {
            let p = one(h);
            // Whatever happens, no panic, and something sensible comes out.
            let _ = p.bearer();
        }
        let p = one(r#"Bearer resource_metadata="https://x"#);
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].contains("unterminated"), "{:?}", p.errors);
        let p = one("=oops, Bearer realm=\"a\"");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.bearer().unwrap().param("realm").unwrap().value, "a");
    }

    #[test]
    fn huge_and_repetitive_headers_are_fine() {
        let many = vec!["Bearer realm=\"r\""; 100].join(", ");
        assert_eq!(one(&many).challenges.len(), 100);
        let huge = format!("Bearer realm=\"{}\"", "a".repeat(100_000));
        assert_eq!(
            one(&huge)
                .bearer()
                .unwrap()
                .param("realm")
                .unwrap()
                .value
                .len(),
            100_000
        );
    }

    #[test]
    fn sdk_extraction_models() {
        let h = r#"Bearer error="invalid_token", resource_metadata="https://a/x""#;
        assert_eq!(ts_sdk_resource_metadata(h).as_deref(), Some("https://a/x"));
        assert_eq!(
            python_sdk_resource_metadata(h).as_deref(),
            Some("https://a/x")
        );
        // Not Bearer first: the TypeScript SDK reads nothing.
        let h = r#"Basic realm="r", Bearer resource_metadata="https://a/x""#;
        assert_eq!(ts_sdk_resource_metadata(h), None);
        assert_eq!(
            python_sdk_resource_metadata(h).as_deref(),
            Some("https://a/x")
        );
        // Unquoted values stop at a comma.
        assert_eq!(
            python_sdk_resource_metadata("Bearer resource_metadata=https://a/x, scope=y")
                .as_deref(),
            Some("https://a/x")
        );
    }

    #[test]
    fn scope_charset() {
        assert!(scope_chars_valid("files:read mcp:tools"));
        assert!(!scope_chars_valid("a\"b"));
        assert!(!scope_chars_valid("a\\b"));
        assert!(!scope_chars_valid(""));
        assert!(!scope_chars_valid("a  b"));
    }
}
