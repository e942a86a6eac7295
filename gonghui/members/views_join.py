"""Joining online: the worker's pages (find the union → fill → done, "my applications") and the
staff's (the list of applications, the union's printable join QR code, revealing an applicant's ID).

The decisions themselves are steps on the engine's case page (/console/cases/<id>/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET

from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, paths_with_permission
from gonghui.core.validators import clean_id_number
from gonghui.core.views import ScopedListView, StaffRequiredMixin
from gonghui.members import join_services, joining
from gonghui.members.join_forms import JoinForm
from gonghui.members.join_services import derived_from_id
from gonghui.members.models import Gender, JoinApplication, Worker
from gonghui.members.services import active_membership, reveal_id_number
from gonghui.orgs.models import UnionNode
from gonghui.workflow import tallies
from gonghui.workflow.access import get_case_or_404
from gonghui.workflow.models import Case
from gonghui.workflow.services import is_applicant

WORKER_LOGIN = "accounts:worker_login"


# ================= the worker portal =================

def join_start(request):
    """Step 1: find the union of one's employer by name, pinyin or initials (HTMX as one types);
    with "单位还没有建工会", the town or district union of the area."""
    area = request.GET.get("area") == "1"
    q = request.GET.get("q", "").strip()[:60]
    ctx = {"q": q, "area": area, "results": join_services.search_unions(q, area=area),
           "limit": join_services.SEARCH_LIMIT}
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "members/_join_results.html", ctx)
    return render(request, "members/join_start.html", ctx)


def _worker_of(user) -> Worker | None:
    return Worker.objects.unscoped().filter(user=user).first()


def _initial(user, worker: Worker | None, union: UnionNode) -> dict:
    initial = {"mobile": user.phone or "", "employer": join_services.employer_guess(union), "ethnicity": "汉族"}
    if worker is not None:
        initial.update({name: getattr(worker, name) for name in join_services.WORKER_FIELDS
                        if getattr(worker, name) not in ("", None)})
        initial["mobile"] = user.phone or worker.mobile
        if union.kind == UnionNode.Kind.GRASSROOTS_UNION:
            initial["employer"] = join_services.employer_guess(union)
    return initial


@login_required(login_url=WORKER_LOGIN)
def join_apply(request, pk):
    """Step 2: the form for one union (also where the union's join QR code points)."""
    union = get_object_or_404(join_services.joinable_unions().select_related("parent"), pk=pk)
    user = request.user
    ctx = {"union": union, "days": joining.join_days()}
    if not user.is_worker:
        return render(request, "members/join_apply.html", ctx | {"staff": True})
    existing = join_services.open_application_of(user=user)
    worker = _worker_of(user)
    membership = active_membership(worker) if worker else None
    if request.method == "POST" and existing is not None:
        # A double click or the form sent again: the application is already there.
        messages.info(request, _("您的入会申请已经提交，无需重复提交。"))
        return redirect("my_union:join_done", pk=existing.pk)
    if existing is not None or membership is not None:
        return render(request, "members/join_apply.html", ctx | {"existing": existing, "membership": membership})
    form = JoinForm(request.POST or None, initial=_initial(user, worker, union))
    # As the worker types the ID number, the page says what it states (HTMX; the form works without).
    form.fields["id_number"].widget.attrs.update({
        "hx-get": reverse("my_union:join_id_check"), "hx-trigger": "input changed delay:400ms, change",
        "hx-target": "#id-hint", "hx-swap": "innerHTML"})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                application, created = join_services.submit(by=user, union=union, data=form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if not created:
                    messages.info(request, _("您的入会申请已经提交，无需重复提交。"))
                return redirect("my_union:join_done", pk=application.pk)
    if request.method == "POST":
        ctx |= _id_facts(request.POST.get("id_number", ""))  # the hint under the ID field, kept on a re-shown form
    return render(request, "members/join_apply.html", ctx | {"form": form}, status=status)


def _id_facts(raw: str) -> dict:
    """What an ID number typed so far states (gender, birth date) or what is wrong with it."""
    if len("".join(raw.split())) < 18:
        return {}
    try:
        number = clean_id_number(raw)
    except ValidationError as error:
        return {"error": error.messages[0]}
    gender, birth = derived_from_id(number)
    return {"gender": Gender(gender).label, "birth": birth}


@require_GET
def join_id_check(request):
    """Under the ID field, as the worker types: what the number says (or what is wrong with it).
    Checks the number's own structure only; it never says whether anyone is registered."""
    return render(request, "members/_join_id_hint.html", _id_facts(request.GET.get("id_number", "")))


@login_required(login_url=WORKER_LOGIN)
def join_done(request, pk):
    """Step 3: the receipt — who decides and by when."""
    case = get_case_or_404(request.user, pk)
    if case.case_type != joining.NAME:
        raise Http404
    if not is_applicant(case, request.user):
        return redirect("workflow:case", pk=case.pk)
    application = get_object_or_404(JoinApplication.objects.unscoped().select_related("applied_to"), pk=case.pk)
    return render(request, "members/join_done.html", {"case": case, "application": application,
                                                      "days": joining.join_days()})


@login_required(login_url=WORKER_LOGIN)
def join_mine(request):
    """我的入会申请: the worker's own applications with their status in plain words."""
    rows = join_services.applications_of(request.user)
    for row in rows:
        row.note = join_services.decision_note(row.case) if row.case.state in ("rejected", "approved") else ""
    return render(request, "members/join_mine.html", {"rows": rows})


# ================= the staff console =================

ALL_TAB = "all"
FILTERS = ("q", "overdue", "no_union")


class JoinApplicationListView(ScopedListView):
    """入会申请 of the user's subtree: a tab per state with counts, a search, newest due first."""

    model = JoinApplication
    permission = joining.APPROVE
    template_name = "members/join_applications.html"
    partial_template_name = "members/_join_table.html"
    filter_names = ("state", *FILTERS)

    def _tab(self) -> str:
        tab = self.request.GET.get("state", "submitted") or "submitted"
        return tab if tab == ALL_TAB or tab in {s.name for s in joining.JOIN.states} else "submitted"

    def _filtered_cases(self, qs, on: str):
        get = self.request.GET
        qs = qs.filter(**{f"{on}case_type": joining.NAME})
        q = get.get("q", "").strip()
        if q:
            qs = qs.filter(Q(**{f"{on}number": q}) | Q(**{f"{on}applicant_name__contains": q}))
        if get.get("overdue") == "1":
            qs = qs.filter(**{f"{on}is_open": True, f"{on}due_at__lt": timezone.now()})
        if get.get("no_union") == "1":
            qs = qs.filter(**{f"{on}topic": "no_union"})
        return qs

    def get_queryset(self):
        qs = self._filtered_cases(self.base_queryset(), "case__")
        tab = self._tab()
        if tab != ALL_TAB:
            qs = qs.filter(case__state=tab)
        order = ("case__due_at", "case_id") if tab == "submitted" else ("-case_id",)
        return qs.select_related("case", "case__node", "case__supervising_node", "worker",
                                 "applied_to").order_by(*order)

    def state_counts(self) -> dict[str, int]:
        if any(self.request.GET.get(name) for name in FILTERS):
            cases = self._filtered_cases(Case.objects.visible_to(self.request.user, self.permission), "")
            return {r["state"]: r["n"] for r in cases.values("state").annotate(n=Count("pk")).order_by()}
        return tallies.counts(paths_with_permission(self.request.user, self.permission), joining.NAME)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = self.state_counts()
        ctx["total"] = sum(counts.values())
        ctx["state_tabs"] = ([(s.name, s.label, counts.get(s.name, 0)) for s in joining.JOIN.states]
                             + [(ALL_TAB, _("全部"), ctx["total"])])
        ctx["tab"] = self._tab()
        ctx["days"] = joining.join_days()
        now = timezone.now()
        for row in ctx["object_list"]:
            c = row.case
            row.overdue = c.is_open and c.due_at is not None and c.due_at < now
        return ctx


class JoinQrView(StaffRequiredMixin, View):
    """The union's join QR code, large, ready to print and put up (scoped: 404 outside the subtree)."""

    def get(self, request, pk):
        union = get_visible_or_404(UnionNode.objects.select_related("parent"), request.user, "orgs.view", pk=pk)
        if not join_services.is_joinable(union):
            raise Http404
        return render(request, "members/join_qr.html", {"union": union, "days": joining.join_days()})


class JoinRevealIdView(StaffRequiredMixin, View):
    """POST only: an applicant's full ID number, once, for a role allowed to see it; audited."""

    def post(self, request, pk):
        application = get_visible_or_404(JoinApplication.objects.select_related("worker", "case__node"),
                                         request.user, joining.APPROVE, pk=pk)
        full = reveal_id_number(application.worker, by=request.user, node=application.case.node)
        return render(request, "members/_id_number.html", {"id_number": full})
