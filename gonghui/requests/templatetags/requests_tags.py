from django import template

from gonghui.requests import casetype

register = template.Library()


@register.filter
def rating_open(case) -> bool:
    """Whether the worker may still rate this request (closed, not rated, within 7 days)."""
    return case.state == "closed" and casetype.rating_open(case)


@register.filter
def rating_deadline(case):
    r = casetype.request_of(case)
    return r.rating_invited_at + casetype.RATING_WINDOW if r and r.rating_invited_at else None


@register.filter
def indent(depth) -> str:
    """Full-width spaces that show a node's depth in a select."""
    return "　" * max(int(depth or 1) - 1, 0)
