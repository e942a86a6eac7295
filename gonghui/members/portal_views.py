"""The worker's own pages on the portal (我的): e-card, photo, profile, my services, my data.

Every page reads the signed-in account's own Worker record and nothing else; the rules live in
``members.ecard`` and ``members.cardholder``.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.ledger.services import services_of
from gonghui.members import cardholder, ecard
from gonghui.members.models import Education, HouseholdType

WORKER_LOGIN = "accounts:worker_login"
JOIN_PATH = "/join/"


def _card_context(request, membership) -> dict:
    token = ecard.issue_token(membership)
    url = ecard.verify_url(token.token, request)
    return {"membership": membership, "card_token": token, "qr_svg": ecard.qr_svg(url),
            "refresh_seconds": ecard.REFRESH_AFTER, "ttl_minutes": ecard.TOKEN_TTL // 60}


@login_required(login_url=WORKER_LOGIN)
def card(request):
    """电子会员卡: name, union, number, status, photo and a QR code that renews itself."""
    worker = cardholder.worker_of(request.user)
    membership = ecard.current_membership(worker)
    ctx = {"worker": worker, "membership": membership, "join_path": JOIN_PATH}
    if membership is not None:
        ctx.update(_card_context(request, membership))
        ctx["photo_version"] = ecard.photo_version(worker)
    return render(request, "members/me_card.html", ctx)


@login_required(login_url=WORKER_LOGIN)
def card_qr(request):
    """A fresh QR code for the card page (HTMX polls it before the last one expires)."""
    if not getattr(request, "htmx", False):
        return redirect("my_union:card")
    membership = ecard.current_membership(cardholder.worker_of(request.user))
    if membership is None:
        # The membership ended while the page was open: reload it to show why.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "members/_card_qr.html", _card_context(request, membership))


@login_required(login_url=WORKER_LOGIN)
def photo(request):
    """The worker's own photo (never served from a public media URL)."""
    worker = cardholder.worker_of(request.user)
    if worker is None:
        raise Http404
    return ecard.photo_response(worker)


@login_required(login_url=WORKER_LOGIN)
@require_http_methods(["GET", "POST"])
def photo_upload(request):
    worker = cardholder.worker_of(request.user)
    error = ""
    status = 200
    if worker is not None and request.method == "POST":
        if request.POST.get("action") == "remove":
            ecard.remove_photo(worker, by=request.user)
            messages.success(request, _("照片已删除。"))
            return redirect("my_union:card")
        upload = request.FILES.get("photo")
        if upload is None:
            error, status = _("请先选择一张照片。"), 422
        else:
            try:
                ecard.check_photo_size(upload.size)  # before reading: a huge file stays on disk
                ecard.set_photo(worker, upload.name, upload.read(), by=request.user)
            except ValidationError as e:
                error, status = e.message_dict["photo"][0], 422
            else:
                messages.success(request, _("照片已更新，电子会员卡上会显示这张照片。"))
                return redirect("my_union:card")
    return render(request, "members/me_photo.html", {
        "worker": worker, "error": error, "photo_version": ecard.photo_version(worker) if worker else "",
        "max_size": ecard.photo_max_bytes(),
    }, status=status)


@login_required(login_url=WORKER_LOGIN)
def profile(request):
    """个人资料 and 我的会籍: the profile (masked ID), the union, and the membership history."""
    worker = cardholder.worker_of(request.user)
    ctx = {"worker": worker, "join_path": JOIN_PATH}
    if worker is not None:
        applications, transfers = cardholder.join_applications_of(worker), cardholder.transfers_of(worker)
        for row in (*applications, *transfers):
            row.worker_state = cardholder.case_state_label(row.case)
        ctx.update(membership=ecard.current_membership(worker), memberships=cardholder.memberships_of(worker),
                   transfers=transfers, join_applications=applications)
    return render(request, "members/me_profile.html", ctx)


class ProfileForm(forms.Form):
    ethnicity = forms.ChoiceField(label=gettext_lazy("民族"), required=False)
    education = forms.ChoiceField(label=gettext_lazy("学历"), required=False)
    household_type = forms.ChoiceField(label=gettext_lazy("户籍类型"), required=False)
    migrant_worker = forms.BooleanField(label=gettext_lazy("我是农民工（进城务工人员）"), required=False)
    employer = forms.CharField(label=gettext_lazy("工作单位"), required=False, max_length=200,
                               error_messages={"max_length": gettext_lazy("工作单位名称不能超过200个字。")})

    def __init__(self, *args, current_ethnicity: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        ethnicities = list(cardholder.ETHNICITIES)
        if current_ethnicity and current_ethnicity not in ethnicities:
            ethnicities.insert(0, current_ethnicity)  # an imported spelling stays selectable
        unset = [("", _("未填写"))]
        self.fields["ethnicity"].choices = unset + [(e, e) for e in ethnicities]
        self.fields["education"].choices = unset + list(Education.choices)
        self.fields["household_type"].choices = unset + list(HouseholdType.choices)


@login_required(login_url=WORKER_LOGIN)
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    worker = cardholder.worker_of(request.user)
    if worker is None:
        return redirect("my_union:profile")
    initial = {name: getattr(worker, name) for name in cardholder.EDITABLE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial, current_ethnicity=worker.ethnicity)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                cardholder.update_profile(worker, form.cleaned_data, by=request.user)
            except ValidationError as e:
                for name, errors in e.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("个人资料已保存。"))
                return redirect("my_union:profile")
    return render(request, "members/me_profile_edit.html", {"form": form, "worker": worker}, status=status)


@login_required(login_url=WORKER_LOGIN)
def my_services(request):
    """我的服务: what the unions did for me, newest first."""
    worker = cardholder.worker_of(request.user)
    page = None
    if worker is not None:
        page = Paginator(services_of(worker), 30).get_page(request.GET.get("page"))
    return render(request, "members/me_services.html", {"worker": worker, "page_obj": page})


@login_required(login_url=WORKER_LOGIN)
def my_data(request):
    """下载我的数据: everything the register holds about me, as a JSON file (audited)."""
    worker = cardholder.worker_of(request.user)
    if worker is None:
        raise Http404
    data = cardholder.export_data(worker, by=request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-union-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
