#!/usr/bin/env python3
"""Generate Tencent COS request-signing test vectors from the official Python SDK.

Ground truth is `qcloud_cos` (PyPI `cos-python-sdk-v5`, pinned in requirements.txt):

* every `authorization` value below is produced by the SDK's own `CosS3Auth`
  (or `CosS3Client.get_auth` / `get_presigned_url`), never by this script;
* the intermediate strings (`http_string`, `string_to_sign`, `sign_key`) are read
  from the SDK's own debug log lines, and are additionally re-derived by a small
  independent implementation in this file which must agree byte for byte
  (an `AssertionError` aborts the run otherwise);
* `time.time` is pinned inside `qcloud_cos.cos_auth` only, so KeyTime is exact;
* a fixed random seed drives the generated cases, so reruns are byte-identical.

Outputs (relative to the repository root):
    crates/cos/tests/data/sign_vectors.json
    crates/cos/tests/data/presign_vectors.json

Usage:
    python tools/sdk/cos_sign_vectors.py [--out-dir crates/cos/tests/data]
"""

import argparse
import base64
import hashlib
import hmac
import json
import logging
import os
import random
import types
from contextlib import contextmanager
from urllib.parse import quote

import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos import cos_auth
from qcloud_cos.cos_auth import CosS3Auth
from qcloud_cos.cos_comm import format_values
from qcloud_cos.version import __version__ as SDK_VERSION

SEED = 7778  # fixed: reruns must produce identical output
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "crates", "cos", "tests", "data")


# ---------------------------------------------------------------------------
# SDK instrumentation
# ---------------------------------------------------------------------------

@contextmanager
def pinned_time(now):
    """Pin `time.time()` as seen by qcloud_cos.cos_auth (and nothing else).

    cos_auth does `import time` and calls `time.time()`, so swapping the module
    attribute for a namespace with a fixed `time` is enough and leaves the real
    `time` module untouched for requests/urllib3.
    """
    saved = cos_auth.time
    cos_auth.time = types.SimpleNamespace(time=lambda: now)
    try:
        yield
    finally:
        cos_auth.time = saved


class _AuthLogCapture(logging.Handler):
    """Collects the SDK's `logger.debug(...)` lines from qcloud_cos.cos_auth."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


_CAPTURE = _AuthLogCapture()
_auth_logger = logging.getLogger("qcloud_cos.cos_auth")
_auth_logger.addHandler(_CAPTURE)
_auth_logger.setLevel(logging.DEBUG)
_auth_logger.propagate = False  # keep the SDK's debug lines off stderr


@contextmanager
def captured_sdk_log():
    """Yield a dict filled with the SDK's intermediate strings of ONE signature."""
    _CAPTURE.messages = []
    out = {}
    yield out
    # Message formats (cos_auth.py): "format str: <HttpString>",
    # "str_to_sign: <StringToSign>", "sign_key: <hex>", "sign: <hex>".
    # (The SDK also logs "sign_key<hex>" without separator; the prefixes below
    # only match the first form.)
    prefixes = {"format str: ": "http_string", "str_to_sign: ": "string_to_sign",
                "sign_key: ": "sign_key", "sign: ": "signature"}
    for msg in _CAPTURE.messages:
        for prefix, field in prefixes.items():
            if msg.startswith(prefix) and field not in out:
                out[field] = msg[len(prefix):]
    missing = set(prefixes.values()) - set(out)
    assert not missing, "SDK debug log lacked %s (SDK changed?)" % sorted(missing)


# ---------------------------------------------------------------------------
# Independent re-derivation (used only to ASSERT agreement with the SDK)
# ---------------------------------------------------------------------------

SIGNED_HEADERS = {
    "cache-control", "content-disposition", "content-encoding", "content-type",
    "content-md5", "content-length", "expect", "expires", "host", "if-match",
    "if-modified-since", "if-none-match", "if-unmodified-since", "origin", "range",
    "transfer-encoding", "pic-operations",
}


def _b(s):
    return s if isinstance(s, bytes) else str(s).encode("utf-8")


def _enc(s):
    """Keep A-Z a-z 0-9 - _ . ~ ; %XX (uppercase) for every other UTF-8 byte."""
    return quote(_b(s), safe="-_.~")


def reference_sign(secret_key, key_time, method, path, params, headers):
    """params: list of (name, value); headers: list of (name, value) the signer saw,
    host already included when applicable. Returns the intermediate values."""
    def canon(pairs):
        d = dict((_enc(k).lower(), _enc(v)) for k, v in pairs)
        items = sorted(d.items())
        return "&".join("%s=%s" % kv for kv in items), ";".join(k for k, _ in items)

    hdrs = [(k, v) for k, v in headers
            if k.lower() in SIGNED_HEADERS or k.lower().startswith(("x-cos-", "x-ci-"))]
    param_str, param_list = canon(params)
    header_str, header_list = canon(hdrs)
    http_string = "%s\n%s\n%s\n%s\n" % (method.lower(), path, param_str, header_str)
    http_sha1 = hashlib.sha1(http_string.encode("utf-8")).hexdigest()
    string_to_sign = "sha1\n%s\n%s\n" % (key_time, http_sha1)
    sign_key = hmac.new(_b(secret_key), _b(key_time), hashlib.sha1).hexdigest()
    signature = hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()
    return {"http_string": http_string, "http_string_sha1": http_sha1,
            "string_to_sign": string_to_sign, "sign_key": sign_key,
            "signature": signature, "signed_header_list": header_list,
            "url_param_list": param_list}


