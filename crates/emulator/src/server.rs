//! Listener, per-connection control, dispatch, fault hooks and the request log.
//!
//! # Why plain hyper, not an axum `Router`
//!
//! COS addresses a bucket by the `Host` header and an operation by a query *key*
//! (`PUT /?cors`), and R2 shares the port under `/client/v4`; a path router would see one route
//! (`/`) for almost every COS operation, so the emulator used to wrap a single axum fallback
//! around hand routing: two routing styles, one of them idle. Serving with hyper directly keeps
//! one (the `match` in `cos::routes` and `r2::routes`), and gives the emulator hyper's own
//! connection knobs: the header read timeout (which also bounds a keep-alive connection idling
//! before its next request), per-connection control for the raw-socket faults, and a
//! connection cap held as a semaphore permit for each connection's lifetime. Body reads are
//! bounded by `tower_http::timeout::TimeoutBody` and `http_body_util::Limited`.
//!
//! Every accepted socket is wrapped in a [`ConnIo`] whose [`ConnCtl`] the handler holds. That
//! is what makes `ResetConnection` and `TruncateBody` real: the handler tells the connection
//! to drop the response hyper is about to write (or to write raw bytes instead) and close the
//! socket.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body::Frame;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};

use crate::faults::{Api, Faults, RateLimiter};
use crate::state::Store;
use crate::{
    CosCredentials, CosTemporaryCredentials, Emulator, EmulatorError, R2Credentials,
    RecordedRequest, ServerLimits,
};

/// Request bodies above this are refused (400) without being buffered further.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// A response as the handlers build it.
pub(crate) type Response = http::Response<Body>;

/// Response bodies: a buffered one, or a generated one of any size that is streamed without
/// being allocated (the `HugeBody` fault).
#[derive(Debug)]
pub(crate) enum Body {
    /// The whole body (taken once sent).
    Full(Option<Bytes>),
    /// `prefix`, then `filler` repeated until `remaining` bytes in all were sent.
    Generated {
        prefix: Option<Bytes>,
        filler: Bytes,
        remaining: u64,
    },
}

impl Body {
    /// No body.
    pub(crate) fn empty() -> Body {
        Body::Full(None)
    }

    /// `total` bytes: `prefix` then `filler` repeated, generated while it is sent.
    pub(crate) fn generated(prefix: &'static [u8], filler: &'static [u8], total: u64) -> Body {
        Body::Generated {
            prefix: Some(Bytes::from_static(prefix)),
            filler: Bytes::from_static(filler),
            remaining: total,
        }
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::Full(Some(Bytes::from(s)))
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let chunk = match this {
            Body::Full(b) => b.take().filter(|b| !b.is_empty()),
            Body::Generated {
                prefix,
                filler,
                remaining,
            } => {
                if *remaining == 0 {
                    None
                } else {
                    let next = prefix.take().unwrap_or_else(|| filler.clone());
                    let n = usize::try_from(*remaining).map_or(next.len(), |r| r.min(next.len()));
                    *remaining -= n as u64;
                    Some(next.slice(..n))
                }
            }
        };
        Poll::Ready(chunk.map(|c| Ok(Frame::data(c))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(b) => b.as_ref().is_none_or(Bytes::is_empty),
            Body::Generated { remaining, .. } => *remaining == 0,
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self {
            Body::Full(b) => {
                http_body::SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64))
            }
            Body::Generated { remaining, .. } => http_body::SizeHint::with_exact(*remaining),
        }
    }
}

/// Control block of one TCP connection.
#[derive(Debug, Default)]
pub(crate) struct ConnCtl {
    killed: AtomicBool,
    /// Raw bytes to send instead of hyper's response, then close.
    raw: Mutex<Option<(Bytes, usize)>>,
    read_waker: Mutex<Option<Waker>>,
}

impl ConnCtl {
    /// Close the connection without sending anything more.
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        if let Some(w) = self
            .read_waker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            w.wake();
        }
    }
    /// Send `bytes` verbatim in place of the response hyper writes next, then close.
    pub(crate) fn hijack(&self, bytes: Bytes) {
        *self.raw.lock().unwrap_or_else(|e| e.into_inner()) = Some((bytes, 0));
    }
    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

/// A TCP stream that obeys its [`ConnCtl`].
#[derive(Debug)]
pub(crate) struct ConnIo {
    inner: TcpStream,
    ctl: Arc<ConnCtl>,
}

