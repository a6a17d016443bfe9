//! Gathering evidence: the one HTTP client ([`probe::Prober`]), metadata
//! discovery, the round schedule of a check ([`gather`]), the login flow and
//! the token cache. Every exchange becomes [`mcp_auth_evidence`] data; nothing
//! here grades, renders or knows the command line.

pub mod chain;
pub mod cimd;
pub mod discovery;
pub mod dpop;
pub mod gather;
pub mod login;
pub mod mcp_session;
pub mod oauth_http;
pub mod probe;
pub mod redact;
pub mod registry;
pub mod token_store;

use mcp_auth_evidence as evidence;
use mcp_auth_evidence::{metadata, www_authenticate};