def parse_authorization(auth):
    """Split `q-...=...&...` (values never contain '&' or '=' in practice)."""
    return dict(part.split("=", 1) for part in auth.split("&"))


def _s(v):
    return v.decode("utf-8") if isinstance(v, bytes) else v


def _pairs(d):
    return [[_s(k), _s(v)] for k, v in d.items()]


# ---------------------------------------------------------------------------
# Signing one vector
# ---------------------------------------------------------------------------

_SESSION = requests.Session()  # same defaults as the SDK's built-in session


def sign_vector(spec):
    """Sign `spec` with the SDK and return the JSON record.

    spec keys: secret_id, secret_key, method, bucket, region, key (None = bucket
    level), query (list of pairs), headers (list of pairs), body (str|None),
    now, expire, mode ("send_request" | "get_auth"), config (extra CosConfig
    kwargs), sign_host (None|bool, get_auth mode only).
    """
    cfg_kwargs = dict(Region=spec["region"], SecretId=spec["secret_id"],
                      SecretKey=spec["secret_key"])
    cfg_kwargs.update(spec.get("config") or {})
    conf = CosConfig(**cfg_kwargs)
    params = dict(spec["query"])
    assert len(params) == len(spec["query"]), "duplicate query names are not representable"
    key = spec["key"]
    key_time = None
    seen = {}

    with pinned_time(spec["now"]), captured_sdk_log() as log:
        if spec["mode"] == "get_auth":
            # Exactly CosS3Client.get_auth: an UNPREPARED requests.Request, so the
            # signer sees only the caller's headers (no Content-Length is added).
            client = CosS3Client(conf)
            headers = dict(spec["headers"])
            # Snapshot first: get_auth writes 'Authorization' into the caller's dict.
            seen["headers"] = _pairs(headers)
            url = conf.uri(bucket=spec["bucket"], path=key)
            authorization = client.get_auth(
                Method=spec["method"], Bucket=spec["bucket"], Key=key,
                Expired=spec["expire"], Headers=headers, Params=params,
                SignHost=spec.get("sign_host"))
            request_url = None
        else:
            # Exactly CosS3Client.send_request: headers pass through format_values
            # (values -> UTF-8 bytes), then requests.Session.request(...) prepares
            # the request (merging the session's default headers and letting
            # requests add Content-Length) and finally calls the auth object.
            headers = dict(spec["headers"])
            # send_request sets this User-Agent on every request (never signed).
            headers.setdefault("User-Agent", "cos-python-sdk-v" + SDK_VERSION)
            headers = format_values(headers)
            url = conf.uri(bucket=spec["bucket"], path=key)
            auth = CosS3Auth(conf, key, params=params, expire=spec["expire"])

            def hook(r):
                seen["headers"] = _pairs(r.headers)  # what the signer is handed
                return auth(r)

            body = spec.get("body")
            req = requests.Request(spec["method"], url, headers=headers, params=params,
                                   data=body.encode("utf-8") if body is not None else None,
                                   auth=hook)
            prepared = _SESSION.prepare_request(req)
            authorization = prepared.headers["Authorization"]
            request_url = prepared.url
            auth_path = auth._path

    parts = parse_authorization(authorization)
    key_time = parts["q-key-time"]
    path = (u"/" if not key else (key if key.startswith(u"/") else u"/" + key))
    if spec["mode"] != "get_auth":
        assert path == auth_path

    # Host as the SDK signs it: explicit Host header wins, else URL hostname.
    signer_headers = list(seen["headers"])
    sign_host = conf._sign_host if spec.get("sign_host") is None else bool(spec["sign_host"])
    if sign_host and not any(k.lower() == "host" for k, _ in signer_headers):
        signer_headers.append(["host", requests.utils.urlparse(url).hostname])
    ref = reference_sign(spec["secret_key"], key_time, spec["method"], path,
                         spec["query"], signer_headers)
    # The SDK's values are authoritative; the reference must reproduce them.
    for field in ("http_string", "string_to_sign", "sign_key", "signature"):
        assert ref[field] == log[field], (spec.get("id"), field, ref[field], log[field])
    assert parts["q-signature"] == log["signature"]
    assert parts["q-header-list"] == ref["signed_header_list"]
    assert parts["q-url-param-list"] == ref["url_param_list"]

    sent_names = set(k.lower() for k, _ in seen["headers"])
    signed_names = set(parts["q-header-list"].split(";")) - {""}
    record = {
        "id": spec["id"],
        "source": spec.get("source", "generated"),
        "description": spec.get("description", ""),
        "mode": spec["mode"],
        "secret_id": spec["secret_id"],
        "secret_key": spec["secret_key"],
        "method": spec["method"],
        "bucket": spec["bucket"],
        "region": spec["region"],
        "config": spec.get("config") or {},
        "key": key,
        "path": path,
        "url": url,
        "request_url": request_url,
        "query": [list(p) for p in spec["query"]],
        "headers": [list(p) for p in spec["headers"]],
        "headers_at_signing": seen["headers"],
        "excluded_headers": sorted(sent_names - signed_names),
        "body": spec.get("body"),
        "now": spec["now"],
        "expire": spec["expire"],
        "key_time": key_time,
        "sign_key": log["sign_key"],
        "http_string": log["http_string"],
        "http_string_sha1": ref["http_string_sha1"],
        "string_to_sign": log["string_to_sign"],
        "signature": log["signature"],
        "signed_header_list": parts["q-header-list"],
        "url_param_list": parts["q-url-param-list"],
        "authorization": authorization,
    }
    if spec["mode"] == "get_auth" and spec.get("sign_host") is not None:
        record["sign_host"] = spec["sign_host"]
    return record


