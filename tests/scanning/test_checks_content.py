"""content_sensitive, content_pii and content_correction on the text of published pages."""
import datetime as dt
import random
import time

import pytest

from publishing import checks as post_checks
from publishing.models import WordEntry, WordListKind
from scanning.checks import CONTENT_CORRECTION, CONTENT_PII, CONTENT_SENSITIVE, WordLists, check_text
from tests.factories import OrganisationFactory, WordListFactory

TODAY = dt.date(2026, 10, 9)  # the Friday after 国庆 (10-01..10-08)
NO_WORDS = WordLists()
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """The test's own ISO 7064 MOD 11-2 check digit, so the module is not checked against itself."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def card_number(body: str) -> str:
    """`body` plus the Luhn digit."""
    for last in "0123456789":
        digits = [int(c) for c in reversed(body + last)]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
        if total % 10 == 0:
            return body + last
    raise AssertionError


def pii(text, today=TODAY):
    return [(h.match, h.severity, h.detail["kind"]) for h in check_text(text, NO_WORDS, today=today)
            if h.rule == CONTENT_PII]


def test_id_number_found_with_the_number_masked_everywhere():
    hits = check_text("拟录用人员：张三，身份证号11010519491231002X，现予公示。", NO_WORDS, today=TODAY)
    assert [(h.rule, h.match, h.severity) for h in hits] == [(CONTENT_PII, "110105********002X", "")]
    assert "110105********002X" in hits[0].excerpt and "张三" in hits[0].excerpt
    assert "19491231" not in hits[0].excerpt and "19491231" not in str(hits[0].detail)


def test_id_number_needs_its_check_digit_a_region_and_a_real_birth_date():
    valid = id_number("44052419800101001")
    assert pii(f"号码{valid}。") == [(valid[:6] + "********" + valid[-4:], "", "id_card")]
    wrong_digit = valid[:17] + ("0" if valid[17] != "0" else "1")
    assert pii(f"号码{wrong_digit}。") == []
    assert pii(f"号码{id_number('99052418800101001')}。") == []  # no province 99
    assert pii(f"号码{id_number('44052418991231001')}。") == []  # born before 1900
    assert pii(f"号码{card_number('41111111111111111')}。") == []  # nor a Visa card: those have 16 or 19 digits
    assert pii(f"号码{id_number('44052419900230001')}。") == []  # 30 February


def test_a_birth_date_in_the_future_is_not_an_id_until_that_day_has_come():
    born_later = id_number("11010520261020003")  # born 2026-10-20
    assert pii(f"编号{born_later}", today=TODAY) == []
    assert len(pii(f"编号{born_later}", today=dt.date(2026, 10, 20))) == 1


@pytest.mark.parametrize("masked", [
    "110105********002X", "1101051949****002X", "110105xxxxxxxx002X", "110105××××××××002X", "11010519491231****",
])
def test_masked_id_numbers_are_not_reported(masked):
    assert pii(f"身份证号：{masked}") == []


def test_numbers_inside_longer_runs_or_codes_are_not_reported():
    assert pii("流水号911010519491231002X") == []
    assert pii("流水号11010519491231002X7") == []
    assert pii("订单 201310000000000000000138123456789") == []
    assert pii("编码A13812345678") == []


def test_old_15_digit_id_only_where_the_text_says_it_is_one():
    assert pii("公民身份号码：110105491231002") == [("110105*****1002", "", "id_card")]
    assert pii("档案编号 110105491231002") == []


def test_bank_cards_by_luhn_and_issuer_prefix():
    card = card_number("622260026000107244")  # 19 digits, UnionPay
    assert pii(f"收款账号{card}") == [(card[:4] + "*" * 11 + card[-4:], "", "bank_card")]
    grouped = " ".join(card[i:i + 4] for i in range(0, 19, 4))
    assert pii(f"卡号 {grouped} 。") == [(card[:4] + "*" * 11 + card[-4:], "", "bank_card")]
    visa = card_number("411111111111111")
    assert pii(f"卡号{visa}") == [("4111********1111", "", "bank_card")]
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert pii(f"卡号{broken}") == []
    assert pii(f"编号{card_number('123456781234567')}") == []  # Luhn-valid, but no card starts with 1
    assert pii(f"卡号{card[:4]}*******{card[-4:]}") == []


def test_mobile_numbers_are_a_warning_and_masked():
    hits = check_text("联系人：赵六 13812345678；监督电话 0475-8888888。", NO_WORDS, today=TODAY)
    assert [(h.match, h.severity) for h in hits] == [("138****5678", "warning")]
    assert "13812345678" not in hits[0].excerpt
    assert pii("联系电话：138****5678") == []


def test_a_clean_page_finds_nothing():
    words = WordLists.from_words(sensitive=["赌博"], advertising=["澳门威尼斯人"], correction=[("中华人民共合国", "中华人民共和国")])
    clean = ("通辽市人民政府办公室关于印发2026年政务公开工作要点的通知。文号：通政办发〔2026〕12号。"
             "统一社会信用代码 11150500011541234X。电话：0475-8888888。发布日期：2026-10-09。")
    assert check_text(clean, words, today=TODAY) == []


@pytest.fixture
def fresh_automata():
    """The posts' automata are cached per (list id, version); ids come round again after a test's rollback, so
    this test's lists must not be left behind for another test that reuses their ids."""
    post_checks.automata.data.clear()
    yield
    post_checks.automata.data.clear()


