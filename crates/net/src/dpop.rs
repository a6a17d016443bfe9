//! DPoP (RFC 9449, MCP SEP-1932): the client's key (ES256, P-256, made by
//! `ring`), its public JWK and RFC 7638 thumbprint, the proofs (`typ`
//! `dpop+jwt`, signed by `jsonwebtoken`), and requests sent with a fresh
//! proof each, retried once with the nonce a server demands
//! ([`send`]). How servers demand a nonce is read in
//! [`mcp_auth_evidence::dpop`]; the key is cached in the token entry
//! ([`TokenEntry::dpop_key`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use sha2::{Digest, Sha256};

use crate::evidence::dpop::{self as facts, NonceError};
use crate::evidence::Exchange;
use crate::login::Resolved;
use crate::metadata::AsMetadata;
use crate::probe::{ProbeRequest, Prober};
use crate::token_store::{now, Secret, TokenEntry};

/// The one proof algorithm mcp-auth signs with.
pub const ALG: &str = "ES256";

/// When a login asks for DPoP-bound tokens (`login --dpop`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DpopMode {
    /// When the authorization server lists ES256 in `dpop_signing_alg_values_supported`.
    #[default]
    Auto,
    /// Always; a Bearer answer is refused.
    Always,
    Never,
}

#[derive(Debug, thiserror::Error)]
pub enum DpopError {
    #[error("cannot make a DPoP key: {0}")]
    Generate(String),
    #[error("the cached DPoP key is not a P-256 PKCS#8 key ({0}); run `mcp-auth login` again")]
    CachedKey(String),
    #[error("the cached {0} token is DPoP-bound but no DPoP key is cached with it; run `mcp-auth login` again")]
    NoKey(String),
    #[error("cannot sign a DPoP proof: {0}")]
    Sign(String),
    #[error("{issuer} lists dpop_signing_alg_values_supported [{listed}] without ES256, the algorithm mcp-auth signs DPoP proofs with (--dpop auto or never logs in without DPoP)")]
    Algorithms { issuer: String, listed: String },
    #[error("{at} demanded a DPoP nonce (use_dpop_nonce), but {why}")]
    Nonce { at: String, why: NonceError },
    #[error("{at} demanded a new DPoP nonce again after the retry with the one it gave; giving up (RFC 9449 §8, §9: a server accepts the nonce it issued)")]
    NonceLoop { at: String },
}

/// A DPoP key pair. `Debug` never shows the private key.
#[derive(Clone)]
pub struct DpopKey {
    pkcs8: Vec<u8>,
    signing: EncodingKey,
    jwk: Jwk,
    thumbprint: String,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DpopKey(ES256, jkt {}, [redacted])", self.thumbprint)
    }
}

impl DpopKey {
    /// A new random P-256 key.
    pub fn generate() -> Result<Self, DpopError> {
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|e| DpopError::Generate(e.to_string()))?;
        Self::from_pkcs8(doc.as_ref()).map_err(|e| DpopError::Generate(e.to_string()))
    }

    /// The key as cached ([`Self::to_stored`]).
    pub fn from_stored(stored: &Secret) -> Result<Self, DpopError> {
        let der = URL_SAFE_NO_PAD
            .decode(stored.expose())
            .map_err(|e| DpopError::CachedKey(e.to_string()))?;
        Self::from_pkcs8(&der)
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self, DpopError> {
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new())
                .map_err(|e| DpopError::CachedKey(e.to_string()))?;
        // The uncompressed point: 0x04, x, y (SEC 1 §2.3.3).
        let point = pair.public_key().as_ref();
        let (x, y) = (&point[1..33], &point[33..65]);
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        let thumbprint = thumbprint(&x, &y);
        let jwk = Jwk {
            common: CommonParameters::default(),
            algorithm: AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
                key_type: EllipticCurveKeyType::EC,
                curve: EllipticCurve::P256,
                x,
                y,
            }),
        };
        Ok(Self {
            pkcs8: der.to_vec(),
            signing: EncodingKey::from_ec_der(der),
            jwk,
            thumbprint,
        })
    }

    /// The private key as the token cache keeps it: PKCS#8 DER, base64url.
    pub fn to_stored(&self) -> Secret {
        Secret::new(URL_SAFE_NO_PAD.encode(&self.pkcs8))
    }

    /// The public key, as the `jwk` header of every proof carries it.
    pub fn public_jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The RFC 7638 SHA-256 thumbprint (a bound token's `cnf.jkt`).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// A proof for one request (RFC 9449 §4.2): a fresh `jti`, `htm`, `htu`
    /// (`url` without query and fragment), `iat`; `ath` when presenting an
    /// access token; `nonce` when the server gave one.
    pub fn proof(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<String, DpopError> {
        let mut claims = serde_json::json!({
            "jti": crate::login::client::random_id(),
            "htm": method,
            "htu": htu(url),
            "iat": now(),
        });
        if let Some(t) = access_token {
            claims["ath"] = ath(t).into();
        }
        if let Some(n) = nonce {
            claims["nonce"] = n.into();
        }
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".to_owned());
        header.jwk = Some(self.jwk.clone());
        jsonwebtoken::encode(&header, &claims, &self.signing)
            .map_err(|e| DpopError::Sign(e.to_string()))
    }
}

/// RFC 7638: SHA-256 over the required members in lexicographic order.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// `ath`: base64url(SHA-256(the access token)) (RFC 9449 §4.2).
pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

/// `htu`: the request URI without query and fragment (RFC 9449 §4.2).
pub fn htu(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or(url).to_owned(),
    }
}

