"""Filters of the courses templates."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """¥1,200.00"""
    try:
        return f"¥{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError, TypeError):
        return "—"


@register.filter
def plain_score(value) -> str:
    """60.0 → 60, 59.5 → 59.5, None → —"""
    if value in (None, ""):
        return "—"
    number = Decimal(str(value))
    return str(number.quantize(Decimal(1))) if number == number.to_integral() else str(number)