# ---------------------------------------------------------------------------
# Known public answers (cos-protocol.md section 1)
# ---------------------------------------------------------------------------

DOC_SID = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"
DOC_SKEY = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"
DOC_HOST = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"


def known_answer_specs():
    return [
        {
            "id": "doc-7778-put", "source": "doc-7778-put", "mode": "get_auth",
            "description": "Tencent doc 436/7778 upload example inputs, signed by the SDK",
            "secret_id": DOC_SID, "secret_key": DOC_SKEY, "method": "PUT",
            "bucket": "examplebucket-1250000000", "region": "ap-beijing",
            "key": u"exampleobject(腾讯云)", "query": [],
            "headers": [["Content-Length", "13"],
                        ["Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="],
                        ["Content-Type", "text/plain"],
                        ["Date", "Thu, 16 May 2019 06:45:51 GMT"],
                        ["Host", DOC_HOST],
                        ["x-cos-acl", "private"],
                        ["x-cos-grant-read", 'uin="100000000011"']],
            # KeyTime 1557989151;1557996351 == (now-60);(now+expire)
            "now": 1557989211, "expire": 7140,
            "published": {"key_time": "1557989151;1557996351",
                          "sign_key": "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f",
                          "http_string_sha1": "8b2751e77f43a0995d6e9eb9477f4b685cca4172",
                          "signed_header_list": "content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read",
                          "signature": "3b8851a11a569213c17ba8fa7dcf2abec6935172"},
        },
        {
            "id": "doc-7778-get", "source": "doc-7778-get", "mode": "get_auth",
            "description": "Tencent doc 436/7778 download example inputs, signed by the SDK",
            "secret_id": DOC_SID, "secret_key": DOC_SKEY, "method": "GET",
            "bucket": "examplebucket-1250000000", "region": "ap-beijing",
            "key": u"exampleobject(腾讯云)",
            "query": [["response-content-type", "application/octet-stream"],
                      ["response-cache-control", "max-age=600"]],
            "headers": [["Date", "Thu, 16 May 2019 06:55:53 GMT"], ["Host", DOC_HOST]],
            "now": 1557989813, "expire": 7140,
            "published": {"key_time": "1557989753;1557996953",
                          "signed_header_list": "date;host",
                          "signature": "01681b8c9d798a678e43b685a9f1bba0f6c0e012"},
        },
        {
            "id": "go-auth-test", "source": "go-auth-test", "mode": "get_auth",
            "description": "cos-go-sdk-v5 auth_test.go TestNewAuthorization, signed by the Python SDK",
            "secret_id": "QmFzZTY0IGlzIGEgZ2VuZXJp",
            "secret_key": "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM", "method": "PUT",
            "bucket": "testbucket-125000000", "region": "ap-guangzhou",
            "key": "testfile2", "query": [],
            "headers": [["Host", "testbucket-125000000.cos.ap-guangzhou.myqcloud.com"],
                        ["x-cos-content-sha1", "db8ac1c259eb89d4a131b253bacfca5f319d54f2"],
                        ["x-cos-stroage-class", "nearline"]],
            "now": 1480932352, "expire": 79940,
            "published": {"key_time": "1480932292;1481012292",
                          "signed_header_list": "host;x-cos-content-sha1;x-cos-stroage-class",
                          "signature": "ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a"},
        },
    ]


def sign_known_answer(spec):
    """Sign with the stock SDK, compare with the published answer and, when they
    differ, show whether the SDK's code reproduces it once `date` may be signed
    (the stock SDK's filter_headers() never signs Date)."""
    published = spec.pop("published")
    rec = sign_vector(spec)
    rec["published"] = dict(published)
    rec["matches_published"] = (rec["signature"] == published["signature"]
                                and rec["key_time"] == published["key_time"])
    if not rec["matches_published"]:
        original = cos_auth.filter_headers

        def filter_with_date(data):
            out = original(data)
            out.update({k: v for k, v in data.items() if k.lower() == "date"})
            return out

        cos_auth.filter_headers = filter_with_date
        try:
            conf = CosConfig(Region=spec["region"], SecretId=spec["secret_id"],
                             SecretKey=spec["secret_key"])
            with pinned_time(spec["now"]):
                auth = CosS3Client(conf).get_auth(
                    Method=spec["method"], Bucket=spec["bucket"], Key=spec["key"],
                    Expired=spec["expire"], Headers=dict(spec["headers"]),
                    Params=dict(spec["query"]))
        finally:
            cos_auth.filter_headers = original
        parts = parse_authorization(auth)
        rec["published"]["sdk_with_date_signed"] = {
            "note": "SDK CosS3Auth with filter_headers patched to also sign `date`",
            "authorization": auth,
            "matches_published": parts["q-signature"] == published["signature"],
        }
    return rec


# ---------------------------------------------------------------------------
# Curated vectors: one feature each, so a failing Rust test points at the cause
# ---------------------------------------------------------------------------

