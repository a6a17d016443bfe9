//! Integration tests: the built binary against real peers and replayed
//! documents, all on 127.0.0.1.

mod support;

mod architecture;
mod authorize;
mod check_live;
mod check_mcp;
mod check_mcp_replay;
mod check_offline;
mod check_peer;
mod check_replay;
mod cimd;
mod clients;
mod contract;
mod docs;
mod dpop;
mod enforcement;
mod grants;
mod hostile;
mod hosts;
mod introspect;
mod live_failures;
mod login;
mod login_client;
mod matrix;
mod matrix_live;
mod matrix_targets;
mod progress;
mod providers_replay;
mod reachability;
mod registry;
mod registry_page;
mod registry_workflow;
mod schemas;
mod shell;
mod snapshots;
mod stateless;
mod token_cache;
mod unreachable;