fn reset() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection closed by fault")
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.ctl.is_killed() {
            return Poll::Ready(Err(reset()));
        }
        *this
            .ctl
            .read_waker
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let ctl = this.ctl.clone();
        let mut raw = ctl.raw.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((bytes, off)) = raw.as_mut() {
            while *off < bytes.len() {
                match Pin::new(&mut this.inner).poll_write(cx, &bytes[*off..]) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => {
                        *raw = None;
                        ctl.kill();
                        return Poll::Ready(Err(e));
                    }
                    Poll::Ready(Ok(n)) => *off += n,
                }
            }
            if Pin::new(&mut this.inner).poll_flush(cx).is_pending() {
                return Poll::Pending;
            }
            *raw = None;
            drop(raw);
            ctl.kill();
            return Poll::Ready(Err(reset()));
        }
        drop(raw);
        if ctl.is_killed() {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.ctl.is_killed() {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The bounded request log: the newest `capacity` requests, bodies cut to `body_limit` bytes.
#[derive(Debug)]
pub(crate) struct RequestLog {
    pub entries: VecDeque<RecordedRequest>,
    pub capacity: usize,
    pub body_limit: usize,
    /// Requests received since the last clear (including those that fell out of the log).
    pub received: usize,
}

impl RequestLog {
    fn push(&mut self, mut r: RecordedRequest) {
        self.received += 1;
        if self.capacity == 0 {
            return;
        }
        if r.body.len() > self.body_limit {
            r.body.truncate(self.body_limit);
            r.body.shrink_to_fit();
        }
        while self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(r);
    }

    /// Bytes of request bodies the log holds.
    pub(crate) fn body_bytes(&self) -> usize {
        self.entries.iter().map(|r| r.body.len()).sum()
    }
}

/// State shared by the handlers and the [`Emulator`] handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub cos: CosCredentials,
    pub cos_temp: Option<CosTemporaryCredentials>,
    pub r2: R2Credentials,
    pub r2_s3: crate::R2S3Credentials,
    pub r2_s3_given: bool,
    pub faults: Faults,
    pub store: Store,
    pub limits: crate::Limits,
    pub server_limits: ServerLimits,
    pub r2_rate_limit: Option<RateLimiter>,
    pub cos_rate_limit: Option<RateLimiter>,
    /// The COS secret / R2 token came from the user (so they are not printed back).
    pub secrets_given: (bool, bool),
    log: Mutex<RequestLog>,
    pub skew: AtomicI64,
    shutdown: watch::Sender<bool>,
    conns: Mutex<Vec<Weak<ConnCtl>>>,
}

impl Shared {
    pub(crate) fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The (skewed) server clock.
    pub(crate) fn now(&self) -> SystemTime {
        let skew = self.skew.load(Ordering::SeqCst);
        let now = SystemTime::now();
        if skew >= 0 {
            now + Duration::from_secs(skew.unsigned_abs())
        } else {
            now.checked_sub(Duration::from_secs(skew.unsigned_abs()))
                .unwrap_or(UNIX_EPOCH)
        }
    }

    /// The (skewed) server clock in Unix seconds.
    pub(crate) fn now_unix(&self) -> i64 {
        match self.now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => 0,
        }
    }

    /// `Date` header value from the skewed clock.
    pub(crate) fn http_date(&self) -> String {
        httpdate::fmt_http_date(self.now())
    }

    fn is_shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    pub(crate) fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
        let conns = std::mem::take(&mut *self.conns.lock().unwrap_or_else(|e| e.into_inner()));
        for c in conns.iter().filter_map(Weak::upgrade) {
            c.kill();
        }
    }

    /// Sleep, but wake early when the emulator shuts down (so a stalled request never keeps a
    /// dropped emulator alive).
    pub(crate) async fn sleep(&self, d: Duration) {
        let mut rx = self.shutdown.subscribe();
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = rx.wait_for(|v| *v) => {}
        }
    }
}

/// A request as handlers see it: head plus the fully buffered body.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: Method,
    /// Raw path, still percent-encoded.
    pub path: String,
    /// Raw query string (no `?`).
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Query as decoded pairs (`+` kept literally: COS clients encode spaces as `%20`).
    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        decode_query(&self.query)
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

