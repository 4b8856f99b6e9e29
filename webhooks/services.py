"""Telling other systems what happened: subscriptions, signed deliveries after commit, retries for 24 hours.

The rooms where things happen call `emit` (one event) or `emit_many` (many of one kind, e.g. a run's findings)
inside their own transaction. That writes one Delivery row per subscribed webhook and, once the transaction
commits, queues the sending; a rolled-back action sends nothing. The rows are the source of truth: a task lost
with the broker leaves its row pending, and the sweeper (every minute) queues whatever is due.

A delivery is POSTed as JSON with the headers `X-Govmedia-Event`, `X-Govmedia-Delivery` (the delivery's id) and
`X-Govmedia-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>`. A 2xx answer
delivers it; anything else (another status, a redirect, a timeout, a refused connection) is recorded and tried
again after 1, 2, 4 … minutes (at most an hour apart) until 24 hours after the first attempt, then it has failed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import ssl
import time
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from celery import signature
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from govmedia.core import audit
from govmedia.core.exceptions import DomainConflict
from organisations import access
from organisations.models import Organisation

from .events import EVENTS, PING
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook

log = logging.getLogger(__name__)

# Queued by name: the task module imports this one, not the other way round.
DELIVER_TASK = "webhooks.tasks.deliver_webhook"
SWEEP_TASK = "webhooks.tasks.retry_webhook_deliveries"

RETRY_FOR = dt.timedelta(hours=24)
FIRST_BACKOFF = dt.timedelta(minutes=1)
MAX_BACKOFF = dt.timedelta(hours=1)
# An attempt holds its delivery this long (the POST times out well before): a worker that dies mid-send
# leaves the row to the sweeper once the lease has passed.
CLAIM_LEASE = dt.timedelta(minutes=2)
# A row queued this recently is left to the task queued for it; older ones are queued again by the sweeper.
QUEUED_GRACE = dt.timedelta(minutes=5)
# Deliveries queued one task each straight after the commit; more than this (a big inspection run) are left
# to the sweeper, which queues them in batches.
DIRECT_QUEUE_MAX = 100
USER_AGENT = "govmedia-webhooks/1.0"


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT", 10))


def _sweep_batch() -> int:
    return int(getattr(settings, "WEBHOOK_SWEEP_BATCH", 2000))


# --- emitting ----------------------------------------------------------------------------------------------------

def _json_safe(data) -> dict:
    """Dates, decimals and UUIDs as the API writes them."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def _subscriptions(event: str) -> list[tuple[int, str]]:
    """(webhook id, organisation path) of the active webhooks listing `event`: one query over the (few) active
    webhooks; the event list is read in Python, as JSON containment is not portable to SQLite."""
    rows = Webhook.objects.filter(active=True).values_list("pk", "organisation__path", "events")
    return [(pk, path) for pk, path, codes in rows if event in (codes or [])]


def subscribed(event: str) -> bool:
    """Whether any active webhook wants `event` (callers skip building payloads when none does)."""
    return bool(_subscriptions(event))


def emit(event: str, *, organisation: Organisation | int | None, data: dict,
         occurred_at: dt.datetime | None = None) -> list[Delivery]:
    """One event of `organisation` (None: the whole deployment) to every active webhook of that unit or any unit
    above it that lists the event. Call it inside the transaction of the action; sending starts after commit."""
    return emit_many(event, [(organisation, data)], occurred_at=occurred_at)


