//! The Cloudflare R2 REST API side (`/client/v4/accounts/{id}/r2/buckets...`).

pub(crate) mod json;
pub(crate) mod public;
pub(crate) mod routes;
pub(crate) mod s3;

use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::server::{Body, Response};

/// A `cf-ray` value: 16 hex digits and a colo code.
pub(crate) fn ray_id() -> String {
    format!("{:016x}-SJC", fastrand::u64(..))
}

/// A JSON response with the headers every Cloudflare API answer has.
pub(crate) fn raw_json(status: u16, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(&ray_id()) {
        h.insert("cf-ray", v);
    }
    resp
}

/// A failed envelope.
pub(crate) fn error(status: u16, code: u32, message: &str) -> Response {
    raw_json(
        status,
        json!({
            "success": false,
            "errors": [{"code": code, "message": message}],
            "messages": [],
            "result": null
        })
        .to_string(),
    )
}

/// A successful envelope around `result`.
pub(crate) fn ok(result: Value) -> Response {
    ok_with_info(result, None)
}

/// A successful envelope with `result_info`.
pub(crate) fn ok_with_info(result: Value, info: Option<Value>) -> Response {
    let mut env = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let Some(info) = info {
        env["result_info"] = info;
    }
    raw_json(200, env.to_string())
}

/// Cloudflare's answer to a client past the API rate limit: 429, the failed envelope with
/// code 10058, `retry-after` in seconds and the `ratelimit` / `ratelimit-policy` headers.
pub(crate) fn rate_limited(denied: &crate::faults::Denied) -> Response {
    let mut resp = error(
        429,
        10058,
        "Too many requests: you exceeded the API rate limit; please wait and consider throttling your request speed.",
    );
    let secs = crate::faults::retry_after_secs(denied.retry_after);
    let h = resp.headers_mut();
    for (k, v) in [
        ("retry-after", secs.to_string()),
        ("ratelimit", format!("\"default\";r=0;t={secs}")),
        (
            "ratelimit-policy",
            format!(
                "\"default\";q={};w={}",
                denied.limit.max,
                denied.limit.window.as_secs()
            ),
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    resp
}

/// A change that could not be saved (it was rolled back): 500, code 10001.
pub(crate) fn persist_failed(e: &crate::state::PersistError) -> Response {
    tracing::error!(error = %e, "cannot persist emulator state; the change was rolled back");
    error(
        500,
        10001,
        "We encountered an internal error (the emulator could not save its state). Please try again.",
    )
}
