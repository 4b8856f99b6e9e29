import pytest
from django.core.management import call_command

from organisations.models import Membership, Organisation, OrganisationKind, Role, User


@pytest.mark.django_db
def test_seed_demo_builds_a_county_with_every_role_and_is_idempotent():
    call_command("seed_demo")
    root = Organisation.objects.get(name="清源县人民政府", parent=None)
    units = root.descendants()
    assert units.filter(kind=OrganisationKind.DEPARTMENT).count() >= 20
    assert units.filter(kind=OrganisationKind.TOWNSHIP).count() >= 10
    assert units.filter(kind=OrganisationKind.INTERNAL).exists()
    assert units.filter(kind=OrganisationKind.CONTRACTOR).exists()
    assert set(Membership.objects.values_list("role", flat=True).distinct()) == set(Role.values)
    people = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == people


@pytest.mark.django_db
def test_demo_user_signs_in(client):
    call_command("seed_demo")
    response = client.post("/login/", {"username": "edu_editor", "password": "Demo@2026!"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_health_reports_database_and_broker(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_setup_schedule_is_idempotent():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedule")
    count = PeriodicTask.objects.count()
    call_command("setup_schedule")
    assert PeriodicTask.objects.count() == count >= 1


@pytest.mark.django_db
def test_media_root_is_never_served_directly(client, region, settings, tmp_path):
    """Uploads are scoped objects (issue 12): only /files/<kind>/<id>/ serves them, after the object's scope check
    (tests/security/test_files.py); a file under MEDIA_ROOT has no URL of its own, signed in or not."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "qr").mkdir()
    (tmp_path / "qr" / "code.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    assert client.get("/media/qr/code.png").status_code == 404
    client.force_login(region.member)
    assert client.get("/media/qr/code.png").status_code == 404
    assert client.get("/media/../settings.py").status_code in (400, 404)
