"""A real local web server for the monitoring tests."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Route:
    def __init__(self, body=b"", status=200, content_type="text/html; charset=utf-8", delay=0.0, headers=None):
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.content_type = content_type
        self.delay = delay
        self.headers = headers or {}


class LocalWeb:
    """`web.route("/path", body, status=..., delay=...)`; `web.url("/path")`; `web.hits` lists requested paths."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, with_body):
                path = self.path
                outer.hits.append(path)
                route = outer.routes.get(path) or outer.routes.get(path.split("?")[0])
                if route is None:
                    route = Route("<h1>404</h1>", status=404)
                if route.delay:
                    # Hang like a dead server, but let the test suite stop us.
                    outer.stopping.wait(route.delay)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    if with_body:
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._answer(True)

            def do_HEAD(self):
                self._answer(False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def route(self, path, body="", **kwargs):
        self.routes[path] = Route(body, **kwargs)
        return self.url(path)

    def url(self, path="/"):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def web():
    server = LocalWeb()
    yield server
    server.close()


@pytest.fixture
def fast_monitoring(settings):
    """Limits small enough that a hanging server costs the test about a second."""
    settings.SITES_PROBE_TIMEOUT = 1.0
    settings.SITES_FETCH_TIMEOUT = 1.0
    settings.SITES_LINKCHECK_DELAY = 0.0
    settings.SITES_PROBE_MIN_INTERVAL_MINUTES = 10
    return settings


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
