"""The portal's month calendar."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from gonghui.activities.month import month_grid, parse_month, shift


def at(y, m, d, h=9):
    return timezone.make_aware(datetime.datetime(y, m, d, h))


def test_parse_and_shift():
    today = datetime.date(2026, 12, 6)
    assert parse_month("2027-02", today) == (2027, 2)
    assert parse_month("2027-13", today) == (2026, 12)
    assert parse_month("<script>", today) == (2026, 12)
    assert parse_month("1999-01", today) == (2026, 12)
    assert shift(2026, 12, 1) == (2027, 1) and shift(2026, 1, -1) == (2025, 12)


def test_grid_starts_on_monday_and_marks_each_day_of_an_activity():
    weeks = month_grid(2026, 12, [
        SimpleNamespace(starts_at=at(2026, 12, 5), ends_at=at(2026, 12, 7, 0)),   # ends at midnight: 5th and 6th
        SimpleNamespace(starts_at=at(2026, 11, 30), ends_at=at(2026, 11, 30, 12)),  # shown in the first week
        SimpleNamespace(starts_at=at(2027, 3, 1), ends_at=at(2027, 3, 1, 12)),  # elsewhere: not shown
    ], datetime.date(2026, 12, 6))
    assert all(len(w) == 7 for w in weeks)
    assert weeks[0][0].date == datetime.date(2026, 11, 30) and weeks[0][0].date.weekday() == 0
    days = {d.date: d for w in weeks for d in w}
    assert len(days[datetime.date(2026, 12, 5)].activities) == 1
    assert len(days[datetime.date(2026, 12, 6)].activities) == 1
    assert days[datetime.date(2026, 12, 6)].today
    assert not days[datetime.date(2026, 12, 7)].activities
    assert days[datetime.date(2026, 11, 30)].activities and not days[datetime.date(2026, 11, 30)].in_month
    assert sum(len(d.activities) for d in days.values()) == 3