/// Whether the metadata lists the algorithm mcp-auth signs proofs with.
pub fn supported(md: &AsMetadata) -> bool {
    md.dpop_signing_alg_values_supported
        .as_ref()
        .is_some_and(|l| l.iter().any(|a| a == ALG))
}

/// The key a login binds its tokens to, if `mode` asks for one: `Auto`
/// when the authorization server lists ES256 and the MCP server, if the
/// login is to one, takes DPoP ([`Resolved::resource_dpop`]): a token bound
/// to a key is refused by a server that knows only Bearer.
pub fn for_login(mode: DpopMode, r: &Resolved) -> Result<Option<DpopKey>, DpopError> {
    let md = &r.metadata;
    match (mode, &md.dpop_signing_alg_values_supported) {
        (DpopMode::Never, _) => Ok(None),
        (DpopMode::Auto, _) if !supported(md) || r.resource_dpop == Some(false) => Ok(None),
        (DpopMode::Always, Some(listed)) if !supported(md) => Err(DpopError::Algorithms {
            issuer: r.issuer.clone(),
            listed: listed.join(", "),
        }),
        _ => DpopKey::generate().map(Some),
    }
}

/// The key a cached token is bound to: none for a Bearer token.
pub fn key_of(entry: &TokenEntry) -> Result<Option<DpopKey>, DpopError> {
    match &entry.dpop_key {
        Some(k) => DpopKey::from_stored(k).map(Some),
        None if entry.token_type.eq_ignore_ascii_case("dpop") => {
            Err(DpopError::NoKey(entry.token_type.clone()))
        }
        None => Ok(None),
    }
}

/// The `Authorization` value presenting `token`: `DPoP` with a key, else `Bearer` (RFC 9449 §7.1).
pub fn authorization(token: &str, key: Option<&DpopKey>) -> String {
    match key {
        Some(_) => format!("DPoP {token}"),
        None => format!("Bearer {token}"),
    }
}

/// Where a request goes: it says how a nonce is demanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// A 400 `use_dpop_nonce` OAuth error (RFC 9449 §8).
    TokenEndpoint,
    /// A 401 challenge with `error="use_dpop_nonce"` (RFC 9449 §9).
    Resource,
}

