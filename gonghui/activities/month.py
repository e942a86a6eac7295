"""The portal's month calendar: weeks from Monday (the Chinese calendar's first day), each day with
the activities that take place on it (an activity over several days marks each of them)."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    today: bool
    activities: list = field(default_factory=list)


def parse_month(value: str, today: datetime.date) -> tuple[int, int]:
    """"2026-12" → (2026, 12); anything else (or a year out of range) → today's month."""
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_grid(year: int, month: int, activities, today: datetime.date) -> list[list[Day]]:
    """Weeks (lists of 7 days) covering the month; ``activities`` need starts_at and ends_at."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    days = {d: Day(d, d.month == month, d == today) for week in weeks for d in week}
    for activity in activities:
        first = timezone.localtime(activity.starts_at).date()
        # An activity ending at midnight belongs to the day before.
        last = timezone.localtime(activity.ends_at - datetime.timedelta(microseconds=1)).date()
        day = max(first, weeks[0][0])
        while day <= min(last, weeks[-1][-1]):
            days[day].activities.append(activity)
            day += datetime.timedelta(days=1)
    return [[days[d] for d in week] for week in weeks]
