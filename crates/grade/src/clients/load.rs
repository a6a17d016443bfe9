//! Reading `clients/*.toml` strictly: unknown keys are errors, and every
//! error names the file and the field. The repository's files are built
//! into the binary ([`profiles`]).

use std::sync::OnceLock;

use include_dir::{include_dir, Dir};
use serde::Serialize;

use super::profile::{ProfileFile, ProfileKind, RedirectKind, RegistrationMethod};
use crate::providers::{https, invalid, read_data_file, verified::is_date, Invalid};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../clients");

/// The `token_endpoint_auth_method` values a profile may name.
const AUTH_METHODS: &[&str] = &[
    "none",
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
];

/// A loaded, validated client profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Profile {
    /// The file name without `.toml`: the client's stable id.
    pub id: String,
    #[serde(flatten)]
    pub def: ProfileFile,
}

/// A problem with a profile file: which file, which field, what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {message}")]
pub struct ProfileError {
    pub file: String,
    pub field: String,
    pub message: String,
}

impl Profile {
    /// Parse and validate one file's text.
    pub fn parse(file: &str, text: &str) -> Result<Self, ProfileError> {
        let err = |(field, message): Invalid| ProfileError {
            file: file.to_owned(),
            field,
            message,
        };
        let (id, def): (String, ProfileFile) = read_data_file(file, text).map_err(err)?;
        validate(&def).map_err(err)?;
        Ok(Self { id, def })
    }

    pub fn kind(&self) -> ProfileKind {
        self.def.kind
    }

    /// Every behaviour section's sources, with the section's name.
    pub fn sections(&self) -> Vec<(&'static str, &[String], &str)> {
        self.def.sections()
    }
}

impl ProfileFile {
    /// Every behaviour section's sources, with the section's name.
    fn sections(&self) -> Vec<(&'static str, &[String], &str)> {
        let mut out = vec![
            (
                "prm",
                self.prm.sources.as_slice(),
                self.prm.seen_in.as_str(),
            ),
            (
                "metadata",
                self.metadata.sources.as_slice(),
                self.metadata.seen_in.as_str(),
            ),
        ];
        macro_rules! optional {
            ($($name:ident),*) => {$(
                if let Some(s) = &self.$name {
                    out.push((stringify!($name), s.sources.as_slice(), s.seen_in.as_str()));
                }
            )*};
        }
        optional!(registration, redirect, scope, requests, network);
        out
    }
}

fn validate(d: &ProfileFile) -> Result<(), Invalid> {
    if d.name.trim().is_empty() {
        return Err(invalid("name", "must not be empty"));
    }
    if d.versions.trim().is_empty() {
        return Err(invalid("versions", "must not be empty"));
    }
    if let Some(h) = &d.homepage {
        https(h).map_err(|m| invalid("homepage", m))?;
    }
    if !is_date(&d.updated) {
        return Err(invalid(
            "updated",
            format!("'{}' is not YYYY-MM-DD", d.updated),
        ));
    }
    if d.targets.is_empty() {
        return Err(invalid("targets", "name at least one of issuer, mcp"));
    }
    for (section, sources, seen_in) in d.sections() {
        if sources.is_empty() {
            return Err(invalid(
                format!("{section}.sources"),
                "name at least one source",
            ));
        }
        for (i, s) in sources.iter().enumerate() {
            https(s).map_err(|m| invalid(format!("{section}.sources[{i}]"), m))?;
        }
        if seen_in.trim().is_empty() {
            return Err(invalid(
                format!("{section}.seen_in"),
                "say which version it was seen in",
            ));
        }
    }
    if d.kind == ProfileKind::Host {
        for (name, present) in [
            ("registration", d.registration.is_some()),
            ("redirect", d.redirect.is_some()),
        ] {
            if !present {
                return Err(invalid(name, "a host profile must describe it"));
            }
        }
    }
    validate_registration(d)?;
    validate_redirect(d)
}

