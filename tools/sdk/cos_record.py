#!/usr/bin/env python3
"""Record what the official COS Python SDK puts on the wire for bucket operations.

A stdlib HTTP server on 127.0.0.1 (random free port, own thread) answers every
request with a canned, realistic COS response; the official SDK
(`cos-python-sdk-v5`, pinned in requirements.txt) is pointed at it with

    CosConfig(Region='ap-beijing', SecretId=..., SecretKey=..., Scheme='http',
              IP='127.0.0.1', Port=port)

With IP/Port the SDK connects to ip:port but sends the real virtual-host
`Host: <bucket>.cos.ap-beijing.myqcloud.com` header (and signs that value).
`list_buckets` ignores IP/Port (it always uses http(s)://service.cos.myqcloud.com/),
so for the whole run urllib3's connect step is redirected for *.myqcloud.com
hosts to the local server: the SDK, requests and the Host header are untouched.

Time is pinned (qcloud_cos.cos_auth.time.time, and qcloud_cos.cos_client's
time.sleep becomes a no-op that is logged), request ids are fixed, and the random
server port is replaced by `PORT` in the output, so reruns are byte-identical.

Output: crates/cos/tests/data/recorded/{buckets,cors,lifecycle,versioning,
replication,policy,errors}.json

Usage:
    python tools/sdk/cos_record.py [--out-dir crates/cos/tests/data/recorded]
"""

import argparse
import base64
import collections
import hashlib
import json
import os
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote

import urllib3.util.connection
from qcloud_cos import CosConfig, CosS3Client, get_date
from qcloud_cos import cos_auth, cos_client
from qcloud_cos.cos_exception import CosClientError, CosServiceError
from qcloud_cos.version import __version__ as SDK_VERSION

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "crates", "cos", "tests", "data", "recorded")

NOW = 1700000000                              # pinned clock (2023-11-14T22:13:20Z)
HTTP_DATE = "Tue, 14 Nov 2023 22:13:20 GMT"    # == NOW, used in canned Date headers
SECRET_ID = "AKIDEXAMPLEexampleEXAMPLEexample1234"
SECRET_KEY = "SecretKeyExample0123456789abcdef"
TOKEN = "TmpToken+/=example-session-token"
REGION = "ap-beijing"
BUCKET = "examplebucket-1250000000"
BUCKET_HOST = "%s.cos.%s.myqcloud.com" % (BUCKET, REGION)
OWNER_UIN = "100000000001"


# ---------------------------------------------------------------------------
# Pinning
# ---------------------------------------------------------------------------

SLEEPS = []  # retry back-off the SDK asked for (cos_client calls time.sleep(j))


def pin_clock():
    cos_auth.time = types.SimpleNamespace(time=lambda: NOW)
    cos_client.time = types.SimpleNamespace(time=lambda: NOW, sleep=SLEEPS.append)


def redirect_cos_hosts(port):
    """Send connections for *.myqcloud.com / *.tencentcos.cn to the local server.

    urllib3.connection calls `connection.create_connection((host, port), ...)`
    via the module attribute, so patching it reroutes the TCP connect only.
    """
    original = urllib3.util.connection.create_connection

    def create_connection(address, *args, **kwargs):
        host, _ = address
        if host.endswith((".myqcloud.com", ".tencentcos.cn")):
            address = ("127.0.0.1", port)
        return original(address, *args, **kwargs)

    urllib3.util.connection.create_connection = create_connection


# ---------------------------------------------------------------------------
# The canned server
# ---------------------------------------------------------------------------

class CannedServer(object):
    """Serves queued responses in order and records every request received."""

    def __init__(self):
        self.queue = collections.deque()
        self.received = []
        self.lock = threading.Lock()
        handler = self._make_handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _make_handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the real service

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                request = {
                    "method": self.command,
                    "path": path,
                    "query": query,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body.decode("utf-8"),
                }
                with server.lock:
                    server.received.append(request)
                    canned = server.queue.popleft() if server.queue else None
                if canned is None:
                    canned = xml_error(500, "InternalError", "recorder: no canned response queued")
                if callable(canned):
                    canned = canned(request)
                # Attach before writing: the client may move on as soon as it
                # has read the response.
                request["_served"] = canned
                payload = canned["body"].encode("utf-8")
                self.send_response_only(canned["status"])  # no auto Server/Date headers
                for name, value in canned["headers"]:
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD" and payload:
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_OPTIONS = _handle

        return Handler


# ---------------------------------------------------------------------------
# Canned COS responses
# ---------------------------------------------------------------------------

_request_counter = [0]