pub(crate) fn decode_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Everything [`start`] needs besides the listener.
#[derive(Debug)]
pub(crate) struct Setup {
    pub cos: CosCredentials,
    pub cos_temp: Option<CosTemporaryCredentials>,
    pub r2: R2Credentials,
    pub r2_s3: crate::R2S3Credentials,
    /// Where R2's S3 endpoint listens.
    pub r2_s3_bind: SocketAddr,
    /// The R2 S3 keys came from the user.
    pub r2_s3_given: bool,
    pub store: Store,
    pub limits: crate::Limits,
    pub server_limits: ServerLimits,
    pub faults: Faults,
    pub r2_rate_limit: Option<RateLimiter>,
    pub cos_rate_limit: Option<RateLimiter>,
    pub secrets_given: (bool, bool),
}

/// Bind and start serving.
pub(crate) async fn start(bind: SocketAddr, setup: Setup) -> Result<Emulator, EmulatorError> {
    let listener = TcpListener::bind(bind).await.map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            EmulatorError::AddrInUse { addr: bind }
        } else {
            EmulatorError::Io(e)
        }
    })?;
    let addr = listener.local_addr()?;
    let s3_bind = setup.r2_s3_bind;
    let s3_listener = TcpListener::bind(s3_bind).await.map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            EmulatorError::AddrInUse { addr: s3_bind }
        } else {
            EmulatorError::Io(e)
        }
    })?;
    let r2_s3_addr = s3_listener.local_addr()?;
    let (tx, rx) = watch::channel(false);
    let sl = setup.server_limits;
    let shared = Arc::new(Shared {
        cos: setup.cos,
        cos_temp: setup.cos_temp,
        r2: setup.r2,
        r2_s3: setup.r2_s3,
        r2_s3_given: setup.r2_s3_given,
        faults: setup.faults,
        store: setup.store,
        limits: setup.limits,
        server_limits: sl,
        r2_rate_limit: setup.r2_rate_limit,
        cos_rate_limit: setup.cos_rate_limit,
        secrets_given: setup.secrets_given,
        log: Mutex::new(RequestLog {
            entries: VecDeque::new(),
            capacity: sl.request_log_capacity,
            body_limit: sl.request_log_body_limit,
            received: 0,
        }),
        skew: AtomicI64::new(0),
        shutdown: tx,
        conns: Mutex::new(Vec::new()),
    });
    let s3_task = tokio::spawn(accept_loop(s3_listener, shared.clone(), rx.clone(), true));
    let task = tokio::spawn(accept_loop(listener, shared.clone(), rx, false));
    tracing::info!(%addr, %r2_s3_addr, "bucket-admin emulator listening");
    Ok(Emulator {
        shared,
        addr,
        r2_s3_addr,
        task: Some(task),
        r2_s3_task: Some(s3_task),
    })
}

/// Accept connections until shutdown, at most `max_connections` at once, then wait for every
/// connection task to end. `r2_s3`: this is the port of R2's S3 endpoint.
async fn accept_loop(
    listener: TcpListener,
    sh: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    r2_s3: bool,
) {
    let sl = sh.server_limits;
    let permits = Arc::new(Semaphore::new(sl.max_connections.max(1)));
    // Every connection task holds a clone; `recv()` answers `None` once all are gone.
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(sl.header_timeout)
        .keep_alive(true);
    loop {
        // Past the cap, stop accepting: new clients wait in the kernel's backlog until a
        // connection closes (the timeouts guarantee one does) instead of being refused.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = shutdown.wait_for(|v| *v) => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.wait_for(|v| *v) => break,
        };
        let (stream, _remote) = match accepted {
            Ok(a) => a,
            // Transient errors (EMFILE, aborted handshakes) must not end the server.
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let ctl = Arc::new(ConnCtl::default());
        {
            let mut conns = sh.conns.lock().unwrap_or_else(|e| e.into_inner());
            conns.retain(|w| w.strong_count() > 0);
            conns.push(Arc::downgrade(&ctl));
        }
        if sh.is_shutting_down() {
            ctl.kill();
        }
        let io = TokioIo::new(ConnIo {
            inner: stream,
            ctl: ctl.clone(),
        });
        let svc_sh = sh.clone();
        let svc_ctl = ctl.clone();
        let service = hyper::service::service_fn(move |req| {
            let sh = svc_sh.clone();
            let ctl = svc_ctl.clone();
            async move { Ok::<_, Infallible>(handle(sh, ctl, req, r2_s3).await) }
        });
        let conn = http.serve_connection(io, service);
        let alive = alive_tx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _alive = alive;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    drop(alive_tx);
    sh.begin_shutdown();
    let _ = alive_rx.recv().await;
}

/// Whether a host names a COS endpoint (anything else on `/client/v4` is R2).
fn is_cos_host(host: &str) -> bool {
    host.ends_with(".myqcloud.com") || host.ends_with(".tencentcos.cn")
}

/// Why a request body could not be read.
enum BodyProblem {
    TooLarge,
    /// The client stopped sending (body read timeout) or the connection failed.
    Stalled,
}

async fn read_body(body: Incoming, timeout: Duration) -> Result<Bytes, BodyProblem> {
    let body = tower_http::timeout::TimeoutBody::new(timeout, body);
    match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(BodyProblem::TooLarge),
        Err(_) => Err(BodyProblem::Stalled),
    }
}

