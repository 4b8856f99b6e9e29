"""A lockout reaches the audit log as a security event (sign-in, failure and sign-out: organisations.audit)."""
from axes.signals import user_locked_out
from django.dispatch import receiver

from govmedia.core.audit import record_security_event
from organisations.models import User


@receiver(user_locked_out, dispatch_uid="organisations.audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    target = User.objects.filter(username=username).first() if username else None
    record_security_event("lockout", target=target, request=request,
                          detail={"username": str(username or "")[:150], "address": ip_address})
