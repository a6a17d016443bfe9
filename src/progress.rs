//! The spinner on stderr while mcp-auth waits for a server: what is being
//! waited for, on a terminal only (never in a pipe, a file or CI's log, and
//! not with -v, whose log lines would tear it). The net crate tells
//! ([`Progress`]); this draws.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mcp_auth_net::probe::progress::Progress;
use mcp_auth_net::probe::Prober;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Decide once per run: a spinner when stderr is a terminal and no -v.
pub fn enable(verbose: u8) {
    ENABLED.store(
        verbose == 0 && std::io::stderr().is_terminal(),
        Ordering::Relaxed,
    );
}

/// `prober`, showing its requests when [`enable`] said so.
pub fn attach(prober: Prober) -> Prober {
    if ENABLED.load(Ordering::Relaxed) {
        prober.observed(Arc::new(Spinner::default()))
    } else {
        prober
    }
}

/// The requests open, oldest first, and the spinner while there are any.
#[derive(Default)]
struct Spinner(Mutex<State>);

#[derive(Default)]
struct State {
    open: Vec<(u64, String)>,
    bar: Option<ProgressBar>,
}

/// What the spinner says: the oldest open request, and how many more.
pub fn message(open: &[(u64, String)]) -> String {
    let Some((_, first)) = open.first() else {
        return String::new();
    };
    match open.len() - 1 {
        0 => first.clone(),
        more => format!("{first} (+{more} more)"),
    }
}

/// "discovering URL" for a well-known document, else "waiting for METHOD URL".
pub fn waiting_for(method: &str, url: &str) -> String {
    if method == "GET" && url.contains("/.well-known/") {
        format!("discovering {url}")
    } else {
        format!("waiting for {method} {url}")
    }
}

impl State {
    fn show(&mut self) {
        if self.open.is_empty() {
            if let Some(bar) = self.bar.take() {
                bar.finish_and_clear();
            }
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>3} {wide_msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(message(&self.open));
    }
}

impl Progress for Spinner {
    fn started(&self, id: u64, method: &str, url: &str) {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        state.open.push((id, waiting_for(method, url)));
        state.show();
    }

    fn ended(&self, id: u64) {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        state.open.retain(|(open, _)| *open != id);
        state.show();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_is_waited_for() {
        let prm = "https://mcp.example.com/.well-known/oauth-protected-resource";
        assert_eq!(waiting_for("GET", prm), format!("discovering {prm}"));
        assert_eq!(
            waiting_for("POST", "https://mcp.example.com/mcp"),
            "waiting for POST https://mcp.example.com/mcp"
        );
        let open = vec![
            (3, "a".to_owned()),
            (4, "b".to_owned()),
            (9, "c".to_owned()),
        ];
        assert_eq!(message(&open), "a (+2 more)");
        assert_eq!(message(&open[2..]), "c");
        assert_eq!(message(&[]), "");
    }
}
