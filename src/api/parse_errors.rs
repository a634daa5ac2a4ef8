//! JSON bodies for the answers actix-http gives on its own.
//!
//! A request whose head can't be parsed (a malformed request line: 400) or is over actix-http's
//! fixed limits (a head over its buffer, more than 96 headers: 431) never reaches the app:
//! actix-http writes an empty-bodied response and closes the connection, with no hook to change
//! it. This wrapper around each connection's socket finds that response in what is written and
//! gives it the JSON body every other error has. Nothing else can match: the app's own 400s
//! carry JSON bodies (never `content-length: 0`), and a JSON body can't hold a raw CR LF.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The empty responses actix-http writes, and the message each gets.
const REWRITES: [(&[u8], &str); 2] = [
    (
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
        "The request could not be parsed as HTTP.",
    ),
    (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n",
        "The request line or headers are too large or too many.",
    ),
];

/// A connection's socket whose writes get the JSON bodies above.
pub struct JsonParseErrors {
    inner: TcpStream,
    /// Rewritten bytes still to be written, and how many of them are.
    pending: Vec<u8>,
    written: usize,
}

impl JsonParseErrors {
    pub fn new(inner: TcpStream) -> Self {
        JsonParseErrors {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }

    /// Writes what is pending; `Ready(Ok)` once nothing is.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

/// Such a response is the last thing written before the connection closes, and under this many
/// bytes: only the tail of each write is searched, so the check costs the same for any response.
const TAIL: usize = 256;

/// `buf` with an empty actix-http error response given its JSON body; `None` when it has none.
pub fn rewrite(buf: &[u8]) -> Option<Vec<u8>> {
    // Such a response has no body, so the write ends with the head's blank line; an answer with
    // a body (every other one on a busy connection) is passed over at the cost of one compare.
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let tail = buf.len().saturating_sub(TAIL);
    REWRITES.iter().find_map(|(head, message)| {
        let start = tail + find(&buf[tail..], head)?;
        let head_end = start + find(&buf[start..], b"\r\n\r\n")? + 4;
        let body = serde_json::json!({ "message": message }).to_string();
        let status_line_end = start + find(&buf[start..], b"\r\n")? + 2;
        let mut out = Vec::with_capacity(buf.len() + body.len() + 64);
        out.extend_from_slice(&buf[..status_line_end]);
        out.extend_from_slice(b"content-type: application/json\r\n");
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
        out.extend_from_slice(&buf[start + head.len()..head_end]);
        out.extend_from_slice(body.as_bytes());
        out.extend_from_slice(&buf[head_end..]);
        Some(out)
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl AsyncRead for JsonParseErrors {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonParseErrors {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.poll_pending(cx)?.is_pending() {
            return Poll::Pending;
        }
        match rewrite(buf) {
            // Taken whole; written by later calls and by flush.
            Some(rewritten) => {
                this.pending = rewritten;
                Poll::Ready(Ok(buf.len()))
            }
            None => Pin::new(&mut this.inner).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.poll_pending(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.poll_pending(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_431_gets_a_json_body_and_the_rest_is_kept() {
        let written = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(rewrite(written).unwrap()).unwrap();
        let body = r#"{"message":"The request line or headers are too large or too many."}"#;
        assert_eq!(
            out,
            format!(
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{{}}HTTP/1.1 431 Request Header Fields Too Large\r\n\
                 content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\ndate: x\r\n\r\n{body}",
                body.len()
            )
        );
    }

    #[test]
    fn the_apps_own_answers_are_left_alone() {
        let written = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 27\r\ncontent-type: application/json\r\n\r\n{\"message\":\"Malformed JSON\"}";
        assert!(rewrite(written).is_none());
    }
}