BUCKET = "examplebucket-1250000000"
SID = "AKIDEXAMPLEexampleEXAMPLEexample1234"
SKEY = "SecretKeyExample0123456789abcdef"
TOKEN = ("Gg9kW1HUDxvVtqJKsSeIaEPUCmTKfw0a9f3b9c3b7e5b0d2a7cbeed5b1a5e1f8"
         "+abc/DEF=ghi_jkl-mno.pqr~stu")


def md5_b64(text):
    return base64.b64encode(hashlib.md5(text.encode("utf-8")).digest()).decode()


def curated_specs():
    base = {"secret_id": SID, "secret_key": SKEY, "bucket": BUCKET, "region": "ap-beijing",
            "query": [], "headers": [], "body": None, "now": 1700000000, "expire": 10000,
            "mode": "send_request", "source": "curated"}
    cases = []

    def add(cid, desc, **kw):
        spec = dict(base)
        spec.update(kw)
        spec["id"] = cid
        spec["description"] = desc
        cases.append(spec)

    # Methods on the bucket root ("/").
    for m in ("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"):
        add("method-%s" % m.lower(), "bucket-level %s, no extras; requests adds "
            "Content-Length: 0 for non-GET/HEAD and the SDK signs it" % m, method=m, key=None)

    # Keys (object paths): the decoded key is signed.
    keys = [
        ("key-plain", "exampleobject.txt"),
        ("key-nested", "folder/sub/file.txt"),
        ("key-chinese", u"腾讯云/文档/说明.txt"),
        ("key-space", "my file name.txt"),
        ("key-plus", "a+b+c.txt"),
        ("key-hash", "report#1.pdf"),
        ("key-percent", "100%25 literal%.txt"),
        ("key-tilde", "~user/home~.txt"),
        ("key-emoji", u"emoji-😀-🚀.png"),
        ("key-trailing-slash", "dir/subdir/"),
        ("key-leading-slash", "/already/has/leading.txt"),
        ("key-double-slash", "a//b///c"),
        ("key-question", "what?.txt"),
        ("key-dot-segments", "a/./b/../c.txt"),
        ("key-reserved", "!$&'()*,;=:@[].txt"),
        ("key-mixed", u"sp ace+plus#hash%pct~tilde/中文 😀.bin"),
        ("key-japanese-umlaut", u"ディレクトリ/Ünïcödé-ñ.txt"),
        ("key-quote-backslash", "quote\"back\\slash'.txt"),
    ]
    for cid, k in keys:
        add(cid, "GET object with key %r" % k, method="GET", key=k)

    # Query parameters.
    for sub in ("cors", "lifecycle", "versioning", "replication", "policy", "acl",
                "tagging", "uploads", "versions", "location"):
        add("query-sub-%s" % sub, "subresource ?%s with empty value (signed as %s=)" % (sub, sub),
            method="GET", key=None, query=[[sub, ""]])
    add("query-mixed-case", "mixed-case parameter names are lowercased AFTER encoding",
        method="GET", key="obj", query=[["Response-Content-Type", "text/plain"],
                                        ["X-Custom-Param", "Value"], ["versionId", "MTg0NDUxOTc"]])
    add("query-non-ascii", "non-ASCII names and values", method="GET", key="obj",
        query=[["prefix", u"照片/2024/"], [u"名字", u"值 😀"]])
    add("query-slash-plus-space", "'/' -> %2F, '+' -> %2B, ' ' -> %20 in values",
        method="GET", key=None, query=[["prefix", "a b/c+d"], ["delimiter", "/"],
                                       ["marker", "x+y z/~"]])
    add("query-reserved-values", "reserved characters in values",
        method="GET", key=None, query=[["q", "a=b&c;d,e:f@g!h*i'j(k)l"], ["pct", "100%"],
                                       ["tilde", "~"], ["star", "*"]])
    add("query-encoded-key-lowercase", "percent-hex in a key becomes lowercase, in a value stays uppercase",
        method="GET", key="obj", query=[["a/b", "c/d"], ["x y", "z z"]])
    add("query-response-overrides", "response-* overrides as used by downloads",
        method="GET", key=u"报告.pdf",
        query=[["response-content-disposition", u'attachment; filename="报告 2024.pdf"'],
               ["response-content-type", "application/pdf"],
               ["response-cache-control", "no-cache"]])
    add("query-list-objects", "list objects parameters incl. int-like values",
        method="GET", key=None, query=[["prefix", "photos/"], ["delimiter", "/"],
                                       ["max-keys", "1000"], ["encoding-type", "url"],
                                       ["marker", ""]])
    add("query-multipart", "multipart upload part", method="PUT", key="big.bin",
        query=[["partNumber", "3"],
               ["uploadId", "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"]],
        body="part-payload")
    add("query-sort-by-encoded-key", "sorting happens on the encoded, lowercased key",
        method="GET", key=None, query=[["b", "2"], ["A", "1"], ["_x", "3"], ["~y", "4"],
                                       ["-z", "5"], [".w", "6"], ["0n", "7"], ["Z", "8"]])

    # Headers.
    xml = '<?xml version="1.0" encoding="utf-8"?>\n<CORSConfiguration></CORSConfiguration>'
    add("hdr-xml-put", "XML PUT as the SDK sends it: Content-MD5 + Content-Type; "
        "Content-Length comes from requests", method="PUT", key=None, query=[["cors", ""]],
        headers=[["Content-MD5", md5_b64(xml)], ["Content-Type", "application/xml"]], body=xml)
    add("hdr-explicit-content-length", "explicit Content-Length on a GET",
        method="GET", key="obj", headers=[["Content-Length", "0"]])
    add("hdr-x-cos-mixed-case", "x-cos-* names in mixed case are lowercased",
        method="PUT", key="obj", headers=[["X-Cos-Meta-Author", "Alice"],
                                          ["X-COS-ACL", "public-read"],
                                          ["x-Cos-Storage-Class", "STANDARD_IA"]], body="hi")
    add("hdr-security-token", "temporary credentials: x-cos-security-token is signed",
        method="GET", key="obj", headers=[["x-cos-security-token", TOKEN]])
    add("hdr-unsigned", "Date, User-Agent, Accept, Accept-Encoding, Content-Language, "
        "Referer, Connection, x-amz-*, x-cosmic are never signed",
        method="GET", key="obj",
        headers=[["Date", "Thu, 16 May 2019 06:45:51 GMT"], ["User-Agent", "cos-python-sdk-v5.1.9.44"],
                 ["Accept", "application/xml"], ["Accept-Encoding", "identity"],
                 ["Content-Language", "zh-CN"], ["Referer", "https://example.com/"],
                 ["x-amz-date", "20190516T064551Z"], ["x-cosmic", "not-a-cos-header"]])
    add("hdr-all-signed-standard", "every non-x- header name the SDK signs",
        method="PUT", key="obj",
        headers=[["Cache-Control", "max-age=3600, public"],
                 ["Content-Disposition", u'attachment; filename="文件 1.txt"'],
                 ["Content-Encoding", "gzip"], ["Content-Type", "text/plain; charset=utf-8"],
                 ["Content-MD5", md5_b64("hello")], ["Content-Length", "5"],
                 ["Expect", "100-continue"], ["Expires", "Wed, 21 Oct 2026 07:28:00 GMT"],
                 ["If-Match", '"d41d8cd98f00b204e9800998ecf8427e"'],
                 ["If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"],
                 ["If-None-Match", "*"], ["If-Unmodified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"],
                 ["Origin", "https://www.example.com:8443"], ["Range", "bytes=0-1023"],
                 ["Pic-Operations", '{"is_pic_info":1,"rules":[{"fileid":"a.jpg","rule":"imageMogr2/format/png"}]}']],
        body="hello")
    add("hdr-transfer-encoding", "Transfer-Encoding is on the SDK's list",
        method="GET", key="obj", headers=[["Transfer-Encoding", "chunked"]])
    add("hdr-x-ci", "x-ci-* headers are signed too", method="GET", key="img.jpg",
        headers=[["x-ci-security-token", TOKEN], ["X-Ci-Custom", "v"]])
    add("hdr-grants", "grant headers with quotes and commas", method="PUT", key=None,
        headers=[["x-cos-acl", "private"],
                 ["x-cos-grant-full-control", 'id="qcs::cam::uin/100000000001:uin/100000000001"'],
                 ["x-cos-grant-read", 'id="qcs::cam::uin/100000000011:uin/100000000011",id="qcs::cam::anyone:anyone"'],
                 ["x-cos-grant-write", 'id="qcs::cam::uin/100000000012:uin/100000000012"']])
    add("hdr-non-ascii-value", "non-ASCII header values are UTF-8 percent-encoded",
        method="PUT", key="obj", headers=[["x-cos-meta-desc", u"测试 value/+=?&"],
                                          ["x-cos-tagging", u"项目=云&env=prod test"]], body="x")
    add("hdr-empty-value", "empty header value is signed as name=", method="GET", key="obj",
        headers=[["x-cos-meta-empty", ""]])
    add("hdr-explicit-host-port", "explicit Host header is signed verbatim incl. port",
        method="GET", key="obj", headers=[["Host", "%s.cos.ap-beijing.myqcloud.com:8080" % BUCKET]])
    add("hdr-explicit-host-upper", "an explicit HOST header (any case) replaces the URL host",
        method="GET", key="obj", headers=[["HOST", "Static.Example.COM"]])
    add("url-ip-port-host", "IP/Port config without Host header: URL hostname (no port) is signed",
        method="GET", key="obj", config={"IP": "10.0.0.1", "Port": 8080})
    add("url-custom-domain", "custom Domain: that hostname is signed",
        method="GET", key="obj", config={"Domain": "static.example.com"})
    add("url-new-domain", "EnableOldDomain=False: *.tencentcos.cn host",
        method="GET", key="obj", config={"EnableOldDomain": False})
    add("url-accelerate", "accelerate endpoint", method="GET", key="obj",
        config={"Endpoint": "cos.accelerate.myqcloud.com"})
    add("body-put-object", "PUT with a body: requests adds Content-Length which is signed",
        method="PUT", key="hello.txt", headers=[["Content-Type", "text/plain"]],
        body=u"Hello, 世界!\n")
    add("body-post", "POST with body (e.g. delete multiple objects)", method="POST", key=None,
        query=[["delete", ""]],
        headers=[["Content-Type", "application/xml"], ["Content-MD5", md5_b64("<Delete/>")]],
        body="<Delete/>")
    add("options-preflight-like", "OPTIONS with Origin and request headers (only Origin signed)",
        method="OPTIONS", key="obj",
        headers=[["Origin", "https://app.example.com"],
                 ["Access-Control-Request-Method", "PUT"],
                 ["Access-Control-Request-Headers", "content-type,x-cos-meta-a"]])

    # Expire windows and clocks.
    for exp in (0, 1, 60, 300, 3600, 86400, 604800):
        add("expire-%d" % exp, "expire window %d s: KeyTime = now-60;now+%d" % (exp, exp),
            method="GET", key="obj", expire=exp)
    add("now-fractional", "fractional time.time() is truncated by int()",
        method="GET", key="obj", now=1700000123.987654)
    add("now-old", "old timestamp", method="GET", key="obj", now=1000000000)

    # Secret keys with odd characters (the SDK only forbids leading/trailing spaces).
    odd_keys = ["abc+/=def/+==", "inner space key", u"ünïcødé-密钥-🔑", "%41%42%43",
                "semi;colon&amp=eq", 'back\\slash"quote\'', "x" * 64, "k"]
    for i, sk in enumerate(odd_keys):
        add("secret-key-odd-%d" % i, "SecretKey %r (HMAC key = its UTF-8 bytes)" % sk,
            method="PUT", key="obj", secret_key=sk, body="data")
    add("secret-id-odd", "SecretId is copied verbatim into q-ak", method="GET", key="obj",
        secret_id="AKID+odd/id=value")

    # get_auth mode (no requests-added headers), including SignHost=False.
    add("get-auth-basic", "CosS3Client.get_auth path (unprepared request)", mode="get_auth",
        method="PUT", key="upload.txt", expire=300, headers=[["Content-Type", "text/plain"]])
    add("get-auth-no-host", "get_auth with SignHost=False: host not signed", mode="get_auth",
        method="GET", key="obj", expire=300, sign_host=False)
    add("get-auth-params", "get_auth with params and headers", mode="get_auth",
        method="GET", key=u"图片/猫.jpg", expire=3600,
        query=[["imageMogr2/thumbnail/!50p", ""], ["x-cos-security-token", TOKEN]],
        headers=[["x-cos-traffic-limit", "819200"]])
    return cases


