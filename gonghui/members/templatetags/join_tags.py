"""Template helpers of joining online: the union's join QR code, and what the reader may see."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from gonghui.core.qr import absolute_url, qr_svg
from gonghui.core.scope import has_permission
from gonghui.members import join_services

register = template.Library()


def join_url(request, node) -> str:
    """The absolute address of the union's apply page, which its QR code holds."""
    return absolute_url(reverse("my_union:join_apply", args=[node.pk]), request)


@register.simple_tag(takes_context=True)
def join_qr(context, node):
    request = context.get("request")
    return mark_safe(qr_svg(join_url(request, node), title=node.name, css_class="join-qr-svg", border=2))


@register.simple_tag(takes_context=True)
def join_link(context, node):
    return join_url(context.get("request"), node)


@register.filter
def join_accepts(node) -> bool:
    """Whether the union takes join applications online (and so has a join QR code)."""
    return join_services.is_joinable(node)


@register.simple_tag(takes_context=True)
def join_may_reveal_id(context, case) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and has_permission(user, "members.view_full_id", case.node_path))


@register.simple_tag
def join_decision_note(case) -> str:
    """What the union wrote to the worker with its decision (a rejection's reason)."""
    return join_services.decision_note(case)


@register.simple_tag
def join_active_membership(worker):
    """The person's active membership, if any (the console warns before approving)."""
    from gonghui.members.services import active_membership

    return active_membership(worker)
