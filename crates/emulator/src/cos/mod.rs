//! The COS side: virtual-host addressing, signature verification, bucket operations.

pub(crate) mod auth;
pub(crate) mod routes;
pub(crate) mod xml;

use base64::Engine;
use http::{HeaderValue, StatusCode};

use crate::server::{Body, Req, Response, Shared};

/// A request id shaped like the real ones (base64 text).
pub(crate) fn new_id() -> String {
    let bytes: Vec<u8> = std::iter::repeat_with(|| fastrand::u8(..))
        .take(27)
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A response carrying the headers every COS answer has.
pub(crate) fn response(
    sh: &Shared,
    status: u16,
    content_type: Option<&str>,
    body: String,
) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(ct).ok()) {
        h.insert("content-type", ct);
    }
    h.insert("server", HeaderValue::from_static("tencent-cos"));
    if let Ok(v) = HeaderValue::from_str(&sh.http_date()) {
        h.insert("date", v);
    }
    if let Ok(v) = HeaderValue::from_str(&new_id()) {
        h.insert("x-cos-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&new_id()) {
        h.insert("x-cos-trace-id", v);
    }
    resp
}

/// A response with a binary body (an object's bytes).
pub(crate) fn response_bytes(sh: &Shared, status: u16, body: Vec<u8>) -> Response {
    let mut resp = response(sh, status, None, String::new());
    *resp.body_mut() = Body::Full(Some(bytes::Bytes::from(body)));
    resp
}

pub(crate) fn xml_response(sh: &Shared, status: u16, body: String) -> Response {
    response(sh, status, Some("application/xml"), body)
}

pub(crate) fn empty(sh: &Shared, status: u16) -> Response {
    response(sh, status, None, String::new())
}

/// `host/path?subresource`, as the `<Resource>` of an error.
fn resource(req: &Req) -> String {
    let host = req.header("host").unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    if req.query.is_empty() {
        format!("{host}{}", req.path)
    } else {
        format!("{host}{}?{}", req.path, req.query.trim_end_matches('='))
    }
}

/// An error answer; HEAD requests get the status and headers only, like the real service.
pub(crate) fn error(sh: &Shared, req: &Req, status: u16, code: &str, message: &str) -> Response {
    error_with(sh, req, status, code, message, &[])
}

/// An error answer with extra elements (e.g. `StringToSign`, `FormatString`).
pub(crate) fn error_with(
    sh: &Shared,
    req: &Req,
    status: u16,
    code: &str,
    message: &str,
    extra: &[(&str, &str)],
) -> Response {
    let request_id = new_id();
    let mut resp = if req.method == http::Method::HEAD {
        empty(sh, status)
    } else {
        let trace = new_id();
        let body = xml::render_error(code, message, &resource(req), &request_id, &trace, extra);
        xml_response(sh, status, body)
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-cos-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(code) {
        // Not sent by COS; helps when a HEAD error has no body to read the code from.
        resp.headers_mut().insert("x-cos-error-code", v);
    }
    resp
}

/// A change that could not be saved (it was rolled back): 500 `InternalError`.
pub(crate) fn persist_failed(sh: &Shared, req: &Req, e: &crate::state::PersistError) -> Response {
    tracing::error!(error = %e, "cannot persist emulator state; the change was rolled back");
    error(
        sh,
        req,
        500,
        "InternalError",
        "We encountered an internal error (the emulator could not save its state). Please try again.",
    )
}

/// What a `Host` header addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `service.cos.myqcloud.com` (every region) or `cos.<region>.myqcloud.com`.
    Service { region: Option<String> },
    /// `<name>-<appid>.cos.<region>.myqcloud.com` (or `.tencentcos.cn`).
    Bucket {
        /// `name-appid` as written in the host.
        full: String,
        appid: String,
        region: String,
    },
}

/// Parse a lowercased host without port.
pub(crate) fn parse_host(host: &str) -> Option<Target> {
    let base = host
        .strip_suffix(".myqcloud.com")
        .or_else(|| host.strip_suffix(".tencentcos.cn"))?;
    if base == "service.cos" {
        return Some(Target::Service { region: None });
    }
    if let Some(region) = base.strip_prefix("cos.")
        && !region.is_empty()
        && !region.contains('.')
    {
        return Some(Target::Service {
            region: Some(region.to_owned()),
        });
    }
    let (bucket, region) = base
        .split_once(".cos.")
        .or_else(|| base.split_once(".cos-internal."))?;
    if region.is_empty() || region.contains('.') || bucket.contains('.') {
        return None;
    }
    let (_, appid) = bucket.rsplit_once('-')?;
    Some(Target::Bucket {
        full: bucket.to_owned(),
        appid: appid.to_owned(),
        region: region.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            parse_host("service.cos.myqcloud.com"),
            Some(Target::Service { region: None })
        );
        assert_eq!(
            parse_host("cos.ap-guangzhou.myqcloud.com"),
            Some(Target::Service {
                region: Some("ap-guangzhou".into())
            })
        );
        assert_eq!(
            parse_host("examplebucket-1250000000.cos.ap-beijing.tencentcos.cn"),
            Some(Target::Bucket {
                full: "examplebucket-1250000000".into(),
                appid: "1250000000".into(),
                region: "ap-beijing".into()
            })
        );
        assert_eq!(parse_host("example.com"), None);
        assert_eq!(parse_host("a.b.cos.ap-beijing.myqcloud.com"), None);
        assert_eq!(parse_host("nodash.cos.ap-beijing.myqcloud.com"), None);
    }
}
