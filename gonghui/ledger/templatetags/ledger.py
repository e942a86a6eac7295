"""Template helpers for the ledger: a service kind's label."""

from django import template

from gonghui.ledger import kinds

register = template.Library()


@register.filter
def service_kind(code: str) -> str:
    """``{{ row.kind|service_kind }}``: the registered label, or the code for an unknown kind."""
    return kinds.label(code)


@register.filter
def yuan(amount) -> str:
    """Money as ¥1,200.00 (UI.md); empty for a service without an amount."""
    if amount is None or amount == "":
        return ""
    return f"¥{amount:,.2f}"


@register.filter
def node_indent(depth) -> str:
    """Full-width spaces that show a node's depth in a select."""
    return "　" * max(int(depth or 1) - 1, 0)