fn validate_registration(d: &ProfileFile) -> Result<(), Invalid> {
    let Some(r) = &d.registration else {
        return Ok(());
    };
    if r.order.is_empty() {
        return Err(invalid("registration.order", "name at least one method"));
    }
    for (i, m) in r.order.iter().enumerate() {
        if r.order[..i].contains(m) {
            return Err(invalid(format!("registration.order[{i}]"), "listed twice"));
        }
    }
    let uses_cimd = r.order.contains(&RegistrationMethod::Cimd);
    match (&r.cimd_url, uses_cimd) {
        (Some(u), true) => https(u).map_err(|m| invalid("registration.cimd_url", m))?,
        (None, true) => {
            return Err(invalid(
                "registration.cimd_url",
                "missing: `order` includes cimd",
            ))
        }
        (Some(_), false) => {
            return Err(invalid(
                "registration.cimd_url",
                "given, but `order` does not include cimd",
            ))
        }
        (None, false) => {}
    }
    for (i, c) in r.cimd_requires.iter().enumerate() {
        if c != "none" {
            return Err(invalid(
                format!("registration.cimd_requires[{i}]"),
                format!("unknown requirement '{c}' (known: none)"),
            ));
        }
    }
    let methods = std::iter::once(("auth_method", &r.auth_method)).chain(
        r.fallback_auth_method
            .iter()
            .map(|m| ("fallback_auth_method", m)),
    );
    for (field, m) in methods {
        if !AUTH_METHODS.contains(&m.as_str()) {
            return Err(invalid(
                format!("registration.{field}"),
                format!("unknown method '{m}' (known: {})", AUTH_METHODS.join(", ")),
            ));
        }
    }
    Ok(())
}

fn validate_redirect(d: &ProfileFile) -> Result<(), Invalid> {
    let Some(r) = &d.redirect else {
        return Ok(());
    };
    let parsed = r.uri.as_deref().map(url::Url::parse);
    let ok = match (r.kind, &parsed) {
        (RedirectKind::LoopbackAnyPort, None) => true,
        (RedirectKind::LoopbackAnyPort, Some(Ok(u))) => crate::evidence::urls::is_loopback(u),
        (RedirectKind::LoopbackFixedPort, Some(Ok(u))) => {
            crate::evidence::urls::is_loopback(u) && u.port().is_some()
        }
        (RedirectKind::Https, Some(Ok(u))) => u.scheme() == "https" && u.host().is_some(),
        (RedirectKind::CustomScheme, Some(Ok(u))) => !matches!(u.scheme(), "http" | "https"),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    Err(invalid(
        "redirect.uri",
        match r.kind {
            RedirectKind::LoopbackAnyPort => "when given, a loopback http URI",
            RedirectKind::LoopbackFixedPort => "a loopback http URI with its port",
            RedirectKind::Https => "an https URI",
            RedirectKind::CustomScheme => "a URI of a private-use scheme",
        },
    ))
}

/// The profiles built into the binary, by `order` then id.
pub fn profiles() -> &'static [Profile] {
    static LOADED: OnceLock<Vec<Profile>> = OnceLock::new();
    LOADED.get_or_init(|| {
        load_embedded().unwrap_or_else(|e| panic!("clients/ is checked by tests: {e}"))
    })
}

/// Parse every embedded `clients/*.toml`.
pub fn load_embedded() -> Result<Vec<Profile>, ProfileError> {
    let mut out = Vec::new();
    for f in EMBEDDED.files() {
        let name = f.path().to_string_lossy();
        if !name.ends_with(".toml") {
            continue;
        }
        let text = f.contents_utf8().unwrap_or_default();
        out.push(Profile::parse(&name, text)?);
    }
    out.sort_by(|a, b| (a.def.order, &a.id).cmp(&(b.def.order, &b.id)));
    Ok(out)
}

/// The profile with this id.
pub fn profile(id: &str) -> Option<&'static Profile> {
    profiles().iter().find(|p| p.id == id)
}

/// The JSON Schema of a profile file (`clients/schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ProfileFile);
    serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
}
