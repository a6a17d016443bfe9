//! The stable ids of the clients other code names: the file names of their
//! profiles in `clients/` (display names are for people, and change).

pub const SPEC_2025_11_25: &str = "spec-2025-11-25";
pub const SPEC_2025_06_18: &str = "spec-2025-06-18";
pub const SPEC_2025_03_26: &str = "spec-2025-03-26";
pub const TS_SDK: &str = "ts-sdk";
pub const PYTHON_SDK: &str = "python-sdk";
pub const LOGTO_OAUTH: &str = "logto-oauth";
pub const LOGTO_OIDC: &str = "logto-oidc";

#[cfg(test)]
mod tests {
    #[test]
    fn every_named_id_has_a_profile() {
        for id in [
            super::SPEC_2025_11_25,
            super::SPEC_2025_06_18,
            super::SPEC_2025_03_26,
            super::TS_SDK,
            super::PYTHON_SDK,
            super::LOGTO_OAUTH,
            super::LOGTO_OIDC,
        ] {
            assert!(super::super::profile(id).is_some(), "{id}");
        }
    }
}
