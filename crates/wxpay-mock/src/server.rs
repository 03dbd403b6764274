//! The accept loop: connections served by `crate::pipeline`, and the graceful shutdown that
//! drains them and the callback deliveries.

use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::pipeline::handle;
use crate::shared::Shared;

/// How long a shutdown waits for open connections, then for callback tasks, to finish.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Accepts connections until `stop` fires, then drains them gracefully: in-flight requests get
/// up to [`DRAIN`] to finish (injected latencies are cut short), connections still open after
/// that are aborted, and callback deliveries are cancelled and awaited.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
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
                let shared = Arc::clone(&shared);
                let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service);
                let watched = graceful.watch(conn);
                connections.spawn(async move {
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
