"""One small HTTP client for everything the monitoring fetches (stdlib urllib: no extra dependency).

Every request has a timeout and a cap on the bytes read; errors come back as data, never as exceptions, so
one site that is down never stops a run over the others. Callers must not hold a database transaction.
"""
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

ALLOWED_SCHEMES = {"http", "https"}


@dataclass
class Fetched:
    url: str
    status: int | None = None
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    final_url: str = ""
    elapsed_ms: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 400

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    def text(self) -> str:
        charset = "utf-8"
        for part in (self.headers.get("content-type") or "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"' ")
        for encoding in (charset, "utf-8", "gb18030"):
            try:
                return self.body.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
        return self.body.decode("utf-8", errors="replace")


def fetch(url: str, *, timeout: float | None = None, max_bytes: int | None = None, method: str = "GET",
          read_body: bool = True) -> Fetched:
    """GET (or HEAD) `url`, following redirects. The whole exchange must finish within `timeout` seconds."""
    timeout = settings.SITES_FETCH_TIMEOUT if timeout is None else timeout
    max_bytes = settings.SITES_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    result = Fetched(url=url)
    if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
        result.error = "仅支持 http/https 地址"
        return result
    request = urllib.request.Request(url, method=method, headers={
        "User-Agent": settings.SITES_USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity",
    })
    started = time.monotonic()
    deadline = started + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            result.status = response.status
            result.final_url = response.geturl()
            result.headers = {k.lower(): v for k, v in response.headers.items()}
            if read_body and method != "HEAD":
                chunks, size = [], 0
                while size < max_bytes:
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    chunk = response.read(min(65536, max_bytes - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                result.body = b"".join(chunks)
    except urllib.error.HTTPError as exc:
        result.status = exc.code
        result.headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        result.error = f"HTTP {exc.code}"
    except (TimeoutError, socket.timeout):
        result.error = f"超时（超过 {timeout:g} 秒）"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            result.error = f"超时（超过 {timeout:g} 秒）"
        else:
            result.error = f"无法连接：{reason}"[:500]
    except Exception as exc:  # noqa: BLE001 - malformed answers of any kind are data about the site
        result.error = f"请求失败：{type(exc).__name__} {exc}"[:500]
    result.elapsed_ms = int((time.monotonic() - started) * 1000)
    if not result.error and result.elapsed_ms > timeout * 1000:
        result.error = f"响应超过 {timeout:g} 秒"
    return result