# ---------------------------------------------------------------------------
# Randomised vectors (fixed seed)
# ---------------------------------------------------------------------------

METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"]
REGIONS = ["ap-beijing", "ap-guangzhou", "ap-shanghai", "ap-chengdu", "ap-singapore",
           "na-siliconvalley", "eu-frankfurt", "ap-beijing-1"]
BUCKETS = ["examplebucket-1250000000", "my-data-1300000001", "logs-1250123456",
           "a1-1000000000", "test-bucket-with-long-name-1251234567"]
KEY_POOL = [
    "exampleobject", "folder/sub/file.txt", u"腾讯云/文件.txt", "a b c.txt", "a+b=c.txt",
    "hash#frag", "percent%20literal", "tilde~x", u"emoji-😀.png", "dir/", "x/y/z/",
    u"mixed 中文 + space", u"sp ace/and+plus#hash%pct~tilde", "(paren)[bracket]{brace}",
    "semi;colon,comma", "amp&eq=q?", u"ümlaut-ñ", "/leading-slash.txt", "a//double",
    "*star", "@at$dollar!bang", u"ディレクトリ/ファイル", u"Ωmega", u"💾/🗂/file",
    "photos/2024/01/IMG_0001.JPG", "-_.~unreserved", "UPPER/lower/MiXeD.TxT",
]
SUBRESOURCES = ["cors", "lifecycle", "versioning", "replication", "policy", "acl", "tagging",
                "uploads", "versions", "website", "logging", "referer", "location",
                "object-lock", "intelligenttiering", "inventory", "domain", "encryption"]
