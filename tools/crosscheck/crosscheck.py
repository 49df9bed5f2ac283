#!/usr/bin/env python3
"""Cross-check the bucket-admin emulator with the official SDKs.

Starts `bucket-admin-emulator` on a free loopback port, then drives the official
Tencent COS Python SDK (`qcloud_cos`, cos-python-sdk-v5) and the official Cloudflare
Python SDK (`cloudflare`) through every operation of the seed documents
(/work/shared/seeds: COS CORS, preflight, lifecycle, versioning, replication, policy,
basic bucket operations; R2 buckets, CORS, lifecycle, domains, locks, storage class)
and asserts the results. If the official clients work against the emulator, users'
own code will too.

Usage:
    python crosscheck.py [EMULATOR_BIN]

EMULATOR_BIN defaults to $EMULATOR_BIN, then <repo>/target/debug/bucket-admin-emulator
(or $CARGO_TARGET_DIR/debug/bucket-admin-emulator when CARGO_TARGET_DIR is set and the
repository path does not exist). The script builds nothing.

Output: one line per check (`ok   ...`, `FAIL ...`, `xfail ...`), then exactly
`N passed, M failed`. The exit status is non-zero when any check failed.
"""

import copy
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import requests
import urllib3.util.connection

import cloudflare
from cloudflare import Cloudflare
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_comm import get_date
from qcloud_cos.cos_exception import CosServiceError

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Checks that are known to fail because of a documented emulator gap. Key: check name,
# value: the reason printed with the result. A listed check that passes is reported as
# XPASS and counted as failed, so stale entries get noticed. Keep this empty unless the
# gap is written down in the README.
EXPECTED_FAILURES = {}


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

class Results(object):
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.xfailed = 0
        self.failures = []

    def ok(self, name):
        self.passed += 1
        print("ok   %s" % name, flush=True)

    def fail(self, name, detail):
        self.failed += 1
        self.failures.append(name)
        print("FAIL %s" % name, flush=True)
        for line in str(detail).rstrip().splitlines():
            print("     %s" % line, flush=True)

    def run(self, name, fn, *args, **kwargs):
        """Run one check; returns fn's value, or None when it failed."""
        reason = EXPECTED_FAILURES.get(name)
        try:
            value = fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - every error is a check failure
            if reason:
                self.xfailed += 1
                print("xfail %s: %s (%s: %s)" % (name, reason, type(e).__name__,
                                                 _short(e)), flush=True)
                return None
            if isinstance(e, AssertionError):
                detail = str(e) or traceback.format_exc(limit=3)
            else:
                detail = "%s: %s\n%s" % (type(e).__name__, _short(e, 2000),
                                          traceback.format_exc(limit=4))
            self.fail(name, detail)
            return None
        if reason:
            self.fail(name, "XPASS: listed as expected failure (%s) but it passed; "
                            "remove it from EXPECTED_FAILURES" % reason)
            return value
        self.ok(name)
        return value

    def skip(self, name, reason):
        print("skip %s: %s" % (name, reason), flush=True)


def _short(e, limit=400):
    s = str(e)
    return s if len(s) <= limit else s[:limit] + "..."


def eq(got, expected, what=""):
    if got != expected:
        raise AssertionError("%smismatch\n  expected: %r\n  got:      %r"
                             % (what + " " if what else "", expected, got))


def expect_raises(exc_type, fn, *args, **kwargs):
    try:
        value = fn(*args, **kwargs)
    except exc_type as e:
        return e
    raise AssertionError("expected %s, but the call returned %r"
                         % (exc_type.__name__, value))


# ---------------------------------------------------------------------------
# The emulator process
# ---------------------------------------------------------------------------

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class EmulatorProcess(object):
    """`bucket-admin-emulator --bind 127.0.0.1:PORT [--data-dir DIR]`, stopped on exit."""

    INFO = {
        "listening": re.compile(r"listening on (\S+)"),
        "cos_endpoint": re.compile(r"^COS endpoint:\s+(\S+)"),
        "secret_id": re.compile(r"^COS SecretId:\s+(\S+)"),
        "secret_key": re.compile(r"^COS SecretKey:\s+(\S+)"),
        "appid": re.compile(r"^COS APPID:\s+(\S+)"),
        "region": re.compile(r"^COS region:\s+(\S+)"),
        "r2_base_url": re.compile(r"^R2 base URL:\s+(\S+)"),
        "account_id": re.compile(r"^R2 account id:\s+(\S+)"),
        "api_token": re.compile(r"^R2 API token:\s+(\S+)"),
    }

    def __init__(self, binary, data_dir=None):
        self.binary = binary
        self.data_dir = data_dir
        self.proc = None
        self.info = {}
        self.port = None
        self._lines = queue.Queue()
        self._stderr = None

    def start(self, attempts=3, timeout=30.0):
        last = None
        for _ in range(attempts):
            self.port = free_port()
            cmd = [self.binary, "--bind", "127.0.0.1:%d" % self.port]
            if self.data_dir:
                cmd += ["--data-dir", self.data_dir]
            self._stderr = tempfile.TemporaryFile()
            self._lines = queue.Queue()
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr,
                                         stdin=subprocess.DEVNULL)
            threading.Thread(target=self._pump, args=(self.proc.stdout, self._lines),
                             daemon=True).start()
            try:
                self._read_info(timeout)
                return self
            except RuntimeError as e:
                last = e
                self.stop()
        raise RuntimeError("the emulator did not start: %s" % last)

    @staticmethod
    def _pump(stream, lines):
        for raw in iter(stream.readline, b""):
            lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        lines.put(None)

    def _read_info(self, timeout):
        deadline = time.time() + timeout
        info = {}
        while "api_token" not in info:
            try:
                line = self._lines.get(timeout=max(0.05, deadline - time.time()))
            except queue.Empty:
                raise RuntimeError("no connection details within %.0fs" % timeout)
            if line is None:
                self.proc.wait()
                raise RuntimeError("exited with %s; stderr: %s"
                                   % (self.proc.returncode, self.stderr_text()))
            for key, rx in self.INFO.items():
                m = rx.search(line)
                if m and key not in info:
                    info[key] = m.group(1)
        missing = [k for k in self.INFO if k not in info]
        if missing:
            raise RuntimeError("connection details lack %s" % ", ".join(missing))
        if info["listening"] != "127.0.0.1:%d" % self.port:
            raise RuntimeError("listening on %s, asked for 127.0.0.1:%d"
                               % (info["listening"], self.port))
        self.info = info

    def stderr_text(self):
        if not self._stderr:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def stop(self):
        p, self.proc = self.proc, None
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGINT)  # the emulator serves until Ctrl-C
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p.stdout:
            p.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


_COS_PORT = {"port": None}


def redirect_cos_hosts():
    """Reroute TCP connects for *.myqcloud.com to the current emulator.

    `CosConfig(IP=..., Port=...)` makes bucket requests connect to ip:port while keeping
    the virtual-host `Host` header, but `list_buckets` ignores IP/Port and always talks to
    service.cos.myqcloud.com, so the connect step of urllib3 is redirected (the request,
    its Host header and its signature are untouched).
    """
    original = urllib3.util.connection.create_connection

    def create_connection(address, *args, **kwargs):
        host, _ = address
        if _COS_PORT["port"] and host.endswith((".myqcloud.com", ".tencentcos.cn")):
            address = ("127.0.0.1", _COS_PORT["port"])
        return original(address, *args, **kwargs)

    urllib3.util.connection.create_connection = create_connection


# ---------------------------------------------------------------------------
# COS helpers
# ---------------------------------------------------------------------------