def emit_many(event: str, items: Iterable[tuple[Organisation | int | None, dict]], *,
              occurred_at: dt.datetime | None = None) -> list[Delivery]:
    """Many events of one kind, each `(organisation or its id or None, data)`, set-based: one query for the
    subscriptions (nothing else when nobody subscribes), one for the organisations' paths, one bulk insert."""
    if event not in EVENTS and event != PING:
        raise ValueError(f"unknown webhook event {event!r}")
    hooks = _subscriptions(event)
    if not hooks:
        return []
    items = list(items)
    ids = {o for o, _ in items if isinstance(o, int)}
    paths = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "path")) if ids else {}
    now = timezone.now()
    occurred_at = occurred_at or now
    due = min(occurred_at, now)
    rows = []
    for organisation, data in items:
        if isinstance(organisation, Organisation):
            org_id, path = organisation.pk, organisation.path
        elif organisation is None:
            org_id, path = None, None
        else:
            org_id, path = organisation, paths.get(organisation)
            if path is None:
                continue
        # A deployment-wide event (no organisation) goes to every subscriber.
        targets = [pk for pk, hook_path in hooks if path is None or path.startswith(hook_path)]
        if not targets:
            continue
        event_id = uuid.uuid4()
        payload = _json_safe(data)
        rows.extend(
            Delivery(webhook_id=pk, event=event, event_id=event_id, occurred_at=occurred_at, organisation_id=org_id,
                     payload=payload, next_attempt_at=due)
            for pk in targets
        )
    return _create_and_queue(rows)


def _create_and_queue(rows: list[Delivery]) -> list[Delivery]:
    if not rows:
        return []
    direct = len(rows) <= DIRECT_QUEUE_MAX
    if direct:
        now = timezone.now()
        for row in rows:
            row.queued_at = now
    created = Delivery.objects.bulk_create(rows, batch_size=2000)
    if direct:
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: _queue(ids), robust=True)
    else:
        transaction.on_commit(lambda: signature(SWEEP_TASK).delay(), robust=True)
    return created


def _queue(ids: list[int]) -> None:
    for pk in ids:
        signature(DELIVER_TASK).delay(pk)


# --- sending -------------------------------------------------------------------------------------------------------

def sign(secret: str, body: bytes) -> str:
    """The `X-Govmedia-Signature` value of `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def encode(delivery: Delivery) -> bytes:
    return json.dumps(delivery.body(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str, int]:
    """POST `body` to `url` with no redirect followed and no proxy; (status, error, milliseconds).

    Errors come back as text, never as exceptions: one receiver that is down must not stop the others."""
    started = time.monotonic()
    status, error = None, ""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = None
    try:
        if parts.scheme.lower() == "https":
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                                     context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        excerpt = response.read(400).decode("utf-8", errors="replace").strip()
        if not 200 <= status < 300:
            if 300 <= status < 400:
                error = f"HTTP {status}：不跟随重定向（Location: {response.getheader('Location', '')}）"
            else:
                error = f"HTTP {status}" + (f"：{excerpt}" if excerpt else "")
    except TimeoutError:
        error = f"超时（超过 {timeout:g} 秒）"
    except ssl.SSLError as exc:
        error = f"TLS 错误：{exc}"
    except OSError as exc:
        error = f"无法连接：{exc}"
    except Exception as exc:  # noqa: BLE001 - a malformed answer of any kind is data about the receiver
        error = f"请求失败：{type(exc).__name__} {exc}"
    finally:
        if connection is not None:
            connection.close()
    return status, error[:500], int((time.monotonic() - started) * 1000)


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> Delivery | None:
    """Make one attempt at a due delivery. The claim (a conditional UPDATE that pushes `next_attempt_at` out by
    a lease) lets exactly one of two workers given the same row send it; the other returns None, as does a row
    that is not due or no longer pending. Runs outside any transaction: the POST is never inside one."""
    now = now or timezone.now()
    # A webhook switched off sends nothing more: what it still had pending ends as failed, with the reason.
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, webhook__active=False).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, queued_at=None, last_error="接口推送已停用，未发送。",
    )
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + CLAIM_LEASE, queued_at=None, attempts=F("attempts") + 1,
        first_attempt_at=Coalesce(F("first_attempt_at"), Value(now)),
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    body = encode(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Govmedia-Event": delivery.event,
        "X-Govmedia-Delivery": str(delivery.pk),
        "X-Govmedia-Signature": sign(webhook.secret, body),
    }
    code, error, elapsed = post(webhook.url, body, headers, _timeout())
    ok = code is not None and 200 <= code < 300
    DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, at=now, response_code=code,
                                   error=error, duration_ms=elapsed)
    fields = {"last_response_code": code, "last_error": error}
    if ok:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), next_attempt_at=None)
    else:
        deadline = delivery.first_attempt_at + RETRY_FOR
        if now >= deadline:
            fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        else:
            fields.update(next_attempt_at=min(now + backoff(delivery.attempts), deadline))
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(**fields)
    delivery.refresh_from_db()
    if not ok:
        log.info("webhook %s delivery %s attempt %s failed: %s", webhook.pk, delivery.pk, delivery.attempts, error)
    return delivery


def due_deliveries(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Mark as queued, and return, the pending deliveries whose next attempt is due and that no task queued in
    the last few minutes is waiting for (the sweeper queues one task for each)."""
    now = now or timezone.now()
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) & (
        Q(queued_at__isnull=True) | Q(queued_at__lte=now - QUEUED_GRACE)
    )
    rows = Delivery.objects.filter(due).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
    ids = list(rows[: limit or _sweep_batch()])
    if ids:
        Delivery.objects.filter(due, pk__in=ids).update(queued_at=now)
    return ids