PARAM_POOL = [
    ("prefix", ["photos/2024/", "a b", u"中文/", ""]),
    ("delimiter", ["/", "|"]),
    ("marker", ["obj-0001", "a+b", u"键/值"]),
    ("max-keys", ["1", "1000", "2000"]),
    ("encoding-type", ["url"]),
    ("response-content-type", ["application/octet-stream", "text/html; charset=utf-8"]),
    ("response-cache-control", ["max-age=600", "no-cache, no-store"]),
    ("response-content-disposition", ['attachment; filename="a b.txt"', u'inline; filename*=UTF-8\'\'报告.pdf']),
    ("versionId", ["MTg0NDUxOTc2NjU2ODgxMzgyNjg", "null"]),
    ("uploadId", ["1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"]),
    ("partNumber", ["1", "10000"]),
    ("Response-Expires", ["Wed, 21 Oct 2026 07:28:00 GMT"]),
    ("X-Custom-Param", ["Value With Spaces", "a/b/c"]),
    ("emoji", [u"😀🚀"]),
    ("x-cos-security-token", [TOKEN]),
    ("tilde~key", ["~"]),
    ("plus+key", ["1+1=2"]),
    ("space key", ["sp ace"]),
]
SIGNED_HEADER_POOL = [
    ("Content-Type", ["application/xml", "application/json", "text/plain; charset=utf-8",
                      "application/octet-stream", "image/png"]),
    ("Cache-Control", ["no-cache", "max-age=3600"]),
    ("Content-Disposition", ['attachment; filename="x y.bin"']),
    ("Content-Encoding", ["gzip", "identity"]),
    ("Expires", ["Thu, 01 Jan 2099 00:00:00 GMT"]),
    ("If-Match", ['"etag-1"']),
    ("If-None-Match", ['"etag-2"', "*"]),
    ("If-Modified-Since", ["Mon, 01 Jan 2024 00:00:00 GMT"]),
    ("If-Unmodified-Since", ["Mon, 01 Jan 2024 00:00:00 GMT"]),
    ("Range", ["bytes=0-99", "bytes=100-"]),
    ("Origin", ["https://www.example.com", "http://localhost:3000"]),
    ("x-cos-acl", ["private", "public-read", "public-read-write", "authenticated-read"]),
    ("x-cos-grant-read", ['id="100000000001"', 'id="100000000001",id="100000000002"']),
    ("X-Cos-Meta-Author", [u"张三", "Alice Smith"]),
    ("x-cos-meta-Note", ["a+b/c=d&e"]),
    ("X-COS-STORAGE-CLASS", ["STANDARD", "STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE", "MAZ_STANDARD"]),
    ("x-cos-server-side-encryption", ["AES256", "cos/kms"]),
    ("x-cos-tagging", ["k1=v1&k2=v2", u"项目=云"]),
    ("x-cos-traffic-limit", ["819200"]),
    ("x-cos-forbid-overwrite", ["true"]),
    ("x-cos-copy-source", [u"src-1250000000.cos.ap-beijing.myqcloud.com/源 文件.txt"]),
    ("x-ci-trace", ["t-1"]),
]
UNSIGNED_HEADER_POOL = [
    ("Date", ["Tue, 14 Nov 2023 22:13:20 GMT"]),
    ("User-Agent", ["cos-python-sdk-v5.1.9.44", "Mozilla/5.0"]),
    ("Accept", ["*/*", "application/xml"]),
    ("Content-Language", ["en-US"]),
    ("Referer", ["https://example.com/page"]),
    ("x-amz-meta-foo", ["bar"]),
    ("X-Request-Id", ["abc-123"]),
]
SECRET_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
EXPIRES = [1, 60, 300, 600, 3600, 7200, 10000, 10000, 10000, 86400, 604800]