def cos_client(info, port, region=None, secret_key=None):
    conf = CosConfig(Region=region or info["region"], SecretId=info["secret_id"],
                     SecretKey=secret_key or info["secret_key"], Scheme="http",
                     IP="127.0.0.1", Port=port)
    return CosS3Client(conf, retry=1)


def cos_error(fn, *args, **kwargs):
    return expect_raises(CosServiceError, fn, *args, **kwargs)


def assert_cos_error(e, status, code):
    got = (e.get_status_code(), e.get_error_code())
    if got != (status, code):
        raise AssertionError("expected CosServiceError %s %s, got %s %s (message %r)"
                             % (status, code, got[0], got[1], e.get_error_msg()))


def sdk_shape(value):
    """Normalise a dict to the shape the COS SDK returns (xmltodict): numbers become
    strings, empty strings and empty containers become absent."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = sdk_shape(v)
            if v is not None:
                out[k] = v
        return out or None
    if isinstance(value, list):
        return [sdk_shape(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value == "":
        return None
    return value


# ---------------------------------------------------------------------------
# COS checks
# ---------------------------------------------------------------------------

def cos_checks(R, emu, nonempty_bucket):
    info, port = emu.info, emu.port
    appid, region = info["appid"], info["region"]
    c = cos_client(info, port)
    bucket = "examplebucket-%s" % appid
    acl_bucket = "aclbucket-%s" % appid
    maz_bucket = "mazbucket-%s" % appid
    gz_bucket = "gzbucket-%s" % appid
    missing = "missingbucket-%s" % appid

    def host(b, r=region):
        return "%s.cos.%s.myqcloud.com" % (b, r)

    # --- 004: basic bucket operations -------------------------------------------------
    def create_plain():
        eq(c.create_bucket(Bucket=bucket), None, "create_bucket result")
    R.run("cos create_bucket (plain)", create_plain)

    def create_acl_grants():
        r = c.create_bucket(Bucket=acl_bucket, ACL="public-read",
                            GrantFullControl='id="qcs::cam::uin/100000000001:uin/100000000001"',
                            GrantRead='id="qcs::cam::uin/100000000011:uin/100000000011"',
                            GrantWrite='id="qcs::cam::uin/100000000012:uin/100000000012"')
        eq(r, None, "create_bucket result")
    R.run("cos create_bucket (ACL + GrantFullControl/GrantRead/GrantWrite)", create_acl_grants)

    def create_maz():
        eq(c.create_bucket(Bucket=maz_bucket, BucketAZConfig="MAZ"), None, "create_bucket result")
        h = c.head_bucket(Bucket=maz_bucket)
        eq(h.get("x-cos-bucket-az-type"), "MAZ", "head_bucket x-cos-bucket-az-type")
    R.run("cos create_bucket (BucketAZConfig=MAZ) -> head says MAZ", create_maz)

    def create_other_region():
        gz = cos_client(info, port, region="ap-guangzhou")
        eq(gz.create_bucket(Bucket=gz_bucket), None, "create_bucket result")
        eq(gz.head_bucket(Bucket=gz_bucket).get("x-cos-bucket-region"), "ap-guangzhou",
           "x-cos-bucket-region")
        # Addressed through the wrong region's endpoint, the bucket is not there.
        e = cos_error(c.head_bucket, Bucket=gz_bucket)
        eq(e.get_status_code(), 404, "head via ap-beijing status")
    R.run("cos create_bucket in ap-guangzhou (region-scoped head)", create_other_region)

    def create_again():
        e = cos_error(c.create_bucket, Bucket=bucket)
        assert_cos_error(e, 409, "BucketAlreadyOwnedByYou")
    R.run("cos create_bucket twice -> 409 BucketAlreadyOwnedByYou", create_again)

    def create_invalid_name():
        # Within the SDK's own checks (letters, digits, -), over COS's 50-character limit for
        # BucketName-APPID.
        e = cos_error(c.create_bucket, Bucket="%s-%s" % ("n" * 45, appid))
        eq(e.get_status_code(), 400, "status")
        eq(e.get_error_code(), "BucketNameTooLong", "code")
    R.run("cos create_bucket name too long -> 400 BucketNameTooLong", create_invalid_name)

    def create_uppercase_name():
        # Seed 004: COS lower-cases upper-case letters in a bucket name on create.
        c.create_bucket(Bucket="Upper-Case-%s" % appid)
        eq(c.bucket_exists(Bucket="upper-case-%s" % appid), True, "created lower-cased")
        c.delete_bucket(Bucket="upper-case-%s" % appid)
    R.run("cos create_bucket upper-case name -> created lower-cased (seed 004)", create_uppercase_name)

    def head():
        h = c.head_bucket(Bucket=bucket)
        if not isinstance(h, dict):
            raise AssertionError("head_bucket returned %r" % (h,))
        eq(h.get("x-cos-bucket-region"), region, "x-cos-bucket-region")
        eq(h.get("x-cos-bucket-az-type"), "SAZ", "x-cos-bucket-az-type")
    R.run("cos head_bucket", head)

    def head_missing():
        e = cos_error(c.head_bucket, Bucket=missing)
        eq(e.get_status_code(), 404, "status")
    R.run("cos head_bucket (missing) -> 404", head_missing)

    R.run("cos bucket_exists (existing) -> True",
          lambda: eq(c.bucket_exists(Bucket=bucket), True, "bucket_exists"))
    R.run("cos bucket_exists (missing) -> False",
          lambda: eq(c.bucket_exists(Bucket=missing), False, "bucket_exists"))

    def list_buckets():
        r = c.list_buckets()
        buckets = (r.get("Buckets") or {}).get("Bucket") or []
        if isinstance(buckets, dict):
            buckets = [buckets]
        by_name = {b["Name"]: b for b in buckets}
        for name, loc in [(bucket, region), (acl_bucket, region), (maz_bucket, region),
                          (gz_bucket, "ap-guangzhou"), (nonempty_bucket, region)]:
            if name not in by_name:
                raise AssertionError("%s not in list_buckets: %s" % (name, sorted(by_name)))
            eq(by_name[name].get("Location"), loc, "%s Location" % name)
            if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", by_name[name].get("CreationDate") or ""):
                raise AssertionError("CreationDate %r" % by_name[name].get("CreationDate"))
        if missing in by_name:
            raise AssertionError("%s listed but never created" % missing)
        owner = r.get("Owner") or {}
        if not owner.get("ID") or not owner.get("DisplayName"):
            raise AssertionError("Owner %r" % owner)
        eq(r.get("IsTruncated"), "false", "IsTruncated")
    R.run("cos list_buckets (contains the created buckets)", list_buckets)

    # --- 000/002: CORS --------------------------------------------------------------
    # The seed example with concrete values.
    cors_config = {
        "CORSRule": [
            {
                "ID": "web-upload",
                "MaxAgeSeconds": 100,
                "AllowedOrigin": ["https://www.example.com", "http://*.example.net"],
                "AllowedMethod": ["PUT", "GET", "POST"],
                "AllowedHeader": ["content-type", "x-cos-meta-author"],
                "ExposeHeader": ["ETag", "x-cos-request-id"],
            },
            {
                "ID": "public-read",
                "AllowedOrigin": ["*"],
                "AllowedMethod": ["GET", "HEAD"],
            },
        ]
    }

    def get_cors_before_put():
        e = cos_error(c.get_bucket_cors, Bucket=bucket)
        assert_cos_error(e, 404, "NoSuchCORSConfiguration")
    R.run("cos get_bucket_cors (never set) -> 404 NoSuchCORSConfiguration", get_cors_before_put)

    R.run("cos put_bucket_cors",
          lambda: eq(c.put_bucket_cors(Bucket=bucket, CORSConfiguration=copy.deepcopy(cors_config)),
                     None, "put_bucket_cors result"))

    def get_cors():
        r = c.get_bucket_cors(Bucket=bucket)
        expected = copy.deepcopy(cors_config)
        expected["CORSRule"][0]["MaxAgeSeconds"] = "100"  # XML text, as the SDK returns it
        eq(r.get("CORSRule"), expected["CORSRule"], "CORSRule")
        extra = set(r) - {"CORSRule", "ResponseVary"}
        if extra:
            raise AssertionError("unexpected keys %s in %r" % (sorted(extra), r))
        if r.get("ResponseVary") not in (None, "false"):
            raise AssertionError("ResponseVary %r but it was never set" % r.get("ResponseVary"))
    R.run("cos get_bucket_cors equals what was put", get_cors)

    # --- 001: CORS preflight (OPTIONS, unsigned, sent by browsers) --------------------
    def options(origin, method, req_headers=None, b=bucket, path="/"):
        h = {"Host": host(b), "Origin": origin, "Access-Control-Request-Method": method}
        if req_headers:
            h["Access-Control-Request-Headers"] = req_headers
        return requests.options("http://127.0.0.1:%d%s" % (port, path), headers=h, timeout=10)

    def preflight_allowed():
        r = options("https://www.example.com", "PUT", "content-type,x-cos-meta-author",
                    path="/exampleobject")
        eq(r.status_code, 200, "status (body %r)" % r.text[:300])
        eq(r.headers.get("Access-Control-Allow-Origin"), "https://www.example.com",
           "Access-Control-Allow-Origin")
        methods = [m.strip().upper() for m in
                   (r.headers.get("Access-Control-Allow-Methods") or "").split(",")]
        if "PUT" not in methods:
            raise AssertionError("Access-Control-Allow-Methods %r lacks PUT"
                                 % r.headers.get("Access-Control-Allow-Methods"))
        allow_h = (r.headers.get("Access-Control-Allow-Headers") or "").lower()
        for want in ("content-type", "x-cos-meta-author"):
            if want not in allow_h:
                raise AssertionError("Access-Control-Allow-Headers %r lacks %s" % (allow_h, want))
        eq(r.headers.get("Access-Control-Max-Age"), "100", "Access-Control-Max-Age")
        expose = (r.headers.get("Access-Control-Expose-Headers") or "").lower()
        if "etag" not in expose:
            raise AssertionError("Access-Control-Expose-Headers %r lacks ETag" % expose)
    R.run("cos preflight allowed (exact origin, PUT, allowed headers)", preflight_allowed)

    def preflight_wildcard_origin():
        r = options("http://static.example.net", "GET")
        eq(r.status_code, 200, "status (body %r)" % r.text[:300])
        eq(r.headers.get("Access-Control-Allow-Origin"), "http://static.example.net",
           "Access-Control-Allow-Origin")
    R.run("cos preflight allowed (wildcard origin http://*.example.net)", preflight_wildcard_origin)

    def preflight_star_rule():
        r = options("https://anyone.example.org", "HEAD", path="/?lifecycle")
        eq(r.status_code, 200, "status (body %r)" % r.text[:300])
        if r.headers.get("Access-Control-Allow-Origin") not in ("*", "https://anyone.example.org"):
            raise AssertionError("Access-Control-Allow-Origin %r"
                                 % r.headers.get("Access-Control-Allow-Origin"))
    R.run("cos preflight allowed (AllowedOrigin *, HEAD)", preflight_star_rule)

    def denied(r):
        eq(r.status_code, 403, "status (body %r)" % r.text[:300])
        if "Access-Control-Allow-Origin" in r.headers:
            raise AssertionError("denied preflight carries Access-Control-Allow-Origin %r"
                                 % r.headers["Access-Control-Allow-Origin"])
        if "AccessForbidden" not in r.text:
            raise AssertionError("body lacks AccessForbidden: %r" % r.text[:300])

    R.run("cos preflight denied (method DELETE not allowed)",
          lambda: denied(options("https://www.example.com", "DELETE")))
    R.run("cos preflight denied (origin not allowed)",
          lambda: denied(options("https://evil.example.org", "PUT")))
    R.run("cos preflight denied (request header not allowed)",
          lambda: denied(options("https://www.example.com", "PUT", "x-not-allowed")))

    R.run("cos delete_bucket_cors",
          lambda: eq(c.delete_bucket_cors(Bucket=bucket), None, "delete_bucket_cors result"))

    def get_cors_after_delete():
        e = cos_error(c.get_bucket_cors, Bucket=bucket)
        assert_cos_error(e, 404, "NoSuchCORSConfiguration")
    R.run("cos get_bucket_cors after delete -> CosServiceError 404 NoSuchCORSConfiguration",
          get_cors_after_delete)
    R.run("cos preflight denied after delete_bucket_cors",
          lambda: denied(options("https://www.example.com", "GET")))

    # --- 002: lifecycle -------------------------------------------------------------
    simple_lifecycle = {
        "Rule": [
            {
                "ID": "Rule-1",
                "Filter": {"Prefix": ""},
                "Status": "Enabled",
                "Expiration": {"Days": 200},
                "Transition": [{"Days": 100, "StorageClass": "Standard_IA"}],
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }
        ]
    }
    # The seed's "all parameters" example with valid values: Days or Date (never both),
    # transitions before expirations.
    full_lifecycle = {
        "Rule": [
            {
                "ID": "archive-logs",
                "Filter": {"And": {"Prefix": "logs/", "Tag": [{"Key": "type", "Value": "log"},
                                                              {"Key": "team", "Value": "ops"}]}},
                "Status": "Enabled",
                "Expiration": {"Days": 100},
                "Transition": [{"Days": 60, "StorageClass": "Archive"}],
                "NoncurrentVersionExpiration": {"NoncurrentDays": 100},
                "NoncurrentVersionTransition": [{"NoncurrentDays": 60,
                                                 "StorageClass": "Standard_IA"}],
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 100},
            },
            {
                "ID": "by-date",
                "Filter": {"Prefix": "tmp/"},
                "Status": "Disabled",
                "Expiration": {"Date": get_date(2031, 4, 20)},
                "Transition": [{"Date": get_date(2030, 4, 20), "StorageClass": "Archive"}],
            },
        ]
    }

    def expected_lifecycle(cfg):
        exp = copy.deepcopy(cfg)
        for rule in exp["Rule"]:
            for t in rule.get("Transition", []) + rule.get("NoncurrentVersionTransition", []):
                t["StorageClass"] = t["StorageClass"].upper()  # COS answers canonical names
        return sdk_shape(exp)

    def get_lifecycle_missing():
        e = cos_error(c.get_bucket_lifecycle, Bucket=bucket)
        assert_cos_error(e, 404, "NoSuchLifecycleConfiguration")
    R.run("cos get_bucket_lifecycle (never set) -> 404 NoSuchLifecycleConfiguration",
          get_lifecycle_missing)

    R.run("cos put_bucket_lifecycle (seed simple)",
          lambda: eq(c.put_bucket_lifecycle(Bucket=bucket,
                                            LifecycleConfiguration=copy.deepcopy(simple_lifecycle)),
                     None, "result"))
    R.run("cos get_bucket_lifecycle equals seed simple",
          lambda: eq(sdk_shape(c.get_bucket_lifecycle(Bucket=bucket)),
                     expected_lifecycle(simple_lifecycle), "lifecycle"))
    R.run("cos put_bucket_lifecycle (seed all parameters, valid values)",
          lambda: eq(c.put_bucket_lifecycle(Bucket=bucket,
                                            LifecycleConfiguration=copy.deepcopy(full_lifecycle)),
                     None, "result"))
    R.run("cos get_bucket_lifecycle equals seed all parameters",
          lambda: eq(sdk_shape(c.get_bucket_lifecycle(Bucket=bucket)),
                     expected_lifecycle(full_lifecycle), "lifecycle"))

    def lifecycle_days_and_date():
        bad = copy.deepcopy(simple_lifecycle)
        bad["Rule"][0]["Expiration"] = {"Days": 100, "Date": get_date(2031, 4, 20)}
        e = cos_error(c.put_bucket_lifecycle, Bucket=bucket, LifecycleConfiguration=bad)
        eq(e.get_status_code(), 400, "status")
        # The stored configuration is unchanged.
        eq(sdk_shape(c.get_bucket_lifecycle(Bucket=bucket)), expected_lifecycle(full_lifecycle),
           "lifecycle after rejected put")
    R.run("cos put_bucket_lifecycle Days+Date together -> 400, config unchanged",
          lifecycle_days_and_date)

    def lifecycle_seed_filter_shape():
        # The seed's all-parameters example puts Prefix and Tag side by side in Filter
        # (no <And>). Accepted; read back as the same filter, with or without <And>.
        cfg = {"Rule": [{"ID": "seed-filter",
                         "Filter": {"Prefix": "logs/", "Tag": [{"Key": "type", "Value": "log"}]},
                         "Status": "Enabled", "Expiration": {"Days": 30}}]}
        eq(c.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration=copy.deepcopy(cfg)),
           None, "result")
        rules = c.get_bucket_lifecycle(Bucket=bucket).get("Rule") or []
        eq(len(rules), 1, "rule count")
        f = rules[0].get("Filter") or {}
        f = f.get("And", f)
        tags = f.get("Tag")
        tags = [tags] if isinstance(tags, dict) else tags
        eq((f.get("Prefix"), tags), ("logs/", [{"Key": "type", "Value": "log"}]),
           "(Prefix, Tag)")
        eq(sdk_shape(rules[0].get("Expiration")), {"Days": "30"}, "Expiration")
    R.run("cos put/get_bucket_lifecycle with the seed's Filter {Prefix, Tag}",
          lifecycle_seed_filter_shape)

    R.run("cos delete_bucket_lifecycle",
          lambda: eq(c.delete_bucket_lifecycle(Bucket=bucket), None, "result"))
    R.run("cos get_bucket_lifecycle after delete -> 404 NoSuchLifecycleConfiguration",
          get_lifecycle_missing)

    # --- 002: versioning ------------------------------------------------------------
    def versioning_never_set():
        r = c.get_bucket_versioning(Bucket=bucket)
        if r.get("Status") is not None:
            raise AssertionError("never-versioned bucket reports Status %r" % r.get("Status"))
    R.run("cos get_bucket_versioning (never set) has no Status", versioning_never_set)

    def replication_without_versioning():
        e = cos_error(c.put_bucket_replication, Bucket=bucket,
                      ReplicationConfiguration=copy.deepcopy(simple_replication))
        eq(e.get_status_code(), 400, "status")
    simple_replication = {
        "Role": "qcs::cam::uin/100000000001:uin/100000000001",
        "Rule": [
            {
                "ID": "string",
                "Status": "Enabled",
                "Destination": {
                    "Bucket": "qcs::cos:ap-shanghai::destinationbucket-%s" % appid,
                    "StorageClass": "STANDARD",
                },
            }
        ],
    }
    R.run("cos put_bucket_replication before versioning -> 400", replication_without_versioning)

    R.run("cos put_bucket_versioning Enabled",
          lambda: eq(c.put_bucket_versioning(Bucket=bucket, Status="Enabled"), None, "result"))
    R.run("cos get_bucket_versioning -> Enabled",
          lambda: eq(c.get_bucket_versioning(Bucket=bucket), {"Status": "Enabled"}, "versioning"))

    # --- 002: replication (versioning is Enabled now) -------------------------------
    full_replication = {
        "Role": "qcs::cam::uin/100000000001:uin/100000000001",
        "Rule": [
            {
                "ID": "to-beijing",
                "Status": "Enabled",
                "Prefix": "images/",
                "Destination": {"Bucket": "qcs::cos:ap-beijing::destinationbucket-%s" % appid,
                                "StorageClass": "STANDARD"},
            },
            {
                "ID": "to-beijing-2",
                "Status": "Disabled",
                "Prefix": "videos/",
                "Destination": {"Bucket": "qcs::cos:ap-beijing::destinationbucket2-%s" % appid,
                                "StorageClass": "STANDARD_IA"},
            },
        ],
    }

    def get_replication_missing():
        e = cos_error(c.get_bucket_replication, Bucket=bucket)
        assert_cos_error(e, 404, "ReplicationConfigurationnotFoundError")
    R.run("cos get_bucket_replication (never set) -> 404", get_replication_missing)
    R.run("cos put_bucket_replication (seed simple)",
          lambda: eq(c.put_bucket_replication(Bucket=bucket,
                                               ReplicationConfiguration=copy.deepcopy(simple_replication)),
                     None, "result"))
    R.run("cos get_bucket_replication equals seed simple",
          lambda: eq(sdk_shape(c.get_bucket_replication(Bucket=bucket)),
                     sdk_shape(simple_replication), "replication"))
    R.run("cos put_bucket_replication (seed all parameters, two rules)",
          lambda: eq(c.put_bucket_replication(Bucket=bucket,
                                               ReplicationConfiguration=copy.deepcopy(full_replication)),
                     None, "result"))
    R.run("cos get_bucket_replication equals seed all parameters",
          lambda: eq(sdk_shape(c.get_bucket_replication(Bucket=bucket)),
                     sdk_shape(full_replication), "replication"))
    R.run("cos delete_bucket_replication",
          lambda: eq(c.delete_bucket_replication(Bucket=bucket), None, "result"))
    R.run("cos get_bucket_replication after delete -> 404 ReplicationConfigurationnotFoundError",
          get_replication_missing)

    R.run("cos put_bucket_versioning Suspended",
          lambda: eq(c.put_bucket_versioning(Bucket=bucket, Status="Suspended"), None, "result"))
    R.run("cos get_bucket_versioning -> Suspended",
          lambda: eq(c.get_bucket_versioning(Bucket=bucket), {"Status": "Suspended"},
                     "versioning"))

    # --- 002: bucket policy ---------------------------------------------------------
    policy = {
        "Statement": [
            {
                "Principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
                "Effect": "allow",
                "Action": ["name/cos:GetBucket"],
                "Resource": ["qcs::cos:%s:uid/%s:%s/*" % (region, appid, bucket)],
                "condition": {"ip_equal": {"qcs:ip": "10.121.2.10/24"}},
            }
        ],
        "version": "2.0",
    }

    def get_policy_missing():
        e = cos_error(c.get_bucket_policy, Bucket=bucket)
        assert_cos_error(e, 404, "NoSuchBucketPolicy")
    R.run("cos get_bucket_policy (never set) -> 404 NoSuchBucketPolicy", get_policy_missing)
    R.run("cos put_bucket_policy (seed policy)",
          lambda: eq(c.put_bucket_policy(Bucket=bucket, Policy=copy.deepcopy(policy)), None,
                     "result"))

    def get_policy():
        r = c.get_bucket_policy(Bucket=bucket)
        eq(sorted(r), ["Policy"], "result keys")
        eq(json.loads(r["Policy"]), policy, "json.loads(Policy)")
    R.run("cos get_bucket_policy equals what was put", get_policy)

    def malformed_policy():
        e = cos_error(c.put_bucket_policy, Bucket=bucket, Policy={"version": "2.0"})
        eq(e.get_status_code(), 400, "status")
    R.run("cos put_bucket_policy without Statement -> 400", malformed_policy)
    R.run("cos delete_bucket_policy",
          lambda: eq(c.delete_bucket_policy(Bucket=bucket), None, "result"))
    R.run("cos get_bucket_policy after delete -> 404 NoSuchBucketPolicy", get_policy_missing)

    # --- auth -----------------------------------------------------------------------
    bad = cos_client(info, port, secret_key="WrongSecretKey00000000000000000")

    def wrong_key_bucket():
        e = cos_error(bad.get_bucket_cors, Bucket=bucket)
        assert_cos_error(e, 403, "SignatureDoesNotMatch")
    R.run("cos wrong SecretKey (get_bucket_cors) -> 403 SignatureDoesNotMatch", wrong_key_bucket)

    def wrong_key_service():
        e = cos_error(bad.list_buckets)
        assert_cos_error(e, 403, "SignatureDoesNotMatch")
    R.run("cos wrong SecretKey (list_buckets) -> 403 SignatureDoesNotMatch", wrong_key_service)

    def wrong_key_no_side_effect():
        e = cos_error(bad.put_bucket_cors, Bucket=bucket, CORSConfiguration=copy.deepcopy(cors_config))
        assert_cos_error(e, 403, "SignatureDoesNotMatch")
        e = cos_error(c.get_bucket_cors, Bucket=bucket)
        assert_cos_error(e, 404, "NoSuchCORSConfiguration")
    R.run("cos wrong SecretKey put_bucket_cors -> 403 and nothing stored",
          wrong_key_no_side_effect)

    # --- objects (issue 15) ---------------------------------------------------------
    obj_bucket = "objbucket-%s" % appid

    def objects_round_trip():
        c.create_bucket(Bucket=obj_bucket)
        for key in ("docs/a.txt", "docs/b.txt", "docs/c.txt", "img/x.png"):
            r = c.put_object(Bucket=obj_bucket, Key=key, Body=("body of %s" % key).encode(),
                             ContentType="text/plain", Metadata={"x-cos-meta-author": "ann"})
            # The emulator's HTTP/1 server sends header names in lower case (COS: `ETag`),
            # and the SDK hands back the names as received, so look them up either way.
            etag = r.get("ETag") or r.get("etag") or ""
            if not etag.startswith('"'):
                raise AssertionError("put_object ETag %r" % etag)
        got = c.get_object(Bucket=obj_bucket, Key="docs/b.txt")
        eq(got["Body"].get_raw_stream().read(), b"body of docs/b.txt", "get_object body")
        lower = {k.lower(): v for k, v in got.items() if isinstance(v, str)}
        eq(lower.get("content-type"), "text/plain", "get_object Content-Type")
        eq(lower.get("x-cos-meta-author"), "ann", "get_object metadata")
        head = {k.lower(): v for k, v in c.head_object(Bucket=obj_bucket, Key="docs/a.txt").items()}
        eq(head.get("content-length"), str(len(b"body of docs/a.txt")), "head_object length")
    R.run("cos put_object/get_object/head_object", objects_round_trip)

    def objects_list():
        page = c.list_objects(Bucket=obj_bucket, Prefix="docs/", MaxKeys=2)
        eq([o["Key"] for o in page.get("Contents", [])], ["docs/a.txt", "docs/b.txt"],
           "first page keys")
        eq(page.get("IsTruncated"), "true", "first page IsTruncated")
        eq(page.get("NextMarker"), "docs/b.txt", "first page NextMarker")
        rest = c.list_objects(Bucket=obj_bucket, Prefix="docs/", Marker=page["NextMarker"])
        eq([o["Key"] for o in rest.get("Contents", [])], ["docs/c.txt"], "second page keys")
        eq(rest.get("IsTruncated"), "false", "second page IsTruncated")
        eq(rest["Contents"][0]["Size"], str(len(b"body of docs/c.txt")), "Size")
    R.run("cos list_objects (prefix, max-keys, marker)", objects_list)

    def objects_presigned():
        # Without IP/Port, as a web app would sign for a browser: the URL and the signed host
        # are the bucket's virtual host (the connect is redirected to the emulator).
        signer = CosS3Client(CosConfig(Region=region, SecretId=info["secret_id"],
                                       SecretKey=info["secret_key"], Scheme="http"))
        url = signer.get_presigned_url(Method="PUT", Bucket=obj_bucket, Key="up.txt",
                                       Expired=300)
        r = requests.put(url, data=b"uploaded", headers={"Content-Type": "text/plain"},
                         timeout=10)
        eq(r.status_code, 200, "pre-signed PUT status (%s)" % r.text[:200])
        got = c.get_object(Bucket=obj_bucket, Key="up.txt")
        eq(got["Body"].get_raw_stream().read(), b"uploaded", "object put by pre-signed URL")
    R.run("cos get_presigned_url PUT then get_object", objects_presigned)

    def objects_delete():
        e = cos_error(c.delete_bucket, Bucket=obj_bucket)
        assert_cos_error(e, 409, "BucketNotEmpty")
        for key in ("docs/a.txt", "docs/b.txt", "docs/c.txt", "img/x.png", "up.txt"):
            c.delete_object(Bucket=obj_bucket, Key=key)
        e = cos_error(c.get_object, Bucket=obj_bucket, Key="docs/a.txt")
        assert_cos_error(e, 404, "NoSuchKey")
        eq(c.list_objects(Bucket=obj_bucket).get("Contents"), None, "list after deletes")
        c.delete_bucket(Bucket=obj_bucket)
    R.run("cos delete_object, then the empty bucket deletes", objects_delete)

    # --- delete ---------------------------------------------------------------------
    def delete_nonempty():
        e = cos_error(c.delete_bucket, Bucket=nonempty_bucket)
        assert_cos_error(e, 409, "BucketNotEmpty")
        eq(c.bucket_exists(Bucket=nonempty_bucket), True, "bucket_exists after refused delete")
    if nonempty_bucket:
        R.run("cos delete_bucket (non-empty) -> 409 BucketNotEmpty", delete_nonempty)
    else:
        R.skip("cos delete_bucket (non-empty)", "could not prepare a non-empty bucket")

    def delete_all():
        for b, cl in [(bucket, c), (acl_bucket, c), (maz_bucket, c),
                      (gz_bucket, cos_client(info, port, region="ap-guangzhou"))]:
            eq(cl.delete_bucket(Bucket=b), None, "delete_bucket(%s)" % b)
            eq(cl.bucket_exists(Bucket=b), False, "bucket_exists(%s) after delete" % b)
        names = [x["Name"] for x in
                 ((c.list_buckets().get("Buckets") or {}).get("Bucket") or [])]
        for b in (bucket, acl_bucket, maz_bucket, gz_bucket):
            if b in names:
                raise AssertionError("%s still listed after delete" % b)
    R.run("cos delete_bucket (then bucket_exists False, not listed)", delete_all)

    def delete_missing():
        e = cos_error(c.delete_bucket, Bucket=missing)
        assert_cos_error(e, 404, "NoSuchBucket")
    R.run("cos delete_bucket (missing) -> 404 NoSuchBucket", delete_missing)


# ---------------------------------------------------------------------------
# R2 checks
# ---------------------------------------------------------------------------

def r2_client(info, token=None):
    return Cloudflare(api_token=token or info["api_token"], base_url=info["r2_base_url"],
                      max_retries=0)


def r2_error(exc_type, code, fn, *args, **kwargs):
    e = expect_raises(exc_type, fn, *args, **kwargs)
    if code is not None:
        body = e.body if isinstance(e.body, dict) else {}
        codes = [err.get("code") for err in body.get("errors") or [] if isinstance(err, dict)]
        if code not in codes:
            raise AssertionError("expected error code %s, got %s (body %r)" % (code, codes, e.body))
        eq(body.get("success"), False, "success")
    return e


SEED_CORS_RULE = {
    "allowed": {"methods": ["GET"], "origins": ["http://localhost:3000"],
                "headers": ["x-requested-by"]},
    "id": "Allow Local Development",
    "exposeHeaders": ["Content-Encoding"],
    "maxAgeSeconds": 3600,
}
SEED_CORS_RULE_KW = {
    "allowed": {"methods": ["GET"], "origins": ["http://localhost:3000"],
                "headers": ["x-requested-by"]},
    "id": "Allow Local Development",
    "expose_headers": ["Content-Encoding"],
    "max_age_seconds": 3600,
}


def r2_checks(R, emu, nonempty_r2):
    info = emu.info
    cf = r2_client(info)
    acct = info["account_id"]
    A = {"account_id": acct}
    EU = {"cf_r2_jurisdiction": "eu"}
    name = "xc-bucket"
    ia_name = "xc-ia-bucket"
    eu_name = "xc-eu-bucket"

    # --- buckets --------------------------------------------------------------------
    def create():
        b = cf.r2.buckets.create(name=name, **A)
        eq(b.name, name, "name")
        eq((b.storage_class, b.jurisdiction), ("Standard", "default"),
           "(storage_class, jurisdiction)")
        if not b.creation_date:
            raise AssertionError("no creation_date in %r" % b)
    R.run("r2 buckets.create", create)

    def create_ia():
        b = cf.r2.buckets.create(name=ia_name, location_hint="weur",
                                 storage_class="InfrequentAccess", **A)
        eq((b.name, (b.location or "").lower(), b.storage_class),
           (ia_name, "weur", "InfrequentAccess"), "(name, location, storage_class)")
    R.run("r2 buckets.create (location_hint weur, InfrequentAccess)", create_ia)

    def create_eu():
        b = cf.r2.buckets.create(name=eu_name, **A, **EU)
        eq((b.name, b.jurisdiction), (eu_name, "eu"), "(name, jurisdiction)")
    R.run("r2 buckets.create (cf_r2_jurisdiction=eu)", create_eu)

    R.run("r2 buckets.create twice -> ConflictError 10004",
          lambda: r2_error(cloudflare.ConflictError, 10004, cf.r2.buckets.create, name=name, **A))
    R.run("r2 buckets.create invalid name -> BadRequestError 10005",
          lambda: r2_error(cloudflare.BadRequestError, 10005, cf.r2.buckets.create,
                           name="Bad_Name", **A))

    def get():
        b = cf.r2.buckets.get(name, **A)
        eq((b.name, b.storage_class, b.jurisdiction), (name, "Standard", "default"),
           "(name, storage_class, jurisdiction)")
    R.run("r2 buckets.get", get)

    def get_eu():
        b = cf.r2.buckets.get(eu_name, **A, **EU)
        eq((b.name, b.jurisdiction), (eu_name, "eu"), "(name, jurisdiction)")
    R.run("r2 buckets.get (eu, with jurisdiction)", get_eu)
    R.run("r2 buckets.get (eu bucket without jurisdiction) -> NotFoundError 10006",
          lambda: r2_error(cloudflare.NotFoundError, 10006, cf.r2.buckets.get, eu_name, **A))
    R.run("r2 buckets.get (default bucket with eu jurisdiction) -> NotFoundError 10006",
          lambda: r2_error(cloudflare.NotFoundError, 10006, cf.r2.buckets.get, name, **A, **EU))

    def list_default():
        names = [b.name for b in (cf.r2.buckets.list(**A).buckets or [])]
        for n in (name, ia_name):
            if n not in names:
                raise AssertionError("%s not in default list %r" % (n, names))
        if eu_name in names:
            raise AssertionError("eu bucket %s visible in the default list %r" % (eu_name, names))
        names2 = [b.name for b in (cf.r2.buckets.list(cf_r2_jurisdiction="default", **A).buckets or [])]
        eq(sorted(names2), sorted(names), "list with explicit default jurisdiction")
    R.run("r2 buckets.list (default: no eu bucket)", list_default)

    def list_eu():
        r = cf.r2.buckets.list(**A, **EU)
        eq([b.name for b in r.buckets or []], [eu_name], "eu list")
        eq([b.jurisdiction for b in r.buckets or []], ["eu"], "eu list jurisdiction")
    R.run("r2 buckets.list (eu: only the eu bucket)", list_eu)

    def list_filters():
        r = cf.r2.buckets.list(name_contains="ia-", per_page=5, order="name", direction="asc", **A)
        eq([b.name for b in r.buckets or []], [ia_name], "name_contains=ia-")
    R.run("r2 buckets.list (name_contains, per_page, order, direction)", list_filters)

    # --- CORS (seed 003) ------------------------------------------------------------
    R.run("r2 cors.get (never set) -> NotFoundError 10059",
          lambda: r2_error(cloudflare.NotFoundError, 10059, cf.r2.buckets.cors.get, name, **A))
    R.run("r2 cors.update (seed rule)",
          lambda: cf.r2.buckets.cors.update(name, rules=[copy.deepcopy(SEED_CORS_RULE_KW)], **A))

    def cors_get():
        r = cf.r2.buckets.cors.get(name, **A)
        eq(r.to_dict(mode="json"), {"rules": [SEED_CORS_RULE]}, "cors (wire names)")
        rule = r.rules[0]
        eq((rule.id, rule.max_age_seconds, rule.expose_headers, rule.allowed.origins,
            rule.allowed.methods, rule.allowed.headers),
           ("Allow Local Development", 3600, ["Content-Encoding"], ["http://localhost:3000"],
            ["GET"], ["x-requested-by"]), "cors (model attributes)")
    R.run("r2 cors.get equals the seed rule", cors_get)

    R.run("r2 cors.get on the eu bucket (not configured) -> NotFoundError 10059",
          lambda: r2_error(cloudflare.NotFoundError, 10059, cf.r2.buckets.cors.get, eu_name,
                           **A, **EU))

    def cors_eu():
        cf.r2.buckets.cors.update(eu_name, rules=[copy.deepcopy(SEED_CORS_RULE_KW)], **A, **EU)
        eq(cf.r2.buckets.cors.get(eu_name, **A, **EU).to_dict(mode="json"), {"rules": [SEED_CORS_RULE]},
           "eu cors")
    R.run("r2 cors.update + get (eu)", cors_eu)

    def cors_s3_shape():
        # S3-style rule shape (AllowedOrigins...) is not R2's: rejected, config unchanged.
        r2_error(cloudflare.BadRequestError, None, cf.r2.buckets.cors.update, name,
                 rules=[{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}], **A)
        eq(cf.r2.buckets.cors.get(name, **A).to_dict(mode="json"), {"rules": [SEED_CORS_RULE]},
           "cors after rejected update")
    R.run("r2 cors.update with S3-shaped rule -> BadRequestError, unchanged", cors_s3_shape)

    R.run("r2 cors.delete", lambda: cf.r2.buckets.cors.delete(name, **A))
    R.run("r2 cors.get after delete -> NotFoundError 10059",
          lambda: r2_error(cloudflare.NotFoundError, 10059, cf.r2.buckets.cors.get, name, **A))

    # --- lifecycle ------------------------------------------------------------------
    default_rule = {
        "id": "Default Multipart Abort Rule",
        "enabled": True,
        "conditions": {"prefix": ""},
        "abortMultipartUploadsTransition": {"condition": {"type": "Age", "maxAge": 604800}},
    }
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

    R.run("r2 lifecycle.get (new bucket: default multipart-abort rule)",
          lambda: eq(cf.r2.buckets.lifecycle.get(name, **A).to_dict(mode="json"),
                     {"rules": [default_rule]}, "lifecycle"))
    R.run("r2 lifecycle.update (age + date rules)",
          lambda: cf.r2.buckets.lifecycle.update(name, rules=[age_rule_kw, date_rule_kw], **A))
    R.run("r2 lifecycle.get equals what was put",
          lambda: eq(cf.r2.buckets.lifecycle.get(name, **A).to_dict(mode="json"),
                     {"rules": [age_rule, date_rule]}, "lifecycle"))

    def lifecycle_eu():
        cf.r2.buckets.lifecycle.update(eu_name, rules=[age_rule_kw], **A, **EU)
        eq(cf.r2.buckets.lifecycle.get(eu_name, **A, **EU).to_dict(mode="json"), {"rules": [age_rule]},
           "eu lifecycle")
        eq(cf.r2.buckets.lifecycle.get(name, **A).to_dict(mode="json"), {"rules": [age_rule, date_rule]},
           "default-jurisdiction lifecycle untouched")
    R.run("r2 lifecycle.update + get (eu, isolated)", lifecycle_eu)

    def lifecycle_clear():
        cf.r2.buckets.lifecycle.update(name, rules=[], **A)
        eq(cf.r2.buckets.lifecycle.get(name, **A).to_dict(mode="json"), {"rules": []}, "lifecycle")
    R.run("r2 lifecycle.update (empty rules clears)", lifecycle_clear)

    # --- managed (r2.dev) domain ----------------------------------------------------
    def managed_get():
        m = cf.r2.buckets.domains.managed.list(name, **A)
        eq(m.enabled, False, "enabled")
        if not re.match(r"^pub-[0-9a-f]{32}\.r2\.dev$", m.domain or ""):
            raise AssertionError("managed domain %r" % m.domain)
        if not m.bucket_id:
            raise AssertionError("no bucket_id in %r" % m)
        return m
    managed = R.run("r2 domains.managed get (disabled by default)", managed_get)

    def managed_update():
        m = cf.r2.buckets.domains.managed.update(name, enabled=True, **A)
        eq(m.enabled, True, "update result enabled")
        g = cf.r2.buckets.domains.managed.list(name, **A)
        eq(g.enabled, True, "get enabled")
        if managed is not None:
            eq((g.domain, g.bucket_id), (managed.domain, managed.bucket_id), "(domain, bucket_id)")
        m = cf.r2.buckets.domains.managed.update(name, enabled=False, **A)
        eq(m.enabled, False, "disable result enabled")
    R.run("r2 domains.managed update (enable, get, disable)", managed_update)

    # --- custom domains -------------------------------------------------------------
    zone = "023e105f4ecef8ad9ca31a8372d0c353"
    ciphers = ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]

    def custom_create():
        r = cf.r2.buckets.domains.custom.create(name, domain="assets.example.com", enabled=True,
                                                zone_id=zone, min_tls="1.2", ciphers=ciphers, **A)
        eq((r.domain, r.enabled, r.min_tls), ("assets.example.com", True, "1.2"),
           "(domain, enabled, min_tls)")
        r = cf.r2.buckets.domains.custom.create(name, domain="cdn.example.com", enabled=False,
                                                zone_id=zone, **A)
        eq((r.domain, r.enabled), ("cdn.example.com", False), "(domain, enabled)")
    R.run("r2 domains.custom create (full and minimal)", custom_create)

    def custom_list():
        r = cf.r2.buckets.domains.custom.list(name, **A)
        eq(sorted(d.domain for d in r.domains), ["assets.example.com", "cdn.example.com"],
           "domains")
        eq(cf.r2.buckets.domains.custom.list(eu_name, **A, **EU).domains, [], "eu domains")
    R.run("r2 domains.custom list", custom_list)

    def custom_get():
        d = cf.r2.buckets.domains.custom.get("assets.example.com", bucket_name=name, **A)
        eq((d.domain, d.enabled, d.min_tls, d.zone_id, d.zone_name, d.ciphers),
           ("assets.example.com", True, "1.2", zone, "example.com", ciphers),
           "(domain, enabled, min_tls, zone_id, zone_name, ciphers)")
        if d.status is None or not d.status.ownership or not d.status.ssl:
            raise AssertionError("status %r" % d.status)
    R.run("r2 domains.custom get", custom_get)

    def custom_update():
        r = cf.r2.buckets.domains.custom.update("assets.example.com", bucket_name=name,
                                                min_tls="1.3", enabled=False,
                                                ciphers=["ECDHE-ECDSA-CHACHA20-POLY1305"], **A)
        eq((r.domain, r.enabled, r.min_tls), ("assets.example.com", False, "1.3"),
           "update result")
        d = cf.r2.buckets.domains.custom.get("assets.example.com", bucket_name=name, **A)
        eq((d.enabled, d.min_tls, d.ciphers), (False, "1.3", ["ECDHE-ECDSA-CHACHA20-POLY1305"]),
           "get after update")
        r = cf.r2.buckets.domains.custom.update("assets.example.com", bucket_name=name, **A)
        eq(r.domain, "assets.example.com", "update with nothing: domain")
        d = cf.r2.buckets.domains.custom.get("assets.example.com", bucket_name=name, **A)
        eq((d.enabled, d.min_tls), (False, "1.3"), "get after empty update")
    R.run("r2 domains.custom update", custom_update)

    def custom_delete():
        r = cf.r2.buckets.domains.custom.delete("cdn.example.com", bucket_name=name, **A)
        eq(r.domain, "cdn.example.com", "delete result domain")
        r2_error(cloudflare.NotFoundError, None, cf.r2.buckets.domains.custom.get,
                 "cdn.example.com", bucket_name=name, **A)
        eq([d.domain for d in cf.r2.buckets.domains.custom.list(name, **A).domains],
           ["assets.example.com"], "domains after delete")
    R.run("r2 domains.custom delete (then get -> NotFoundError)", custom_delete)

    # --- bucket locks ---------------------------------------------------------------
    lock_wire = [
        {"id": "retain-30d", "enabled": True, "prefix": "invoices/",
         "condition": {"type": "Age", "maxAgeSeconds": 2592000}},
        {"id": "until-2030", "enabled": True,
         "condition": {"type": "Date", "date": "2030-01-01T00:00:00Z"}},
        {"id": "legal-hold", "enabled": False, "prefix": "legal/",
         "condition": {"type": "Indefinite"}},
    ]
    lock_kw = [
        {"id": "retain-30d", "enabled": True, "prefix": "invoices/",
         "condition": {"type": "Age", "max_age_seconds": 2592000}},
        {"id": "until-2030", "enabled": True,
         "condition": {"type": "Date", "date": "2030-01-01T00:00:00Z"}},
        {"id": "legal-hold", "enabled": False, "prefix": "legal/",
         "condition": {"type": "Indefinite"}},
    ]
    R.run("r2 locks.get (new bucket: no rules)",
          lambda: eq(cf.r2.buckets.locks.get(name, **A).to_dict(mode="json"), {"rules": []}, "locks"))
    R.run("r2 locks.update (Age, Date, Indefinite)",
          lambda: cf.r2.buckets.locks.update(name, rules=copy.deepcopy(lock_kw), **A))
    R.run("r2 locks.get equals what was put",
          lambda: eq(cf.r2.buckets.locks.get(name, **A).to_dict(mode="json"), {"rules": lock_wire}, "locks"))

    def locks_clear():
        cf.r2.buckets.locks.update(name, rules=[], **A)
        eq(cf.r2.buckets.locks.get(name, **A).to_dict(mode="json"), {"rules": []}, "locks")
    R.run("r2 locks.update (empty rules clears)", locks_clear)

    # --- storage class --------------------------------------------------------------
    def edit():
        b = cf.r2.buckets.edit(name, storage_class="InfrequentAccess", **A)
        eq((b.name, b.storage_class), (name, "InfrequentAccess"), "edit result")
        eq(cf.r2.buckets.get(name, **A).storage_class, "InfrequentAccess", "get after edit")
        b = cf.r2.buckets.edit(eu_name, storage_class="InfrequentAccess", **A, **EU)
        eq((b.storage_class, b.jurisdiction), ("InfrequentAccess", "eu"), "eu edit result")
    R.run("r2 buckets.edit storage class (default and eu)", edit)

    # --- auth -----------------------------------------------------------------------
    def wrong_token():
        bad = r2_client(info, token="wrong-token-0000000000000000000000000000")
        try:
            e = expect_raises(cloudflare.AuthenticationError, bad.r2.buckets.list, **A)
        finally:
            bad.close()
        eq(e.status_code, 401, "status")
    R.run("r2 wrong token -> AuthenticationError 401", wrong_token)

    def wrong_account():
        r2_error(cloudflare.APIStatusError, None, cf.r2.buckets.get, name,
                 account_id="f" * 32)
    R.run("r2 other account id -> API error", wrong_account)

    # --- delete ---------------------------------------------------------------------
    if nonempty_r2:
        R.run("r2 buckets.delete (non-empty) -> ConflictError 10008",
              lambda: r2_error(cloudflare.ConflictError, 10008, cf.r2.buckets.delete,
                               nonempty_r2, **A))
    else:
        R.skip("r2 buckets.delete (non-empty)", "could not prepare a non-empty bucket")

    R.run("r2 buckets.delete (eu bucket without jurisdiction) -> NotFoundError 10006",
          lambda: r2_error(cloudflare.NotFoundError, 10006, cf.r2.buckets.delete, eu_name, **A))

    def delete_all():
        cf.r2.buckets.delete(name, **A)
        cf.r2.buckets.delete(ia_name, **A)
        cf.r2.buckets.delete(eu_name, **A, **EU)
        r2_error(cloudflare.NotFoundError, 10006, cf.r2.buckets.get, name, **A)
        r2_error(cloudflare.NotFoundError, 10006, cf.r2.buckets.get, eu_name, **A, **EU)
        left = [b.name for b in cf.r2.buckets.list(**A).buckets or []]
        for n in (name, ia_name):
            if n in left:
                raise AssertionError("%s still listed after delete: %r" % (n, left))
        eq(cf.r2.buckets.list(**A, **EU).buckets or [], [], "eu list after delete")
    R.run("r2 buckets.delete (default and eu; then get -> NotFoundError)", delete_all)
    cf.close()


# ---------------------------------------------------------------------------
# Non-empty buckets: a first run creates the buckets and puts one object in each (COS with the
# SDK's put_object, R2 on the emulator's object route, which the SDK does not cover); the main
# run loads them via --data-dir, so a refused delete also shows that objects persist.
# ---------------------------------------------------------------------------

def prepare_nonempty(binary, data_dir):
    with EmulatorProcess(binary, data_dir) as emu:
        _COS_PORT["port"] = emu.port
        cos_name = "nonemptybucket-%s" % emu.info["appid"]
        r2_name = "xc-nonempty-bucket"
        c = cos_client(emu.info, emu.port)
        c.create_bucket(Bucket=cos_name)
        c.put_object(Bucket=cos_name, Key="keep.txt", Body=b"not empty")
        cf = r2_client(emu.info)
        cf.r2.buckets.create(name=r2_name, account_id=emu.info["account_id"])
        cf.close()
        r = requests.put("http://127.0.0.1:%d/client/v4/accounts/%s/r2/buckets/%s/objects/keep.txt"
                         % (emu.port, emu.info["account_id"], r2_name),
                         headers={"Authorization": "Bearer %s" % emu.info["api_token"]},
                         data=b"not empty", timeout=10)
        r.raise_for_status()
    return cos_name, r2_name


def main(argv):
    started = time.time()
    binary = argv[1] if len(argv) > 1 else os.environ.get("EMULATOR_BIN")
    if not binary:
        binary = os.path.join(REPO_ROOT, "target", "debug", "bucket-admin-emulator")
        alt = os.environ.get("CARGO_TARGET_DIR")
        if alt and not os.path.exists(binary):
            binary = os.path.join(REPO_ROOT, alt, "debug", "bucket-admin-emulator")
    binary = os.path.abspath(binary)
    if not os.access(binary, os.X_OK):
        print("error: emulator binary %s not found or not executable "
              "(build it with `cargo build -p bucket-admin-emulator`, or pass its path)"
              % binary, file=sys.stderr)
        print("0 passed, 1 failed")
        return 2
    print("emulator: %s" % binary)
    print("python %s, cloudflare %s" % (sys.version.split()[0], cloudflare.__version__))

    # SIGTERM (e.g. a CI timeout) unwinds through the finally blocks, stopping the emulator.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    redirect_cos_hosts()
    R = Results()
    data_dir = tempfile.mkdtemp(prefix="bucket-admin-crosscheck-")
    try:
        nonempty_cos = nonempty_r2 = None
        try:
            nonempty_cos, nonempty_r2 = prepare_nonempty(binary, data_dir)
        except Exception as e:  # noqa: BLE001
            R.fail("setup: non-empty buckets via --data-dir",
                   "%s: %s" % (type(e).__name__, _short(e, 2000)))
        emu = EmulatorProcess(binary, data_dir)
        try:
            emu.start()
            _COS_PORT["port"] = emu.port
            print("emulator listening on 127.0.0.1:%d (data dir %s)" % (emu.port, data_dir),
                  flush=True)

            def persisted():
                c = cos_client(emu.info, emu.port)
                eq(c.bucket_exists(Bucket=nonempty_cos), True, "COS bucket after restart")
                r = r2_client(emu.info)
                try:
                    eq(r.r2.buckets.get(nonempty_r2, account_id=emu.info["account_id"]).name,
                       nonempty_r2, "R2 bucket after restart")
                finally:
                    r.close()
            if nonempty_cos and nonempty_r2:
                R.run("emulator --data-dir: buckets persist across a restart", persisted)

            for label, fn, arg in (("cos", cos_checks, nonempty_cos),
                                   ("r2", r2_checks, nonempty_r2)):
                try:
                    fn(R, emu, arg)
                except Exception as e:  # noqa: BLE001 - keep going with the other SDK
                    R.fail("%s checks aborted" % label, "%s: %s\n%s" % (
                        type(e).__name__, _short(e, 2000), traceback.format_exc(limit=5)))
            if emu.proc is None or emu.proc.poll() is not None:
                R.fail("emulator still running after the checks",
                       "exit status %s; stderr: %s" % (
                           emu.proc.returncode if emu.proc else "?", emu.stderr_text()))
        except Exception as e:  # noqa: BLE001
            R.fail("emulator start", "%s: %s" % (type(e).__name__, _short(e, 2000)))
        finally:
            emu.stop()
    finally:
        _COS_PORT["port"] = None
        shutil.rmtree(data_dir, ignore_errors=True)

    print("")
    if R.xfailed:
        print("%d expected failure(s) (known emulator gaps, see xfail lines above)" % R.xfailed)
    if R.failures:
        print("failed checks:")
        for name in R.failures:
            print("  - %s" % name)
    print("runtime %.1fs" % (time.time() - started))
    print("%d passed, %d failed" % (R.passed, R.failed))
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
