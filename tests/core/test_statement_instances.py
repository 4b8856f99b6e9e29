"""A kept list statement's rows become model instances without Model.__init__ only where nothing could tell the
difference (govmedia.core.statements._maker): the same fields and state as `from_db` gives, and `from_db` itself
for a class with a pre_init or post_init receiver."""
import pytest
from django.db.models.signals import post_init

from accounts.models import Account
from govmedia.core.statements import _maker
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _values(account):
    names = [f.attname for f in Account._meta.concrete_fields]
    return names, [getattr(account, name) for name in names]


def test_an_instance_is_what_from_db_makes():
    names, values = _values(AccountFactory(name="甲县发布"))
    made = _maker(Account, names, "default")(values)
    expected = Account.from_db("default", names, values)
    assert type(made) is Account
    assert {k: v for k, v in made.__dict__.items() if k != "_state"} == \
        {k: v for k, v in expected.__dict__.items() if k != "_state"}
    assert (made._state.adding, made._state.db) == (False, "default")
    assert made.get_platform_display() == expected.get_platform_display()
    assert made.owner == expected.owner


def test_a_post_init_receiver_is_still_called():
    names, values = _values(AccountFactory(name="乙县发布"))
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.name)

    post_init.connect(receiver, sender=Account)
    try:
        _maker(Account, names, "default")(values)
    finally:
        post_init.disconnect(receiver, sender=Account)
    assert seen == ["乙县发布"]


def test_a_partial_row_goes_through_from_db():
    names, values = _values(AccountFactory(name="丙县发布"))
    made = _maker(Account, names[:-1], "default")(values[:-1])
    assert made.get_deferred_fields() == {names[-1]}
