//! A raw TCP server for misbehaviour an HTTP library will not produce:
//! lying lengths, drips, hangs, half-closed bodies. Every connection gets
//! the same script.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Script {
    /// Send these bytes, then close.
    Bytes(Vec<u8>),
    /// Send the head, then the body one byte every `interval`.
    Drip {
        head: Vec<u8>,
        body: Vec<u8>,
        interval: Duration,
    },
    /// Read the request and never answer (until the test ends).
    Hang,
    /// Close as soon as the request is read.
    Close,
}

pub struct HostileServer {
    pub origin: String,
}

impl HostileServer {
    pub fn start(script: Script) -> Self {
        Self::start_on("127.0.0.1:0", script)
    }

    /// The same on another loopback address (`127.0.0.2:0`: another host).
    pub fn start_on(addr: &str, script: Script) -> Self {
        let listener = TcpListener::bind(addr).unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let script = script.clone();
                std::thread::spawn(move || serve(stream, &script));
            }
        });
        Self { origin }
    }
}

fn read_head(stream: &TcpStream) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body).ok()
}

fn serve(mut stream: TcpStream, script: &Script) {
    if read_head(&stream).is_none() {
        return;
    }
    match script {
        Script::Bytes(b) => {
            let _ = stream.write_all(b);
        }
        Script::Drip {
            head,
            body,
            interval,
        } => {
            let _ = stream.write_all(head);
            for byte in body {
                std::thread::sleep(*interval);
                if stream.write_all(&[*byte]).is_err() {
                    return;
                }
            }
        }
        Script::Hang => std::thread::sleep(Duration::from_secs(3600)),
        Script::Close => {}
    }
}

/// An HTTP/1.1 response with these headers and body (Content-Length set
/// unless a header already says how the body ends).
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n").into_bytes();
    let framed = headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding")
    });
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    if !framed {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}
