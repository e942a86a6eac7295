"""The review part's block on the file detail page (`{% load review_tags %}{% review_block file %}`):
the rows are read here, each through the scope rule, so the file page's view needs no change."""

from django import template

from gonghui.core.scope import has_permission

register = template.Library()


@register.inclusion_tag("hardship/review_block.html", takes_context=True)
def review_block(context, file):
    from gonghui.hardship import services_review as services
    from gonghui.hardship.models import Exit, FollowUp, HardshipFile, MonthlyIncome, Review

    user = context["request"].user
    view = services.VIEW
    status = HardshipFile.Status
    registered = file.status == status.REGISTERED
    return {
        "file": file, "request": context["request"], "today": services.today(),
        "reviews": list(Review.objects.visible_to(user, view).filter(file=file).select_related("by")[:20]),
        "incomes": list(MonthlyIncome.objects.visible_to(user, view).filter(file=file)[:12]),
        "exits": list(Exit.objects.visible_to(user, view).filter(file=file).select_related("by", "reopened_by")),
        "followups": list(FollowUp.objects.visible_to(user, view).filter(file=file).select_related("by", "exit")),
        "rule": services.exit_rule(file) if registered else None,
        "can_change": has_permission(user, services.CHANGE, file.node_path),
        "registered": registered, "exited": file.status == status.EXITED,
    }
