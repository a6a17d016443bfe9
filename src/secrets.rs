//! Where a client secret comes from: never the command line (other users'
//! process listings show it). `--client-secret-file FILE` (`-` for stdin),
//! else the environment variable `MCP_AUTH_CLIENT_SECRET`, else none. Shared
//! by every command that takes a client secret.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;

use crate::token_store::Secret;

/// The environment variable a client secret may come from.
pub const CLIENT_SECRET_ENV: &str = "MCP_AUTH_CLIENT_SECRET";

/// The client secret: the file's contents (`-`: stdin) without one trailing
/// newline, else `MCP_AUTH_CLIENT_SECRET` (when set and not empty), else
/// `None`. The error is one line for the user, naming the file.
pub fn client_secret(file: Option<&Path>) -> Result<Option<Secret>, String> {
    secret(file, CLIENT_SECRET_ENV, "the client secret")
}

/// A secret (`what`, for errors that never show it): the file's contents
/// (`-`: stdin) without one trailing newline, else `$env` (when set and not
/// empty), else `None`. Every secret input of every command comes through here.
pub fn secret(file: Option<&Path>, env: &str, what: &str) -> Result<Option<Secret>, String> {
    secret_from(
        file,
        &mut std::io::stdin(),
        std::env::var_os(env),
        env,
        what,
    )
}

/// [`client_secret`] with its stdin and environment given.
#[cfg(test)]
fn client_secret_from(
    file: Option<&Path>,
    stdin: &mut dyn Read,
    env: Option<OsString>,
) -> Result<Option<Secret>, String> {
    secret_from(file, stdin, env, CLIENT_SECRET_ENV, "the client secret")
}

/// [`secret`] with its stdin and environment value given.
fn secret_from(
    file: Option<&Path>,
    stdin: &mut dyn Read,
    env: Option<OsString>,
    env_name: &str,
    what: &str,
) -> Result<Option<Secret>, String> {
    let Some(file) = file else {
        return match env {
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => v
                .into_string()
                .map(|s| Some(Secret::new(s)))
                .map_err(|_| format!("{env_name} is not valid UTF-8")),
            None => Ok(None),
        };
    };
    let (name, read) = if file == Path::new("-") {
        let mut s = String::new();
        ("stdin".to_owned(), stdin.read_to_string(&mut s).map(|_| s))
    } else {
        (file.display().to_string(), std::fs::read_to_string(file))
    };
    let text = read.map_err(|e| format!("cannot read {what} from {name}: {e}"))?;
    let value = text
        .strip_suffix('\n')
        .map_or(text.as_str(), |s| s.strip_suffix('\r').unwrap_or(s));
    if value.is_empty() {
        return Err(format!("{what} in {name} is empty"));
    }
    Ok(Some(Secret::new(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(file: Option<&Path>, stdin: &str, env: Option<&str>) -> Result<Option<String>, String> {
        client_secret_from(file, &mut stdin.as_bytes(), env.map(OsString::from))
            .map(|s| s.map(|s| s.expose().to_owned()))
    }

    #[test]
    fn a_file_loses_one_trailing_newline_and_wins_over_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cret \n\n").unwrap();
        assert_eq!(
            from(Some(&path), "", Some("env")),
            Ok(Some("s3cret \n".into()))
        );
        std::fs::write(&path, "s3cret\r\n").unwrap();
        assert_eq!(from(Some(&path), "", None), Ok(Some("s3cret".into())));
    }

    #[test]
    fn dash_reads_stdin() {
        let dash = Path::new("-");
        assert_eq!(from(Some(dash), "piped\n", None), Ok(Some("piped".into())));
        assert!(from(Some(dash), "\n", None).unwrap_err().contains("stdin"));
    }

    #[test]
    fn the_environment_is_the_fallback_and_empty_means_none() {
        assert_eq!(from(None, "ignored", Some("e")), Ok(Some("e".into())));
        assert_eq!(from(None, "", Some("")), Ok(None));
        assert_eq!(from(None, "ignored", None), Ok(None));
    }

    #[test]
    fn a_missing_or_empty_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = from(Some(&missing), "", Some("env")).unwrap_err();
        assert!(err.contains(&missing.display().to_string()), "{err}");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        let err = from(Some(&empty), "", None).unwrap_err();
        assert!(err.contains("empty") && !err.contains('\n'), "{err}");
    }
}
