"""The working-day calendar across National Day 2024 and its make-up days, and a year no package covers."""
import datetime as dt

import pytest

from govmedia.core import workdays
from tests.factories import CalendarDayFactory, CalendarYearFactory

D = dt.date


@pytest.mark.django_db
class TestNationalDay2024:
    def test_make_up_sunday_and_saturday_are_working_days(self):
        assert workdays.is_workday(D(2024, 9, 29))  # Sunday, worked for National Day
        assert workdays.is_workday(D(2024, 10, 12))  # Saturday, worked for National Day
        assert not workdays.is_workday(D(2024, 10, 1))
        assert not workdays.is_workday(D(2024, 10, 7))  # Monday inside the holiday
        assert not workdays.is_workday(D(2024, 9, 28))  # an ordinary Saturday

    def test_add_workdays_counts_strictly_after_and_jumps_the_holiday(self):
        # Friday 27 Sept: Sunday 29 (make-up) is the 1st, Monday 30 the 2nd, Tuesday 8 Oct the 3rd.
        assert workdays.add_workdays(D(2024, 9, 27), 1) == D(2024, 9, 29)
        assert workdays.add_workdays(D(2024, 9, 27), 2) == D(2024, 9, 30)
        assert workdays.add_workdays(D(2024, 9, 27), 3) == D(2024, 10, 8)

    def test_seven_working_days_after_the_eve_of_the_holiday(self):
        # 30 Sept → 8, 9, 10, 11, 12 (Saturday make-up), 14, 15 October.
        assert workdays.add_workdays(D(2024, 9, 30), 7) == D(2024, 10, 15)

    def test_a_day_inside_the_holiday_starts_counting_after_it(self):
        assert workdays.add_workdays(D(2024, 10, 3), 1) == D(2024, 10, 8)

    def test_source_is_the_package(self):
        assert workdays.day(D(2024, 9, 29)).source == workdays.PACKAGE

    def test_zero_days_is_refused(self):
        with pytest.raises(ValueError):
            workdays.add_workdays(D(2024, 9, 27), 0)


@pytest.mark.django_db
class TestYearTheCalendarPackageDoesNotCover:
    def test_falls_back_to_weekdays_and_says_so(self):
        new_year = workdays.day(D(2027, 1, 1))  # a Friday: the fallback cannot know it is a holiday
        assert new_year.is_workday is True
        assert new_year.source == workdays.WEEKDAY_FALLBACK
        assert workdays.uncovered_years([2026, 2027]) == [2027]

    def test_office_entries_override_and_entering_the_year_ends_the_fallback(self):
        CalendarDayFactory(date=D(2027, 1, 1), is_workday=False, note="元旦")
        assert workdays.day(D(2027, 1, 1)) == workdays.Day(D(2027, 1, 1), False, workdays.OFFICE)
        assert workdays.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert workdays.day(D(2027, 1, 5)).source == workdays.WEEKDAY_FALLBACK
        CalendarYearFactory(year=2027)
        assert workdays.day(D(2027, 1, 5)).source == workdays.OFFICE
        assert workdays.uncovered_years([2027]) == []

    def test_office_entry_also_corrects_a_covered_year(self):
        CalendarDayFactory(date=D(2024, 10, 8), is_workday=False, note="防汛调休（示例）")
        assert workdays.add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 9)
