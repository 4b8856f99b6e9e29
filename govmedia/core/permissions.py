from organisations.models import Membership, Role


def can_edit_calendar(user) -> bool:
    """The calendar is one for the deployment: the top office's supervisors keep it."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(
        user=user, role=Role.SUPERVISOR, organisation__parent__isnull=True
    ).exists()


def can_read_audit(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or Membership.objects.filter(user=user, role__in=[Role.SUPERVISOR, Role.AUDITOR]).exists()
    )
