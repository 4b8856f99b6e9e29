"""A real receiver of webhook deliveries on 127.0.0.1, and a webhook subscribed to it."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks.models import Webhook

SECRET = "receiver-shared-secret-0123456789"


class Received:
    def __init__(self, path, headers, body):
        self.path = path
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def signature_ok(self, secret=SECRET) -> bool:
        """What a receiver does: recompute the HMAC of the raw body and compare in constant time."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Govmedia-Signature", ""))


class Receiver:
    """Answers each POST with the next status of `answers` (the last one repeats); keeps what it received."""

    def __init__(self):
        self.answers = [200]
        self.received: list[Received] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    outer.received.append(Received(self.path, dict(self.headers), body))
                    index = min(len(outer.received), len(outer.answers)) - 1
                    status = outer.answers[index]
                answer = b"ok" if status < 300 else "服务暂不可用".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                if 300 <= status < 400:
                    self.send_header("Location", "http://elsewhere.example/")
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/govmedia?source=test"

    def wait(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return self.received
            time.sleep(0.05)
        raise AssertionError(f"the receiver got {len(self.received)} of {count} deliveries in {timeout:g} s")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def subscribe(region, receiver):
    """`subscribe(events, organisation=county)`: an active webhook of that unit to the receiver."""
    def make(events, organisation=None, url=None, **fields):
        return Webhook.objects.create(
            organisation=organisation or region.county, url=url or receiver.url, events=list(events), secret=SECRET,
            created_by=region.supervisor, **fields,
        )

    return make


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
