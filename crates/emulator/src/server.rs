//! Listener, per-connection control, dispatch, fault hooks and the request log.
//!
//! axum serves HTTP/1.1 over our own [`EmuListener`]: every accepted socket is wrapped in a
//! [`ConnIo`] whose [`ConnCtl`] a handler can reach through `ConnectInfo`. That is what makes
//! `ResetConnection` and `TruncateBody` real: the handler tells the connection to drop the
//! response hyper is about to write (or to write raw bytes instead) and close the socket.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::faults::{Api, Fault, Faults};
use crate::state::Store;
use crate::{
    CosCredentials, CosTemporaryCredentials, Emulator, EmulatorError, R2Credentials,
    RecordedRequest,
};

/// Request bodies above this are refused (400) without being buffered further.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

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

/// What a handler knows about its connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    #[allow(dead_code)] // kept for debugging output
    pub remote: SocketAddr,
    pub ctl: Arc<ConnCtl>,
}

impl Connected<IncomingStream<'_, EmuListener>> for ConnInfo {
    fn connect_info(stream: IncomingStream<'_, EmuListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// The accept loop: wraps every socket and registers its control block.
#[derive(Debug)]
pub(crate) struct EmuListener {
    inner: TcpListener,
    shared: Arc<Shared>,
}

impl Listener for EmuListener {
    type Io = ConnIo;
    type Addr = ConnInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, remote)) => {
                    let _ = stream.set_nodelay(true);
                    let ctl = Arc::new(ConnCtl::default());
                    {
                        let mut conns = self.shared.conns.lock().unwrap_or_else(|e| e.into_inner());
                        conns.retain(|w| w.strong_count() > 0);
                        conns.push(Arc::downgrade(&ctl));
                    }
                    if self.shared.is_shutting_down() {
                        ctl.kill();
                    }
                    return (
                        ConnIo {
                            inner: stream,
                            ctl: ctl.clone(),
                        },
                        ConnInfo { remote, ctl },
                    );
                }
                // Transient errors (EMFILE, aborted handshakes) must not end the server.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(ConnInfo {
            remote: self.inner.local_addr()?,
            ctl: Arc::new(ConnCtl::default()),
        })
    }
}

/// State shared by the handlers and the [`Emulator`] handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub cos: CosCredentials,
    pub cos_temp: Option<CosTemporaryCredentials>,
    pub r2: R2Credentials,
    pub faults: Faults,
    pub store: Store,
    pub limits: crate::Limits,
    requests: Mutex<Vec<RecordedRequest>>,
    pub skew: AtomicI64,
    shutdown: watch::Sender<bool>,
    conns: Mutex<Vec<Weak<ConnCtl>>>,
}

impl Shared {
    pub(crate) fn requests(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
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

/// Bind and start serving.
pub(crate) async fn start(
    bind: SocketAddr,
    cos: CosCredentials,
    cos_temp: Option<CosTemporaryCredentials>,
    r2: R2Credentials,
    store: Store,
    limits: crate::Limits,
) -> Result<Emulator, EmulatorError> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (tx, mut rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        cos,
        cos_temp,
        r2,
        faults: Faults::default(),
        store,
        limits,
        requests: Mutex::new(Vec::new()),
        skew: AtomicI64::new(0),
        shutdown: tx,
        conns: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .fallback(handle)
        .with_state(shared.clone())
        .into_make_service_with_connect_info::<ConnInfo>();
    let listener = EmuListener {
        inner: listener,
        shared: shared.clone(),
    };
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.wait_for(|v| *v).await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "emulator server failed");
        }
    });
    tracing::info!(%addr, "bucket-admin emulator listening");
    Ok(Emulator {
        shared,
        addr,
        task: Some(task),
    })
}

/// Whether a host names a COS endpoint (anything else on `/client/v4` is R2).
fn is_cos_host(host: &str) -> bool {
    host.ends_with(".myqcloud.com") || host.ends_with(".tencentcos.cn")
}

