#!/usr/bin/env python3
"""Record what the official Cloudflare Python SDK sends for R2 bucket administration.

A stdlib HTTP server on 127.0.0.1 (random free port, own thread) answers every
request with a canned, realistic Cloudflare API v4 envelope
(`{"success":true,"errors":[],"messages":[],"result":...}` plus `cf-ray`). The
official SDK (PyPI `cloudflare`, pinned in requirements.txt) is pointed at it with

    Cloudflare(api_token=TOKEN, base_url=f"http://127.0.0.1:{port}/client/v4",
               max_retries=0)

and drives every R2 bucket-admin method (`client.r2.buckets.*`, `.cors`,
`.lifecycle`, `.locks`, `.domains.managed`, `.domains.custom`), with and without
`cf_r2_jurisdiction`. Each call is written with the request exactly as received
(method, raw path, raw query, every header in wire order, parsed body and raw body
text), the canned response, and the SDK's return value or exception.

Output (pretty-printed, deterministic):
  crates/r2/tests/data/recorded/{buckets,cors,lifecycle,domains,lock,errors}.json
      {"recordings": [...]} -- replayed by crates/r2/tests/recorded.rs
  crates/r2/tests/data/sdk_probes.json
      SDK behaviours that a conforming client need not reproduce byte-for-byte
      (retries, float maxAgeSeconds, datetime inputs, S3-shaped bodies, ...).
      Kept out of recorded/ on purpose: the replay harness would compare them.

Normalisation (the only edits to what was received):
  * `Host: 127.0.0.1:<port>` is written as `127.0.0.1:PORT`.
  * `api-version`, which the SDK sets to the local date when the client is
    constructed (`datetime.today().strftime("%Y-%m-%d")`), is written as `YYYY-MM-DD`.
  * For the retry probes only: `time.sleep` becomes a no-op that logs the delay and
    `cloudflare._base_client.random` returns 0.0 (jitter factor 1.0).
Everything else (user-agent, x-stainless-os/arch/runtime/runtime-version) is kept
verbatim; those depend on the machine, not on the run.

Usage:
    python tools/sdk/r2/r2_record.py [--out-dir crates/r2/tests/data]
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The SDK reads these; a stray value would change the recorded headers or route
# 127.0.0.1 through a proxy.
for _var in (
    "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_USER_SERVICE_KEY", "CLOUDFLARE_BASE_URL", "CLOUDFLARE_CUSTOM_HEADERS",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
):
    os.environ.pop(_var, None)
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

import cloudflare  # noqa: E402
from cloudflare import Cloudflare  # noqa: E402
from cloudflare import _base_client  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "crates", "r2", "tests", "data")

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
API_TOKEN = "test-token-Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQ"
HTTP_DATE = "Tue, 14 Nov 2023 22:13:20 GMT"
CREATED = "2023-11-14T22:13:20.123Z"
ZONE_ID = "36ca64a6d92827b8a6b90be344bb1bfd"
BUCKET_ID = "3b8c0f4e7d2a4e5f9a1b6c7d8e9f0a1b"

# The seed document's rule (seeds/003, "Get Bucket CORS Policy" example).
SEED_CORS_RULE = {
    "allowed": {
        "methods": ["GET"],
        "origins": ["http://localhost:3000"],
        "headers": ["x-requested-by"],
    },
    "id": "Allow Local Development",
    "exposeHeaders": ["Content-Encoding"],
    "maxAgeSeconds": 3600,
}
# The same rule as SDK kwargs (snake_case keys, as the TypedDicts declare them).
SEED_CORS_RULE_KW = {
    "allowed": {
        "methods": ["GET"],
        "origins": ["http://localhost:3000"],
        "headers": ["x-requested-by"],
    },
    "id": "Allow Local Development",
    "expose_headers": ["Content-Encoding"],
    "max_age_seconds": 3600,
}


# ---------------------------------------------------------------------------
# Local server


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.queue = []      # canned responses still to serve
        self.received = []   # (request dict, canned response) pairs
        self.port = None


REC = Recorder()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep stdout quiet
        pass

    def _handle(self):
        raw_path = self.path
        path, _, query = raw_path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        headers = [[k, v] for k, v in self.headers.items()]
        with REC.lock:
            if not REC.queue:
                canned = envelope_error(500, 10001, "recorder: no canned response queued")
            else:
                canned = REC.queue.pop(0)
            REC.received.append(({
                "method": self.command,
                "path": path,
                "query": query,
                "headers": headers,
                "raw_body": raw_body,
            }, canned))
        body_bytes = canned["body_bytes"]
        self.send_response_only(canned["status"])
        for k, v in canned["headers"]:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body_bytes)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def start_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    REC.port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return srv


# ---------------------------------------------------------------------------
# Canned responses


def cf_ray(seed):
    return hashlib.sha256(seed.encode()).hexdigest()[:16] + "-SJC"


def canned(status, body, extra_headers=(), raw=None, content_type="application/json"):
    body_bytes = raw if raw is not None else json.dumps(body, separators=(",", ":")).encode()
    headers = [
        ["Date", HTTP_DATE],
        ["Content-Type", content_type],
        ["Content-Length", str(len(body_bytes))],
        ["Connection", "keep-alive"],
        ["cf-ray", None],  # filled in by record()
        ["Server", "cloudflare"],
    ]
    headers.extend([list(h) for h in extra_headers])
    return {"status": status, "headers": headers, "body": body if raw is None else raw.decode(),
            "body_bytes": body_bytes}


def envelope(result, result_info=None, messages=()):
    env = {"success": True, "errors": [], "messages": list(messages), "result": result}
    if result_info is not None:
        env["result_info"] = result_info
    return env


def ok(result, result_info=None, extra_headers=()):
    return canned(200, envelope(result, result_info), extra_headers)


def envelope_error(status, code, message, extra_headers=()):
    body = {"success": False, "errors": [{"code": code, "message": message}],
            "messages": [], "result": None}
    return canned(status, body, extra_headers)


def bucket_obj(name, location="ENAM", storage_class="Standard", jurisdiction=None):
    b = {"name": name, "creation_date": CREATED, "location": location,
         "storage_class": storage_class}
    if jurisdiction:
        b["jurisdiction"] = jurisdiction
    return b


# ---------------------------------------------------------------------------
# Recording


def jsonable(v):
    if isinstance(v, dt.datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def dump_result(r):
    if isinstance(r, cloudflare.BaseModel):
        return r.model_dump(by_alias=True, mode="json")
    return jsonable(r)


def normalise_headers(headers):
    out = []
    for k, v in headers:
        lk = k.lower()
        if lk == "host":
            v = v.replace("127.0.0.1:%d" % REC.port, "127.0.0.1:PORT")
        elif lk == "api-version":
            v = "YYYY-MM-DD"
        out.append([k, v])
    return out


def request_view(req):
    raw = req["raw_body"]
    text = raw.decode("utf-8") if raw else None
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return {
        "method": req["method"],
        "path": req["path"],
        "query": req["query"],
        "headers": normalise_headers(req["headers"]),
        "body": parsed,
        "body_raw": text,
    }


def response_view(c):
    return {"status": c["status"], "headers": c["headers"], "body": c["body"]}


def error_view(e):
    d = {"class": "%s.%s" % ("cloudflare", type(e).__name__),
         "mro": [c.__name__ for c in type(e).__mro__ if c.__module__.startswith("cloudflare")],
         "message": str(e)}
    if isinstance(e, cloudflare.APIStatusError):
        d["status_code"] = e.status_code
        d["errors"] = [x.model_dump(mode="json") if isinstance(x, cloudflare.BaseModel) else x
                       for x in (e.errors or [])]
        d["body"] = e.body
        d["response_headers"] = {k: v for k, v in e.response.headers.items()
                                 if k in ("retry-after", "cf-ray")}
    return d


def record(out, name, function, kwargs, responses, client=None, note=None, sleeps=None):
    """Queue `responses`, call client.<function>(**kwargs), capture everything."""
    client = client or CLIENT
    for i, c in enumerate(responses):
        for h in c["headers"]:
            if h[0] == "cf-ray":
                h[1] = cf_ray("%s#%d" % (name, i))
    with REC.lock:
        REC.queue = list(responses)
        REC.received = []
    target = client
    for part in function.split("."):
        target = getattr(target, part)
    result, error = None, None
    try:
        result = target(**kwargs)
    except cloudflare.APIError as e:  # noqa: PERF203
        error = e
    with REC.lock:
        received = list(REC.received)
        leftover = list(REC.queue)
    if not received:
        raise SystemExit("%s: the SDK sent nothing" % name)
    if leftover:
        raise SystemExit("%s: %d canned responses left unused" % (name, len(leftover)))
    first_req, first_resp = received[0]
    rec = {
        "name": name,
        "sdk_call": {"function": function, "kwargs": jsonable(kwargs)},
        "request": request_view(first_req),
        "response": response_view(first_resp),
        "sdk_result": None if error else dump_result(result),
        "sdk_result_type": None if error else type(result).__name__,
        "sdk_result_repr": None if error else repr(result),
        "sdk_error": error_view(error) if error else None,
    }
    if len(received) > 1:
        rec["additional_exchanges"] = [
            {"request": request_view(q), "response": response_view(r)} for q, r in received[1:]]
    if sleeps is not None:
        rec["sdk_sleeps_seconds"] = list(sleeps)
    if note:
        rec["note"] = note
    out.append(rec)
    return rec


class PatchedRetryClock:
    """No-op time.sleep (delays logged) and jitter-free backoff, for the retry probes."""

    def __init__(self):
        self.sleeps = []

    def __enter__(self):
        self._sleep, self._random = time.sleep, _base_client.random
        time.sleep = lambda s: self.sleeps.append(round(s, 6))
        _base_client.random = lambda: 0.0
        return self

    def __exit__(self, *exc):
        time.sleep, _base_client.random = self._sleep, self._random


def make_client(**kw):
    args = dict(api_token=API_TOKEN, base_url="http://127.0.0.1:%d/client/v4" % REC.port,
                max_retries=0)
    args.update(kw)
    return Cloudflare(**args)


CLIENT = None
A = {"account_id": ACCOUNT_ID}
EU = {"cf_r2_jurisdiction": "eu"}


# ---------------------------------------------------------------------------
# Groups


def group_buckets():
    out = []
    two = [bucket_obj("alpha-bucket", "ENAM"), bucket_obj("beta-logs", "weur", "InfrequentAccess")]
    record(out, "list_no_params", "r2.buckets.list", dict(A),
           [ok({"buckets": two}, {"cursor": "", "per_page": 20})],
           note="result_info is in the response, the SDK result drops it")
    record(out, "list_all_filters", "r2.buckets.list",
           dict(A, per_page=2, start_after="alpha-bucket", order="name", direction="asc",
                name_contains="logs"),
           [ok({"buckets": [bucket_obj("beta-logs", "weur", "InfrequentAccess"),
                            bucket_obj("gamma-logs", "WNAM")]},
               {"cursor": "eyJzdGFydEFmdGVyIjoiZ2FtbWEtbG9ncyJ9", "per_page": 2})])
    record(out, "list_kwargs_in_other_order", "r2.buckets.list",
           dict(A, name_contains="logs", start_after="alpha-bucket", direction="desc",
                order="name", per_page=1000),
           [ok({"buckets": [bucket_obj("beta-logs", "weur")]}, {"cursor": "", "per_page": 1000})],
           note="query order is the SDK's fixed order (cursor, direction, name_contains, order, "
                "per_page, start_after), not the caller's kwarg order")
    record(out, "list_cursor", "r2.buckets.list",
           dict(A, cursor="eyJzdGFydEFmdGVyIjoiZ2FtbWEtbG9ncyJ9+/=", per_page=2),
           [ok({"buckets": [bucket_obj("zeta-bucket", "apac")]}, {"cursor": "", "per_page": 2})],
           note="cursor containing '+', '/' and '=' to show query encoding")
    record(out, "list_eu", "r2.buckets.list", dict(A, per_page=20, **EU),
           [ok({"buckets": [bucket_obj("eu-bucket", "weur", jurisdiction="eu")]},
               {"cursor": "", "per_page": 20})])
    record(out, "list_explicit_default_jurisdiction", "r2.buckets.list",
           dict(A, cf_r2_jurisdiction="default"),
           [ok({"buckets": []}, {"cursor": "", "per_page": 20})])
    record(out, "list_fedramp", "r2.buckets.list", dict(A, cf_r2_jurisdiction="fedramp"),
           [ok({"buckets": [bucket_obj("gov-bucket", "enam", jurisdiction="fedramp")]},
               {"cursor": "", "per_page": 20})])

    record(out, "create_name_only", "r2.buckets.create", dict(A, name="new-bucket"),
           [ok(bucket_obj("new-bucket", "ENAM"))])
    record(out, "create_location_and_storage_class", "r2.buckets.create",
           dict(A, name="ia-bucket", location_hint="weur", storage_class="InfrequentAccess"),
           [ok(bucket_obj("ia-bucket", "WEUR", "InfrequentAccess"))])
    record(out, "create_eu", "r2.buckets.create",
           dict(A, name="eu-bucket", storage_class="Standard", **EU),
           [ok(bucket_obj("eu-bucket", "WEUR", jurisdiction="eu"))])
    record(out, "create_eu_with_location_hint", "r2.buckets.create",
           dict(A, name="eu-bucket-2", location_hint="eeur", **EU),
           [ok(bucket_obj("eu-bucket-2", "EEUR", jurisdiction="eu"))])

    record(out, "get", "r2.buckets.get", dict(A, bucket_name="example-bucket"),
           [ok(bucket_obj("example-bucket", "ENAM"))])
    record(out, "get_eu", "r2.buckets.get", dict(A, bucket_name="eu-bucket", **EU),
           [ok(bucket_obj("eu-bucket", "WEUR", jurisdiction="eu"))])
    record(out, "get_minimal_bucket_object", "r2.buckets.get",
           dict(A, bucket_name="old-bucket"),
           [ok({"name": "old-bucket", "creation_date": CREATED})],
           note="no location/storage_class/jurisdiction in the result: SDK fields are None")

    record(out, "delete", "r2.buckets.delete", dict(A, bucket_name="example-bucket"),
           [ok({})])
    record(out, "delete_eu", "r2.buckets.delete", dict(A, bucket_name="eu-bucket", **EU),
           [ok({})])

    record(out, "edit_storage_class_infrequent_access", "r2.buckets.edit",
           dict(A, bucket_name="example-bucket", storage_class="InfrequentAccess"),
           [ok(bucket_obj("example-bucket", "ENAM", "InfrequentAccess"))])
    record(out, "edit_storage_class_standard_eu", "r2.buckets.edit",
           dict(A, bucket_name="eu-bucket", storage_class="Standard", **EU),
           [ok(bucket_obj("eu-bucket", "WEUR", "Standard", jurisdiction="eu"))])
    return out


def group_cors():
    out = []
    full_rule = {
        "allowed": {"methods": ["GET", "PUT", "POST", "DELETE", "HEAD"],
                    "origins": ["https://app.example.com", "https://admin.example.com:8443"],
                    "headers": ["content-type", "x-amz-meta-*"]},
        "id": "app-upload",
        "exposeHeaders": ["ETag", "cf-cache-status"],
        "maxAgeSeconds": 86400,
    }
    minimal_rule = {"allowed": {"methods": ["GET", "HEAD"], "origins": ["*"]}}
    full_rule_kw = {
        "allowed": {"methods": ["GET", "PUT", "POST", "DELETE", "HEAD"],
                    "origins": ["https://app.example.com", "https://admin.example.com:8443"],
                    "headers": ["content-type", "x-amz-meta-*"]},
        "id": "app-upload",
        "expose_headers": ["ETag", "cf-cache-status"],
        "max_age_seconds": 86400,
    }
    minimal_rule_kw = {"allowed": {"methods": ["GET", "HEAD"], "origins": ["*"]}}

    record(out, "get_seed_rule", "r2.buckets.cors.get", dict(A, bucket_name="example-bucket"),
           [ok({"rules": [SEED_CORS_RULE]})])
    record(out, "get_two_rules_eu", "r2.buckets.cors.get",
           dict(A, bucket_name="eu-bucket", **EU),
           [ok({"rules": [full_rule, minimal_rule]})])
    record(out, "get_rule_without_optional_fields", "r2.buckets.cors.get",
           dict(A, bucket_name="example-bucket"),
           [ok({"rules": [minimal_rule]})])

    record(out, "update_seed_rule", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket", rules=[SEED_CORS_RULE_KW]), [ok({})])
    record(out, "update_two_rules", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket", rules=[full_rule_kw, minimal_rule_kw]),
           [ok({})])
    record(out, "update_headers_without_id_or_expose", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket",
                rules=[{"allowed": {"methods": ["PUT"], "origins": ["https://example.com"],
                                    "headers": ["*"]},
                        "max_age_seconds": 0}]),
           [ok({})], note="maxAgeSeconds 0 is sent (only unset keys are omitted)")
    record(out, "update_seed_rule_eu", "r2.buckets.cors.update",
           dict(A, bucket_name="eu-bucket", rules=[SEED_CORS_RULE_KW], **EU), [ok({})])
    record(out, "update_camelcase_keys_pass_through", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket", rules=[SEED_CORS_RULE]), [ok({})],
           note="rules given with wire (camelCase) keys are sent unchanged too")

    record(out, "delete", "r2.buckets.cors.delete", dict(A, bucket_name="example-bucket"),
           [ok({})])
    record(out, "delete_eu", "r2.buckets.cors.delete", dict(A, bucket_name="eu-bucket", **EU),
           [ok({})])
    return out


DEFAULT_MPU_RULE = {
    "id": "Default Multipart Abort Rule",
    "enabled": True,
    "conditions": {"prefix": ""},
    "abortMultipartUploadsTransition": {"condition": {"type": "Age", "maxAge": 604800}},
}


def group_lifecycle():
    out = []
    age_rule = {
        "id": "expire-logs",
        "enabled": True,
        "conditions": {"prefix": "logs/"},
        "deleteObjectsTransition": {"condition": {"type": "Age", "maxAge": 2592000}},
        "abortMultipartUploadsTransition": {"condition": {"type": "Age", "maxAge": 86400}},
        "storageClassTransitions": [
            {"condition": {"type": "Age", "maxAge": 604800}, "storageClass": "InfrequentAccess"}],
    }
    date_rule = {
        "id": "archive-2031",
        "enabled": False,
        "conditions": {"prefix": "archive/"},
        "deleteObjectsTransition": {"condition": {"type": "Date", "date": "2031-04-20T00:00:00Z"}},
        "storageClassTransitions": [
            {"condition": {"type": "Date", "date": "2030-01-01T00:00:00Z"},
             "storageClass": "InfrequentAccess"}],
    }
    age_rule_kw = {
        "id": "expire-logs",
        "enabled": True,
        "conditions": {"prefix": "logs/"},
        "delete_objects_transition": {"condition": {"type": "Age", "max_age": 2592000}},
        "abort_multipart_uploads_transition": {"condition": {"type": "Age", "max_age": 86400}},
        "storage_class_transitions": [
            {"condition": {"type": "Age", "max_age": 604800}, "storage_class": "InfrequentAccess"}],
    }
    date_rule_kw = {
        "id": "archive-2031",
        "enabled": False,
        "conditions": {"prefix": "archive/"},
        "delete_objects_transition": {"condition": {"type": "Date", "date": "2031-04-20T00:00:00Z"}},
        "storage_class_transitions": [
            {"condition": {"type": "Date", "date": "2030-01-01T00:00:00Z"},
             "storage_class": "InfrequentAccess"}],
    }
    mpu_only_kw = {
        "id": "abort-mpu",
        "enabled": True,
        "conditions": {"prefix": ""},
        "abort_multipart_uploads_transition": {"condition": {"type": "Age", "max_age": 604800}},
    }

    record(out, "get_default_new_bucket_rule", "r2.buckets.lifecycle.get",
           dict(A, bucket_name="example-bucket"), [ok({"rules": [DEFAULT_MPU_RULE]})])
    record(out, "get_age_and_date_rules_eu", "r2.buckets.lifecycle.get",
           dict(A, bucket_name="eu-bucket", **EU), [ok({"rules": [age_rule, date_rule]})])
    record(out, "get_empty", "r2.buckets.lifecycle.get", dict(A, bucket_name="example-bucket"),
           [ok({"rules": []})])

    record(out, "update_age_rule", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="example-bucket", rules=[age_rule_kw]), [ok({})])
    record(out, "update_date_rule", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="example-bucket", rules=[date_rule_kw]), [ok({})])
    record(out, "update_abort_multipart_only", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="example-bucket", rules=[mpu_only_kw]), [ok({})])
    record(out, "update_three_rules_eu", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="eu-bucket", rules=[age_rule_kw, date_rule_kw, mpu_only_kw], **EU),
           [ok({})])
    record(out, "update_empty_rules", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="example-bucket", rules=[]), [ok({})],
           note="there is no lifecycle DELETE: an empty list clears the configuration")
    record(out, "update_empty_rules_eu", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="eu-bucket", rules=[], **EU), [ok({})])
    return out


def group_domains():
    out = []
    managed = {"bucketId": BUCKET_ID, "domain": "pub-%s.r2.dev" % BUCKET_ID[:32], "enabled": False}
    record(out, "managed_get", "r2.buckets.domains.managed.list",
           dict(A, bucket_name="example-bucket"), [ok(managed)],
           note="the SDK names the GET `managed.list`")
    record(out, "managed_get_eu", "r2.buckets.domains.managed.list",
           dict(A, bucket_name="eu-bucket", **EU), [ok(dict(managed, enabled=True))])
    record(out, "managed_enable", "r2.buckets.domains.managed.update",
           dict(A, bucket_name="example-bucket", enabled=True), [ok(dict(managed, enabled=True))])
    record(out, "managed_disable_eu", "r2.buckets.domains.managed.update",
           dict(A, bucket_name="eu-bucket", enabled=False, **EU), [ok(managed)])

    d1 = {"domain": "assets.example.com", "enabled": True,
          "status": {"ownership": "active", "ssl": "active"},
          "minTLS": "1.2", "zoneId": ZONE_ID, "zoneName": "example.com",
          "ciphers": ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]}
    d2 = {"domain": "cdn.example.com", "enabled": False,
          "status": {"ownership": "pending", "ssl": "initializing"},
          "zoneId": ZONE_ID, "zoneName": "example.com"}
    record(out, "custom_list", "r2.buckets.domains.custom.list",
           dict(A, bucket_name="example-bucket"), [ok({"domains": [d1, d2]})])
    record(out, "custom_list_eu_empty", "r2.buckets.domains.custom.list",
           dict(A, bucket_name="eu-bucket", **EU), [ok({"domains": []})])

    record(out, "custom_create_minimal", "r2.buckets.domains.custom.create",
           dict(A, bucket_name="example-bucket", domain="cdn.example.com", enabled=True,
                zone_id=ZONE_ID),
           [ok({"domain": "cdn.example.com", "enabled": True, "zoneId": ZONE_ID})])
    record(out, "custom_create_full", "r2.buckets.domains.custom.create",
           dict(A, bucket_name="example-bucket", domain="assets.example.com", enabled=False,
                zone_id=ZONE_ID, min_tls="1.2",
                ciphers=["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]),
           [ok({"domain": "assets.example.com", "enabled": False, "zoneId": ZONE_ID,
                "minTLS": "1.2",
                "ciphers": ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]})])
    record(out, "custom_create_eu", "r2.buckets.domains.custom.create",
           dict(A, bucket_name="eu-bucket", domain="eu.example.com", enabled=True,
                zone_id=ZONE_ID, min_tls="1.3", **EU),
           [ok({"domain": "eu.example.com", "enabled": True, "zoneId": ZONE_ID, "minTLS": "1.3"})])

    record(out, "custom_get", "r2.buckets.domains.custom.get",
           dict(A, bucket_name="example-bucket", domain="assets.example.com"), [ok(d1)])
    record(out, "custom_get_eu", "r2.buckets.domains.custom.get",
           dict(A, bucket_name="eu-bucket", domain="eu.example.com", **EU),
           [ok({"domain": "eu.example.com", "enabled": True,
                "status": {"ownership": "active", "ssl": "pending"},
                "minTLS": "1.3", "zoneId": ZONE_ID, "zoneName": "example.com"})])

    record(out, "custom_update_enabled_only", "r2.buckets.domains.custom.update",
           dict(A, bucket_name="example-bucket", domain="cdn.example.com", enabled=False),
           [ok({"domain": "cdn.example.com", "enabled": False})])
    record(out, "custom_update_tls_and_ciphers", "r2.buckets.domains.custom.update",
           dict(A, bucket_name="example-bucket", domain="assets.example.com", min_tls="1.3",
                ciphers=["ECDHE-ECDSA-CHACHA20-POLY1305"], enabled=True),
           [ok({"domain": "assets.example.com", "enabled": True, "minTLS": "1.3",
                "ciphers": ["ECDHE-ECDSA-CHACHA20-POLY1305"]})])
    record(out, "custom_update_nothing", "r2.buckets.domains.custom.update",
           dict(A, bucket_name="example-bucket", domain="assets.example.com"),
           [ok({"domain": "assets.example.com", "enabled": True, "minTLS": "1.3"})],
           note="no optional field given: body is {}")
    record(out, "custom_update_eu", "r2.buckets.domains.custom.update",
           dict(A, bucket_name="eu-bucket", domain="eu.example.com", min_tls="1.2", **EU),
           [ok({"domain": "eu.example.com", "enabled": True, "minTLS": "1.2"})])

    record(out, "custom_delete", "r2.buckets.domains.custom.delete",
           dict(A, bucket_name="example-bucket", domain="cdn.example.com"),
           [ok({"domain": "cdn.example.com"})])
    record(out, "custom_delete_eu", "r2.buckets.domains.custom.delete",
           dict(A, bucket_name="eu-bucket", domain="eu.example.com", **EU),
           [ok({"domain": "eu.example.com"})])
    return out


def group_lock():
    out = []
    rules_wire = [
        {"id": "retain-30d", "enabled": True, "prefix": "invoices/",
         "condition": {"type": "Age", "maxAgeSeconds": 2592000}},
        {"id": "until-2030", "enabled": True,
         "condition": {"type": "Date", "date": "2030-01-01T00:00:00Z"}},
        {"id": "legal-hold", "enabled": False, "prefix": "legal/",
         "condition": {"type": "Indefinite"}},
    ]
    rules_kw = [
        {"id": "retain-30d", "enabled": True, "prefix": "invoices/",
         "condition": {"type": "Age", "max_age_seconds": 2592000}},
        {"id": "until-2030", "enabled": True,
         "condition": {"type": "Date", "date": "2030-01-01T00:00:00Z"}},
        {"id": "legal-hold", "enabled": False, "prefix": "legal/",
         "condition": {"type": "Indefinite"}},
    ]
    record(out, "get_age_date_indefinite", "r2.buckets.locks.get",
           dict(A, bucket_name="example-bucket"), [ok({"rules": rules_wire})])
    record(out, "get_eu_empty", "r2.buckets.locks.get", dict(A, bucket_name="eu-bucket", **EU),
           [ok({"rules": []})])
    record(out, "update_age_date_indefinite", "r2.buckets.locks.update",
           dict(A, bucket_name="example-bucket", rules=rules_kw), [ok({})])
    record(out, "update_age_only", "r2.buckets.locks.update",
           dict(A, bucket_name="example-bucket", rules=[rules_kw[0]]), [ok({})])
    record(out, "update_date_only_eu", "r2.buckets.locks.update",
           dict(A, bucket_name="eu-bucket", rules=[rules_kw[1]], **EU), [ok({})])
    record(out, "update_indefinite_eu", "r2.buckets.locks.update",
           dict(A, bucket_name="eu-bucket", rules=[rules_kw[2]], **EU), [ok({})])
    record(out, "update_empty_rules", "r2.buckets.locks.update",
           dict(A, bucket_name="example-bucket", rules=[]), [ok({})])
    return out


def group_errors():
    out = []
    record(out, "cors_get_not_configured_10059", "r2.buckets.cors.get",
           dict(A, bucket_name="example-bucket"),
           [envelope_error(404, 10059, "The CORS configuration does not exist.")])
    record(out, "cors_get_not_configured_10059_eu", "r2.buckets.cors.get",
           dict(A, bucket_name="eu-bucket", **EU),
           [envelope_error(404, 10059, "The CORS configuration does not exist.")])
    record(out, "bucket_get_no_such_bucket_10006", "r2.buckets.get",
           dict(A, bucket_name="missing-bucket"),
           [envelope_error(404, 10006, "The specified bucket does not exist.")])
    record(out, "eu_bucket_get_without_jurisdiction_10006", "r2.buckets.get",
           dict(A, bucket_name="eu-bucket"),
           [envelope_error(404, 10006, "The specified bucket does not exist.")],
           note="an eu bucket addressed without cf-r2-jurisdiction looks missing")
    record(out, "create_already_exists_10004", "r2.buckets.create",
           dict(A, name="example-bucket"),
           [envelope_error(409, 10004,
                           "The bucket you tried to create already exists, and you own it.")],
           note="max_retries=0; with the default retries the SDK resends a 409 (see sdk_probes.json)")
    unknown = make_client(api_token="test-token-unknown-0000000000000000")
    record(out, "list_unknown_token_10002", "r2.buckets.list", dict(A),
           [envelope_error(401, 10002, "Unauthorized")], client=unknown)
    unknown.close()
    record(out, "lifecycle_get_access_denied_10003", "r2.buckets.lifecycle.get",
           dict(A, bucket_name="example-bucket"),
           [envelope_error(403, 10003, "Access Denied")])
    record(out, "cors_update_rate_limited_10058", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket", rules=[SEED_CORS_RULE_KW]),
           [envelope_error(429, 10058, "Too many requests", [("retry-after", "3")])],
           note="max_retries=0: raised at once; retry behaviour is in sdk_probes.json")
    record(out, "cors_update_malformed_json_10040", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket", rules=[SEED_CORS_RULE_KW]),
           [envelope_error(400, 10040, "The JSON you provided was not well formed.")],
           note="canned 400 for a well-formed body; the S3-shaped body that really triggers "
                "10040 is in sdk_probes.json")
    record(out, "delete_bucket_not_empty_10008", "r2.buckets.delete",
           dict(A, bucket_name="example-bucket"),
           [envelope_error(409, 10008, "The bucket you tried to delete is not empty.")])
    record(out, "lock_get_internal_error_10001", "r2.buckets.locks.get",
           dict(A, bucket_name="example-bucket"),
           [envelope_error(500, 10001, "We encountered an internal error. Please try again.")])
    return out


def group_probes():
    """Behaviours of the SDK, not of the protocol; not replayed by the Rust harness."""
    out = []
    def rate_limited():
        return envelope_error(429, 10058, "Too many requests", [("retry-after", "3")])

    retrying = make_client(max_retries=2)
    with PatchedRetryClock() as clock:
        record(out, "retry_429_retry_after_3_default_retries", "r2.buckets.cors.update",
               dict(A, bucket_name="example-bucket", rules=[SEED_CORS_RULE_KW]),
               [rate_limited(), rate_limited(), ok({})], client=retrying, sleeps=clock.sleeps,
               note="max_retries=2 (SDK default); retry-after honoured (0 < s <= 60)")
    with PatchedRetryClock() as clock:
        record(out, "retry_409_create_default_retries", "r2.buckets.create",
               dict(A, name="example-bucket"),
               [envelope_error(409, 10004,
                               "The bucket you tried to create already exists, and you own it.")
                for _ in range(3)], client=retrying, sleeps=clock.sleeps,
               note="the SDK retries 409 (lock timeout rule); backoff 0.5*2^n with random() "
                    "patched to 0.0, i.e. jitter factor 1.0 (real: 0.75..1.0)")
    with PatchedRetryClock() as clock:
        record(out, "retry_500_then_success", "r2.buckets.get",
               dict(A, bucket_name="example-bucket"),
               [envelope_error(500, 10001, "We encountered an internal error. Please try again."),
                ok(bucket_obj("example-bucket"))], client=retrying, sleeps=clock.sleeps)
    with PatchedRetryClock() as clock:
        record(out, "retry_429_retry_after_ms", "r2.buckets.get",
               dict(A, bucket_name="example-bucket"),
               [envelope_error(429, 10058, "Too many requests",
                               [("retry-after-ms", "1500"), ("retry-after", "3")]),
                ok(bucket_obj("example-bucket"))], client=retrying, sleeps=clock.sleeps,
               note="retry-after-ms wins over retry-after")
    with PatchedRetryClock() as clock:
        record(out, "retry_429_x_should_retry_false", "r2.buckets.get",
               dict(A, bucket_name="example-bucket"),
               [envelope_error(429, 10058, "Too many requests",
                               [("retry-after", "3"), ("x-should-retry", "false")])],
               client=retrying, sleeps=clock.sleeps)
    retrying.close()

    record(out, "cors_max_age_float", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket",
                rules=[dict(SEED_CORS_RULE_KW, max_age_seconds=3600.0)]), [ok({})],
           note="the SDK does not coerce: a Python float goes out as 3600.0")
    record(out, "cors_get_max_age_float_on_wire", "r2.buckets.cors.get",
           dict(A, bucket_name="example-bucket"),
           [ok({"rules": [dict(SEED_CORS_RULE, maxAgeSeconds=3600.0)]})],
           note="response value types are kept as parsed (no validation)")
    record(out, "cors_s3_shaped_rules", "r2.buckets.cors.update",
           dict(A, bucket_name="example-bucket",
                rules=[{"AllowedOrigins": ["http://localhost:3000"], "AllowedMethods": ["GET"],
                        "AllowedHeaders": ["x-requested-by"], "ExposeHeaders": ["Content-Encoding"],
                        "MaxAgeSeconds": 3600}]),
           [envelope_error(400, 10040, "The JSON you provided was not well formed.")],
           note="no client-side validation: the S3 shape is sent verbatim")
    record(out, "list_per_page_float", "r2.buckets.list", dict(A, per_page=50.0),
           [ok({"buckets": []}, {"cursor": "", "per_page": 50})],
           note="per_page is typed float; a float is stringified with str() -> 50.0")
    record(out, "list_query_encoding", "r2.buckets.list",
           dict(A, name_contains="a b&c=d/é", start_after="x"),
           [ok({"buckets": []}, {"cursor": "", "per_page": 20})],
           note="query encoding of reserved/non-ASCII characters")
    record(out, "lifecycle_date_as_aware_datetime", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="example-bucket",
                rules=[{"id": "d", "enabled": True, "conditions": {"prefix": ""},
                        "delete_objects_transition": {"condition": {
                            "type": "Date", "date": dt.datetime(2031, 4, 20, tzinfo=dt.timezone.utc)}}}]),
           [ok({})], note="datetime -> isoformat(): +00:00, not Z")
    record(out, "lifecycle_date_as_naive_datetime", "r2.buckets.lifecycle.update",
           dict(A, bucket_name="example-bucket",
                rules=[{"id": "d", "enabled": True, "conditions": {"prefix": ""},
                        "delete_objects_transition": {"condition": {
                            "type": "Date", "date": dt.datetime(2031, 4, 20)}}}]),
           [ok({})], note="naive datetime: no offset at all")
    record(out, "lock_date_as_aware_datetime", "r2.buckets.locks.update",
           dict(A, bucket_name="example-bucket",
                rules=[{"id": "d", "enabled": True, "condition": {
                    "type": "Date", "date": dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)}}]),
           [ok({})])
    record(out, "success_false_with_http_200", "r2.buckets.get",
           dict(A, bucket_name="example-bucket"),
           [canned(200, {"success": False, "errors": [{"code": 10001, "message": "oops"}],
                         "messages": [], "result": None})],
           note="the SDK ignores `success`: no exception, result None")
    record(out, "list_result_info_dropped_extra_fields_kept", "r2.buckets.list", dict(A),
           [ok({"buckets": [dict(bucket_obj("x-bucket", "OC"), future_field=1)]},
               {"cursor": "abc", "per_page": 20})],
           note="unknown fields survive in the model; result_info/cursor do not reach the caller")
    record(out, "non_json_502", "r2.buckets.get", dict(A, bucket_name="example-bucket"),
           [canned(502, None, raw=b"<html><body>502 Bad Gateway</body></html>",
                   content_type="text/html")])
    legacy = make_client(api_token=None, api_email="user@example.com",
                         api_key="c2547eb745079dac9320b638f5e225cf483cc5cfdda41")
    record(out, "legacy_email_and_key_auth", "r2.buckets.get",
           dict(A, bucket_name="example-bucket"), [ok(bucket_obj("example-bucket"))],
           client=legacy, note="api_email + api_key: X-Auth-Email/X-Auth-Key, no Authorization")
    legacy.close()
    return out


def write(path, recordings, header):
    doc = dict(header, recordings=recordings)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    global CLIENT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT,
                    help="data directory (recorded/ and sdk_probes.json go here)")
    args = ap.parse_args()

    srv = start_server()
    CLIENT = make_client()
    header = {
        "generator": "tools/sdk/r2/r2_record.py",
        "sdk": {"package": "cloudflare", "version": cloudflare.__version__},
        "client": "Cloudflare(api_token=%r, base_url='http://127.0.0.1:PORT/client/v4', "
                  "max_retries=0)" % API_TOKEN,
        "account_id": ACCOUNT_ID,
    }
    groups = [
        ("buckets", group_buckets),
        ("cors", group_cors),
        ("lifecycle", group_lifecycle),
        ("domains", group_domains),
        ("lock", group_lock),
        ("errors", group_errors),
    ]
    total = 0
    for name, fn in groups:
        recs = fn()
        write(os.path.join(args.out_dir, "recorded", name + ".json"), recs, header)
        total += len(recs)
        print("recorded/%s.json: %d recordings" % (name, len(recs)))
    probes = group_probes()
    write(os.path.join(args.out_dir, "sdk_probes.json"), probes, header)
    print("sdk_probes.json: %d probes" % len(probes))
    print("total: %d recorded calls (+%d probes), cloudflare %s"
          % (total, len(probes), cloudflare.__version__))
    CLIENT.close()
    srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