def random_specs(rng, count):
    specs = []
    for i in range(count):
        method = METHODS[i % len(METHODS)]  # even spread over methods
        key = None if rng.random() < 0.3 else rng.choice(KEY_POOL)
        query = []
        if rng.random() < 0.45:
            query.append([rng.choice(SUBRESOURCES), ""])
        for name, values in rng.sample(PARAM_POOL, rng.randint(0, 3)):
            if name not in dict(query):
                query.append([name, rng.choice(values)])
        headers = [[n, rng.choice(v)] for n, v in rng.sample(SIGNED_HEADER_POOL, rng.randint(0, 5))]
        headers += [[n, rng.choice(v)] for n, v in rng.sample(UNSIGNED_HEADER_POOL, rng.randint(0, 2))]
        if rng.random() < 0.2:
            headers.append(["x-cos-security-token", TOKEN])
        body = None
        if method in ("PUT", "POST") and rng.random() < 0.5:
            body = rng.choice([u"hello world", u"<Tagging><TagSet/></Tagging>", u"数据 data 😀", u"x" * 100])
            if rng.random() < 0.5:
                headers.append(["Content-MD5", md5_b64(body)])
        if rng.random() < 0.15:
            secret_key = rng.choice([u"odd+/=key", u"ключ-密钥", "p@ss w0rd!#$%^&*()"])
        else:
            secret_key = "".join(rng.choice(SECRET_KEY_ALPHABET) for _ in range(32))
        secret_id = "AKID" + "".join(rng.choice(SECRET_KEY_ALPHABET) for _ in range(32))
        now = rng.randint(1500000000, 1900000000)
        if rng.random() < 0.1:
            now = now + rng.choice([0.25, 0.5, 0.999])
        specs.append({
            "id": "gen-%03d" % i, "source": "generated", "mode": "send_request",
            "description": "seeded random case %d" % i,
            "secret_id": secret_id, "secret_key": secret_key, "method": method,
            "bucket": rng.choice(BUCKETS), "region": rng.choice(REGIONS), "key": key,
            "query": query, "headers": headers, "body": body, "now": now,
            "expire": rng.choice(EXPIRES),
        })
    return specs


# ---------------------------------------------------------------------------
# Pre-signed URLs and get_auth
# ---------------------------------------------------------------------------

