//! The Cloudflare R2 REST API side (`/client/v4/accounts/{id}/r2/buckets...`).

pub(crate) mod json;
pub(crate) mod routes;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

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
