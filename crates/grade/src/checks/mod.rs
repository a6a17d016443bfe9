//! The checks, one folder per family: the check definitions in `mod.rs`,
//! their unit tests beside them in `tests.rs`. A family's folder is named
//! after its id prefix.

pub(crate) mod as_metadata;
pub mod authorize;
pub(crate) mod challenge;
pub(crate) mod cors;
pub(crate) mod discovery;
pub(crate) mod prm;
pub(crate) mod registration;
