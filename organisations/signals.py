"""A lockout reaches the audit log as a security event (sign-in, failure and sign-out: organisations.audit); remembered
roles are forgotten when they change."""
from axes.signals import user_locked_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from govmedia.core.audit import record_security_event
from organisations.models import Membership, Organisation, User, roles_changed


@receiver(user_locked_out, dispatch_uid="organisations.audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    target = User.objects.filter(username=username).first() if username else None
    record_security_event("lockout", target=target, request=request,
                          detail={"username": str(username or "")[:150], "address": ip_address})


# Remembered roles (`User.role_rows`) are forgotten when a membership or a unit's place in the tree changes.
post_save.connect(roles_changed, sender=Membership, dispatch_uid="organisations.roles_changed_membership_saved")
post_delete.connect(roles_changed, sender=Membership, dispatch_uid="organisations.roles_changed_membership_deleted")
post_save.connect(roles_changed, sender=Organisation, dispatch_uid="organisations.roles_changed_unit_saved")
post_delete.connect(roles_changed, sender=Organisation, dispatch_uid="organisations.roles_changed_unit_deleted")
