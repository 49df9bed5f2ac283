//! R2 routing: bearer auth, account check, jurisdiction namespace, then the operation.

use std::collections::BTreeMap;

use base64::Engine;
use bucket_admin_core::Jurisdiction;
use http::Method;
use serde_json::{Value, json};

use super::json::{self as wire, JsonError};
use super::{error, ok, ok_with_info};
use crate::server::{Req, Response, Shared};
use crate::state::R2Bucket;

const LOCATIONS: [&str; 6] = ["apac", "eeur", "enam", "weur", "wnam", "oc"];
const CURSOR: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn no_route(req: &Req) -> Response {
    error(
        404,
        7003,
        &format!(
            "Could not route to {}, perhaps your object identifier is invalid?",
            req.path
        ),
    )
}

fn method_not_allowed() -> Response {
    error(405, 10000, "Method not allowed for this route.")
}

fn no_bucket() -> Response {
    error(404, 10006, "The specified bucket does not exist.")
}

fn bad(e: JsonError) -> Response {
    error(400, e.code, &e.message)
}

/// Whether the request carries the right bearer token.
pub(crate) fn token_is_valid(sh: &Shared, req: &Req) -> bool {
    req.header("authorization")
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .is_some_and(|t| {
            crate::cos::auth::constant_time_eq(t.as_bytes(), sh.r2.api_token.as_bytes())
        })
}