async fn handle(
    sh: Arc<Shared>,
    ctl: Arc<ConnCtl>,
    req: http::Request<Incoming>,
    r2_s3: bool,
) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let host = parts
        .headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let public_r2 = !r2_s3 && !is_cos_host(&host) && crate::r2::public::is_public_host(&sh, &host);
    let api = if r2_s3
        || public_r2
        || ((path == "/client/v4" || path.starts_with("/client/v4/")) && !is_cos_host(&host))
    {
        Api::R2
    } else {
        Api::Cos
    };
    let mut req = Req {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body: Bytes::new(),
    };
    // Authenticate on the head alone: nothing of an unauthenticated request's body is read,
    // buffered or logged, so a flood of anonymous uploads costs no memory.
    let authenticated = match api {
        _ if r2_s3 => crate::r2::s3::names_our_key(&sh, &req),
        Api::Cos => crate::cos::routes::is_authenticated(&sh, &req),
        Api::R2 => crate::r2::routes::token_is_valid(&sh, &req),
    };
    let mut too_large = false;
    if authenticated {
        match read_body(body, sh.server_limits.body_timeout).await {
            Ok(b) => req.body = b,
            Err(BodyProblem::TooLarge) => too_large = true,
            Err(BodyProblem::Stalled) => {
                // A body that stopped arriving: give the slot back rather than wait.
                ctl.kill();
                return Response::new(Body::empty());
            }
        }
    } else {
        drop(body);
    }
    sh.log().push(RecordedRequest {
        api,
        method: req.method.to_string(),
        path: req.path.clone(),
        query: req.query.clone(),
        headers: req
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: req.body.to_vec(),
        body_len: req.body.len(),
        authenticated,
        received_at: SystemTime::now(),
    });

    if api == Api::R2
        && !r2_s3
        && let Some(limiter) = &sh.r2_rate_limit
    {
        let client = req
            .header("authorization")
            .map_or_else(|| "anonymous".to_owned(), crate::faults::client_key);
        if let Err(denied) = limiter.check(&client, tokio::time::Instant::now()) {
            return crate::r2::rate_limited(&denied);
        }
    }

    if api == Api::Cos
        && let Some(limiter) = &sh.cos_rate_limit
        && crate::cos::routes::is_bucket_management(&req)
        && limiter
            .check(&sh.cos.appid, tokio::time::Instant::now())
            .is_err()
    {
        return crate::cos::error(
            &sh,
            &req,
            503,
            "SlowDown",
            "Please reduce your request rate.",
        );
    }

    let latency = sh.faults.next_latency();
    if !latency.is_zero() {
        sh.sleep(latency).await;
    }
    let target = if req.query.is_empty() {
        req.path.clone()
    } else {
        format!("{}?{}", req.path, req.query)
    };
    // Faults are written for the COS and R2 REST answers; the S3 port has none.
    if r2_s3 {
        return crate::r2::s3::handle(&sh, &req, too_large);
    }
    if let Some(fault) = sh.faults.take(api, req.method.as_str(), &target)
        && let Some(resp) = crate::faults::apply(&sh, &ctl, api, &req, fault).await
    {
        return resp;
    }
    if too_large {
        return match api {
            Api::Cos => crate::cos::error(
                &sh,
                &req,
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed object size.",
            ),
            Api::R2 => crate::r2::error(400, 10040, "The request body is too large."),
        };
    }
    match api {
        Api::Cos => crate::cos::routes::handle(&sh, &req),
        Api::R2 if public_r2 => crate::r2::public::handle(&sh, &req),
        Api::R2 => crate::r2::routes::handle(&sh, &req),
    }
}
