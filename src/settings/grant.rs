//! `login --grant` and its inputs, from the command line and the
//! environment, to the login settings.

use std::path::Path;

use mcp_auth_net::login::{Grant, Idp};
use mcp_auth_net::token_store::Secret;

use crate::cli::{GrantArg, GrantArgs};

impl From<GrantArg> for Grant {
    fn from(g: GrantArg) -> Self {
        match g {
            GrantArg::AuthorizationCode => Self::AuthorizationCode,
            GrantArg::ClientCredentials => Self::ClientCredentials,
            GrantArg::JwtBearer => Self::JwtBearer,
            GrantArg::TokenExchange => Self::TokenExchange,
            GrantArg::RefreshToken => Self::RefreshToken,
        }
    }
}

/// What a grant takes besides the client.
#[derive(Debug, Default)]
pub struct GrantInputs {
    pub grant: Grant,
    pub assertion: Option<Secret>,
    pub subject_token: Option<Secret>,
    pub refresh_token: Option<Secret>,
    pub idp: Option<Idp>,
}

/// The grant's inputs: the assertion (`jwt-bearer`), the ID token and the
/// IdP (`token-exchange`), each from its file or else its environment
/// variable, read only for the grant that uses it. A flag given for another
/// grant, or standard input named twice (with `client_secret_file`), is a
/// usage error.
pub fn grant_inputs(
    a: &GrantArgs,
    client_secret_file: Option<&Path>,
) -> Result<GrantInputs, String> {
    let grant = Grant::from(a.grant);
    let stdin = [
        client_secret_file,
        a.assertion_file.as_deref(),
        a.subject_token_file.as_deref(),
        a.refresh_token_file.as_deref(),
        a.idp_client_secret_file.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| p.as_os_str() == "-")
    .count();
    if stdin > 1 {
        return Err("standard input (`-`) can hold only one secret: use files".to_owned());
    }
    only_for(
        grant,
        Grant::JwtBearer,
        &[("--assertion-file", a.assertion_file.is_some())],
    )?;
    only_for(
        grant,
        Grant::RefreshToken,
        &[("--refresh-token-file", a.refresh_token_file.is_some())],
    )?;
    only_for(
        grant,
        Grant::TokenExchange,
        &[
            ("--subject-token-file", a.subject_token_file.is_some()),
            ("--idp-issuer", a.idp_issuer.is_some()),
            ("--idp-token-endpoint", a.idp_token_endpoint.is_some()),
            ("--idp-client-id", a.idp_client_id.is_some()),
        ],
    )?;
    let mut inputs = GrantInputs {
        grant,
        ..GrantInputs::default()
    };
    match grant {
        Grant::JwtBearer => {
            inputs.assertion = crate::secrets::secret(
                a.assertion_file.as_deref(),
                "MCP_AUTH_ASSERTION",
                "the assertion",
            )?;
        }
        Grant::TokenExchange => {
            inputs.subject_token = crate::secrets::secret(
                a.subject_token_file.as_deref(),
                "MCP_AUTH_SUBJECT_TOKEN",
                "the subject token",
            )?;
            inputs.idp = Some(idp(a)?);
        }
        Grant::RefreshToken => {
            inputs.refresh_token = crate::secrets::secret(
                a.refresh_token_file.as_deref(),
                "MCP_AUTH_REFRESH_TOKEN",
                "the refresh token",
            )?;
        }
        Grant::AuthorizationCode | Grant::ClientCredentials => {}
    }
    Ok(inputs)
}

/// A usage error when one of `flags` is given with a grant other than `owner`.
fn only_for(grant: Grant, owner: Grant, flags: &[(&str, bool)]) -> Result<(), String> {
    match flags.iter().find(|(_, given)| *given) {
        Some((flag, _)) if grant != owner => Err(format!(
            "{flag} is for --grant {}, not {}",
            owner.name(),
            grant.name()
        )),
        _ => Ok(()),
    }
}