def next_request_id():
    """Deterministic ids shaped like COS's base64 request ids."""
    _request_counter[0] += 1
    raw = "6553f160_%08x_%04x_%07x" % (0x9b1f2c4e, 0x28a0, 0x1d8a000 + _request_counter[0])
    return base64.b64encode(raw.encode()).decode()


def trace_id(request_id):
    return base64.b64encode(hashlib.sha256(request_id.encode()).hexdigest().encode()).decode()


def response(status, body="", content_type=None, extra=()):
    """A COS-like response: Server/Date/x-cos-request-id, keep-alive, exact length.

    204 responses carry no Content-Length/Content-Type, like the real service.
    """
    rid = next_request_id()
    headers = []
    if content_type:
        headers.append(["Content-Type", content_type])
    if status != 204:
        headers.append(["Content-Length", str(len(body.encode("utf-8")))])
    headers += [["Connection", "keep-alive"], ["Date", HTTP_DATE], ["Server", "tencent-cos"],
                ["x-cos-request-id", rid]]
    headers += [list(h) for h in extra]
    return {"status": status, "headers": headers, "body": body}


def xml_ok(body):
    return response(200, body, "application/xml")


def empty_ok(status=200, extra=()):
    return response(status, "", None, extra)


def error_body(code, message, resource, rid, extra_elements=""):
    return ("<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n"
            "\t<Code>%s</Code>\n\t<Message>%s</Message>\n\t<Resource>%s</Resource>\n"
            "\t<RequestId>%s</RequestId>\n\t<TraceId>%s</TraceId>\n%s</Error>"
            % (code, message, resource, rid, trace_id(rid), extra_elements))


def xml_error(status, code, message, resource=BUCKET_HOST + "/", extra_elements=""):
    resp = response(status, "", "application/xml", [["x-cos-trace-id", "placeholder"]])
    rid = dict(resp["headers"])["x-cos-request-id"]
    body = error_body(code, message, resource, rid, extra_elements)
    resp["body"] = body
    resp["headers"] = [[k, (str(len(body.encode("utf-8"))) if k == "Content-Length"
                            else trace_id(rid) if k == "x-cos-trace-id" else v)]
                       for k, v in resp["headers"]]
    return resp


# ---------------------------------------------------------------------------
# Driving the SDK
# ---------------------------------------------------------------------------

def jsonable(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


class Session(object):
    def __init__(self, server):
        self.server = server
        self.groups = collections.OrderedDict()
        conf = CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY,
                         Scheme="http", IP="127.0.0.1", Port=server.port)
        self.client = CosS3Client(conf)
        tconf = CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY, Token=TOKEN,
                          Scheme="http", IP="127.0.0.1", Port=server.port)
        self.token_client = CosS3Client(tconf)

    def call(self, group, name, function, kwargs, responses, note=None, client=None):
        """Queue `responses`, run client.<function>(**kwargs), record everything."""
        client = client or self.client
        self.server.queue.extend(responses)
        start = len(self.server.received)
        del SLEEPS[:]
        entry = collections.OrderedDict()
        entry["name"] = name
        if note:
            entry["note"] = note
        entry["sdk_call"] = {"function": function, "kwargs": jsonable(kwargs)}
        if client is self.token_client:
            entry["sdk_call"]["config"] = {"Token": TOKEN}
        try:
            result = getattr(client, function)(**kwargs)
            entry["sdk_result"] = jsonable(result)
            entry["sdk_error"] = None
        except CosServiceError as e:
            entry["sdk_result"] = None
            entry["sdk_error"] = {
                "class": type(e).__name__,
                "status": e.get_status_code(),
                "code": e.get_error_code(),
                "message": e.get_error_msg(),
                "request_id": e.get_request_id(),
                "digest": jsonable(e.get_digest_msg()),
                "origin_msg": jsonable(e.get_origin_msg()),
            }
        except CosClientError as e:
            entry["sdk_result"] = None
            entry["sdk_error"] = {"class": type(e).__name__, "message": str(e)}
        exchanges = self.server.received[start:]
        assert not self.server.queue, "%s: %d canned responses unused" % (name, len(self.server.queue))
        assert exchanges, "%s: no request reached the server" % name
        served = [ex.pop("_served") for ex in exchanges]
        entry["request"] = exchanges[0]
        entry["response"] = served[0]
        if len(exchanges) > 1:
            entry["additional_exchanges"] = [
                {"request": rq, "response": rs} for rq, rs in zip(exchanges[1:], served[1:])]
        if SLEEPS:
            entry["sdk_sleeps_seconds"] = list(SLEEPS)
        # Put sdk_result/sdk_error last for readability.
        for k in ("sdk_result", "sdk_error"):
            entry[k] = entry.pop(k)
        self.groups.setdefault(group, []).append(entry)
        return entry