def sweep(*, now: dt.datetime | None = None) -> int:
    """Queue a sending task for every due delivery (a batch per run); the number queued."""
    ids = due_deliveries(now=now)
    for pk in ids:
        signature(DELIVER_TASK).delay(pk)
    return len(ids)


# --- subscriptions -------------------------------------------------------------------------------------------------

def generate_secret() -> str:
    return secrets.token_hex(32)


def _check_manager(user, organisation) -> None:
    if not access.can_manage_webhooks(user, organisation):
        raise PermissionDenied("只有该单位的主管人员可以管理接口推送。")


@transaction.atomic
def webhook_create(*, user, organisation: Organisation, url: str, events: list[str], secret: str | None = None,
                   active: bool = True, description: str = "") -> tuple[Webhook, str]:
    """A new subscription; returns it with its secret (generated when none is given), to be shown this once."""
    _check_manager(user, organisation)
    secret = secret or generate_secret()
    webhook = Webhook(organisation=organisation, url=(url or "").strip(), events=events, secret=secret, active=active,
                      description=(description or "").strip(), created_by=user if user.is_authenticated else None)
    webhook.full_clean()
    webhook.save()
    audit.record_action(webhook, "create", actor=user,
                        changes={"url": [None, webhook.url], "events": [None, ", ".join(webhook.events)]})
    return webhook, secret


EDITABLE = ("organisation", "url", "events", "secret", "active", "description")


@transaction.atomic
def webhook_update(*, webhook: Webhook, user, **fields) -> Webhook:
    """Change a subscription; a new secret replaces the old one (it is never shown back)."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    _check_manager(user, webhook.organisation)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: "该字段不能修改。" for name in unknown})
    if fields.get("organisation") is not None and fields["organisation"].pk != webhook.organisation_id:
        _check_manager(user, fields["organisation"])
    changes = {}
    for name, value in fields.items():
        if name == "secret" and not value:
            continue  # blank on a form: keep the secret
        if name in ("url", "description") and isinstance(value, str):
            value = value.strip()
        old = getattr(webhook, name)
        if old != value:
            changes[name] = ["******", "******"] if name == "secret" else [str(old), str(value)]
            setattr(webhook, name, value)
    webhook.full_clean()
    webhook.save()
    if changes:
        audit.record_action(webhook, "update", actor=user, changes=changes)
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, user) -> None:
    _check_manager(user, webhook.organisation)
    audit.record_action(webhook, "delete", actor=user, changes={"url": [webhook.url, None]})
    webhook.delete()


@transaction.atomic
def webhook_ping(*, webhook: Webhook, user) -> Delivery:
    """Send a `ping` delivery to this one webhook (the page's and the API's "发送测试")."""
    _check_manager(user, webhook.organisation)
    if not webhook.active:
        raise DomainConflict("该接口推送已停用，请先启用再发送测试。")
    now = timezone.now()
    data = {"message": "govmedia 测试推送", "webhook": webhook.pk, "events": webhook.events}
    return _create_and_queue([
        Delivery(webhook=webhook, event=PING, event_id=uuid.uuid4(), occurred_at=now,
                 organisation_id=webhook.organisation_id, payload=data, next_attempt_at=now)
    ])[0]