/// Send what `build` makes. With a key, each attempt gets a fresh proof
/// (with `ath` for `access_token`, and `nonce`); when the server demands a
/// nonce, the request is built and sent once more with it; a second demand
/// is an error, as is a nonce that is not one. `nonce` is updated with what
/// the server gives, for the next request.
pub async fn send<E: From<DpopError>>(
    prober: &Prober,
    key: Option<&DpopKey>,
    server: Server,
    access_token: Option<&str>,
    nonce: &mut Option<String>,
    mut build: impl FnMut() -> Result<ProbeRequest, E>,
) -> Result<(Exchange, Option<String>), E> {
    let Some(key) = key else {
        return Ok(prober.send_keeping_secrets(build()?).await);
    };
    let mut retried = false;
    loop {
        let req = build()?;
        let at = match server {
            Server::TokenEndpoint => format!("the token endpoint {}", req.url),
            Server::Resource => req.url.clone(),
        };
        let proof = key.proof(
            req.method.as_str(),
            &req.url,
            access_token,
            nonce.as_deref(),
        )?;
        let (ex, raw) = prober.send_keeping_secrets(req.header("dpop", proof)).await;
        let Some(resp) = &ex.response else {
            return Ok((ex, raw));
        };
        let given = resp.header(facts::NONCE_HEADER);
        let demand = match server {
            Server::TokenEndpoint => {
                facts::token_endpoint_demand(resp.status, raw.as_deref().unwrap_or(""), given)
            }
            Server::Resource => {
                facts::resource_demand(resp.status, &resp.header_all("www-authenticate"), given)
            }
        };
        match demand {
            None => {
                if let Some(n) = facts::offered(given) {
                    *nonce = Some(n);
                }
                return Ok((ex, raw));
            }
            Some(Err(why)) => return Err(DpopError::Nonce { at, why }.into()),
            Some(Ok(_)) if retried => return Err(DpopError::NonceLoop { at }.into()),
            Some(Ok(n)) => {
                *nonce = Some(n);
                retried = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of a compact JWS, decoded.
    fn decode(jwt: &str) -> (serde_json::Value, serde_json::Value, Vec<u8>) {
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "{jwt}");
        let json = |s: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
        (
            json(parts[0]),
            json(parts[1]),
            URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
        )
    }

    #[test]
    fn the_rfc_9449_thumbprint_and_ath_examples() {
        // RFC 9449 §4.1's proof key and §6.1's cnf.jkt; §7.1's token and ath.
        assert_eq!(
            thumbprint(
                "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
                "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"
            ),
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        );
        assert_eq!(
            ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }

    #[test]
    fn a_proof_carries_the_public_key_and_the_request() {
        let key = DpopKey::generate().unwrap();
        let proof = key
            .proof(
                "POST",
                "https://mcp.example/mcp?x=1#f",
                Some("tok"),
                Some("n-1"),
            )
            .unwrap();
        let (header, claims, sig) = decode(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        let jwk = &header["jwk"];
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(jwk["crv"], "P-256");
        assert!(
            jwk.get("d").is_none(),
            "the private key is never in a proof"
        );
        assert_eq!(
            thumbprint(jwk["x"].as_str().unwrap(), jwk["y"].as_str().unwrap()),
            key.thumbprint()
        );
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://mcp.example/mcp");
        assert_eq!(claims["ath"], ath("tok"));
        assert_eq!(claims["nonce"], "n-1");
        assert!(claims["iat"].as_u64().unwrap().abs_diff(now()) < 5);
        assert_eq!(sig.len(), 64, "ES256 signatures are r || s");
        // The signature verifies with the embedded public key.
        let point = [
            vec![4u8],
            URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap(),
            URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap(),
        ]
        .concat();
        let signed = proof.rsplit_once('.').unwrap().0;
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point)
            .verify(signed.as_bytes(), &sig)
            .expect("the proof verifies");
    }

    #[test]
    fn every_proof_has_a_new_jti_and_no_ath_or_nonce_unless_given() {
        let key = DpopKey::generate().unwrap();
        let a = decode(
            &key.proof("POST", "https://as.example/token", None, None)
                .unwrap(),
        )
        .1;
        let b = decode(
            &key.proof("POST", "https://as.example/token", None, None)
                .unwrap(),
        )
        .1;
        assert_ne!(a["jti"], b["jti"]);
        assert!(a.get("ath").is_none() && a.get("nonce").is_none(), "{a}");
    }

    #[test]
    fn a_key_survives_the_cache_and_never_debug_prints() {
        let key = DpopKey::generate().unwrap();
        let stored = key.to_stored();
        let again = DpopKey::from_stored(&stored).unwrap();
        assert_eq!(again.thumbprint(), key.thumbprint());
        assert_eq!(again.public_jwk(), key.public_jwk());
        assert!(!format!("{key:?}").contains(stored.expose()));
        let e = DpopKey::from_stored(&Secret::new("bm90IGEga2V5")).unwrap_err();
        assert!(e.to_string().contains("run `mcp-auth login` again"), "{e}");
    }

    #[test]
    fn auto_follows_both_servers_always_refuses_other_algorithms() {
        let r = |algs: Option<&[&str]>, resource_dpop| Resolved {
            issuer: "https://as.example".into(),
            metadata: AsMetadata {
                dpop_signing_alg_values_supported: algs
                    .map(|l| l.iter().map(|s| (*s).to_owned()).collect()),
                ..AsMetadata::default()
            },
            resource: None,
            scopes: Vec::new(),
            mcp_url: None,
            resource_dpop,
        };
        let with = |mode, r: &Resolved| for_login(mode, r).map(|k| k.is_some());
        let es256: Option<&[&str]> = Some(&["RS256", "ES256"]);
        assert!(with(DpopMode::Auto, &r(es256, None)).unwrap());
        assert!(with(DpopMode::Auto, &r(es256, Some(true))).unwrap());
        // An MCP server that shows no sign of DPoP would refuse a bound token.
        assert!(!with(DpopMode::Auto, &r(es256, Some(false))).unwrap());
        assert!(!with(DpopMode::Auto, &r(Some(&["RS256"]), Some(true))).unwrap());
        assert!(!with(DpopMode::Auto, &r(None, None)).unwrap());
        assert!(!with(DpopMode::Never, &r(es256, Some(true))).unwrap());
        assert!(with(DpopMode::Always, &r(None, Some(false))).unwrap());
        let e = with(DpopMode::Always, &r(Some(&["EdDSA"]), None)).unwrap_err();
        assert!(e.to_string().contains("[EdDSA] without ES256"), "{e}");
    }

    #[test]
    fn htu_drops_query_and_fragment() {
        assert_eq!(htu("https://a.example/t?x=1#y"), "https://a.example/t");
        assert_eq!(htu("http://127.0.0.1:8/mcp"), "http://127.0.0.1:8/mcp");
        assert_eq!(htu("not a url?q"), "not a url");
    }
}