# ---------------------------------------------------------------------------
# Canned bodies shaped like the real service
# ---------------------------------------------------------------------------

def list_buckets_body(buckets, marker="", next_marker="", truncated="false"):
    items = "".join(
        "\t\t<Bucket>\n\t\t\t<Name>%s</Name>\n\t\t\t<Location>%s</Location>\n"
        "\t\t\t<CreationDate>%s</CreationDate>\n\t\t\t<BucketType>cos</BucketType>\n\t\t</Bucket>\n"
        % b for b in buckets)
    buckets_xml = "\t<Buckets>\n%s\t</Buckets>\n" % items if buckets else "\t<Buckets/>\n"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult>\n'
            "\t<Owner>\n\t\t<ID>qcs::cam::uin/%s:uin/%s</ID>\n\t\t<DisplayName>%s</DisplayName>\n\t</Owner>\n"
            "%s\t<Marker>%s</Marker>\n\t<NextMarker>%s</NextMarker>\n\t<IsTruncated>%s</IsTruncated>\n"
            "</ListAllMyBucketsResult>" % (OWNER_UIN, OWNER_UIN, OWNER_UIN, buckets_xml,
                                            marker, next_marker, truncated))


CORS_TWO_RULES_XML = """<?xml version='1.0' encoding='utf-8' ?>
<CORSConfiguration>
	<CORSRule>
		<ID>web-upload</ID>
		<AllowedOrigin>https://www.example.com</AllowedOrigin>
		<AllowedOrigin>https://*.example.net</AllowedOrigin>
		<AllowedMethod>PUT</AllowedMethod>
		<AllowedMethod>POST</AllowedMethod>
		<AllowedMethod>GET</AllowedMethod>
		<AllowedHeader>*</AllowedHeader>
		<ExposeHeader>ETag</ExposeHeader>
		<ExposeHeader>x-cos-request-id</ExposeHeader>
		<MaxAgeSeconds>600</MaxAgeSeconds>
	</CORSRule>
	<CORSRule>
		<AllowedOrigin>*</AllowedOrigin>
		<AllowedMethod>GET</AllowedMethod>
		<AllowedMethod>HEAD</AllowedMethod>
	</CORSRule>
	<ResponseVary>true</ResponseVary>
</CORSConfiguration>"""

CORS_ONE_RULE_XML = """<?xml version='1.0' encoding='utf-8' ?>
<CORSConfiguration>
	<CORSRule>
		<ID>1234</ID>
		<AllowedOrigin>http://www.qq.com</AllowedOrigin>
		<AllowedMethod>GET</AllowedMethod>
		<AllowedHeader>x-cos-meta-test</AllowedHeader>
		<ExposeHeader>x-cos-meta-test1</ExposeHeader>
		<MaxAgeSeconds>500</MaxAgeSeconds>
	</CORSRule>
</CORSConfiguration>"""

LIFECYCLE_FULL_XML = """<?xml version='1.0' encoding='utf-8' ?>
<LifecycleConfiguration>
	<Rule>
		<ID>archive-logs</ID>
		<Filter>
			<Prefix>logs/</Prefix>
			<Tag>
				<Key>type</Key>
				<Value>log</Value>
			</Tag>
		</Filter>
		<Status>Enabled</Status>
		<Transition>
			<Days>30</Days>
			<StorageClass>STANDARD_IA</StorageClass>
		</Transition>
		<Transition>
			<Days>90</Days>
			<StorageClass>ARCHIVE</StorageClass>
		</Transition>
		<Expiration>
			<Days>365</Days>
		</Expiration>
		<NoncurrentVersionTransition>
			<NoncurrentDays>30</NoncurrentDays>
			<StorageClass>STANDARD_IA</StorageClass>
		</NoncurrentVersionTransition>
		<NoncurrentVersionExpiration>
			<NoncurrentDays>100</NoncurrentDays>
		</NoncurrentVersionExpiration>
		<AbortIncompleteMultipartUpload>
			<DaysAfterInitiation>7</DaysAfterInitiation>
		</AbortIncompleteMultipartUpload>
	</Rule>
	<Rule>
		<ID>expire-tmp-by-date</ID>
		<Filter>
			<Prefix>tmp/</Prefix>
		</Filter>
		<Status>Disabled</Status>
		<Expiration>
			<Date>2021-04-20T00:00:00+08:00</Date>
		</Expiration>
	</Rule>
</LifecycleConfiguration>"""

