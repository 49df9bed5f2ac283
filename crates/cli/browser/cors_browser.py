#!/usr/bin/env python3
"""Chromium as the judge of CORS: run each case's fetch() from its page origin and report
whether the browser let the script see the answer, and what it could read of one header.

Usage: cors_browser.py CASES.json RESULTS.json

One script serves both callers: the browser CORS suite (tests/browser_cors.rs at the
repository root) and `bucket-admin cors check --browser`, which embeds it.

CASES.json (written by tests/browser_cors.rs, `bucket-admin cors check --browser`, or anyone):
  {"chromium": "/usr/bin/chromium",            # optional, default /usr/bin/chromium
   "resolver_rules": "MAP *.test 127.0.0.1",   # Chromium --host-resolver-rules
   "page_ports": [8001, 8002],                 # this script serves a blank page on each
   "page_origins": ["https://app.example.com"],  # optional: pages served for these origins
   "chromium_args": ["--flag"],                # optional: more Chromium arguments
   "cases": [{"id": "cos-17", "origin": "http://app.example.test:8001" | "null",
              "url": "...", "method": "PUT", "headers": {"X-Custom": "1"},
              "credentials": "omit" | "include", "body": "text" | null,
              "read_header": "etag", "repeat": 2}]}
"repeat" (default 1) runs the fetch that many times in a row (the second one may reuse the
first one's cached preflight); the result is the first run's, with "allowed_again" from the last.
A page origin is http://<name>.test:<one of page_ports>; "null" runs the case in a sandboxed
iframe (an opaque origin, so the browser sends `Origin: null`) of a page on the first port. (A
data: URL page would also be opaque, but Chromium's local-network checks block a data: page
from reaching loopback, which is not what is being tested.)

Each origin of "page_origins" (any scheme, host and port) gets a page server of its own on
loopback: on a free port that a resolver rule maps the origin's host to, or, for `localhost`
and IP addresses (which Chromium does not resolve through the rules), on the origin's own port.
An https origin is served with a throw-away self-signed certificate (made with `openssl`, or
Python's `cryptography` when installed) that the browser context is told to accept. Requests
are never intercepted by Playwright: with routing on, Playwright answers CORS preflights
itself, and the browser's decision would no longer be the service's.

RESULTS.json: [{"id", "allowed": bool, "allowed_again": bool, "status": int|null,
                "header": str|null, "error": str|null}]

Chromium is driven by Playwright for Python pointed at the system Chromium; no browser is
downloaded (`playwright install` is never needed).
"""

import ipaddress
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

PAGE = b"<!doctype html><html><head><title>cors</title></head><body>cors check</body></html>"
SANDBOX = b"<!doctype html><html><body><iframe sandbox='allow-scripts' src='/frame'></iframe></body></html>"

FETCH = """
async (c) => {
  const init = {method: c.method, headers: c.headers, credentials: c.credentials,
                mode: 'cors', cache: 'default', redirect: 'error'};
  if (c.body !== null) init.body = c.body;
  try {
    const r = await fetch(c.url, init);
    try { await r.arrayBuffer(); } catch (e) {}
    return {allowed: true, status: r.status, header: r.headers.get(c.read_header), error: null};
  } catch (e) {
    return {allowed: false, status: null, header: null, error: String(e)};
  }
}
"""


class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = SANDBOX if self.path == "/sandboxed" else PAGE
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(port, tls=None):
    server = ThreadingHTTPServer(("127.0.0.1", port), Page)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def self_signed(directory):
    """A TLS server context with a fresh self-signed certificate (the key never leaves
    `directory`, a temporary directory removed after the run)."""
    cert = os.path.join(directory, "page.crt")
    key = os.path.join(directory, "page.key")
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=bucket-admin-cors-page", "-keyout", key, "-out", cert],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        try:
            import datetime
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            from cryptography.x509.oid import NameOID
        except ImportError:
            raise SystemExit("an https page origin needs `openssl` or Python's `cryptography` "
                             "to make a self-signed certificate for the test page")
        k = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bucket-admin-cors-page")])
        now = datetime.datetime.now(datetime.timezone.utc)
        c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(k.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(minutes=5))
             .not_valid_after(now + datetime.timedelta(days=1)).sign(k, hashes.SHA256()))
        with open(key, "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        with open(cert, "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.PEM))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def serve_origins(origins, directory):
    """A page server per origin; returns the servers and the resolver rules that send each
    origin's host to its server."""
    servers, rules, tls = [], [], None
    for origin in origins:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        if parts.scheme == "https" and tls is None:
            tls = self_signed(directory)
        context = tls if parts.scheme == "https" else None
        try:
            literal = host == "localhost" or bool(ipaddress.ip_address(host))
        except ValueError:
            literal = False
        if literal:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            try:
                servers.append(serve(port, context))
            except OSError as e:
                raise SystemExit("cannot serve the page of %s on 127.0.0.1:%d: %s" % (origin, port, e))
        else:
            server = serve(0, context)
            servers.append(server)
            rules.append("MAP %s 127.0.0.1:%d" % (host, server.server_address[1]))
    return servers, rules


def run(spec):
    servers = [serve(p) for p in spec["page_ports"]]
    certs = tempfile.TemporaryDirectory(prefix="cors-browser-")
    more, origin_rules = serve_origins(spec.get("page_origins", []), certs.name)
    servers += more
    rules = ", ".join(origin_rules + [r for r in [spec.get("resolver_rules", "")] if r])
    https = any(o.startswith("https:") for o in spec.get("page_origins", []))
    by_origin = {}
    for case in spec["cases"]:
        by_origin.setdefault(case["origin"], []).append(case)
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=spec.get("chromium") or "/usr/bin/chromium",
                args=["--host-resolver-rules=" + rules, "--no-sandbox"]
                + list(spec.get("chromium_args", [])),
            )
            for origin, cases in by_origin.items():
                # A fresh context per origin: no preflight cache or cookies carried over.
                # The only certificate there is to accept is the test page's own.
                context = browser.new_context(ignore_https_errors=https)
                page = context.new_page()
                if origin == "null":
                    page.goto("http://sandbox.example.test:%d/sandboxed" % spec["page_ports"][0])
                    page.wait_for_load_state("load")
                    target = next(f for f in page.frames if f.url.endswith("/frame"))
                else:
                    page.goto(origin + "/")
                    target = page.main_frame
                actual = target.evaluate("() => self.origin")
                if actual != origin:
                    raise SystemExit("page origin is %r, expected %r" % (actual, origin))
                for case in cases:
                    r = target.evaluate(FETCH, case)
                    again = r
                    for _ in range(int(case.get("repeat", 1)) - 1):
                        again = target.evaluate(FETCH, case)
                    r["allowed_again"] = again["allowed"]
                    r["id"] = case["id"]
                    results.append(r)
                context.close()
            browser.close()
    finally:
        for s in servers:
            s.shutdown()
        certs.cleanup()
    return results


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        spec = json.load(f)
    results = run(spec)
    with open(argv[2], "w") as f:
        json.dump(results, f, indent=1)
    print("chromium ran %d cases" % len(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
