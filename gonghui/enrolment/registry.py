"""What the apps built on enrolment tell it about their kinds of offering.

``register_kind("event", ledger_kind="activities.attended", label=_("参加职工文体活动"),
detail_url=lambda offering: reverse("activities:detail", args=[offering.pk]))`` — called from the
owning app's ``AppConfig.ready()``. A kind with a ``ledger_kind`` writes one ledger row when a
person is checked in; a kind without one (courses record attendance per session) writes none.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KindInfo:
    kind: str
    ledger_kind: str | None = None
    label: Any = None
    detail_url: Callable | None = None


_KINDS: dict[str, KindInfo] = {}


def register_kind(kind: str, *, ledger_kind: str | None = None, label=None, detail_url=None) -> KindInfo:
    if ledger_kind:
        from gonghui.ledger import kinds

        if label is not None:
            kinds.register(ledger_kind, label)
    info = KindInfo(kind, ledger_kind, label, detail_url)
    _KINDS[kind] = info
    return info


def kind_info(kind: str) -> KindInfo:
    return _KINDS.get(kind) or KindInfo(kind)


def detail_url(offering) -> str:
    """The page of the activity or course behind an offering ("" when its app registered none)."""
    info = kind_info(offering.kind)
    if info.detail_url is None:
        return ""
    try:
        return info.detail_url(offering) or ""
    except Exception:  # a missing row of the owning app must not break a roster or "my sign-ups"
        return ""
