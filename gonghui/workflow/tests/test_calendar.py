import datetime
import zoneinfo

import pytest

from gonghui.workflow import calendar
from gonghui.workflow.declarations import HOURS, TimeLimit
from gonghui.workflow.models import HolidayOverride

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_friday_night_request_is_due_at_the_end_of_monday():
    due = calendar.add_working_days(at(2026, 11, 20, 23, 0), 1)  # a Friday
    assert due == at(2026, 11, 23, 23, 59, 59)


@pytest.mark.django_db
def test_national_day_holiday_is_skipped():
    # 2026-10-01..07 are holidays; Sept 30 + 1 working day is Oct 8.
    assert calendar.add_working_days(at(2026, 9, 30, 10, 0), 1).date() == datetime.date(2026, 10, 8)


@pytest.mark.django_db
def test_make_up_working_day_counts():
    # 2026-01-04 (a Sunday) is a make-up working day (调休) in the State Council's 2026 schedule.
    assert calendar.is_working_day(datetime.date(2026, 1, 4)) is True
    assert calendar.add_working_days(at(2026, 1, 3, 9, 0), 1).date() == datetime.date(2026, 1, 4)


@pytest.mark.django_db
def test_admin_overrides_win_and_cover_years_the_package_lacks():
    day = datetime.date(2027, 2, 8)  # a Monday; 2027 is not in the package yet
    assert calendar.is_working_day(day) is True
    HolidayOverride.objects.create(day=day, is_working_day=False, note="春节")
    assert calendar.is_working_day(day) is False
    assert calendar.add_working_days(at(2027, 2, 5, 9, 0), 1).date() == datetime.date(2027, 2, 9)


def test_hours_are_calendar_hours():
    assert calendar.due_at(at(2026, 10, 1, 8, 0), TimeLimit(24, HOURS)) == at(2026, 10, 2, 8, 0)