LIFECYCLE_ONE_RULE_XML = """<?xml version='1.0' encoding='utf-8' ?>
<LifecycleConfiguration>
	<Rule>
		<ID>Rule-1</ID>
		<Filter>
			<Prefix/>
		</Filter>
		<Status>Enabled</Status>
		<Transition>
			<Days>100</Days>
			<StorageClass>STANDARD_IA</StorageClass>
		</Transition>
		<Expiration>
			<Days>200</Days>
		</Expiration>
		<AbortIncompleteMultipartUpload>
			<DaysAfterInitiation>7</DaysAfterInitiation>
		</AbortIncompleteMultipartUpload>
	</Rule>
</LifecycleConfiguration>"""

LIFECYCLE_AND_FILTER_XML = """<?xml version='1.0' encoding='utf-8' ?>
<LifecycleConfiguration>
	<Rule>
		<ID>and-filter</ID>
		<Filter>
			<And>
				<Prefix>projects/</Prefix>
				<Tag>
					<Key>team</Key>
					<Value>data</Value>
				</Tag>
			</And>
		</Filter>
		<Status>Enabled</Status>
		<Expiration>
			<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>
		</Expiration>
	</Rule>
</LifecycleConfiguration>"""

REPLICATION_TWO_RULES_XML = """<?xml version='1.0' encoding='utf-8' ?>
<ReplicationConfiguration>
	<Role>qcs::cam::uin/100000000001:uin/100000000001</Role>
	<Rule>
		<ID>to-beijing</ID>
		<Status>Enabled</Status>
		<Prefix>images/</Prefix>
		<Destination>
			<Bucket>qcs::cos:ap-beijing::destinationbucket-1250000000</Bucket>
			<StorageClass>STANDARD</StorageClass>
		</Destination>
	</Rule>
	<Rule>
		<ID>to-beijing-2</ID>
		<Status>Disabled</Status>
		<Prefix>videos/</Prefix>
		<Destination>
			<Bucket>qcs::cos:ap-beijing::destinationbucket2-1250000000</Bucket>
			<StorageClass>STANDARD_IA</StorageClass>
		</Destination>
	</Rule>
</ReplicationConfiguration>"""

REPLICATION_ONE_RULE_XML = """<?xml version='1.0' encoding='utf-8' ?>
<ReplicationConfiguration>
	<Role>qcs::cam::uin/100000000001:uin/100000000001</Role>
	<Rule>
		<ID>string</ID>
		<Status>Enabled</Status>
		<Prefix></Prefix>
		<Destination>
			<Bucket>qcs::cos:ap-shanghai::destinationbucket-1250000000</Bucket>
			<StorageClass>STANDARD</StorageClass>
		</Destination>
	</Rule>
</ReplicationConfiguration>"""

SEED_POLICY = {
    "Statement": [
        {
            "Principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
            "Effect": "allow",
            "Action": ["name/cos:GetBucket"],
            "Resource": ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"],
            "condition": {"ip_equal": {"qcs:ip": "10.121.2.10/24"}},
        }
    ],
    "version": "2.0",
}
# How the service returns a stored policy (compact JSON, doc 436/8276 example).
POLICY_RESPONSE_JSON = (
    '{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000001:uin/100000000011"]},'
    '"Effect":"allow","Action":["name/cos:GetBucket"],'
    '"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"],'
    '"condition":{"ip_equal":{"qcs:ip":"10.121.2.10/24"}}}],"version":"2.0"}')


def signature_mismatch(request):
    """403 SignatureDoesNotMatch whose FormatString/StringToSign are what a server
    would rebuild from the request it received (decoded path, listed params and
    headers) - the strings a user compares against their own signer."""
    auth = dict(p.split("=", 1) for p in dict(request["headers"])["Authorization"].split("&"))
    hdr = dict((k.lower(), v) for k, v in request["headers"])
    qs = dict((unquote(k).lower(), unquote(v)) for k, _, v in
              (p.partition("=") for p in request["query"].split("&") if p))

    def enc(text):
        return quote(text.encode("utf-8"), safe="-_.~")

    params = "&".join("%s=%s" % (n, enc(qs.get(n, ""))) for n in auth["q-url-param-list"].split(";") if n)
    headers = "&".join("%s=%s" % (n, enc(hdr.get(n, ""))) for n in auth["q-header-list"].split(";") if n)
    fmt = "%s\n%s\n%s\n%s\n" % (request["method"].lower(), unquote(request["path"]), params, headers)
    sts = "sha1\n%s\n%s\n" % (auth["q-sign-time"], hashlib.sha1(fmt.encode("utf-8")).hexdigest())
    return xml_error(403, "SignatureDoesNotMatch",
                     "The Signature you specified is invalid.", BUCKET_HOST + "/?versioning",
                     "\t<StringToSign>%s</StringToSign>\n\t<FormatString>%s</FormatString>\n" % (sts, fmt))