async fn handle(
    State(sh): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ConnInfo>,
    req: Request,
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
    let api = if (path == "/client/v4" || path.starts_with("/client/v4/")) && !is_cos_host(&host) {
        Api::R2
    } else {
        Api::Cos
    };
    let (body, too_large) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    sh.requests().push(RecordedRequest {
        api,
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
        received_at: SystemTime::now(),
    });
    let req = Req {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body,
    };

    let latency = sh.faults.next_latency();
    if !latency.is_zero() {
        sh.sleep(latency).await;
    }
    let target = if req.query.is_empty() {
        req.path.clone()
    } else {
        format!("{}?{}", req.path, req.query)
    };
    if let Some(fault) = sh.faults.take(api, req.method.as_str(), &target) {
        if let Some(resp) = apply_fault(&sh, &conn, api, &req, fault).await {
            return resp;
        }
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
        Api::R2 => crate::r2::routes::handle(&sh, &req),
    }
}

/// The response for a fault, or `None` to continue normally (after a stall).
async fn apply_fault(
    sh: &Shared,
    conn: &ConnInfo,
    api: Api,
    req: &Req,
    fault: Fault,
) -> Option<Response> {
    let cos = |status, code, msg| crate::cos::error(sh, req, status, code, msg);
    Some(match (fault, api) {
        (Fault::SlowDown, Api::Cos) => cos(503, "SlowDown", "Please reduce your request rate."),
        (Fault::SlowDown, Api::R2) => crate::r2::error(
            503,
            10043,
            "Service unavailable: please slow down and retry.",
        ),
        (Fault::InternalError, Api::Cos) => cos(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
        ),
        (Fault::InternalError, Api::R2) => {
            crate::r2::error(500, 10001, "We encountered an internal error. Please try again.")
        }
        (Fault::TooManyRequests { retry_after_secs }, api) => {
            let mut resp = match api {
                Api::Cos => cos(429, "TooManyRequests", "Please reduce your request rate."),
                Api::R2 => crate::r2::error(429, 10058, "Too many requests."),
            };
            if let Ok(v) = retry_after_secs.to_string().parse() {
                resp.headers_mut().insert("retry-after", v);
            }
            resp
        }
        (Fault::ResetConnection, _) => {
            conn.ctl.kill();
            Response::new(Body::empty())
        }
        (Fault::TruncateBody, api) => {
            let (ctype, body): (&str, &str) = match api {
                Api::Cos => (
                    "application/xml",
                    "<?xml version='1.0' encoding='utf-8' ?>\n<ListAllMyBucketsResult>\n\t<Owner>",
                ),
                Api::R2 => ("application/json", "{\"success\":true,\"errors\":[],\"res"),
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nDate: {}\r\nx-cos-request-id: {}\r\ncf-ray: {}\r\nConnection: keep-alive\r\n\r\n{body}",
                body.len() + 4096,
                sh.http_date(),
                crate::cos::new_id(),
                crate::r2::ray_id(),
            );
            conn.ctl.hijack(Bytes::from(head));
            Response::new(Body::empty())
        }
        (Fault::MalformedBody, Api::Cos) => crate::cos::xml_response(
            sh,
            200,
            "<?xml version='1.0' encoding='utf-8' ?>\n<CORSConfiguration>\n\t<CORSRule>\n\t\t<AllowedOrigin>https://exa</Allowed".into(),
        ),
        (Fault::MalformedBody, Api::R2) => {
            crate::r2::raw_json(200, "{\"success\": true, \"errors\": [], \"result\": {\"rules\": [".into())
        }
        (Fault::Stall(d), _) => {
            sh.sleep(d).await;
            return None;
        }
        (Fault::RequestTimeTooSkewed, Api::Cos) => cos(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
        ),
        (Fault::RequestTimeTooSkewed, Api::R2) => crate::r2::error(
            403,
            10003,
            "The difference between the request time and the server's time is too large.",
        ),
    })
}
