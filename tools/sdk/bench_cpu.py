#!/usr/bin/env python3
"""Client CPU per call of the official Python SDKs, for `benches/e2e.rs` (section `sdk`).

Drives one official SDK in a keep-alive loop of "get the bucket's CORS" against a running
bucket-admin emulator and reports, per round, the CPU time of this Python process per call
(`time.process_time()` delta / N: user + system time of the interpreter, in-process only;
interpreter start-up and imports happen before any round) and the wall time per call
(`time.perf_counter()`).

    provider cos: qcloud_cos (cos-python-sdk-v5), CosS3Client.get_bucket_cors(Bucket=...)
    provider r2:  cloudflare, client.r2.buckets.cors.get(bucket, account_id=...)

Both clients are configured as tools/crosscheck/crosscheck.py does: COS through
`CosConfig(Region, SecretId, SecretKey, Scheme="http", IP="127.0.0.1", Port=port)` (the
request connects to the emulator and keeps the virtual-host `Host` header
`<bucket>.cos.<region>.myqcloud.com`, as the Rust client sends), R2 through
`Cloudflare(api_token=..., base_url="http://127.0.0.1:PORT/client/v4", max_retries=0)`.

Protocol (the bench drives it; by hand it works the same with a here-document):

    python3 tools/sdk/bench_cpu.py --check
        prints {"python": "3.11.7", "cos": "5.1.9.44" | null, "r2": "5.9.0" | null,
        "missing": {"cos": "No module named ..."}} and exits 0.

    python3 tools/sdk/bench_cpu.py
        stdin line 1: a JSON object, the connection details and the warm-up count:
          {"provider": "cos", "warmup": 100, "endpoint": "http://127.0.0.1:PORT",
           "region": ..., "secret_id": ..., "secret_key": ..., "bucket": ...}
          {"provider": "r2", "warmup": 100, "base_url": ..., "api_token": ...,
           "account_id": ..., "bucket": ...}
        The script builds the client, makes `warmup` calls (the first one checks that the
        answer has one CORS rule), then prints {"ready": true, ...}.
        Every further stdin line is a call count N: the script makes N calls and prints
          {"n": N, "cpu_us_per_call": ..., "wall_us_per_call": ...}
        one JSON object per line. End of stdin ends the script.

Credentials come on stdin, never on the command line, and are never printed.
"""

import json
import os
import platform
import sys
import time


def versions():
    out = {"python": platform.python_version(), "cos": None, "r2": None, "missing": {}}
    try:
        from qcloud_cos.version import __version__ as cos_version
        import qcloud_cos  # noqa: F401 - the import is the check

        out["cos"] = cos_version
    except Exception as e:  # noqa: BLE001 - any import failure means "not available"
        out["missing"]["cos"] = "%s: %s" % (type(e).__name__, e)
    try:
        import cloudflare

        out["r2"] = cloudflare.__version__
    except Exception as e:  # noqa: BLE001
        out["missing"]["r2"] = "%s: %s" % (type(e).__name__, e)
    return out


def clean_environment():
    # As tools/sdk/r2/r2_record.py does: no proxy or CLOUDFLARE_* setting may reach the
    # clients (the requests stay on loopback).
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith("CLOUDFLARE_") or upper in (
            "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"
        ):
            del os.environ[name]


def cos_call(cfg):
    from qcloud_cos import CosConfig, CosS3Client

    endpoint = cfg["endpoint"]
    port = int(endpoint.rsplit(":", 1)[1].rstrip("/"))
    conf = CosConfig(Region=cfg["region"], SecretId=cfg["secret_id"],
                     SecretKey=cfg["secret_key"], Scheme="http", IP="127.0.0.1", Port=port)
    client = CosS3Client(conf, retry=1)
    bucket = cfg["bucket"]

    def call():
        return client.get_bucket_cors(Bucket=bucket)

    def rules(result):
        return len(result.get("CORSRule") or [])

    return call, rules


def r2_call(cfg):
    from cloudflare import Cloudflare

    client = Cloudflare(api_token=cfg["api_token"], base_url=cfg["base_url"], max_retries=0)
    bucket, account_id = cfg["bucket"], cfg["account_id"]
    cors = client.r2.buckets.cors

    def call():
        return cors.get(bucket, account_id=account_id)

    def rules(result):
        return len(result.rules or [])

    return call, rules


def serve():
    cfg = json.loads(sys.stdin.readline())
    clean_environment()
    provider = cfg["provider"]
    make = {"cos": cos_call, "r2": r2_call}[provider]
    call, rules = make(cfg)
    got = rules(call())
    if got != 1:
        raise SystemExit("%s: expected 1 CORS rule from the emulator, got %d" % (provider, got))
    for _ in range(max(0, int(cfg.get("warmup", 100)) - 1)):
        call()
    ready = {"ready": True, "provider": provider}
    ready.update({k: v for k, v in versions().items() if k in ("python", provider)})
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        n = int(line)
        cpu0 = time.process_time()
        wall0 = time.perf_counter()
        for _ in range(n):
            call()
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        print(json.dumps({"n": n, "cpu_us_per_call": cpu * 1e6 / n,
                          "wall_us_per_call": wall * 1e6 / n}), flush=True)


def main():
    if sys.argv[1:] == ["--check"]:
        print(json.dumps(versions()), flush=True)
        return
    if sys.argv[1:]:
        raise SystemExit("usage: bench_cpu.py [--check]  (see the module docstring)")
    serve()


if __name__ == "__main__":
    main()
