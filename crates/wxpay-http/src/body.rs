//! Reading an answer body into one bounded buffer.
//!
//! Each piece (frame) the HTTP stack hands over is a view into the connection's read buffer,
//! and keeping it keeps that whole buffer (about 8 KiB) alive: an answer trickled one byte per
//! TCP segment, collected piece by piece, held thousands of times its size. Here every piece
//! is copied into one buffer as it arrives and dropped at once, and reading stops as soon as
//! the cap would be passed.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body;

use crate::error::BoxError;

/// How a body read ended without a complete body.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// More than the cap arrived (or was declared); nothing more was read.
    TooLarge,
    /// The connection failed while reading.
    Failed(BoxError),
}

/// The most reserved up front from a declared `Content-Length`, so that a declaration alone
/// does not claim the whole cap.
const FIRST_RESERVE: usize = 64 * 1024;

/// Reads `body` whole into one buffer of at most `cap` bytes. `declared` is the
/// `Content-Length`, when sent: it sizes the first reservation, bounded by the cap.
pub(crate) async fn read_capped<B>(
    mut body: B,
    cap: usize,
    declared: Option<u64>,
) -> Result<Bytes, ReadError>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    let first = declared.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut buf: Vec<u8> = Vec::with_capacity(first.min(cap).min(FIRST_RESERVE));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ReadError::Failed(e.into()))?;
        // Trailers carry nothing this client uses.
        let Ok(piece) = frame.into_data() else {
            continue;
        };
        let needed = buf.len().saturating_add(piece.len());
        if needed > cap {
            return Err(ReadError::TooLarge);
        }
        if needed > buf.capacity() {
            // Double, as a `Vec` would, but never past the cap.
            let target = needed.max(buf.capacity().saturating_mul(2)).min(cap);
            buf.reserve_exact(target - buf.len());
        }
        buf.extend_from_slice(&piece);
    }
    Ok(Bytes::from(buf))
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use hyper::body::Frame;

    use super::*;

    /// A body handing over the given pieces (or errors) one per poll.
    struct Pieces(VecDeque<Result<Frame<Bytes>, &'static str>>);

    impl Body for Pieces {
        type Data = Bytes;
        type Error = &'static str;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop_front())
        }
    }

    fn bytes(n: usize) -> Pieces {
        Pieces(
            (0..n)
                .map(|i| Ok(Frame::data(Bytes::from(vec![i as u8]))))
                .collect(),
        )
    }

    fn read(body: Pieces, cap: usize, declared: Option<u64>) -> Result<Bytes, ReadError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(read_capped(body, cap, declared))
    }

    #[test]
    fn pieces_are_joined_in_order_and_the_buffer_never_passes_the_cap() {
        let got = read(bytes(1000), 1000, None).unwrap();
        assert_eq!(got.len(), 1000);
        assert!(got.iter().enumerate().all(|(i, b)| *b == i as u8));
        // Exactly the cap is accepted; one more byte is refused.
        assert!(matches!(
            read(bytes(1001), 1000, None),
            Err(ReadError::TooLarge)
        ));
        assert!(read(bytes(0), 0, None).unwrap().is_empty());
        assert!(matches!(read(bytes(1), 0, None), Err(ReadError::TooLarge)));
    }

    #[test]
    fn a_huge_declared_length_reserves_at_most_the_first_reserve() {
        let got = read(bytes(3), usize::MAX, Some(u64::MAX)).unwrap();
        assert_eq!(&got[..], &[0, 1, 2]);
    }

    #[test]
    fn trailers_are_skipped_and_errors_are_reported() {
        let mut body = bytes(2);
        body.0
            .push_back(Ok(Frame::trailers(http::HeaderMap::new())));
        assert_eq!(read(body, 10, Some(2)).unwrap().len(), 2);
        let mut body = bytes(2);
        body.0.push_back(Err("reset"));
        match read(body, 10, None) {
            Err(ReadError::Failed(e)) => assert_eq!(e.to_string(), "reset"),
            other => panic!("{other:?}"),
        }
    }
}
