"""The pass rule (rules.evaluate): attendance share and exam score, compared without rounding."""

from decimal import Decimal

import pytest

from gonghui.courses import rules


def ev(sessions=5, present=5, score="60", pct=80, pass_score="60"):
    return rules.evaluate(sessions=sessions, present=present, score=score, min_attendance_pct=pct,
                          pass_score=pass_score)


def test_full_attendance_and_pass_score_passes():
    outcome = ev()
    assert outcome.passed and outcome.reasons == []
    assert outcome.attendance_pct == Decimal("100.0") and outcome.score == Decimal("60")


def test_attendance_exactly_at_the_line_passes_and_one_less_fails():
    assert ev(sessions=5, present=4).passed  # 80 % exactly
    low = ev(sessions=5, present=3)
    assert not low.passed
    assert low.reasons == ["出勤3/5次（60.0%），低于要求的80%。"]


def test_no_rounding_up_of_attendance():
    # 7 of 9 = 77.8 %: below 78 % even though it would round to 78.
    assert not ev(sessions=9, present=7, pct=78).passed
    assert ev(sessions=9, present=7, pct=77).passed


def test_score_just_below_the_pass_score_fails():
    outcome = ev(score="59.9")
    assert not outcome.passed
    assert outcome.reasons == ["考试成绩59.9分，低于合格分数60分。"]
    assert ev(score=Decimal("75.5"), pass_score="75.5").passed


def test_missing_score_and_low_attendance_give_both_reasons():
    outcome = ev(present=1, score=None)
    assert not outcome.passed and len(outcome.reasons) == 2
    assert outcome.reasons[1] == "没有考试成绩。"


def test_a_course_without_sessions_cannot_pass():
    outcome = ev(sessions=0, present=0)
    assert not outcome.passed and outcome.attendance_pct is None
    assert "没有课次" in outcome.reasons[0]


def test_zero_attendance_requirement_accepts_absent_trainee():
    assert ev(present=0, pct=0).passed


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        ev(sessions=3, present=4)
    with pytest.raises(ValueError):
        ev(sessions=3, present=-1)
