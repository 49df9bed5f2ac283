//! Public-bucket access, as `pub-<id>.r2.dev` and custom domains serve it: `GET`/`HEAD` of an
//! object without authentication, and the bucket's CORS policy on preflights and on actual
//! answers. Any other method answers 405 (the public endpoints are read-only).
//!
//! A request is public when its `Host` (port ignored) is `pub-<id>.r2.dev` of a bucket whose
//! managed domain is enabled, or an enabled custom domain of a bucket; the path is `/<key>`.

use bucket_admin_core::preflight::{PreflightOutcome, PreflightRequest, evaluate};
use http::{HeaderValue, Method, StatusCode};

use crate::server::{Body, Req, Response, Shared};
use crate::state::{R2Bucket, State};

/// The bucket a public host serves, if any.
fn bucket_for<'a>(s: &'a State, host: &str) -> Option<&'a R2Bucket> {
    let managed = host
        .strip_suffix(".r2.dev")
        .and_then(|h| h.strip_prefix("pub-"));
    match managed {
        Some(id) => {
            s.r2.values()
                .flat_map(|m| m.values())
                .find(|b| b.managed_enabled && b.public_id == id)
        }
        None => {
            let (j, name) = s.r2_custom_domains.get(host)?;
            s.r2.get(j)
                .and_then(|m| m.get(name))
                .filter(|b| b.custom_domains.get(host).is_some_and(|d| d.enabled))
        }
    }
}

fn bare_host(req: &Req) -> String {
    req.header("host")
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Whether a host is one of R2's public hosts: any `*.r2.dev`, or a custom domain a bucket
/// holds (even disabled: it is answered as R2 would, with 404).
pub(crate) fn is_public_host(sh: &Shared, host: &str) -> bool {
    host.ends_with(".r2.dev") || sh.store.read(|s| s.r2_custom_domains.contains_key(host))
}

fn text(status: u16, body: &str) -> Response {
    let mut resp = Response::new(Body::from(body.to_owned()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain;charset=UTF-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&super::ray_id()) {
        resp.headers_mut().insert("cf-ray", v);
    }
    resp.headers_mut()
        .insert("server", HeaderValue::from_static("cloudflare"));
    resp
}

/// Handle one request on a public host.
pub(crate) fn handle(sh: &Shared, req: &Req) -> Response {
    let host = bare_host(req);
    let key = crate::server::percent_decode(req.path.strip_prefix('/').unwrap_or(&req.path));
    let found = sh
        .store
        .read(|s| bucket_for(s, &host).map(|b| (b.cors.clone(), b.objects.get(&key).cloned())));
    let Some((cors, object)) = found else {
        return text(404, "Not Found");
    };
    if req.method == Method::OPTIONS {
        let pre = PreflightRequest::new(
            req.header("origin").unwrap_or_default(),
            req.header("access-control-request-method")
                .unwrap_or_default(),
        )
        .with_headers(req.header("access-control-request-headers"));
        return match evaluate(cors.as_ref(), &pre) {
            PreflightOutcome::Allowed(a) => {
                let mut resp = text(204, "");
                let headers: Vec<(&'static str, String)> = a
                    .response_headers()
                    .into_iter()
                    .chain([("Vary", "Origin".to_owned())])
                    .collect();
                crate::objects::add_headers(&mut resp, &headers);
                resp
            }
            // Denied, or an outcome the emulator does not know: fail closed.
            _ => text(403, "Forbidden"),
        };
    }
    let mut resp = match (&req.method, object) {
        (m, Some(o)) if *m == Method::GET || *m == Method::HEAD => {
            let mut resp = text(200, "");
            if *m == Method::GET {
                *resp.body_mut() = Body::Full(Some(bytes::Bytes::from(o.data.clone())));
            }
            crate::objects::object_headers(&mut resp, &o);
            resp
        }
        (m, None) if *m == Method::GET || *m == Method::HEAD => text(404, "Object Not Found"),
        _ => text(405, "Method Not Allowed"),
    };
    let headers =
        crate::objects::actual_cors(cors.as_ref(), req.header("origin"), req.method.as_str());
    crate::objects::add_headers(&mut resp, &headers);
    resp
}
