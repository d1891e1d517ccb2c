//! Requests that hyper refuses before any route sees them (a request target or head too large, bytes
//! that are not HTTP/1.1): hyper answers those itself, with an empty body. This wrapper of a
//! connection's stream gives that answer the problem document every other error has.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pin_project_lite::pin_project! {
    /// `io`, with hyper's own empty error answers rewritten into problem documents.
    pub(crate) struct ProblemOnRefusal<I> {
        #[pin]
        io: I,
        // The rewritten answer being written, and how much of it is written.
        rewritten: Option<(Vec<u8>, usize)>,
    }
}

impl<I> ProblemOnRefusal<I> {
    /// `io`, its refusals rewritten.
    pub(crate) fn new(io: I) -> Self {
        Self {
            io,
            rewritten: None,
        }
    }
}

/// Whether `written` may be one of hyper's refusals (all are `4xx` heads): every other write, a
/// response's or an upgraded websocket's, is let through on this check alone.
fn may_be_refusal(written: &[u8]) -> bool {
    written.starts_with(b"HTTP/1.1 4")
}

impl<I: AsyncRead> AsyncRead for ProblemOnRefusal<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.project().io.poll_read(cx, buf)
    }
}

impl<I: AsyncWrite> AsyncWrite for ProblemOnRefusal<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut this = self.project();
        if this.rewritten.is_none()
            && may_be_refusal(buf)
            && let Some(answer) = servey_web::refusal_answer(buf)
        {
            *this.rewritten = Some((answer, 0));
        }
        match this.rewritten.as_mut() {
            None => this.io.poll_write(cx, buf),
            Some((answer, written)) => {
                while *written < answer.len() {
                    let count = ready!(this.io.as_mut().poll_write(cx, &answer[*written..]))?;
                    if count == 0 {
                        return Poll::Ready(Ok(0));
                    }
                    *written += count;
                }
                *this.rewritten = None;
                // All of hyper's bytes are accounted for: they were replaced.
                Poll::Ready(Ok(buf.len()))
            }
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // A refusal is a head alone, in one slice: anything else goes out as hyper queued it.
        let is_refusal = bufs.len() == 1
            && may_be_refusal(&bufs[0])
            && servey_web::refusal_answer(&bufs[0]).is_some();
        if is_refusal || self.rewritten.is_some() {
            let first = bufs
                .iter()
                .find(|buf| !buf.is_empty())
                .map_or(&[][..], |buf| &**buf);
            return self.poll_write(cx, first);
        }
        self.project().io.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().io.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().io.poll_shutdown(cx)
    }
}