def presign_specs():
    cases = [
        # (id, config extras, bucket, region, key, method, expired, params, headers, sign_host, now)
        ("presign-get-basic", {}, BUCKET, "ap-beijing", "exampleobject.txt", "GET", 300, [], [], None, 1700000000),
        ("presign-put-basic", {}, BUCKET, "ap-beijing", "upload/new file.txt", "PUT", 3600, [], [], None, 1700000000),
        ("presign-delete", {}, BUCKET, "ap-guangzhou", "to-delete.bin", "DELETE", 60, [], [], None, 1700000001),
        ("presign-head", {}, BUCKET, "ap-shanghai", "meta.json", "HEAD", 600, [], [], None, 1700000002),
        ("presign-post", {}, BUCKET, "ap-chengdu", "form", "POST", 900, [], [], None, 1700000003),
        ("presign-chinese-key", {}, BUCKET, "ap-beijing", u"腾讯云/照片 01.jpg", "GET", 300, [], [], None, 1710000000),
        ("presign-emoji-plus-hash", {}, BUCKET, "ap-beijing", u"a+b#c %d~😀.txt", "GET", 300, [], [], None, 1710000000),
        ("presign-response-overrides", {}, BUCKET, "ap-beijing", "report.pdf", "GET", 86400,
         [["response-content-disposition", 'attachment; filename="report 2024.pdf"'],
          ["response-content-type", "application/pdf"]], [], None, 1720000000),
        ("presign-version-id", {}, BUCKET, "ap-beijing", "versioned.txt", "GET", 300,
         [["versionId", "MTg0NDUxOTc2NjU2ODgxMzgyNjg"]], [], None, 1720000000),
        ("presign-token-param", {"Token": TOKEN}, BUCKET, "ap-beijing", "temp.txt", "GET", 300,
         [["x-cos-security-token", TOKEN]], [], None, 1720000000),
        ("presign-token-config-only", {"Token": TOKEN}, BUCKET, "ap-beijing", "temp.txt", "GET", 300,
         [], [], None, 1720000000),
        ("presign-put-content-type", {}, BUCKET, "ap-beijing", "upload.json", "PUT", 600, [],
         [["Content-Type", "application/json"]], None, 1730000000),
        ("presign-put-acl-header", {}, BUCKET, "ap-beijing", "public.txt", "PUT", 600, [],
         [["x-cos-acl", "public-read"], ["x-cos-meta-owner", u"张三"]], None, 1730000000),
        ("presign-no-sign-host", {}, BUCKET, "ap-beijing", "nohost.txt", "GET", 300, [], [], False, 1730000000),
        ("presign-custom-domain", {"Domain": "static.example.com"}, BUCKET, "ap-beijing",
         "cdn/asset.js", "GET", 300, [], [], None, 1730000000),
        ("presign-new-domain", {"EnableOldDomain": False}, BUCKET, "ap-beijing", "obj", "GET", 300,
         [], [], None, 1730000000),
        ("presign-accelerate", {"Endpoint": "cos.accelerate.myqcloud.com"}, BUCKET, "ap-beijing",
         "obj", "GET", 300, [], [], None, 1730000000),
        ("presign-http-scheme", {"Scheme": "http"}, BUCKET, "ap-beijing", "obj", "GET", 300,
         [], [], None, 1730000000),
        ("presign-week", {}, "logs-1250123456", "na-siliconvalley", "2024/01/01.log.gz", "GET",
         604800, [], [], None, 1740000000.75),
        ("presign-params-space-slash", {}, BUCKET, "ap-beijing", "obj", "GET", 300,
         [["prefix", "a b/c"], ["X-Mixed-Case", "v+w"]], [], None, 1740000000),
        ("presign-dot-segments", {}, BUCKET, "ap-beijing", "a/./b/../c.txt", "GET", 300,
         [], [], None, 1740000000),
        ("presign-image-process", {}, BUCKET, "ap-beijing", "img.jpg", "GET", 300,
         [["imageMogr2/thumbnail/!50p", ""]], [], None, 1740000000),
    ]
    return cases


def presign_vector(case):
    (cid, extra, bucket, region, key, method, expired, params, headers, sign_host, now) = case
    cfg = dict(Region=region, SecretId=SID, SecretKey=SKEY)
    cfg.update(extra)
    client = CosS3Client(CosConfig(**cfg))

    def kwargs():
        # Fresh dicts per call: get_auth adds 'Authorization' to the Headers dict.
        kw = dict(Bucket=bucket, Key=key, Method=method, Expired=expired,
                  Params=dict(params), Headers=dict(headers))
        if sign_host is not None:
            kw["SignHost"] = sign_host
        return kw

    with pinned_time(now), captured_sdk_log() as log:
        url = client.get_presigned_url(**kwargs())
    with pinned_time(now):
        auth = client.get_auth(**kwargs())
    # Both come from the same signer with the same inputs and pinned clock.
    assert ("q-signature=" + parse_authorization(auth)["q-signature"]) in url
    return {
        "id": cid,
        "config": {k: v for k, v in cfg.items() if k not in ("SecretId", "SecretKey")},
        "secret_id": SID, "secret_key": SKEY,
        "bucket": bucket, "region": region, "key": key, "method": method,
        "expired": expired, "params": [list(p) for p in params],
        "headers": [list(h) for h in headers], "sign_host": sign_host,
        "now": now,
        "http_string": log["http_string"], "string_to_sign": log["string_to_sign"],
        "get_auth": auth,
        "presigned_url": url,
    }


# ---------------------------------------------------------------------------

def write_json(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT)
    ap.add_argument("--random-count", type=int, default=150)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    rng = random.Random(SEED)
    vectors = [sign_known_answer(s) for s in known_answer_specs()]
    vectors += [sign_vector(s) for s in curated_specs()]
    vectors += [sign_vector(s) for s in random_specs(rng, args.random_count)]
    ids = [v["id"] for v in vectors]
    assert len(ids) == len(set(ids)), "duplicate vector ids"
    write_json(os.path.join(args.out_dir, "sign_vectors.json"), vectors)

    presigns = [presign_vector(c) for c in presign_specs()]
    write_json(os.path.join(args.out_dir, "presign_vectors.json"), presigns)

    print("cos-python-sdk-v5 %s: %d sign vectors, %d presign vectors -> %s"
          % (SDK_VERSION, len(vectors), len(presigns), args.out_dir))
    for v in vectors[:3]:
        print("  %-14s matches published: %s%s" % (
            v["id"], v["matches_published"],
            "" if v["matches_published"] else
            " (with `date` signed: %s)" % v["published"]["sdk_with_date_signed"]["matches_published"]))


if __name__ == "__main__":
    main()
