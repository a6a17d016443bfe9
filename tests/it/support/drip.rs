//! A loopback server that never finishes an answer: `Drip` sends a 200's
//! headers and then its body one byte a second; `Hang` reads the request and
//! answers nothing. The pauses are the behaviour under test (a slow server),
//! not synchronisation. Each connection's thread ends when the client hangs up.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub enum Slow {
    Drip,
    Hang,
}

pub struct SlowServer {
    pub port: u16,
}

impl SlowServer {
    pub fn start(mode: Slow) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || serve(stream, mode));
            }
        });
        Self { port }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    true
}

fn serve(mut stream: TcpStream, mode: Slow) {
    if !read_head(&mut stream) {
        return;
    }
    match mode {
        Slow::Hang => {
            // Until the client gives up and closes.
            let mut buf = [0u8; 1024];
            while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        }
        Slow::Drip => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n{";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            for _ in 0..4095 {
                std::thread::sleep(Duration::from_secs(1));
                if stream
                    .write_all(b" ")
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}
