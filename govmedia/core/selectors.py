import datetime as dt

from . import workdays


def calendar_days(start: dt.date, end: dt.date) -> list[workdays.Day]:
    calendar = workdays.Calendar(start, end)
    return [calendar.day(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]


def calendar_warnings(today: dt.date) -> list[str]:
    """Years around today that fall back to the weekday rule: supervisors must enter their schedule."""
    years = [today.year, today.year + 1] if today.month >= 10 else [today.year]
    return [
        f"{year}年的法定节假日安排尚未录入（日历包未覆盖），该年的工作日暂按周一至周五计算，"
        f"请在“工作日历”中录入国务院办公厅公布的{year}年安排。"
        for year in workdays.uncovered_years(years)
    ]
