//! The listener: hyper's HTTP/1 connection loop with the limits a public endpoint needs
//! (header and body read timeouts, a connection cap, a memory budget for bodies, a shutdown
//! deadline), in front of the axum router.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use super::BODY_LIMIT;

/// How long clients may take, and how much of the bot they may hold.
#[derive(Clone, Debug)]
pub struct Limits {
    /// From the first byte awaited to the end of the request headers. A kept-alive connection
    /// waits for its next request under the same clock, so this is also the idle timeout.
    pub header_read: Duration,
    /// From the end of the headers to the end of the body.
    pub body_read: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// Request bytes buffered at once across all connections: a crowd of slow uploads waits
    /// for room (and its body-read timeout) instead of growing the process.
    pub body_budget: usize,
    /// After the stop signal, how long requests in flight may take before they are cut off.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(10),
            max_connections: 512,
            body_budget: 16 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// The most hyper buffers per connection, headers included.
const READ_BUFFER: usize = 32 * 1024;

/// The unit the body budget is counted in.
const BUDGET_UNIT: usize = 16 * 1024;

/// Serves `router` on `listener` until `shutdown` turns true, then lets requests in flight
/// finish for `shutdown_grace` and cuts off whatever is still connected.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, mut shutdown: watch::Receiver<bool>) {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let budget = Arc::new(Semaphore::new((limits.body_budget / BUDGET_UNIT).max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            _ = stopped(&mut shutdown) => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, usually: give connections time to close.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped(&mut shutdown) => break,
        };
        let _ = stream.set_nodelay(true);
        let (router, budget, limits, mut stop) = (router.clone(), budget.clone(), limits.clone(), shutdown.clone());
        tasks.spawn(async move {
            let _permit = permit;
            let body_read = limits.body_read;
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let (router, budget) = (router.clone(), budget.clone());
                async move { Ok::<_, Infallible>(handle(router, budget, body_read, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                // Slack's headers are a few KiB; a smaller read buffer keeps a crowd of
                // connections small (hyper's default grows to about 400 KiB each).
                .max_buf_size(READ_BUFFER)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stopped(&mut stop) => {
                    // Finish the request in flight, take no further one on this connection.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended");
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    drop(listener);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = tasks.len(),
            grace = ?limits.shutdown_grace,
            "cutting off clients still connected after the shutdown grace period"
        );
        tasks.shutdown().await;
    }
}

/// Resolves once the stop signal is given (at once if it was given already).
async fn stopped(signal: &mut watch::Receiver<bool>) {
    let _ = signal.wait_for(|stop| *stop).await;
}

/// Every request's logs carry a request id, so one request can be followed through the log,
/// its refusals here included. The tag is plain data, formatted only if a line is printed (see
/// `crate::logs`); it is put on here rather than by a router middleware, which cost each request
/// a copy of the routes' service and a boxed future (BENCHMARKS.md, 56th entry).
async fn handle(router: Router, budget: Arc<Semaphore>, body_read: Duration, request: Request<Incoming>) -> Response {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let retry = request.headers().get("x-slack-retry-num").map(|v| v.as_bytes());
    let tag = crate::logs::RequestTag::new(id, request.uri().path().as_bytes(), retry);
    crate::logs::tagged(tag, read_and_route(router, budget, body_read, request)).await
}

/// Reads the body within the limits, then hands the request to the router.
async fn read_and_route(
    mut router: Router,
    budget: Arc<Semaphore>,
    body_read: Duration,
    request: Request<Incoming>,
) -> Response {
    let (parts, body) = request.into_parts();
    if declared_length(&parts.headers).is_some_and(|len| len > BODY_LIMIT as u64) {
        // Refused before a byte of it is read.
        return refuse_too_large();
    }
    let (bytes, _held) = match tokio::time::timeout(body_read, read_body(body, &budget, BODY_LIMIT)).await {
        Err(_) => {
            tracing::info!("cut off a client that did not send its body in time");
            return refuse(StatusCode::REQUEST_TIMEOUT);
        }
        Ok(Err(StatusCode::PAYLOAD_TOO_LARGE)) => return refuse_too_large(),
        Ok(Err(status)) => return refuse(status),
        Ok(Ok(read)) => read,
    };
    let request = Request::from_parts(parts, axum::body::Body::from(bytes));
    match tower_service::Service::call(&mut router, request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// 413 for a body over [`BODY_LIMIT`], declared or as it comes. Logged as the 408 and the 401 are
/// (each request at INFO, tagged with its id and path), so an operator can tell a client's
/// refused bodies from Slack never calling; it is not a verified request, so /metrics counts none.
fn refuse_too_large() -> Response {
    tracing::info!(bound = BODY_LIMIT, "refused a body over the bound with 413");
    refuse(StatusCode::PAYLOAD_TOO_LARGE)
}

/// An error answer after which the connection closes (its body may be unread).
fn refuse(status: StatusCode) -> Response {
    (status, [(header::CONNECTION, "close")]).into_response()
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// Buffers a body of at most `limit` bytes, taking room from `budget` before it grows.
/// The permits returned keep that room until the request has been answered. A body that came
/// in one frame (a Slack request does) is that frame's bytes, not a copy of them.
async fn read_body(
    mut body: Incoming,
    budget: &Arc<Semaphore>,
    limit: usize,
) -> Result<(Bytes, Option<OwnedSemaphorePermit>), StatusCode> {
    let mut first: Option<Bytes> = None;
    let mut buffer: Vec<u8> = Vec::new();
    // The bytes of budget held: what the body read so far may grow to without taking more.
    let mut room = 0;
    let mut held: Option<OwnedSemaphorePermit> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| StatusCode::BAD_REQUEST)?;
        let Ok(data) = frame.into_data() else { continue };
        let needed = first.as_ref().map_or(buffer.len(), Bytes::len) + data.len();
        if needed > limit {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        if needed > room {
            room = grown_capacity(room, needed, limit);
            let units = room.div_ceil(BUDGET_UNIT) as u32;
            let have = held.as_ref().map_or(0, |p| p.num_permits() as u32);
            if units > have {
                let more = budget
                    .clone()
                    .acquire_many_owned(units - have)
                    .await
                    .expect("the semaphore is never closed");
                match held.as_mut() {
                    Some(p) => p.merge(more),
                    None => held = Some(more),
                }
            }
        }
        if first.is_none() && buffer.capacity() == 0 {
            first = Some(data);
            continue;
        }
        buffer.reserve_exact(room - buffer.len());
        if let Some(first) = first.take() {
            buffer.extend_from_slice(&first);
        }
        buffer.extend_from_slice(&data);
    }
    Ok((first.unwrap_or_else(|| Bytes::from(buffer)), held))
}

/// Doubling, as `Vec` grows, but never past the limit: the budget is taken for exactly this.
fn grown_capacity(current: usize, needed: usize, limit: usize) -> usize {
    current.saturating_mul(2).max(needed).max(1024).min(limit.max(needed))
}

#[cfg(test)]
mod tests {
    use super::grown_capacity;

    #[test]
    fn a_body_buffer_doubles_but_never_past_the_limit() {
        assert_eq!(grown_capacity(0, 10, 1 << 20), 1024);
        assert_eq!(grown_capacity(1024, 1500, 1 << 20), 2048);
        assert_eq!(grown_capacity(4096, 40_000, 1 << 20), 40_000);
        assert_eq!(grown_capacity(800_000, 900_000, 1 << 20), 1 << 20);
    }
}