# ---------------------------------------------------------------------------
# The scenarios (seed docs 000_, 002_, 004_)
# ---------------------------------------------------------------------------

def record_buckets(s):
    g = "buckets"
    s.call(g, "list_buckets", "list_buckets", {}, [xml_ok(list_buckets_body([
        ("examplebucket-1250000000", "ap-beijing", "2019-05-24T11:49:50Z"),
        ("logs-1250000000", "ap-guangzhou", "2023-01-02T03:04:05Z")]))])
    s.call(g, "list_buckets_single_bucket", "list_buckets", {}, [xml_ok(list_buckets_body([
        ("examplebucket-1250000000", "ap-beijing", "2019-05-24T11:49:50Z")]))],
        note="one <Bucket> element: the SDK still returns Buckets.Bucket as a list")
    s.call(g, "list_buckets_empty", "list_buckets", {}, [xml_ok(list_buckets_body([]))],
           note="<Buckets/>: the SDK returns Buckets = None")
    s.call(g, "list_buckets_filtered", "list_buckets",
           {"TagKey": "env", "TagValue": "prod", "Region": "ap-beijing", "Marker": "a-1250000000",
            "MaxKeys": 10},
           [xml_ok(list_buckets_body([("examplebucket-1250000000", "ap-beijing",
                                       "2019-05-24T11:49:50Z")],
                                     marker="a-1250000000", next_marker="examplebucket-1250000000",
                                     truncated="true"))])
    s.call(g, "list_buckets_create_time", "list_buckets", {"CreateTime": 1700000000, "Range": "gt"},
           [xml_ok(list_buckets_body([]))])
    s.call(g, "create_bucket", "create_bucket", {"Bucket": BUCKET}, [empty_ok()])
    s.call(g, "create_bucket_acl_grants", "create_bucket",
           {"Bucket": BUCKET, "ACL": "private",
            "GrantFullControl": 'id="qcs::cam::uin/100000000001:uin/100000000001"',
            "GrantRead": 'id="qcs::cam::uin/100000000011:uin/100000000011",'
                         'id="qcs::cam::uin/100000000012:uin/100000000012"',
            "GrantWrite": 'id="qcs::cam::uin/100000000013:uin/100000000013"'},
           [empty_ok()])
    s.call(g, "create_bucket_public_read", "create_bucket", {"Bucket": BUCKET, "ACL": "public-read"},
           [empty_ok()])
    s.call(g, "create_bucket_maz", "create_bucket", {"Bucket": BUCKET, "BucketAZConfig": "MAZ"},
           [empty_ok()])
    s.call(g, "create_bucket_maz_ofs", "create_bucket",
           {"Bucket": BUCKET, "BucketAZConfig": "MAZ", "BucketArchConfig": "OFS"}, [empty_ok()])
    head_extra = [["x-cos-bucket-region", "ap-beijing"], ["x-cos-bucket-az-type", "MAZ"]]
    s.call(g, "head_bucket", "head_bucket", {"Bucket": BUCKET},
           [empty_ok(extra=head_extra)])
    s.call(g, "head_bucket_with_token", "head_bucket", {"Bucket": BUCKET},
           [empty_ok(extra=head_extra)], client=s.token_client,
           note="temporary credentials: x-cos-security-token is sent and signed")
    s.call(g, "bucket_exists_true", "bucket_exists", {"Bucket": BUCKET}, [empty_ok(extra=head_extra)])
    s.call(g, "bucket_exists_false", "bucket_exists", {"Bucket": BUCKET},
           [response(404, "", "application/xml")],
           note="HEAD 404 with empty body -> False")
    s.call(g, "delete_bucket", "delete_bucket", {"Bucket": BUCKET}, [empty_ok(204)])