/// Handle one R2 request.
pub(crate) fn handle(sh: &Shared, req: &Req) -> Response {
    let rest = req.path.strip_prefix("/client/v4").unwrap_or_default();
    let segs: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(crate::server::percent_decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let ["accounts", account, "r2", "buckets", tail @ ..] = segs.as_slice() else {
        return no_route(req);
    };
    // Token first: Cloudflare authenticates before it looks at the account.
    if !token_is_valid(sh, req) {
        return error(401, 10002, "Authentication error");
    }
    if account.len() != 32 || !account.bytes().all(|b| b.is_ascii_hexdigit()) {
        return no_route(req);
    }
    if *account != sh.r2.account_id {
        return error(
            403,
            10003,
            "Access denied: the API token is not authorized for this account.",
        );
    }
    let jurisdiction = match req.header("cf-r2-jurisdiction").map(str::trim) {
        None | Some("") => Jurisdiction::Default,
        Some(j) => match j.parse::<Jurisdiction>() {
            Ok(j) => j,
            Err(_) => {
                return error(
                    400,
                    10040,
                    &format!(
                        "Invalid jurisdiction `{j}`: expected one of {}.",
                        Jurisdiction::ALL.map(|j| j.as_str()).join(", ")
                    ),
                );
            }
        },
    };
    let m = &req.method;
    match tail {
        [] if *m == Method::GET => list(sh, req, jurisdiction),
        [] if *m == Method::POST => create(sh, req, jurisdiction),
        [] => method_not_allowed(),
        [name, sub @ ..] => {
            let exists = sh.store.read(|s| {
                s.r2.get(&jurisdiction)
                    .is_some_and(|b| b.contains_key(*name))
            });
            if !exists {
                // Routes that do not exist answer 7003 even for unknown buckets.
                return if known_route(sub) {
                    no_bucket()
                } else {
                    no_route(req)
                };
            }
            bucket_route(sh, req, jurisdiction, name, sub)
        }
    }
}

fn known_route(sub: &[&str]) -> bool {
    matches!(
        sub,
        [] | ["cors"]
            | ["lifecycle"]
            | ["lock"]
            | ["domains", "managed"]
            | ["domains", "custom"]
            | ["domains", "custom", _]
            | ["objects", _, ..]
    )
}

fn bucket_route(sh: &Shared, req: &Req, j: Jurisdiction, name: &str, sub: &[&str]) -> Response {
    let m = &req.method;
    match sub {
        [] if *m == Method::GET => with_bucket(sh, j, name, |b| ok(render_bucket(b))),
        [] if *m == Method::PATCH => patch(sh, req, j, name),
        ["objects", key @ ..] if !key.is_empty() => object(sh, req, j, name, &key.join("/")),
        [] if *m == Method::DELETE => delete(sh, j, name),
        ["cors"] if *m == Method::GET => with_bucket(sh, j, name, |b| match &b.cors {
            Some(c) => ok(wire::render_cors(c)),
            None => error(404, 10059, "The CORS configuration does not exist."),
        }),
        ["cors"] if *m == Method::PUT => match wire::parse_cors(&req.body) {
            Ok(cfg) => update(sh, j, name, |b| b.cors = Some(cfg), |_| ok(json!({}))),
            Err(e) => bad(e),
        },
        ["cors"] if *m == Method::DELETE => {
            update(sh, j, name, |b| b.cors = None, |_| ok(json!({})))
        }
        ["lifecycle"] if *m == Method::GET => {
            with_bucket(sh, j, name, |b| ok(wire::render_lifecycle(&b.lifecycle)))
        }
        ["lifecycle"] if *m == Method::PUT => match wire::parse_lifecycle(&req.body) {
            Ok(cfg) => update(sh, j, name, |b| b.lifecycle = cfg, |_| ok(json!({}))),
            Err(e) => bad(e),
        },
        ["lock"] if *m == Method::GET => with_bucket(sh, j, name, |b| ok(json!({"rules": b.lock}))),
        ["lock"] if *m == Method::PUT => match wire::parse_lock(&req.body) {
            Ok(rules) => update(sh, j, name, |b| b.lock = rules, |_| ok(json!({}))),
            Err(e) => bad(e),
        },
        ["domains", "managed"] if *m == Method::GET => with_bucket(sh, j, name, |b| ok(managed(b))),
        ["domains", "managed"] if *m == Method::PUT => {
            match wire::parse_body::<wire::ManagedPut>(&req.body) {
                Ok(p) => update(
                    sh,
                    j,
                    name,
                    |b| b.managed_enabled = p.enabled,
                    |b| ok(managed(b)),
                ),
                Err(e) => bad(e),
            }
        }
        ["domains", "custom"] if *m == Method::GET => with_bucket(sh, j, name, |b| {
            let domains: Vec<Value> = b
                .custom_domains
                .values()
                .map(wire::CustomDomain::render)
                .collect();
            ok(json!({ "domains": domains }))
        }),
        ["domains", "custom"] if *m == Method::POST => add_domain(sh, req, j, name),
        ["domains", "custom", domain] => custom_domain(sh, req, j, name, domain),
        _ if known_route(sub) => method_not_allowed(),
        _ => no_route(req),
    }
}

fn with_bucket(
    sh: &Shared,
    j: Jurisdiction,
    name: &str,
    f: impl FnOnce(&R2Bucket) -> Response,
) -> Response {
    match sh
        .store
        .read(|s| s.r2.get(&j).and_then(|m| m.get(name)).cloned())
    {
        Some(b) => f(&b),
        None => no_bucket(),
    }
}

/// Change a bucket and answer with `respond(bucket after the change)`: 404 when it vanished
/// concurrently, 500 (and no change) when the state could not be saved.
fn update(
    sh: &Shared,
    j: Jurisdiction,
    name: &str,
    f: impl FnOnce(&mut R2Bucket),
    respond: impl FnOnce(&R2Bucket) -> Response,
) -> Response {
    match sh.store.write(|s| {
        let b = s.r2.get_mut(&j)?.get_mut(name)?;
        f(b);
        Some(b.clone())
    }) {
        Ok(Some(b)) => respond(&b),
        Ok(None) => no_bucket(),
        Err(e) => super::persist_failed(&e),
    }
}

fn render_bucket(b: &R2Bucket) -> Value {
    json!({
        "name": b.name,
        "creation_date": b.creation_date,
        "location": b.location,
        "storage_class": b.storage_class,
        "jurisdiction": b.jurisdiction.as_str(),
    })
}

fn managed(b: &R2Bucket) -> Value {
    json!({
        "bucketId": b.public_id,
        "domain": format!("pub-{}.r2.dev", b.public_id),
        "enabled": b.managed_enabled,
    })
}

fn valid_name(n: &str) -> bool {
    let bytes = n.as_bytes();
    (3..=63).contains(&n.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

fn storage_class(v: &str) -> Option<&'static str> {
    match v {
        "Standard" => Some("Standard"),
        "InfrequentAccess" => Some("InfrequentAccess"),
        _ => None,
    }
}

fn list(sh: &Shared, req: &Req, j: Jurisdiction) -> Response {
    let q = req.query_pairs();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let per_page = match get("per_page") {
        None => 20,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => {
                return error(
                    400,
                    10040,
                    "per_page must be an integer between 1 and 1000.",
                );
            }
        },
    };
    if let Some(o) = get("order")
        && o != "name"
    {
        return error(400, 10040, "order must be `name`.");
    }
    let desc = match get("direction") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return error(400, 10040, "direction must be `asc` or `desc`."),
    };
    let after = match get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => match CURSOR
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        {
            Some(name) => Some(name),
            None => return error(400, 10040, "The cursor is invalid."),
        },
        None => get("start_after")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    };
    let contains = get("name_contains").unwrap_or("");
    let mut buckets: Vec<R2Bucket> = sh.store.read(|s| {
        s.r2.get(&j)
            .map(|m| {
                m.values()
                    .filter(|b| b.name.contains(contains))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    });
    if desc {
        buckets.reverse();
    }
    if let Some(after) = &after {
        buckets.retain(|b| {
            if desc {
                b.name < *after
            } else {
                b.name > *after
            }
        });
    }
    let per_page = sh
        .limits
        .max_page_size
        .map_or(per_page, |cap| per_page.min(cap.max(1)));
    let more = buckets.len() > per_page;
    buckets.truncate(per_page);
    let mut info = json!({ "per_page": per_page });
    if more && let Some(last) = buckets.last() {
        info["cursor"] = json!(CURSOR.encode(&last.name));
    }
    let list: Vec<Value> = buckets.iter().map(render_bucket).collect();
    ok_with_info(json!({ "buckets": list }), Some(info))
}

fn create(sh: &Shared, req: &Req, j: Jurisdiction) -> Response {
    let body: wire::CreateBucket = match wire::parse_body(&req.body) {
        Ok(b) => b,
        Err(e) => return bad(e),
    };
    if !valid_name(&body.name) {
        return error(400, 10005, "The specified bucket name is not valid.");
    }
    let class = match body.storage_class.as_deref() {
        None => "Standard",
        Some(c) => match storage_class(c) {
            Some(c) => c,
            None => return error(400, 10062, "The storage class specified is not valid."),
        },
    };
    let location = match body.location_hint.as_deref().map(str::to_ascii_lowercase) {
        None => match j {
            Jurisdiction::Eu => "weur".to_owned(),
            _ => "enam".to_owned(),
        },
        Some(l) if LOCATIONS.contains(&l.as_str()) => l,
        Some(l) => return error(400, 10040, &format!("Invalid location hint `{l}`.")),
    };
    let now = sh.now();
    let created = time::OffsetDateTime::from(now);
    let creation_date = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        created.year(),
        u8::from(created.month()),
        created.day(),
        created.hour(),
        created.minute(),
        created.second(),
        created.millisecond()
    );
    let result = match sh.store.write(|s| {
        let total: usize = s.r2.values().map(BTreeMap::len).sum();
        let ns = s.r2.entry(j).or_default();
        if ns.contains_key(&body.name) {
            return Err(409);
        }
        if total >= sh.limits.r2_max_buckets {
            return Err(400);
        }
        let b = R2Bucket {
            name: body.name.clone(),
            creation_date,
            location: location.to_ascii_uppercase(),
            storage_class: class.to_owned(),
            jurisdiction: j,
            cors: None,
            lifecycle: wire::default_lifecycle(),
            lock: Vec::new(),
            public_id: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
            managed_enabled: false,
            custom_domains: BTreeMap::new(),
            objects: Default::default(),
        };
        ns.insert(body.name.clone(), b.clone());
        Ok(b)
    }) {
        Ok(v) => v,
        Err(e) => return super::persist_failed(&e),
    };
    match result {
        Ok(b) => ok(render_bucket(&b)),
        Err(409) => error(
            409,
            10004,
            "The bucket you tried to create already exists, and you own it.",
        ),
        Err(_) => error(
            400,
            10009,
            "You have reached the maximum number of buckets allowed.",
        ),
    }
}

