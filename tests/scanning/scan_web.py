"""Local fixture websites for the scan tests: a threaded http.server on 127.0.0.1 at a random port, serving
routes that a test may change between two scans, with ETag / If-None-Match as real servers answer them."""
from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURE_FILES = Path(__file__).resolve().parents[2] / "scanning" / "fixture_site" / "files"


class Route:
    def __init__(self, body: bytes | str = b"", *, status: int = 200, content_type: str = "text/html; charset=utf-8",
                 headers: dict | None = None, hang: bool = False, trickle: bool = False, etag: bool = True):
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.content_type = content_type
        self.headers = headers or {}
        self.hang = hang
        self.trickle = trickle
        self.etag = etag


class FixtureSite:
    """`site.route(path, body, ...)`, `site.url(path)`, `site.hits` (paths requested, in order)."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.hits.append(self.path)
                route = outer.routes.get(self.path) or outer.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route("<h1>404</h1>", status=404)
                if route.hang:
                    outer.stopping.wait(30)  # a server that accepts and never answers (released at teardown)
                    return
                if route.trickle:
                    # Headers at once, then one byte now and then: every read succeeds, the page never ends.
                    try:
                        self.send_response(200)
                        self.send_header("Content-Type", route.content_type)
                        self.end_headers()
                        while not outer.stopping.wait(0.2):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                tag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                try:
                    if route.etag and route.status == 200 and self.headers.get("If-None-Match") == tag:
                        self.send_response(304)
                        self.send_header("ETag", tag)
                        self.end_headers()
                        return
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    if route.etag and route.status == 200:
                        self.send_header("ETag", tag)
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def route(self, path: str, body: bytes | str = b"", **kwargs) -> None:
        self.routes[path] = Route(body, **kwargs)

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def attachment(name: str) -> bytes:
    """The demo site's attachments (PDF, DOCX, XLSX holding personal data), reused as test fixtures."""
    return (FIXTURE_FILES / name).read_bytes()
