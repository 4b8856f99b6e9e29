"""Nobody deactivates themselves through the API (issue 12: the superuser locked out the only administrator so);
another administrator still can, while one active superuser remains."""
import pytest

from organisations.models import User
from organisations.services import SELF_DEACTIVATION_MESSAGE


@pytest.mark.django_db
def test_a_superuser_cannot_deactivate_himself_but_another_can(api):
    root = User.objects.create_superuser("root1", password="Xq7!pLm2#Rv9")
    other = User.objects.create_superuser("root2", password="Xq7!pLm2#Rv9")
    client = api.as_user(root)
    patched = client.patch(f"/api/v1/users/{root.pk}/", {"is_active": False}, format="json")
    assert patched.status_code == 400 and patched.json()["is_active"] == [SELF_DEACTIVATION_MESSAGE]
    deleted = client.delete(f"/api/v1/users/{root.pk}/")
    assert deleted.status_code == 400 and deleted.json()["is_active"] == [SELF_DEACTIVATION_MESSAGE]
    root.refresh_from_db()
    assert root.is_active
    # The refusal is about oneself: the other superuser is deactivated as asked.
    assert client.patch(f"/api/v1/users/{other.pk}/", {"is_active": False}, format="json").status_code == 200
    other.refresh_from_db()
    assert not other.is_active
