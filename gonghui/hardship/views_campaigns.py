"""Pages of 金秋助学 and 送温暖: the worker's /hardship/golden-autumn/ and the console's
/console/hardship/golden-autumn/… and /console/hardship/warmth/…. Thin: the rules are in
services_campaigns."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import crypto
from gonghui.core.scope import get_visible_or_404, has_permission
from gonghui.hardship import golden_autumn
from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.forms_campaigns import (
    AddTargetForm,
    ApplyForm,
    CampaignForm,
    RoundForm,
    VisitForm,
    apply_errors,
)
from gonghui.hardship.golden_autumn import APPROVE, CHANGE, GOLDEN_AUTUMN, VIEW
from gonghui.hardship.models import GoldenAutumnApplication, WarmthTarget, WarmthVisit
from gonghui.members.models import Worker
from gonghui.workflow.services import Upload

WORKER_LOGIN = "accounts:worker_login"
PAGE_SIZE = 50
# The batch action offered on each state's tab.
BATCH_ACTIONS = {"submitted": "verify", "notice": "approve", "approved": "pay"}


def console_page(view):
    """Console pages: signed-in staff (workers get 404) holding hardship.view somewhere (else 403)."""
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_worker:
            raise Http404
        if not has_permission(request.user, VIEW):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapper


def _upload(form, name) -> Upload | None:
    f = form.cleaned_data.get(name)
    return Upload(f.name, f.read()) if f else None


# ================= the worker portal =================

def _worker_of(user) -> Worker | None:
    return Worker.objects.unscoped().filter(user=user).first()


@login_required(login_url=WORKER_LOGIN)
def golden_portal(request):
    """金秋助学 on the phone: the open round, what it pays, my applications and the public notice."""
    worker = _worker_of(request.user)
    elig = svc.eligibility(worker)
    applications = list(svc.applications_of_worker(worker)[:20]) if worker else []
    notice = []
    if elig.round is not None:
        notice = [{"name": svc.masked_name(a.worker.name), "union": a.case.node.display_name, "level": a.level_short,
                   "amount": a.amount} for a in svc.notice_list(elig.round)[:200]]
    amounts = {k: elig.amounts.get(k) for k in ("college", "high_school", "other")}
    return render(request, "hardship/golden_portal.html", {
        "elig": elig, "round": elig.round, "applications": applications, "notice": notice, "amounts": amounts,
        "may_apply": elig.round is not None and not elig.problem,
    })


@login_required(login_url=WORKER_LOGIN)
def golden_apply(request):
    worker = _worker_of(request.user)
    elig = svc.eligibility(worker)
    if elig.problem or elig.round is None:
        messages.error(request, elig.problem)
        return redirect("hardship:golden_portal")
    has_account = bool(elig.file and elig.file.bank_account_encrypted)
    other = elig.group == GoldenAutumnApplication.Group.OTHER
    form = ApplyForm(request.POST or None, request.FILES or None, exclusion_choices=svc.exclusion_choices(),
                     has_file_account=has_account, other=other,
                     initial={"admission_year": elig.round.year, "bank_name": elig.file.bank_name if elig.file else ""})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                app = svc.apply(by=request.user, worker=worker, data=data, letter=_upload(form, "letter"))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("申请已提交。%(union)s将在10个工作日内核实，核实后公示5个工作日，"
                                            "再由%(node)s批准发放。") % {"union": app.case.node.name,
                                                                   "node": app.round.node.name})
                return redirect("workflow:portal_case", pk=app.pk)
    return render(request, "hardship/golden_apply.html", {
        "form": form, "elig": elig, "round": elig.round, "other": other, "has_account": has_account,
        "amount_college": elig.amount_for("college"), "amount_high": elig.amount_for("high_school"),
    }, status=status)


# ================= console: 金秋助学 =================

@console_page
def golden_apply_for(request, file_pk):
    """The grassroots union applies for a registered household (the parent may not use the portal)."""
    from gonghui.hardship.models import HardshipFile

    file = get_visible_or_404(HardshipFile.objects.select_related("worker", "union"), request.user, VIEW, pk=file_pk)
    if not has_permission(request.user, CHANGE, file.node_path):
        raise PermissionDenied
    worker = file.worker
    elig = svc.eligibility(worker)
    if elig.problem or elig.round is None:
        messages.error(request, elig.problem)
        return redirect("hardship:file_detail", pk=file.pk)
    has_account = bool(elig.file and elig.file.bank_account_encrypted)
    other = elig.group == GoldenAutumnApplication.Group.OTHER
    form = ApplyForm(request.POST or None, request.FILES or None, exclusion_choices=svc.exclusion_choices(),
                     has_file_account=has_account, other=other,
                     initial={"admission_year": elig.round.year, "bank_name": elig.file.bank_name if elig.file else ""})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                app = svc.apply(by=request.user, worker=worker, data=dict(form.cleaned_data),
                                letter=_upload(form, "letter"))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已为%(name)s提交金秋助学申请。") % {"name": worker.name})
                return redirect("workflow:case", pk=app.pk)
    return render(request, "hardship/golden_apply_staff.html", {
        "form": form, "file": file, "elig": elig, "round": elig.round, "other": other,
        "amount_college": elig.amount_for("college"), "amount_high": elig.amount_for("high_school"),
        "section": "golden_autumn"}, status=status)


@console_page
def golden_index(request):
    """The rounds the user takes part in (their federation's and those above), with totals."""
    user = request.user
    rounds = list(svc.rounds_visible_to(user).order_by("-year", "node_path"))
    counts = dict(GoldenAutumnApplication.objects.visible_to(user, VIEW).filter(round__in=rounds)
                  .values("round").annotate(n=Count("pk")).values_list("round", "n").order_by())
    waiting = dict(GoldenAutumnApplication.objects.visible_to(user, VIEW)
                   .filter(round__in=rounds, case__is_open=True).values("round").annotate(n=Count("pk"))
                   .values_list("round", "n").order_by())
    for r in rounds:
        r.totals = svc.round_totals(r)
        r.visible_count = counts.get(r.pk, 0)
        r.open_count = waiting.get(r.pk, 0)
    return render(request, "hardship/golden_index.html", {
        "rounds": rounds, "can_create": svc.round_nodes(user).exists(), "section": "golden_autumn"})


@console_page
def golden_round_create(request):
    nodes = svc.round_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied
    from django.utils import timezone

    form = RoundForm(request.POST or None, nodes=nodes, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                rnd = svc.create_round(form.cleaned_data["node"], form.cleaned_data, by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已设立“%(title)s”。") % {"title": rnd.title})
                return redirect("hardship:golden_round", pk=rnd.pk)
    return render(request, "hardship/golden_round_form.html", {"form": form, "section": "golden_autumn"},
                  status=status)


def _visible_round(user, pk):
    return get_object_or_404(svc.rounds_visible_to(user), pk=pk)


@console_page
def golden_round(request, pk):
    """One round: its budget and totals, the applications in the user's scope by state, batch actions."""
    user = request.user
    rnd = _visible_round(user, pk)
    base = GoldenAutumnApplication.objects.visible_to(user, VIEW).filter(round=rnd)
    q = request.GET.get("q", "").strip()
    if q:
        base = base.filter(Q(worker__name__contains=q) | Q(child_name__contains=q) | Q(case__number=q.upper()))
    counts = dict(base.values("case__state").annotate(n=Count("pk")).values_list("case__state", "n").order_by())
    state = request.GET.get("state", "")
    states = [s.name for s in GOLDEN_AUTUMN.states]
    if state not in states:
        state = ""
    rows = base.filter(case__state=state) if state else base
    rows = rows.select_related("case", "case__node", "worker").order_by("case__node__path", "case_id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.notice_over = a.case.state == "notice" and golden_autumn.notice_over(a.case)
    action = BATCH_ACTIONS.get(state)
    may_batch = action and (has_permission(user, APPROVE, rnd.node_path) if action in ("approve", "pay")
                            else has_permission(user, CHANGE))
    tabs = [("", _("全部"), sum(counts.values()))] + [(s.name, s.label, counts.get(s.name, 0))
                                                     for s in GOLDEN_AUTUMN.states]
    scoped = base.filter(case__state__in=("approved", "paid")).aggregate(n=Count("pk"), total=Sum("amount"))
    return render(request, "hardship/golden_round.html", {
        "round": rnd, "totals": svc.round_totals(rnd), "page_obj": page, "rows": page.object_list,
        "tabs": tabs, "state": state, "q": q, "scoped": scoped,
        "batch_action": action if may_batch else "",
        "batch_label": GOLDEN_AUTUMN.transition(action).label if may_batch else "",
        "can_export": has_permission(user, APPROVE, rnd.node_path),
        "section": "golden_autumn", "page_sizes": (PAGE_SIZE,),
    })


@require_POST
@console_page
def golden_batch(request, pk):
    rnd = _visible_round(request.user, pk)
    action = request.POST.get("action", "")
    state = request.POST.get("state", "")
    back = reverse("hardship:golden_round", args=[rnd.pk]) + (
        f"?state={state}" if state in {s.name for s in GOLDEN_AUTUMN.states} else "")
    try:
        result = svc.batch_transition(request.POST.getlist("ids"), action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    label = GOLDEN_AUTUMN.transition(action).label
    if result.done:
        messages.success(request, _("“%(action)s”已完成%(n)d份申请。") % {"action": label, "n": len(result.done)})
    if result.failed:
        lines = [_("%(who)s：%(why)s") % {
            "who": f"{a.worker.name}（{a.case.number}）" if hasattr(a, "case") else f"#{a}", "why": why}
            for a, why in result.failed]
        messages.error(request, _("以下%(n)d份未处理：") % {"n": len(result.failed)} + "；".join(lines))
    return redirect(back)


@console_page
def golden_payment_list(request, pk):
    rnd = _visible_round(request.user, pk)
    content, _n = svc.payment_list_xlsx(rnd, by=request.user)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=golden-autumn-{rnd.year}-{rnd.pk}.xlsx"
    return response


# ================= console: 送温暖 =================

@console_page
def warmth_index(request):
    user = request.user
    campaigns = list(svc.campaigns_visible_to(user).order_by("-starts_on", "-pk")[:100])
    for c in campaigns:
        c.figures = svc.campaign_figures(c, user)
    return render(request, "hardship/warmth_index.html", {
        "campaigns": campaigns, "can_create": svc.campaign_nodes(user).exists(), "section": "warmth"})


@console_page
def warmth_create(request):
    nodes = svc.campaign_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied
    form = CampaignForm(request.POST or None, nodes=nodes, initial={"categories": ["deep", "relative", "accident"]})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                campaign = svc.create_campaign(form.cleaned_data["node"], form.cleaned_data, by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已设立“%(name)s”，请生成走访名单。") % {"name": campaign.name})
                return redirect("hardship:warmth_campaign", pk=campaign.pk)
    return render(request, "hardship/warmth_campaign_form.html", {"form": form, "section": "warmth"}, status=status)


def _visible_campaign(user, pk):
    return get_object_or_404(svc.campaigns_visible_to(user), pk=pk)


def _add_groups(campaign):
    groups = []
    if campaign.include_model_workers:
        groups.append((WarmthTarget.Group.MODEL_WORKER, WarmthTarget.Group.MODEL_WORKER.label))
    if campaign.include_frontline:
        groups.append((WarmthTarget.Group.FRONTLINE, WarmthTarget.Group.FRONTLINE.label))
    return groups


@console_page
def warmth_campaign(request, pk, add_form=None):
    user = request.user
    campaign = _visible_campaign(user, pk)
    targets = (WarmthTarget.objects.visible_to(user, VIEW).filter(campaign=campaign)
               .select_related("worker", "union", "visit").order_by("node_path", "pk"))
    shown = request.GET.get("visited", "")
    if shown == "no":
        targets = targets.filter(visit__isnull=True)
    elif shown == "yes":
        targets = targets.filter(visit__isnull=False)
    q = request.GET.get("q", "").strip()
    if q:
        targets = targets.filter(worker__name__contains=q)
    page = Paginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = _add_groups(campaign)
    return render(request, "hardship/warmth_campaign.html", {
        "campaign": campaign, "figures": svc.campaign_figures(campaign, user), "page_obj": page,
        "rows": page.object_list, "visited": shown, "q": q, "page_sizes": (PAGE_SIZE,),
        "can_generate": has_permission(user, CHANGE, campaign.node_path),
        "can_visit": has_permission(user, CHANGE),
        "add_form": add_form or (AddTargetForm(groups=groups) if groups and has_permission(user, CHANGE) else None),
        "category_labels": [WarmthTarget.Group(c).label for c in campaign.categories if c in WarmthTarget.Group.values],
        "section": "warmth",
    }, status=422 if add_form is not None else 200)


@require_POST
@console_page
def warmth_generate(request, pk):
    campaign = _visible_campaign(request.user, pk)
    added = svc.generate_targets(campaign, by=request.user)
    messages.success(request, _("已从困难职工档案生成走访名单，新增%(n)d户。") % {"n": added} if added
                     else _("走访名单已是最新，没有新增的户。"))
    return redirect("hardship:warmth_campaign", pk=campaign.pk)


@require_POST
@console_page
def warmth_add_target(request, pk):
    campaign = _visible_campaign(request.user, pk)
    groups = _add_groups(campaign)
    form = AddTargetForm(request.POST, groups=groups)
    if form.is_valid():
        from gonghui.core.validators import clean_id_number

        try:
            number = clean_id_number(form.cleaned_data["id_number"])
            worker = Worker.objects.visible_to(request.user, "members.view").filter(
                id_number_hash=crypto.keyed_hash(number)).first()
            if worker is None:
                raise ValidationError({"id_number": [_("在您管辖的工会中没有找到这个身份证号的会员。")]})
            svc.add_target(campaign, worker, form.cleaned_data["group"], by=request.user)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                error = ValidationError({"id_number": error.messages})
            apply_errors(form, error)
        else:
            messages.success(request, _("已将%(name)s加入走访名单。") % {"name": worker.name})
            return redirect("hardship:warmth_campaign", pk=campaign.pk)
    return warmth_campaign(request, pk=pk, add_form=form)


@console_page
def warmth_visit(request, pk):
    """Record the visit to one household on the list."""
    user = request.user
    target = get_visible_or_404(WarmthTarget.objects.select_related("campaign", "worker", "union", "file"),
                                user, VIEW, pk=pk)
    if not has_permission(user, CHANGE, target.node_path):
        raise PermissionDenied
    done = WarmthVisit.objects.unscoped().filter(target=target).first()
    from django.utils import timezone

    form = VisitForm(request.POST or None, request.FILES or None, initial={
        "visited_on": timezone.localdate().isoformat(), "kind": "cash", "value": target.campaign.standard_amount,
        "visitors": user.display_name if hasattr(user, "display_name") else ""})
    status = 200
    if request.method == "POST" and done is None:
        status = 422
        if form.is_valid():
            try:
                svc.record_visit(target, form.cleaned_data, by=user, photo=_upload(form, "photo"))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已登记对%(name)s的走访。") % {"name": target.worker.name})
                return redirect("hardship:warmth_campaign", pk=target.campaign_id)
    return render(request, "hardship/warmth_visit.html", {
        "target": target, "campaign": target.campaign, "form": form, "done": done, "section": "warmth"},
        status=status)


@console_page
def warmth_photo(request, pk):
    visit = get_visible_or_404(WarmthVisit, request.user, VIEW, pk=pk)
    if not visit.photo:
        raise Http404
    return FileResponse(visit.photo.open("rb"), content_type=visit.photo_type or "application/octet-stream")
