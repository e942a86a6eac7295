"""Template tags of the campaigns part: the file page's block of grants and visits."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def file_campaigns(context, file):
    """This household's Golden Autumn applications and Send Warmth visits, in the viewer's scope."""
    from gonghui.hardship.services_campaigns import campaigns_of_file

    request = context.get("request")
    if request is None or file is None:
        return {"warmth_targets": [], "golden_applications": []}
    from gonghui.core.scope import has_permission

    result = campaigns_of_file(file, request.user)
    result["can_apply"] = file.status == "registered" and has_permission(request.user, "hardship.change",
                                                                          file.node_path)
    return result


@register.filter
def yuan(value) -> str:
    """Money as ¥1,200.00 (the UI's rule), from a Decimal or a Decimal-able string."""
    from decimal import Decimal, InvalidOperation

    try:
        return f"¥{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return "—"
