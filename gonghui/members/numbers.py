"""Member numbers (会员号): "M" and ten digits, handed out in blocks from one counter row.

A block is reserved by one UPDATE inside the caller's transaction, so concurrent joins and
imports never receive the same number (on SQLite the IMMEDIATE transaction serialises writers;
on PostgreSQL the row lock does), and an import of a million rows asks once per chunk.
"""

from django.db import transaction
from django.db.models import F

from gonghui.members.models import MemberNumberSequence

PREFIX = "M"
DIGITS = 10


def format_number(value: int) -> str:
    return f"{PREFIX}{value:0{DIGITS}d}"


@transaction.atomic
def reserve(count: int) -> range:
    """The next ``count`` member numbers as integers; format each with format_number."""
    if count < 1:
        return range(0)
    updated = MemberNumberSequence.objects.filter(pk=1).update(last=F("last") + count)
    if not updated:
        MemberNumberSequence.objects.get_or_create(pk=1, defaults={"last": 0})
        MemberNumberSequence.objects.filter(pk=1).update(last=F("last") + count)
    last = MemberNumberSequence.objects.values_list("last", flat=True).get(pk=1)
    return range(last - count + 1, last + 1)


def next_number() -> str:
    return format_number(reserve(1)[0])