/// The IdP of a token exchange; its client secret (file, else
/// `$MCP_AUTH_IDP_CLIENT_SECRET`) only with `--idp-client-id`.
fn idp(a: &GrantArgs) -> Result<Idp, String> {
    let client_secret = match &a.idp_client_id {
        Some(_) => crate::secrets::secret(
            a.idp_client_secret_file.as_deref(),
            "MCP_AUTH_IDP_CLIENT_SECRET",
            "the IdP client secret",
        )?,
        None => None,
    };
    Ok(Idp {
        issuer: a.idp_issuer.clone(),
        token_endpoint: a.idp_token_endpoint.clone(),
        client_id: a.idp_client_id.clone(),
        client_secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// `login <args>`'s grant flags and `--client-secret-file`.
    fn inputs(args: &[&str]) -> Result<GrantInputs, String> {
        let all = [&["mcp-auth", "login", "https://mcp.example/mcp"][..], args].concat();
        let crate::cli::Command::Login(l) = crate::cli::Cli::try_parse_from(all).unwrap().command
        else {
            unreachable!("a login")
        };
        grant_inputs(&l.grants, l.client_secret_file.as_deref())
    }

    #[test]
    fn a_grant_flag_given_for_another_grant_is_a_usage_error() {
        let e = inputs(&["--assertion-file", "a.jwt"]).unwrap_err();
        assert_eq!(
            e,
            "--assertion-file is for --grant jwt-bearer, not authorization-code"
        );
        let e = inputs(&["--grant", "jwt-bearer", "--idp-issuer", "https://idp"]).unwrap_err();
        assert_eq!(
            e,
            "--idp-issuer is for --grant token-exchange, not jwt-bearer"
        );
        let e = inputs(&["--grant", "client-credentials", "--subject-token-file", "t"]);
        assert!(e.unwrap_err().starts_with("--subject-token-file is for"));
    }

    #[test]
    fn standard_input_holds_one_secret() {
        let e = inputs(&[
            "--grant",
            "jwt-bearer",
            "--assertion-file",
            "-",
            "--client-id",
            "c",
            "--client-secret-file",
            "-",
        ])
        .unwrap_err();
        assert!(e.contains("only one secret"), "{e}");
    }

    #[test]
    fn the_inputs_are_read_from_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p.display().to_string()
        };
        let (jwt, id_token) = (file("a.jwt", "a.b.c\n"), file("id.jwt", "i.d.t\r\n"));
        let got = inputs(&["--grant", "jwt-bearer", "--assertion-file", &jwt]).unwrap();
        assert_eq!(got.grant, Grant::JwtBearer);
        assert_eq!(got.assertion.unwrap().expose(), "a.b.c");
        let secret = file("idp.secret", "idp-s3cret\n");
        let got = inputs(&[
            "--grant",
            "token-exchange",
            "--subject-token-file",
            &id_token,
            "--idp-issuer",
            "https://idp.example",
            "--idp-client-id",
            "app",
            "--idp-client-secret-file",
            &secret,
        ])
        .unwrap();
        assert_eq!(got.subject_token.unwrap().expose(), "i.d.t");
        let idp = got.idp.unwrap();
        assert_eq!(idp.issuer.as_deref(), Some("https://idp.example"));
        assert_eq!(idp.client_id.as_deref(), Some("app"));
        assert_eq!(idp.client_secret.unwrap().expose(), "idp-s3cret");
        let empty = file("empty", "\n");
        let e = inputs(&["--grant", "jwt-bearer", "--assertion-file", &empty]).unwrap_err();
        assert_eq!(e, format!("the assertion in {empty} is empty"));
        let e = inputs(&[
            "--grant",
            "jwt-bearer",
            "--assertion-file",
            "/nonexistent/a",
        ]);
        assert!(e
            .unwrap_err()
            .starts_with("cannot read the assertion from /nonexistent/a: "));
    }
}
