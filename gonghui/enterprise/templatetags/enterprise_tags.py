"""The enterprise facts shown on the engine's case page of an enterprise problem."""

from django import template

from gonghui.core.scope import has_permission

register = template.Library()


@register.simple_tag(takes_context=True)
def problem_facts(context, case):
    """The problem behind ``case``, and whether the reader may open its enterprise and visit pages
    (a case handed to another union may be seen where the enterprise is not)."""
    from gonghui.enterprise.models import Problem

    problem = Problem.objects.unscoped().select_related("enterprise__node", "visit__node").filter(pk=case.pk).first()
    if problem is None:
        return None
    user = context["request"].user
    return {
        "problem": problem,
        "enterprise_link": has_permission(user, "enterprise.view", problem.enterprise.node.path),
        "visit_link": has_permission(user, "enterprise.view", problem.visit.node.path),
    }
