#!/usr/bin/env python3
"""Records the requests boto3 sends for each bucket-admin operation.

A tiny HTTP server on a free loopback port answers every request with a canned S3 answer and
records method, path, query, the signed header names (from Authorization's SignedHeaders),
the values of the operation's own `x-amz-*` headers (not the date, payload hash, checksum or
token that every request carries) and the body. boto3 talks to it with path-style addressing, fixed credentials and region
eu-west-1. The recording is written to crates/s3/tests/data/boto3_recorded.json, which
crates/s3/tests/boto3_wire.rs compares with the Rust client's requests.

    pip install boto3
    python3 tools/s3/record.py
"""

import http.server
import json
import os
import re
import threading
import urllib.parse

import boto3
from botocore.config import Config

RECORDS = []
ANSWERS = {
    "": b'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>',
    "cors": b"<CORSConfiguration></CORSConfiguration>",
    "lifecycle": b"<LifecycleConfiguration></LifecycleConfiguration>",
    "versioning": b"<VersioningConfiguration></VersioningConfiguration>",
    "replication": b"<ReplicationConfiguration></ReplicationConfiguration>",
    "policy": b"{}",
}


class Handler(http.server.BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        url = urllib.parse.urlsplit(self.path)
        auth = self.headers.get("authorization", "")
        signed = re.search(r"SignedHeaders=([^,]+)", auth)
        common = ("x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "x-amz-sdk-checksum-algorithm")
        amz = {
            k.lower(): v
            for k, v in self.headers.items()
            if k.lower().startswith("x-amz-") and k.lower() not in common and not k.lower().startswith("x-amz-checksum-")
        }
        RECORDS.append(
            {
                "operation": OPERATION[0],
                "method": self.command,
                "path": url.path,
                "query": sorted(
                    [k, v] for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True)
                ),
                "signed_headers": signed.group(1).split(";") if signed else [],
                "content_md5": "content-md5" in {k.lower() for k in self.headers.keys()},
                "amz_headers": amz,
                "body": body,
            }
        )
        sub = url.query.split("=")[0]
        answer = ANSWERS.get(sub, b"") if self.command == "GET" else b""
        self.send_response(204 if self.command == "DELETE" else 200)
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _record

    def log_message(self, *args):
        pass


OPERATION = [""]


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{server.server_port}",
        region_name="eu-west-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 1},
        ),
    )
    b = "example-bucket"
    calls = [
        ("list_buckets", lambda: s3.list_buckets()),
        ("create_bucket", lambda: s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})),
        ("create_bucket_object_lock", lambda: s3.create_bucket(
            Bucket=b, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}, ObjectLockEnabledForBucket=True)),
        ("head_bucket", lambda: s3.head_bucket(Bucket=b)),
        ("delete_bucket", lambda: s3.delete_bucket(Bucket=b)),
        ("put_cors", lambda: s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [
            {"ID": "uploads", "AllowedHeaders": ["content-type"], "AllowedMethods": ["GET", "PUT"],
             "AllowedOrigins": ["https://example.com"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})),
        ("get_cors", lambda: s3.get_bucket_cors(Bucket=b)),
        ("delete_cors", lambda: s3.delete_bucket_cors(Bucket=b)),
        ("put_lifecycle", lambda: s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": [
            {"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
             "Expiration": {"Days": 200}, "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
            {"ID": "tagged", "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "k", "Value": "v"}]}},
             "Status": "Disabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 10}}]})),
        ("get_lifecycle", lambda: s3.get_bucket_lifecycle_configuration(Bucket=b)),
        ("delete_lifecycle", lambda: s3.delete_bucket_lifecycle(Bucket=b)),
        ("put_versioning", lambda: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})),
        ("get_versioning", lambda: s3.get_bucket_versioning(Bucket=b)),
        ("put_replication", lambda: s3.put_bucket_replication(Bucket=b, ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [{"ID": "to-backup", "Priority": 1, "Filter": {"Prefix": "data/"}, "Status": "Enabled",
                       "Destination": {"Bucket": "arn:aws:s3:::backup", "StorageClass": "STANDARD"},
                       "DeleteMarkerReplication": {"Status": "Disabled"}}]})),
        ("get_replication", lambda: s3.get_bucket_replication(Bucket=b)),
        ("delete_replication", lambda: s3.delete_bucket_replication(Bucket=b)),
        ("put_policy", lambda: s3.put_bucket_policy(Bucket=b, Policy=json.dumps({
            "Statement": [{"Action": ["s3:GetObject"], "Effect": "Allow", "Principal": "*",
                           "Resource": ["arn:aws:s3:::example-bucket/*"]}],
            "Version": "2012-10-17"}, separators=(",", ":"), sort_keys=True))),
        ("get_policy", lambda: s3.get_bucket_policy(Bucket=b)),
        ("delete_policy", lambda: s3.delete_bucket_policy(Bucket=b)),
    ]
    for name, call in calls:
        OPERATION[0] = name
        try:
            call()
        except Exception as e:  # the canned answers are minimal; the request is what counts
            print(f"{name}: {type(e).__name__}: {e}")
    server.shutdown()
    out = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "s3", "tests", "data", "boto3_recorded.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"boto3": boto3.__version__, "requests": RECORDS}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"recorded {len(RECORDS)} requests to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
