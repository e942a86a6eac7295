"""The aid part's block on the file detail page (`{% load aid_tags %}{% aid_block file %}`): this
year's aid against the caps, the latest payments, the plan's measures and the pairings, each read
through the scope rule, so the file page's view needs no change."""

from django import template

from gonghui.core.scope import has_permission

register = template.Library()


@register.inclusion_tag("hardship/aid_block.html", takes_context=True)
def aid_block(context, file):
    from gonghui.hardship import services_aid as aid
    from gonghui.hardship.models import AidPayment, HardshipFile, Pairing, PlanMeasure

    request = context["request"]
    user = request.user
    plan = aid.current_plan(file)
    payments = list(AidPayment.objects.visible_to(user, aid.VIEW).filter(file=file)
                    .select_related("fund", "fund__union").order_by("-requested_at", "-pk")[:8])
    return {
        "file": file, "request": request,
        "summary": aid.aid_summary(file) if file.category else [],
        "payments": payments,
        "plan": plan,
        "measures": list(PlanMeasure.objects.visible_to(user, aid.VIEW).filter(plan=plan)) if plan else [],
        "pairings": list(Pairing.objects.visible_to(user, aid.VIEW).filter(file=file).order_by("ended_on", "-pk")),
        "can_change": has_permission(user, aid.CHANGE, file.node_path),
        "registered": file.status == HardshipFile.Status.REGISTERED,
    }
