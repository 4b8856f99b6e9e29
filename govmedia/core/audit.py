"""Writing to and reading from the audit log."""
from auditlog.context import auditlog_value
from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def set_actor(user) -> None:
    """Name the actor of this request's log entries once authentication is known.

    Auditlog's middleware reads the user before DRF's token authentication runs, so API views call this.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if user is not None and user.is_authenticated:
        context["actor"] = user


def record_action(instance, action: str, *, actor, comment: str = "", changes: dict | None = None) -> AuditEntry:
    """Record a workflow action (submit, approve, return, reply ...) on `instance`."""
    data = {"action": action}
    if hasattr(instance, "get_additional_data"):
        data.update(instance.get_additional_data() or {})
    if comment:
        data["comment"] = comment
    return AuditEntry.objects.log_create(
        instance,
        force_log=True,
        action=AuditEntry.Action.UPDATE,
        actor=actor,
        changes=changes or {},
        additional_data=data,
    )


def entries_for_object(instance):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_pk=str(instance.pk)
    ).select_related("actor")