fn patch(sh: &Shared, req: &Req, j: Jurisdiction, name: &str) -> Response {
    let Some(class) = req
        .header("cf-r2-storage-class")
        .and_then(|c| storage_class(c.trim()))
    else {
        return error(400, 10062, "The storage class specified is not valid.");
    };
    update(
        sh,
        j,
        name,
        |b| b.storage_class = class.to_owned(),
        |b| ok(render_bucket(b)),
    )
}

fn delete(sh: &Shared, j: Jurisdiction, name: &str) -> Response {
    let r = match sh.store.write(|s| {
        let ns = s.r2.get_mut(&j)?;
        if !ns.get(name)?.objects.is_empty() {
            return Some(false);
        }
        if let Some(gone) = ns.remove(name) {
            for domain in gone.custom_domains.keys() {
                s.r2_custom_domains.remove(domain);
            }
        }
        Some(true)
    }) {
        Ok(v) => v,
        Err(e) => return super::persist_failed(&e),
    };
    match r {
        Some(true) => ok(json!({})),
        Some(false) => error(409, 10008, "The bucket you tried to delete is not empty."),
        None => no_bucket(),
    }
}

fn zone_name(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

fn add_domain(sh: &Shared, req: &Req, j: Jurisdiction, name: &str) -> Response {
    let p: wire::CustomDomainPost = match wire::parse_body(&req.body) {
        Ok(p) => p,
        Err(e) => return bad(e),
    };
    let domain = p.domain.trim().to_ascii_lowercase();
    if domain.is_empty() || !domain.contains('.') || domain.contains('/') {
        return error(400, 10040, "domain must be a hostname.");
    }
    let min_tls = p.min_tls.unwrap_or_else(|| "1.0".into());
    if !wire::valid_min_tls(&min_tls) {
        return error(400, 10040, "minTLS must be one of 1.0, 1.1, 1.2, 1.3.");
    }
    let d = wire::CustomDomain {
        domain: domain.clone(),
        enabled: p.enabled,
        zone_id: p.zone_id,
        zone_name: zone_name(&domain),
        min_tls,
        ciphers: p.ciphers.unwrap_or_default(),
    };
    let r = match sh.store.write(|s| {
        // A hostname can front one bucket only, across the account.
        let taken = s.r2_custom_domains.contains_key(&domain);
        let b = s.r2.get_mut(&j)?.get_mut(name)?;
        if taken {
            return Some(false);
        }
        b.custom_domains.insert(domain.clone(), d.clone());
        s.r2_custom_domains
            .insert(domain.clone(), (j, name.to_owned()));
        Some(true)
    }) {
        Ok(v) => v,
        Err(e) => return super::persist_failed(&e),
    };
    match r {
        Some(true) => ok(
            json!({"domain": d.domain, "enabled": d.enabled, "minTLS": d.min_tls, "ciphers": d.ciphers}),
        ),
        Some(false) => error(
            409,
            10004,
            "The custom domain is already attached to a bucket.",
        ),
        None => no_bucket(),
    }
}

fn custom_domain(sh: &Shared, req: &Req, j: Jurisdiction, name: &str, domain: &str) -> Response {
    let domain = domain.to_ascii_lowercase();
    let not_found = || {
        error(
            404,
            10006,
            "The custom domain does not exist on this bucket.",
        )
    };
    match req.method {
        Method::GET => with_bucket(sh, j, name, |b| match b.custom_domains.get(&domain) {
            Some(d) => ok(d.render()),
            None => not_found(),
        }),
        Method::PUT => {
            let p: wire::CustomDomainPut = match wire::parse_body(&req.body) {
                Ok(p) => p,
                Err(e) => return bad(e),
            };
            if let Some(t) = &p.min_tls
                && !wire::valid_min_tls(t)
            {
                return error(400, 10040, "minTLS must be one of 1.0, 1.1, 1.2, 1.3.");
            }
            let r = match sh.store.write(|s| {
                let d =
                    s.r2.get_mut(&j)?
                        .get_mut(name)?
                        .custom_domains
                        .get_mut(&domain)?;
                if let Some(e) = p.enabled {
                    d.enabled = e;
                }
                if let Some(t) = p.min_tls {
                    d.min_tls = t;
                }
                if let Some(c) = p.ciphers {
                    d.ciphers = c;
                }
                Some(d.clone())
            }) {
                Ok(v) => v,
                Err(e) => return super::persist_failed(&e),
            };
            match r {
                Some(d) => ok(
                    json!({"domain": d.domain, "enabled": d.enabled, "minTLS": d.min_tls, "ciphers": d.ciphers}),
                ),
                None => not_found(),
            }
        }
        Method::DELETE => {
            let r = match sh.store.write(|s| {
                let removed =
                    s.r2.get_mut(&j)?
                        .get_mut(name)?
                        .custom_domains
                        .remove(&domain)?;
                s.r2_custom_domains.remove(&domain);
                Some(removed)
            }) {
                Ok(v) => v,
                Err(e) => return super::persist_failed(&e),
            };
            match r {
                Some(d) => ok(json!({"domain": d.domain})),
                None => not_found(),
            }
        }
        _ => method_not_allowed(),
    }
}

/// `PUT|GET|DELETE .../buckets/{name}/objects/{key}` (the route wrangler's `r2 object`
/// commands use): PUT stores the body with its `Content-Type` and `x-amz-meta-*` headers and
/// answers `{key, size, etag, uploaded}`; GET answers the bytes; DELETE answers `{}`.
fn object(sh: &Shared, req: &Req, j: Jurisdiction, name: &str, key: &str) -> Response {
    let m = &req.method;
    if *m == Method::PUT {
        let o = crate::objects::from_request(req, "x-amz-meta-", sh.now_unix());
        let budget = sh.limits.max_object_bytes;
        let result = json!({
            "key": key,
            "size": o.data.len(),
            "etag": o.etag.trim_matches('"'),
            "uploaded": sh.http_date(),
        });
        return match sh.store.write(|s| {
            let replaced =
                s.r2.get(&j)
                    .and_then(|m| m.get(name))
                    .and_then(|b| b.objects.get(key))
                    .map_or(0, |o| o.data.len());
            if s.object_bytes() - replaced + o.data.len() > budget {
                return Some(false);
            }
            s.r2.get_mut(&j)?
                .get_mut(name)?
                .objects
                .insert(key.to_owned(), o);
            Some(true)
        }) {
            Ok(Some(true)) => ok(result),
            Ok(Some(false)) => error(
                400,
                10040,
                "The object exceeds the emulator's object storage budget (--max-object-bytes).",
            ),
            Ok(None) => no_bucket(),
            Err(e) => super::persist_failed(&e),
        };
    }
    if *m == Method::DELETE {
        return update(
            sh,
            j,
            name,
            |b| {
                b.objects.remove(key);
            },
            |_| ok(json!({})),
        );
    }
    if *m != Method::GET {
        return method_not_allowed();
    }
    let found = sh.store.read(|s| {
        s.r2.get(&j)
            .and_then(|m| m.get(name))
            .and_then(|b| b.objects.get(key))
            .cloned()
    });
    match found {
        Some(o) => {
            let mut resp = super::raw_json(200, String::new());
            *resp.body_mut() = crate::server::Body::Full(Some(bytes::Bytes::from(o.data.clone())));
            crate::objects::object_headers(&mut resp, &o);
            resp
        }
        None => error(404, 10007, "The specified key does not exist."),
    }
}
