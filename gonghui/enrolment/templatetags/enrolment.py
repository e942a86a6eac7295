"""``{% signup_state offering as s %}``: what the sign-up partial shows to the person viewing it."""

from django import template

from gonghui.enrolment.audience import may_join
from gonghui.enrolment.forms import SignUpForm
from gonghui.enrolment.models import Enrolment
from gonghui.enrolment.services import window_error

register = template.Library()


def state_for(offering, user, *, form=None, enrolment=None) -> dict:
    live = enrolment
    if live is None and getattr(user, "is_authenticated", False):
        live = (Enrolment.objects.unscoped().filter(offering=offering, user=user, status__in=Enrolment.LIVE)
                .first())
    allowed, reason = may_join(offering, user) if getattr(user, "is_authenticated", False) else (False, "")
    return {
        "offering": offering, "enrolment": live, "signed_in": getattr(user, "is_authenticated", False),
        "allowed": allowed, "reason": reason, "closed": window_error(offering),
        "form": form or SignUpForm(offering), "full": offering.is_full or offering.waiting_count > 0,
    }


@register.simple_tag(takes_context=True)
def signup_state(context, offering):
    request = context.get("request")
    user = getattr(request, "user", None)
    return state_for(offering, user, form=context.get("signup_form"))