def record_cors(s):
    g = "cors"
    s.call(g, "put_bucket_cors_seed", "put_bucket_cors", {
        "Bucket": BUCKET,
        "CORSConfiguration": {"CORSRule": [{
            "ID": "string", "MaxAgeSeconds": 100, "AllowedOrigin": ["string"],
            "AllowedMethod": ["string"], "AllowedHeader": ["string"], "ExposeHeader": ["string"]}]},
    }, [empty_ok()], note="seed 000_/002_ example verbatim (placeholder values, seed key order)")
    s.call(g, "put_bucket_cors_full", "put_bucket_cors", {
        "Bucket": BUCKET,
        "CORSConfiguration": {"CORSRule": [{
            "ID": "1234", "MaxAgeSeconds": 500, "AllowedOrigin": ["http://www.qq.com"],
            "AllowedMethod": ["GET", "PUT"], "AllowedHeader": ["x-cos-meta-test"],
            "ExposeHeader": ["x-cos-meta-test1"]}]},
    }, [empty_ok()], note="seed field set with realistic values")
    s.call(g, "put_bucket_cors_two_rules", "put_bucket_cors", {
        "Bucket": BUCKET,
        "CORSConfiguration": {"CORSRule": [
            {"ID": "web-upload", "AllowedOrigin": ["https://www.example.com", "https://*.example.net"],
             "AllowedMethod": ["PUT", "POST", "GET"], "AllowedHeader": ["*"],
             "ExposeHeader": ["ETag", "x-cos-request-id"], "MaxAgeSeconds": 600},
            {"AllowedOrigin": ["*"], "AllowedMethod": ["GET", "HEAD"]}],
            "ResponseVary": "true"},
    }, [empty_ok()], note="two rules, second without optional fields; element order = dict order")
    s.call(g, "get_bucket_cors_two_rules", "get_bucket_cors", {"Bucket": BUCKET},
           [xml_ok(CORS_TWO_RULES_XML)])
    s.call(g, "get_bucket_cors_one_rule", "get_bucket_cors", {"Bucket": BUCKET},
           [xml_ok(CORS_ONE_RULE_XML)],
           note="single rule with single-valued lists: normalised to lists; MaxAgeSeconds is a str")
    s.call(g, "delete_bucket_cors", "delete_bucket_cors", {"Bucket": BUCKET}, [empty_ok(204)])


def record_lifecycle(s):
    g = "lifecycle"
    s.call(g, "put_bucket_lifecycle_seed_simple", "put_bucket_lifecycle", {
        "Bucket": BUCKET,
        "LifecycleConfiguration": {"Rule": [{
            "ID": "string", "Filter": {"Prefix": ""}, "Status": "Enabled",
            "Expiration": {"Days": 200},
            "Transition": [{"Days": 100, "StorageClass": "Standard_IA"}],
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]},
    }, [empty_ok()], note="seed 002_ simple example verbatim")
    s.call(g, "put_bucket_lifecycle_seed_all_params", "put_bucket_lifecycle", {
        "Bucket": BUCKET,
        "LifecycleConfiguration": {"Rule": [{
            "ID": "string",
            "Filter": {"Prefix": "string", "Tag": [{"Key": "string", "Value": "string"}]},
            "Status": "Enabled",
            "Expiration": {"Days": 100, "Date": get_date(2021, 4, 20)},
            "Transition": [{"Days": 60, "Date": get_date(2021, 4, 20), "StorageClass": "Archive"}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 100},
            "NoncurrentVersionTransition": [{"NoncurrentDays": 60, "StorageClass": "Standard_IA"}],
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 100}}]},
    }, [empty_ok()], note="seed 002_ all-parameters example ('Enabled'|'Disabled' -> 'Enabled'); "
                          "the SDK sends Days+Date together and Prefix+Tag without <And> as given")
    s.call(g, "put_bucket_lifecycle_realistic", "put_bucket_lifecycle", {
        "Bucket": BUCKET,
        "LifecycleConfiguration": {"Rule": [
            {"ID": "archive-logs",
             "Filter": {"And": {"Prefix": "logs/", "Tag": [{"Key": "type", "Value": "log"},
                                                           {"Key": "env", "Value": "prod"}]}},
             "Status": "Enabled",
             "Transition": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                            {"Days": 90, "StorageClass": "ARCHIVE"}],
             "Expiration": {"Days": 365},
             "NoncurrentVersionTransition": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}],
             "NoncurrentVersionExpiration": {"NoncurrentDays": 100},
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
            {"ID": "expire-tmp-by-date", "Filter": {"Prefix": "tmp/"}, "Status": "Disabled",
             "Expiration": {"Date": get_date(2021, 4, 20)}},
            {"ID": "tag-only", "Filter": {"Tag": {"Key": "temp", "Value": "yes"}},
             "Status": "Enabled", "Expiration": {"ExpiredObjectDeleteMarker": "true"}}]},
    }, [empty_ok()], note="valid multi-rule config: And filter, Date expiration, delete markers")
    s.call(g, "get_bucket_lifecycle_full", "get_bucket_lifecycle", {"Bucket": BUCKET},
           [xml_ok(LIFECYCLE_FULL_XML)])
    s.call(g, "get_bucket_lifecycle_one_rule", "get_bucket_lifecycle", {"Bucket": BUCKET},
           [xml_ok(LIFECYCLE_ONE_RULE_XML)],
           note="single Rule/Transition normalised to lists; <Prefix/> becomes None")
    s.call(g, "get_bucket_lifecycle_and_filter", "get_bucket_lifecycle", {"Bucket": BUCKET},
           [xml_ok(LIFECYCLE_AND_FILTER_XML)],
           note="Filter.And.Tag is NOT normalised to a list by the SDK")
    s.call(g, "delete_bucket_lifecycle", "delete_bucket_lifecycle", {"Bucket": BUCKET},
           [empty_ok(204)])


