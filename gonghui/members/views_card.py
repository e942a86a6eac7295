"""Console pages of the e-card: card verification (staff and partners) and member photos."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from gonghui.core.scope import get_visible_or_404
from gonghui.core.views import StaffRequiredMixin
from gonghui.members import ecard
from gonghui.members.models import Membership


class CardVerifyView(LoginRequiredMixin, View):
    """核验电子会员卡: opened from the QR code (the token in the path), or with the code typed or
    pasted into the field (``?code=``; hand-held scanners type the whole URL and press Enter).

    Partner users and staff holding members.verify_card anywhere; the check is city-wide by design
    and shows masked data only. A worker who scans a card lands here too: they get a plain 403 that
    says who may verify, not the console's 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not ecard.may_verify(request.user):
            if request.user.kind == request.user.Kind.WORKER:
                return render(request, "core/error.html", {"status": 403, "message": _(
                    "电子会员卡由工会工作人员和合作商户核验。您是会员的话，可以在“我的”里打开自己的电子会员卡。")},
                    status=403)
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token=None):
        code = token if token is not None else request.GET.get("code", "")
        verification = ecard.verify(code, by=request.user) if code.strip() else None
        entered = token is None and bool(code.strip())
        ctx = {"verification": verification, "entered": entered}
        if getattr(request, "htmx", False) and not request.htmx.boosted and token is None:
            return render(request, "members/_card_verify_result.html", ctx)
        return render(request, "members/card_verify.html", ctx)


class CardPhotoView(LoginRequiredMixin, View):
    """The member's photo on a verification page: only with a genuine, recent token."""

    def get(self, request, token):
        return ecard.photo_response(ecard.membership_for_photo(token, by=request.user).worker)


class MemberPhotoView(StaffRequiredMixin, View):
    """A member's photo for staff who may see the member (scoped like the member's record)."""

    def get(self, request, pk):
        membership = get_visible_or_404(Membership.objects.select_related("worker"), request.user,
                                        "members.view", pk=pk)
        return ecard.photo_response(membership.worker)
