//! The regression rule of `matrix --baseline`: what changed between a
//! previous run and this one, and which changes are regressions. Pure: it
//! reads the statuses of two runs, whatever model they were kept in.

use crate::Status;

/// One provider's results in a run, as the rule reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRun<'a> {
    pub id: &'a str,
    /// Why there was no verdict.
    pub error: Option<&'a str>,
    pub checks: Vec<CheckRun<'a>>,
}

/// One check's result for one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun<'a> {
    pub id: &'a str,
    pub subject: Option<&'a str>,
    pub status: Status,
    pub detail: &'a str,
}

/// A difference from the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub regression: bool,
    pub text: String,
}

impl Change {
    fn regression(text: String) -> Self {
        Self {
            regression: true,
            text,
        }
    }

    fn other(text: String) -> Self {
        Self {
            regression: false,
            text,
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}",
            if self.regression {
                "regression"
            } else {
                "change"
            },
            self.text
        )
    }
}

/// How bad a status is; a skip is not compared.
fn rank(s: Status) -> Option<u8> {
    match s {
        Status::Pass | Status::Info => Some(0),
        Status::Warn => Some(1),
        Status::Fail => Some(2),
        Status::Skip => None,
    }
}

/// What changed since `base`: checks that got worse are regressions, as is
/// a provider that no longer gives a verdict.
pub fn diff(base: &[ProviderRun<'_>], now: &[ProviderRun<'_>]) -> Vec<Change> {
    let mut out = Vec::new();
    for new in now {
        match base.iter().find(|r| r.id == new.id) {
            Some(old) => provider_changes(old, new, &mut out),
            None => out.push(Change::other(format!("{} is new", new.id))),
        }
    }
    for old in base {
        if !now.iter().any(|r| r.id == old.id) {
            out.push(Change::other(format!("{} was removed", old.id)));
        }
    }
    out
}

fn provider_changes(old: &ProviderRun<'_>, new: &ProviderRun<'_>, out: &mut Vec<Change>) {
    match (old.error, new.error) {
        (None, Some(e)) => out.push(Change::regression(format!(
            "{} no longer gives a verdict: {e}",
            new.id
        ))),
        (Some(_), None) => out.push(Change::other(format!("{} answers again", new.id))),
        _ => {}
    }
    for c in &new.checks {
        let Some(prev) = old
            .checks
            .iter()
            .find(|o| o.id == c.id && o.subject == c.subject)
        else {
            continue;
        };
        if let (Some(a), Some(b)) = (rank(prev.status), rank(c.status)) {
            if a != b {
                out.push(Change {
                    regression: b > a,
                    text: format!(
                        "{} {}{}: {} → {} ({})",
                        new.id,
                        c.id,
                        c.subject.map(|s| format!(" [{s}]")).unwrap_or_default(),
                        prev.status.as_str(),
                        c.status.as_str(),
                        c.detail
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(
        id: &'a str,
        error: Option<&'a str>,
        checks: &[(&'a str, Status)],
    ) -> ProviderRun<'a> {
        ProviderRun {
            id,
            error,
            checks: checks
                .iter()
                .map(|&(id, status)| CheckRun {
                    id,
                    subject: None,
                    status,
                    detail: "why",
                })
                .collect(),
        }
    }

    fn texts(changes: &[Change]) -> Vec<String> {
        changes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_worse_status_is_a_regression_and_a_better_one_a_change() {
        let base = [run("p", None, &[("A", Status::Pass), ("B", Status::Fail)])];
        let now = [run("p", None, &[("A", Status::Warn), ("B", Status::Info)])];
        assert_eq!(
            texts(&diff(&base, &now)),
            [
                "regression: p A: pass → warn (why)",
                "change: p B: fail → info (why)"
            ]
        );
    }

    #[test]
    fn skips_and_equal_ranks_are_not_compared() {
        let base = [run("p", None, &[("A", Status::Pass), ("B", Status::Skip)])];
        let now = [run("p", None, &[("A", Status::Info), ("B", Status::Fail)])];
        assert!(diff(&base, &now).is_empty());
    }

    #[test]
    fn losing_the_verdict_is_a_regression() {
        let base = [run("p", None, &[]), run("gone", None, &[])];
        let now = [run("p", Some("timeout"), &[]), run("new", None, &[])];
        assert_eq!(
            texts(&diff(&base, &now)),
            [
                "regression: p no longer gives a verdict: timeout",
                "change: new is new",
                "change: gone was removed"
            ]
        );
        let back = diff(&now[..1], &base[..1]);
        assert_eq!(texts(&back), ["change: p answers again"]);
    }
}