def record_versioning(s):
    g = "versioning"
    for status in ("Enabled", "Suspended"):
        s.call(g, "put_bucket_versioning_%s" % status.lower(), "put_bucket_versioning",
               {"Bucket": BUCKET, "Status": status}, [empty_ok()])
    for status in ("Enabled", "Suspended"):
        s.call(g, "get_bucket_versioning_%s" % status.lower(), "get_bucket_versioning",
               {"Bucket": BUCKET},
               [xml_ok("<?xml version='1.0' encoding='utf-8' ?>\n<VersioningConfiguration>\n"
                       "\t<Status>%s</Status>\n</VersioningConfiguration>" % status)])
    s.call(g, "get_bucket_versioning_never_set", "get_bucket_versioning", {"Bucket": BUCKET},
           [xml_ok("<?xml version='1.0' encoding='utf-8' ?>\n<VersioningConfiguration/>")],
           note="never configured: the SDK returns {'VersioningConfiguration': None}, not {}")


def record_replication(s):
    g = "replication"
    s.call(g, "put_bucket_replication_seed_simple", "put_bucket_replication", {
        "Bucket": BUCKET,
        "ReplicationConfiguration": {
            "Role": "qcs::cam::uin/100000000001:uin/100000000001",
            "Rule": [{"ID": "string", "Status": "Enabled",
                      "Destination": {"Bucket": "qcs::cos:ap-shanghai::destinationbucket-1250000000",
                                      "StorageClass": "STANDARD"}}]},
    }, [empty_ok()], note="seed 002_ simple example verbatim")
    s.call(g, "put_bucket_replication_seed_all_params", "put_bucket_replication", {
        "Bucket": BUCKET,
        "ReplicationConfiguration": {
            "Role": "qcs::cam::uin/100000000001:uin/100000000001",
            "Rule": [
                {"ID": "string", "Status": "Enabled", "Prefix": "string",
                 "Destination": {"Bucket": "qcs::cos:ap-beijing::destinationbucket-1250000000",
                                 "StorageClass": "STANDARD"}},
                {"ID": "string", "Status": "Enabled", "Prefix": "string",
                 "Destination": {"Bucket": "qcs::cos:ap-beijing::destinationbucket2-1250000000",
                                 "StorageClass": "STANDARD"}}]},
    }, [empty_ok()], note="seed 002_ all-parameters example ('A'|'B' alternatives -> first)")
    s.call(g, "get_bucket_replication_two_rules", "get_bucket_replication", {"Bucket": BUCKET},
           [xml_ok(REPLICATION_TWO_RULES_XML)])
    s.call(g, "get_bucket_replication_one_rule", "get_bucket_replication", {"Bucket": BUCKET},
           [xml_ok(REPLICATION_ONE_RULE_XML)],
           note="single Rule normalised to a list; empty <Prefix></Prefix> becomes None")
    s.call(g, "delete_bucket_replication", "delete_bucket_replication", {"Bucket": BUCKET},
           [empty_ok(204)])


def record_policy(s):
    g = "policy"
    s.call(g, "put_bucket_policy_seed", "put_bucket_policy",
           {"Bucket": BUCKET, "Policy": SEED_POLICY}, [empty_ok(204)],
           note="seed 002_ example (dict): body is json.dumps(dict), no Content-MD5")
    s.call(g, "put_bucket_policy_string", "put_bucket_policy",
           {"Bucket": BUCKET, "Policy": POLICY_RESPONSE_JSON}, [empty_ok(204)],
           note="Policy given as a str is sent verbatim")
    s.call(g, "get_bucket_policy", "get_bucket_policy", {"Bucket": BUCKET},
           [response(200, POLICY_RESPONSE_JSON, "application/json")],
           note="the SDK returns {'Policy': json.dumps(parsed body)} (re-serialised)")
    s.call(g, "delete_bucket_policy", "delete_bucket_policy", {"Bucket": BUCKET}, [empty_ok(204)])


