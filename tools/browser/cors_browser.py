#!/usr/bin/env python3
"""Chromium as the judge of CORS: run each case's fetch() from its page origin and report
whether the browser let the script see the answer, and what it could read of one header.

Usage: cors_browser.py CASES.json RESULTS.json

CASES.json (written by tests/browser_cors.rs, or by anyone):
  {"chromium": "/usr/bin/chromium",            # optional, default /usr/bin/chromium
   "resolver_rules": "MAP *.test 127.0.0.1",   # Chromium --host-resolver-rules
   "page_ports": [8001, 8002],                 # this script serves a blank page on each
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

RESULTS.json: [{"id", "allowed": bool, "allowed_again": bool, "status": int|null,
                "header": str|null, "error": str|null}]

Chromium is driven by Playwright for Python pointed at the system Chromium; no browser is
downloaded (`playwright install` is never needed).
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def serve(port):
    server = ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(spec):
    servers = [serve(p) for p in spec["page_ports"]]
    by_origin = {}
    for case in spec["cases"]:
        by_origin.setdefault(case["origin"], []).append(case)
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=spec.get("chromium") or "/usr/bin/chromium",
                args=["--host-resolver-rules=" + spec["resolver_rules"], "--no-sandbox"],
            )
            for origin, cases in by_origin.items():
                # A fresh context per origin: no preflight cache or cookies carried over.
                context = browser.new_context()
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
