"""Idempotent POSTs of the API (API.md "Other systems"): a `POST /api/v1/…` sent with an `Idempotency-Key` header
acts once; the same key from the same user within 24 hours gets the first response again (status, body, content
type, with `Idempotent-Replayed: true`).

One middleware does it for the whole API, so every POST is covered: viewsets, their @action endpoints and plain
APIViews. It knows the caller the way the view will: with the resolved view's own DRF authentication classes
(token or session), before the view runs.

Why a retry acts once, also when two arrive together:
1. The record (user, key) is inserted if missing (INSERT … ON CONFLICT DO NOTHING, committed at once).
2. A transaction takes the row with SELECT … FOR UPDATE SKIP LOCKED. Finding it locked means another request
   with this key is running: 409 at once, with `Retry-After`, rather than waiting — a wait would hold a worker
   for as long as the first request takes, and the client retries anyway (the IETF draft
   "The Idempotency-Key HTTP Header Field" answers 409 as well). On SQLite, which has no row locks, the second
   request waits for the first's write transaction instead and then gets the replay.
3. A completed record is replayed when the request is the same (method, path and body), else refused (409).
4. Otherwise the view runs inside this transaction (ATOMIC_REQUESTS's atomic becomes a savepoint) and its
   response is stored in it: the view's writes and the record commit together or not at all. An incomplete
   record therefore means nothing was done, and the next request with the key may act.

Stored: successful responses and 4xx answers. Not stored: 5xx (the view's writes were rolled back; the retry must
act), 401/408/425/429 (the request never reached the action or should simply be retried later), and streamed
responses (file downloads). An answer marked `Cache-Control: no-store` (it carries a secret) is never kept: a
retry with its key gets a 409 saying the request was already carried out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import IdempotencyRecord

API_PREFIX = "/api/v1/"
HEADER = "Idempotency-Key"
KEEP = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255
NOT_STORED = {401, 408, 425, 429}
FORM_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}

KEY_TOO_LONG = f"幂等键（Idempotency-Key）不能超过 {MAX_KEY_LENGTH} 个字符。"
KEY_BLANK = "幂等键（Idempotency-Key）不能为空。"
KEY_REUSED = "该幂等键（Idempotency-Key）已用于另一个不同的请求（方法、路径或请求内容不同）；新的请求请使用新的幂等键。"
KEY_IN_PROGRESS = "使用该幂等键（Idempotency-Key）的请求正在处理中，请稍后用同一幂等键重试。"
BODY_UNREADABLE = "请求内容无法解析。"
SECRET_NOT_REPLAYED = "使用该幂等键（Idempotency-Key）的请求已经处理；其结果含有密钥，不再重复返回，请在令牌列表中查看。"


class IdempotencyMiddleware:
    """`Idempotency-Key` on POSTs under /api/v1/ from an authenticated caller; everything else passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method != "POST" or not request.path.startswith(API_PREFIX) or HEADER not in request.headers:
            return self.get_response(request)
        key = request.headers[HEADER].strip()
        if not key:
            return _answer(400, KEY_BLANK)
        if len(key) > MAX_KEY_LENGTH:
            return _answer(400, KEY_TOO_LONG)
        user = api_user(request)
        if user is None:  # anonymous or refused: the view answers 401/403 as it would without the header
            return self.get_response(request)
        try:
            fingerprint = request_fingerprint(request)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
            return _answer(400, f"请求内容超过 {limit:g} MB 的上限。")
        except (MultiPartParserError, UnicodeDecodeError):
            return _answer(400, BODY_UNREADABLE)
        return respond_once(user_id=user.pk, key=key, fingerprint=fingerprint, act=lambda: self.get_response(request))


def api_user(request: HttpRequest):
    """The caller as the view at this path will know them: its own DRF authentication classes (token, session
    with its CSRF check), run on a copy of the request's state. None for anonymous or refused callers and for
    paths that are not DRF views."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    view_class = getattr(match.func, "cls", None)
    if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
        return None
    # DRF's Request writes `user` and `auth` onto the Django request; the view must start from the original.
    saved = {name: request.__dict__[name] for name in ("user", "auth") if name in request.__dict__}
    try:
        user = Request(request, authenticators=[auth() for auth in view_class.authentication_classes]).user
    except exceptions.APIException:
        user = None
    finally:
        for name in ("user", "auth"):
            request.__dict__.pop(name, None)
        request.__dict__.update(saved)
    return user if user is not None and user.is_authenticated else None


def request_fingerprint(request: HttpRequest) -> str:
    """sha256 of method, path (with query) and body. Bodies are compared by content, not bytes: JSON with its keys
    sorted, forms by their fields and files' contents (a client re-encoding a retry picks a new multipart
    boundary)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type in FORM_TYPES:
        # request.POST and request.FILES are parsed here once; DRF reuses them for the view.
        digest.update(json.dumps(sorted(request.POST.lists()), ensure_ascii=False).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                content = hashlib.sha256()
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                digest.update(f"\n{name}:{upload.name}:{content.hexdigest()}".encode())
        return digest.hexdigest()
    body = request.body
    if request.content_type == "application/json" or request.content_type.endswith("+json"):
        try:
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        except ValueError:
            pass  # not JSON after all: the raw bytes, and the view says what is wrong with them
    digest.update(body)
    return digest.hexdigest()


def respond_once(*, user_id: int, key: str, fingerprint: str, act) -> HttpResponse:
    """The response to this keyed request: the stored one, a 409, or `act()`'s, stored with the writes it made."""
    now = timezone.now()
    IdempotencyRecord.objects.bulk_create(
        [IdempotencyRecord(user_id=user_id, key=key, fingerprint=fingerprint, created_at=now)], ignore_conflicts=True
    )
    with transaction.atomic():
        record = (
            IdempotencyRecord.objects.select_for_update(skip_locked=True).filter(user_id=user_id, key=key).first()
        )
        if record is None:  # locked: the first request with this key is still running
            running = IdempotencyRecord.objects.filter(user_id=user_id, key=key).values_list("fingerprint", flat=True)
            if running.first() not in (None, fingerprint):
                return _answer(409, KEY_REUSED)
            return _answer(409, KEY_IN_PROGRESS, headers={"Retry-After": "1"})
        if record.created_at <= now - KEEP:  # expired: the key starts afresh
            record.completed, record.created_at = False, now
        if record.completed:
            if record.fingerprint != fingerprint:
                return _answer(409, KEY_REUSED)
            return replay(record)
        # Not completed: new, or left by a request that failed before committing anything. This one acts.
        record.fingerprint = fingerprint
        response = act()
        if response.status_code >= 500 or response.status_code in NOT_STORED or response.streaming:
            record.delete()
            return response
        if "no-store" in response.get("Cache-Control", ""):
            # The answer carries a secret (a new token's key): it acted once and is never kept, so a retry is
            # told so instead of being handed the secret again or acting twice.
            secret = _answer(409, SECRET_NOT_REPLAYED)
            record.completed, record.status = True, secret.status_code
            record.headers, record.body = {"Content-Type": secret["Content-Type"]}, secret.content
            record.save()
            return response
        record.completed, record.status = True, response.status_code
        record.headers = dict(response.items())
        record.body = response.content
        record.save()
    return response


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete records older than 24 hours (they are ignored already); returns how many went."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lte=cutoff).delete()
    return deleted


def _answer(status: int, detail: str, headers: dict | None = None) -> JsonResponse:
    """An error in the API's shape (DRF's {"detail": …}), written before any view runs."""
    return JsonResponse({"detail": detail}, status=status, headers=headers, json_dumps_params={"ensure_ascii": False})
