//! A loopback peer for the matrix benchmark: many "providers", one per port, each
//! replaying the responses recorded from a real server, every answer D ms late.
//!
//!   replay-peer --routes ROUTES.json --listeners N --delay-ms D
//!
//! ROUTES.json is a list of recorded exchanges (written by bench/harness.mjs from the
//! evidence of a real `mcp-auth check`), with the recorded origin replaced by `{origin}`:
//!   [{"method":"GET","path":"/oidc/jwks","origin_header":false,"status":200,
//!     "headers":[["content-type","application/json"]],"body":"..."}]
//! A request is answered by the route with the same method and path (and query, when one
//! was recorded), preferring the one whose request carried (or did not carry) `Origin` and
//! `Authorization` headers like this one; anything else is a 404 (src/routes.rs).
//! `{origin}` in headers and bodies becomes `http://127.0.0.1:<port>` of the listener that
//! took the request, so every port looks like a separate provider.
//!
//! --log: one stderr line per request, "<received µs> <answered µs> METHOD PATH" (Unix
//! time), to see where a run spends its time.
//!
//! --tls CERT.pem: serve https (ALPN h2 and http/1.1) with a fresh self-signed certificate
//! for 127.0.0.1, written to CERT.pem for the client's trust store (`mcp-auth --cacert`).
//!
//! Stdout contract: one line {"origins":["http://127.0.0.1:P1",...]} once listening.
//! Exits when stdin reaches EOF. Listens on 127.0.0.1 only, ephemeral ports.
//! One thread: the peer must cost little next to the client it measures.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use replay_peer::routes::{replay, table, Flags, Route, Table};

/// Accept connections on one port forever; HTTP/1.1 or HTTP/2 (ALPN `h2`, or
/// the HTTP/2 preface on plain TCP).
async fn accept_loop(
    listener: TcpListener,
    origin: Arc<str>,
    t: Arc<Table>,
    delay: Duration,
    log: bool,
    tls: Option<TlsAcceptor>,
) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors, say: let connections close instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (t, tls, origin) = (t.clone(), tls.clone(), origin.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let (t, origin) = (t.clone(), origin.clone());
                async move {
                    let method = req.method().as_str().to_owned();
                    let path = req.uri().path().to_owned();
                    let query = req.uri().query().unwrap_or("").to_owned();
                    let flags = Flags {
                        origin: req.headers().contains_key(hyper::header::ORIGIN),
                        auth: req.headers().contains_key(hyper::header::AUTHORIZATION),
                    };
                    // Read the whole request, then answer D ms later.
                    let _ = req.into_body().collect().await;
                    let got = SystemTime::now();
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    if log {
                        eprintln!(
                            "{} {} {method} {path}",
                            micros(got),
                            micros(SystemTime::now())
                        );
                    }
                    Ok::<_, Infallible>(replay(&t, &origin, &method, &path, &query, flags))
                }
            });
            let server = auto::Builder::new(TokioExecutor::new());
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let _ = server.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
                None => {
                    let _ = server.serve_connection(TokioIo::new(stream), service).await;
                }
            }
        });
    }
}

/// A self-signed certificate for 127.0.0.1 and the acceptor that serves it,
/// offering `h2` and `http/1.1` like a real provider's front end.
fn self_signed() -> (TlsAcceptor, String) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("self-signed certificate");
    let pem = cert.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .expect("certificate and key");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (TlsAcceptor::from(Arc::new(config)), pem)
}

/// Microseconds since the Unix epoch, for --log lines.
fn micros(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros())
}

fn usage(msg: &str) -> ! {
    eprintln!("replay-peer: {msg}\nusage: replay-peer --routes FILE [--listeners N] [--delay-ms D] [--tls CERT.pem] [--log]");
    std::process::exit(2);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut routes_path = None;
    let mut listeners = 1usize;
    let mut delay_ms = 0u64;
    let mut log = false;
    let mut tls_out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--routes" => routes_path = Some(value()),
            "--listeners" => {
                listeners = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--listeners: not a number"))
            }
            "--log" => log = true,
            "--tls" => tls_out = Some(value()),
            "--delay-ms" => {
                delay_ms = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--delay-ms: not a number"))
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let routes_path = routes_path.unwrap_or_else(|| usage("--routes is required"));
    let text = std::fs::read_to_string(&routes_path)
        .unwrap_or_else(|e| usage(&format!("cannot read {routes_path}: {e}")));
    let routes: Vec<Route> = serde_json::from_str(&text)
        .unwrap_or_else(|e| usage(&format!("{routes_path}: not a routes file: {e}")));
    if listeners == 0 {
        usage("--listeners must be at least 1");
    }
    let delay = Duration::from_millis(delay_ms);
    // One table for every listener: `{origin}` is filled with the answering one's.
    let t = Arc::new(table(&routes).unwrap_or_else(|e| usage(&format!("{routes_path}: {e}"))));

    let tls = tls_out.map(|path| {
        let (acceptor, pem) = self_signed();
        std::fs::write(&path, pem).unwrap_or_else(|e| usage(&format!("cannot write {path}: {e}")));
        acceptor
    });
    let scheme = if tls.is_some() { "https" } else { "http" };

    let mut origins = Vec::new();
    for _ in 0..listeners {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| usage(&format!("cannot listen: {e}")));
        let port = listener.local_addr().expect("bound").port();
        let origin = format!("{scheme}://127.0.0.1:{port}");
        origins.push(origin.clone());
        tokio::spawn(accept_loop(
            listener,
            origin.into(),
            t.clone(),
            delay,
            log,
            tls.clone(),
        ));
    }
    println!("{}", serde_json::json!({ "origins": origins }));

    // Stop when the harness closes our stdin.
    let mut sink = [0u8; 256];
    let mut stdin = tokio::io::stdin();
    while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
}
