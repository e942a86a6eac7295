"""The pass rule of a course, a plain function: attendance ≥ X % of the sessions and score ≥ Y.

Compared without rounding (``present × 100 ≥ X × sessions``), so 4 of 5 sessions is exactly 80 %.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Outcome:
    passed: bool
    attendance_pct: Decimal | None  # None when the course has no sessions
    score: Decimal | None
    reasons: list[str] = field(default_factory=list)  # why not passed, in Chinese


def attendance_pct(present: int, sessions: int) -> Decimal | None:
    if sessions <= 0:
        return None
    return (Decimal(present) * 100 / Decimal(sessions)).quantize(Decimal("0.1"))


def evaluate(*, sessions: int, present: int, score, min_attendance_pct: int, pass_score) -> Outcome:
    """Whether a trainee passed. ``score`` None = did not sit the exam."""
    if present < 0 or sessions < 0 or present > sessions:
        raise ValueError("present must be between 0 and sessions")
    reasons = []
    pct = attendance_pct(present, sessions)
    if sessions == 0:
        reasons.append(_("课程还没有课次，无法计算出勤率。"))
    elif present * 100 < min_attendance_pct * sessions:
        reasons.append(_("出勤%(present)d/%(sessions)d次（%(pct)s%%），低于要求的%(min)d%%。") % {
            "present": present, "sessions": sessions, "pct": pct, "min": min_attendance_pct})
    score = None if score is None else Decimal(str(score))
    if score is None:
        reasons.append(_("没有考试成绩。"))
    elif score < Decimal(str(pass_score)):
        reasons.append(_("考试成绩%(score)s分，低于合格分数%(pass)s分。") % {
            "score": _plain(score), "pass": _plain(Decimal(str(pass_score)))})
    return Outcome(passed=not reasons, attendance_pct=pct, score=score, reasons=reasons)


def _plain(value: Decimal) -> str:
    """60.0 → 60, 59.5 → 59.5."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)
