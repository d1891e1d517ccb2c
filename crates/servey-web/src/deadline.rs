//! The body-read deadline: a request body must arrive whole within `SERVEY_BODY_READ_TIMEOUT` of its
//! head, or reading it fails and the envelope answers `408` (a slow upload cannot keep a request slot).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// Reading the body took longer than the deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub(crate) struct BodyTimedOut(Duration);

pin_project_lite::pin_project! {
    /// `body`, failing once `deadline` passes while a frame is awaited; `timed_out` then turns true.
    pub(crate) struct DeadlineBody {
        #[pin]
        body: Body,
        deadline: Instant,
        limit: Duration,
        // Armed on the first wait only: a body that is already there needs no timer.
        #[pin]
        timer: Option<Sleep>,
        timed_out: Arc<AtomicBool>,
    }
}

impl DeadlineBody {
    /// `body`, which must arrive whole within `limit` from now.
    pub(crate) fn new(body: Body, limit: Duration, timed_out: Arc<AtomicBool>) -> Self {
        Self {
            body,
            deadline: Instant::now() + limit,
            limit,
            timer: None,
            timed_out,
        }
    }
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let mut this = self.project();
        if let Poll::Ready(frame) = this.body.poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if this.timer.is_none() {
            this.timer
                .set(Some(tokio::time::sleep_until(*this.deadline)));
        }
        let timer = this.timer.as_pin_mut().expect("armed just above");
        match timer.poll(cx) {
            Poll::Ready(()) => {
                this.timed_out.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut(*this.limit)))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn a_body_that_stops_arriving_fails_at_the_deadline() {
        let first = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"{"))]);
        let body = Body::from_stream(first.chain(futures_util::stream::pending()));
        let timed_out = Arc::new(AtomicBool::new(false));
        // The rest never comes: the read fails at the deadline rather than waiting for ever.
        let body = DeadlineBody::new(body, Duration::from_millis(50), timed_out.clone());
        let read = axum::body::to_bytes(Body::new(body), usize::MAX).await;
        assert!(read.is_err());
        assert!(timed_out.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_body_that_arrives_in_time_is_read_whole() {
        let timed_out = Arc::new(AtomicBool::new(false));
        let body = DeadlineBody::new(Body::from("{}"), Duration::from_secs(30), timed_out.clone());
        let read = axum::body::to_bytes(Body::new(body), usize::MAX).await;
        assert_eq!(read.expect("read").as_ref(), b"{}");
        assert!(!timed_out.load(Ordering::Relaxed));
    }
}