@pytest.mark.django_db
def test_the_posts_word_lists_of_the_unit_and_above_apply(fresh_automata):
    city = OrganisationFactory(name="通辽市人民政府")
    bureau = OrganisationFactory(name="通辽市教育局", parent=city)
    for organisation, kind, word, suggestion in [
        (city, WordListKind.SENSITIVE, "六合彩", ""),
        (bureau, WordListKind.ADVERTISING, "澳门威尼斯人", ""),
        (city, WordListKind.CORRECTION, "中华人民共合国", "中华人民共和国"),
    ]:
        word_list = WordListFactory(organisation=organisation, kind=kind)
        WordEntry.objects.create(word_list=word_list, text=word, suggestion=suggestion)
    page = "本站链接：澳门威尼斯人，六合彩开奖。六合彩再次出现。中华人民共合国成立。联系人身份证11010519491231002X。"
    hits = check_text(page, WordLists.for_organisation(bureau), today=TODAY)
    found = {(h.rule, h.match, h.severity) for h in hits}
    assert found == {
        (CONTENT_SENSITIVE, "六合彩", ""), (CONTENT_SENSITIVE, "澳门威尼斯人", ""),
        (CONTENT_CORRECTION, "中华人民共合国", "warning"), (CONTENT_PII, "110105********002X", ""),
    }
    by_match = {h.match: h for h in hits}
    assert by_match["六合彩"].detail["count"] == 2  # one finding per rule, page and match
    assert by_match["中华人民共合国"].detail["suggestion"] == "中华人民共和国"
    assert "110105**" in by_match["中华人民共合国"].excerpt  # excerpts of other rules mask the number too
    assert "11010519491231002X" not in "".join(h.excerpt for h in hits)
    # The city's own lists do not reach up or sideways: the bureau's advertising list is not the city's.
    city_hits = {h.match for h in check_text(page, WordLists.for_organisation(city), today=TODAY)}
    assert "澳门威尼斯人" not in city_hits and "六合彩" in city_hits


def test_checking_20000_characters_against_10000_words_takes_milliseconds():
    rng = random.Random(13)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    words = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(3, 6))) for _ in range(12000)})[:10000]
    lists = WordLists.from_words(sensitive=words[:5000], advertising=words[5000:8000], correction=words[8000:])
    page = "".join(rng.choice(alphabet) for _ in range(20000))
    check_text(page, lists, today=TODAY)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        hits = check_text(page, lists, today=TODAY)
        runs.append(time.perf_counter() - started)
    assert hits  # random text of common characters does contain some of the words
    assert min(runs) < 0.1, f"{min(runs) * 1000:.1f} ms"
