"""The 词表 and 审校流程 menu entries and the forms on those pages answer the same question of
organisations.access, so whoever sees the entry can use the page, and nobody else is shown its form."""
import pytest

from organisations import access

pytestmark = pytest.mark.django_db


def menu(client) -> list[str]:
    return [item["label"] for item in client.get("/").context["nav_items"]]


@pytest.mark.parametrize("who, keeps_word_lists, sets_policies", [
    ("supervisor", True, True),   # supervises the county
    ("owner", False, True),       # the bureau's principal directs the bureau
    ("member", False, False),     # an editor does neither
    ("auditor", False, False),    # oversees, never edits
])
def test_menu_and_page_agree(client, region, who, keeps_word_lists, sets_policies):
    user = getattr(region, who)
    assert access.can_keep_word_lists(user) is keeps_word_lists
    assert access.can_set_review_policies(user) is sets_policies
    client.force_login(user)
    labels = menu(client)
    assert ("词表" in labels) is keeps_word_lists
    assert ("审校流程" in labels) is sets_policies
    word_lists = client.get("/word-lists/")
    assert (word_lists.context["form"] is not None) is keeps_word_lists
    policies = client.get("/review/policies/")
    assert bool(policies.context["organisations"]) is sets_policies
