"""Working days on the mainland-China calendar: public holidays and make-up working days (调休).

The chinese-calendar package knows the State Council's schedules of past years; admins add or
correct days in ``HolidayOverride`` (the next year's schedule is published each November, often
before the package has it). Outside the package's years, Monday to Friday are working days.
"""

import datetime
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

from gonghui.workflow.declarations import HOURS, TimeLimit


def _package_says(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


@lru_cache(maxsize=4096)
def _package_cached(day: datetime.date) -> bool:
    return _package_says(day)


def overrides_between(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    from gonghui.workflow.models import HolidayOverride

    return dict(HolidayOverride.objects.filter(day__gte=start, day__lte=end).values_list("day", "is_working_day"))


def is_working_day(day: datetime.date, overrides: dict | None = None) -> bool:
    if overrides is None:
        overrides = overrides_between(day, day)
    if day in overrides:
        return overrides[day]
    return _package_cached(day)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end (23:59:59, local time) of the ``days``-th working day after ``start``'s date.

    A request made on Friday night with one working day to answer is due at the end of Monday;
    one made before a week-long holiday is due after it.
    """
    local = timezone.localtime(start)
    day = local.date()
    # Long holidays are at most ~9 days; 3 weeks per 10 working days is plenty of look-ahead.
    overrides = overrides_between(day, day + datetime.timedelta(days=days * 3 + 21))
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, overrides):
            counted += 1
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def due_at(start: datetime.datetime, limit: TimeLimit) -> datetime.datetime:
    if limit.unit == HOURS:
        return start + datetime.timedelta(hours=limit.amount)
    return add_working_days(start, limit.amount)
