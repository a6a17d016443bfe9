//! The checks, one folder per family: the check definitions in `mod.rs`,
//! their unit tests beside them in `tests.rs` (and `tests_*.rs` when one file
//! would be too long). A family's folder follows from its id prefix: the
//! `FAMILIES` table below, which the catalogue's tests hold every check to.

pub(crate) mod as_metadata;
pub mod authorize;
pub(crate) mod challenge;
pub mod cimd;
pub(crate) mod cors;
pub(crate) mod discovery;
pub(crate) mod enforcement;
pub(crate) mod extensions;
pub mod live;
pub(crate) mod prm;
pub(crate) mod reachability;
pub(crate) mod registration;
pub mod session;
pub mod token;

/// Which folder holds the checks whose id starts with what (first match).
#[cfg(test)]
pub(crate) const FAMILIES: &[(&str, &str)] = &[
    ("SEC-HTTPS-RS", "challenge"),
    ("CH-403-SCOPE", "session"),
    ("CH-STATELESS-DISCOVER", "enforcement"),
    ("RS-AUDIENCE-ENFORCED", "live"),
    ("TOK-", "live"),
    ("ISS-RESPONSE", "live"),
    ("STATE-ECHO", "live"),
    ("CIMD-LIVE", "live"),
    ("CIMD-DOC-", "cimd"),
    ("CH-", "challenge"),
    ("PRM-", "prm"),
    ("CORS-", "cors"),
    ("SEC-HTTPS-AS", "discovery"),
    ("SEC-TLS-VALID", "discovery"),
    ("AS-TOKEN-ENDPOINT-REACHABLE", "reachability"),
    ("AS-JWKS-REACHABLE", "reachability"),
    ("DISC-", "discovery"),
    ("AS-", "as_metadata"),
    ("DCR-", "registration"),
    ("CIMD-", "registration"),
    ("EXT-", "extensions"),
    ("AUTHZ-", "authorize"),
    ("TOKEN-", "token"),
    ("UI-", "session"),
    ("RS-UNAUTHENTICATED-REFUSED", "enforcement"),
    ("RS-EXPIRED-TOKEN-REFUSED", "enforcement"),
    ("RS-FORGED-TOKEN-REFUSED", "enforcement"),
    ("RS-", "session"),
];
