"""One small HTTP client for everything the monitoring fetches (stdlib urllib: no extra dependency).

Every request has a timeout and a cap on the bytes read; errors come back as data, never as exceptions, so
one site that is down never stops a run over the others. Callers must not hold a database transaction.
"""
import socket
import ssl
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


def connection_reason(reason) -> str:
    """Why a connection failed, in the office's words (the system's English message is for the log only)."""
    if isinstance(reason, socket.gaierror):
        return "域名无法解析"
    if isinstance(reason, ConnectionRefusedError):
        return "连接被拒绝"
    if isinstance(reason, ConnectionResetError):
        return "连接被重置"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "证书无效或不受信任"
    if isinstance(reason, ssl.SSLError):
        return "安全连接（HTTPS）建立失败"
    if isinstance(reason, OSError) and reason.errno in (101, 113):
        return "网络不可达"
    return "网络错误"


def fetch(url: str, *, timeout: float | None = None, max_bytes: int | None = None, method: str = "GET",
          read_body: bool = True, headers: dict | None = None) -> Fetched:
    """GET (or HEAD) `url`, following redirects. The whole exchange must finish within `timeout` seconds.
    `headers` adds request headers (a scan's If-None-Match / If-Modified-Since: a 304 comes back as status 304)."""
    timeout = settings.SITES_FETCH_TIMEOUT if timeout is None else timeout
    max_bytes = settings.SITES_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    result = Fetched(url=url)
    if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
        result.error = "仅支持 http/https 地址"
        return result
    request = urllib.request.Request(url, method=method, headers={
        "User-Agent": settings.SITES_USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity", **(headers or {}),
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
                    # read1: at most one receive, so a server trickling bytes still meets the deadline check.
                    chunk = response.read1(min(65536, max_bytes - size))
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
            result.error = f"无法连接：{connection_reason(reason)}"
    except Exception:  # noqa: BLE001 - malformed answers of any kind are data about the site
        result.error = "请求失败：对方返回的内容无法解析"
    result.elapsed_ms = int((time.monotonic() - started) * 1000)
    if not result.error and result.elapsed_ms > timeout * 1000:
        result.error = f"响应超过 {timeout:g} 秒"
    return result
