//! Check ids that code outside grading names (the `matrix` columns), as
//! constants: a check renamed in [`CATALOGUE`](crate::CATALOGUE) without its
//! constant fails `every_id_is_in_the_catalogue` instead of silently turning
//! a column into "–".

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident = $id:literal;)*) => {
        $($(#[$doc])* pub const $name: &str = $id;)*

        /// Every id of this module.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

ids! {
    /// The metadata's `issuer` is the one discovery used.
    DISC_AS_ISSUER_MATCH = "DISC-AS-ISSUER-MATCH";
    /// PKCE S256 is advertised.
    AS_PKCE_S256 = "AS-PKCE-S256";
    /// Dynamic client registration is offered.
    AS_REGISTRATION_ENDPOINT = "AS-REGISTRATION-ENDPOINT";
    /// Client ID metadata documents are supported.
    AS_CIMD_SUPPORTED = "AS-CIMD-SUPPORTED";
    /// The registration endpoint answers a browser's preflight.
    CORS_REG_PREFLIGHT = "CORS-REG-PREFLIGHT";
    /// The protected resource metadata names the MCP server.
    PRM_RESOURCE_MATCH = "PRM-RESOURCE-MATCH";
    /// A userinfo endpoint is advertised.
    AS_USERINFO = "AS-USERINFO";
    /// The authorization server accepts the MCP server as RFC 8707 `resource`.
    AUTHZ_RESOURCE_ACCEPTED = "AUTHZ-RESOURCE-ACCEPTED";
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_id_is_in_the_catalogue() {
        for id in super::ALL {
            assert!(
                crate::find(id).is_some(),
                "ids has {id:?}, which names no check of the CATALOGUE"
            );
        }
    }
}
