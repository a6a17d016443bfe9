//! Exit codes, mapped in one place.

use std::process::ExitCode;

/// What the process reports to its caller (see `cli::EXIT_CODES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: no required check failed.
    Ok = 0,
    /// 1: a MUST check failed (or, with `--strict`, a check warned).
    Failed = 1,
    /// 2: usage or input error.
    Usage = 2,
    /// 3: the target could not be reached or served no metadata.
    Unreachable = 3,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(s as u8)
    }
}

impl From<mcp_auth_grade::Verdict> for ExitStatus {
    fn from(v: mcp_auth_grade::Verdict) -> Self {
        match v {
            mcp_auth_grade::Verdict::Ok => Self::Ok,
            mcp_auth_grade::Verdict::RequiredFailed => Self::Failed,
            mcp_auth_grade::Verdict::NotFound => Self::Unreachable,
        }
    }
}
