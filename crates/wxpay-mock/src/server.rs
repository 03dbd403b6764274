//! The accept loop: connections served by `crate::pipeline` (at most `max_connections` at
//! once, each with a deadline for its headers), and the graceful shutdown that drains them and
//! the callback deliveries.

use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::connections::OpenConnections;
use crate::limits::Limits;
use crate::pipeline::handle;
use crate::shared::Shared;

/// How long a shutdown waits for open connections, then for callback tasks, to finish.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Accepts connections until `stop` fires, then drains them gracefully: in-flight requests get
/// up to [`DRAIN`] to finish (injected latencies are cut short), connections still open after
/// that are aborted, and callback deliveries are cancelled and awaited.
///
/// A connection beyond `limits.max_connections` is accepted and closed at once (so it
/// neither waits in the kernel's backlog nor costs a task); one that does not send its
/// complete headers within `limits.header_read_timeout` is closed by hyper.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
    open: OpenConnections,
    mut stop: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // E.g. out of file descriptors: back off instead of spinning.
                        tracing::warn!(error = %e, "wxpay-mock: accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = open.acquire(limits.max_connections) else {
                    tracing::debug!(
                        max = limits.max_connections,
                        "wxpay-mock: connection refused, too many open"
                    );
                    drop(stream);
                    continue;
                };
                let shared = Arc::clone(&shared);
                let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_read_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let watched = graceful.watch(conn);
                connections.spawn(async move {
                    // Held until the connection ends (or the task is aborted).
                    let _slot = slot;
                    if let Err(e) = watched.await {
                        tracing::trace!(error = %e, "wxpay-mock: connection ended with an error");
                    }
                });
                // Reap finished connections so the set does not grow without bound.
                while connections.try_join_next().is_some() {}
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    shared.stopping.send_replace(true);
    shared.notifier.stop();
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    connections.shutdown().await;
    let _ = tokio::time::timeout(DRAIN, shared.notifier.settled()).await;
}