def record_errors(s):
    g = "errors"
    s.call(g, "get_bucket_cors_no_such_cors", "get_bucket_cors", {"Bucket": BUCKET},
           [xml_error(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist.",
                      BUCKET_HOST + "/?cors")])
    s.call(g, "head_bucket_404_empty", "head_bucket", {"Bucket": BUCKET},
           [response(404, "", "application/xml")],
           note="HEAD has no body: the SDK synthesises code NoSuchResource")
    s.call(g, "bucket_exists_403", "bucket_exists", {"Bucket": BUCKET},
           [response(403, "", "application/xml")],
           note="bucket_exists only maps 404 to False; 403 is raised")
    s.call(g, "get_bucket_versioning_signature_mismatch", "get_bucket_versioning", {"Bucket": BUCKET},
           [signature_mismatch],
           note="StringToSign/FormatString are not surfaced by the SDK except in origin_msg")
    s.call(g, "get_bucket_policy_xml_content_type", "get_bucket_policy", {"Bucket": BUCKET},
           [response(200, POLICY_RESPONSE_JSON, "application/xml")],
           note="JSON body labelled application/xml: the SDK ignores Content-Type and succeeds")
    s.call(g, "get_bucket_policy_not_found", "get_bucket_policy", {"Bucket": BUCKET},
           [xml_error(404, "NoSuchBucketPolicy", "The specified bucket does not have a bucket policy.",
                      BUCKET_HOST + "/?policy")])
    s.call(g, "get_bucket_replication_not_found", "get_bucket_replication", {"Bucket": BUCKET},
           [xml_error(404, "ReplicationConfigurationnotFoundError",
                      "The replication configuration was not found.", BUCKET_HOST + "/?replication")],
           note="odd code casing seen in the wild")
    s.call(g, "get_bucket_lifecycle_not_found", "get_bucket_lifecycle", {"Bucket": BUCKET},
           [xml_error(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist.",
                      BUCKET_HOST + "/?lifecycle")])
    s.call(g, "create_bucket_already_owned", "create_bucket", {"Bucket": BUCKET},
           [xml_error(409, "BucketAlreadyOwnedByYou",
                      "Your previous request to create the named bucket succeeded and you already own it.")])
    s.call(g, "create_bucket_invalid_name", "create_bucket", {"Bucket": "Invalid-Name-1250000000"},
           [xml_error(400, "InvalidBucketName", "The specified bucket is not valid.",
                      "Invalid-Name-1250000000.cos.ap-beijing.myqcloud.com/")],
           note="the SDK does not validate case; the service rejects")
    s.call(g, "delete_bucket_not_empty", "delete_bucket", {"Bucket": BUCKET},
           [xml_error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.")])
    s.call(g, "put_bucket_cors_malformed_xml", "put_bucket_cors",
           {"Bucket": BUCKET, "CORSConfiguration": {"CORSRule": [{"AllowedOrigin": ["*"]}]}},
           [xml_error(400, "MalformedXML", "The XML you provided was not well-formed or did not "
                      "validate against our published schema.", BUCKET_HOST + "/?cors")])
    s.call(g, "get_bucket_cors_slowdown_retried", "get_bucket_cors", {"Bucket": BUCKET},
           [xml_error(503, "SlowDown", "Please reduce your request rate.", BUCKET_HOST + "/?cors")
            for _ in range(4)],
           note="5xx is retried 3 times (sleep 1,2,3 s) with x-cos-sdk-retry: true; same signature "
                "window because time is pinned")
    s.call(g, "get_bucket_cors_non_xml_error", "get_bucket_cors", {"Bucket": BUCKET},
           [response(400, "<html><body>Bad Request</body></html>", "text/html")],
           note="unparseable error body: digest is a plain string, code 'Unknown'")


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    pin_clock()
    server = CannedServer()
    server.start()
    redirect_cos_hosts(server.port)
    try:
        s = Session(server)
        for record in (record_buckets, record_cors, record_lifecycle, record_versioning,
                       record_replication, record_policy, record_errors):
            record(s)
    finally:
        server.stop()

    port_marker = "127.0.0.1:%d" % server.port
    total = 0
    for group, entries in s.groups.items():
        text = json.dumps({"sdk": "cos-python-sdk-v5", "sdk_version": SDK_VERSION,
                           "pinned_now": NOW, "recordings": entries},
                          ensure_ascii=False, indent=2)
        # The random port only leaks into SDK-built URLs (e.g. NoSuchResource's
        # resource); normalise it so reruns are identical.
        text = text.replace(port_marker, "127.0.0.1:PORT")
        with open(os.path.join(args.out_dir, group + ".json"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        total += len(entries)
        print("%-12s %3d recordings" % (group, len(entries)))
    print("cos-python-sdk-v5 %s: %d recordings -> %s" % (SDK_VERSION, total, args.out_dir))


if __name__ == "__main__":
    main()
