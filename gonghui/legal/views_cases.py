"""Console pages of the cases part: the case page (staff and the assigned lawyer), assignment with
the roster, stages and hearings, the arbitration limitation, progress notes and documents,
recoveries, the closing report and the close; the lawyer's own list; the roster (lawyers, firms);
and the applicant's rating on the portal.

Thin: access through ``access.get_legal_case_or_404`` (missing and not yours are the same 404),
writes through services_cases, whose Chinese messages go next to the fields.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_errors
from gonghui.core.scope import has_permission, paths_with_permission, require_permission
from gonghui.core.views import ScopedListView
from gonghui.legal import access
from gonghui.legal import services_cases as services
from gonghui.legal.forms_cases import (
    AssignForm,
    CloseForm,
    ClosingReportForm,
    DocumentForm,
    FirmForm,
    HearingForm,
    LawyerForm,
    LimitationForm,
    ProgressForm,
    RateForm,
    ReassignForm,
    RecoveryForm,
    StageEndForm,
    StageForm,
)
from gonghui.legal.models import (
    Assignment,
    ClaimLimitation,
    ClosingReport,
    Hearing,
    LawFirm,
    Lawyer,
    LegalCase,
    LegalCentre,
    LegalDocument,
    Recovery,
    Stage,
)
from gonghui.legal.services_cases import DECIDE, VIEW
from gonghui.workflow import services as workflow
from gonghui.workflow.forms import transition_form

CASE_TEMPLATE = "legal/cases_case.html"


def _console(request):
    """Console pages are for staff and partners; a worker gets the same 404 as everywhere."""
    if not request.user.is_authenticated or request.user.kind == "worker":
        raise Http404


def _case(request, pk, *, change=False) -> LegalCase:
    _console(request)
    return access.get_legal_case_or_404(request.user, pk, change=change)


def _forbidden(error: PermissionDenied):
    raise PermissionDenied(str(error) or _("您没有执行此操作的权限。")) from None


def _case_context(request, legal_case: LegalCase, **forms) -> dict:
    user = request.user
    case = legal_case.case
    stages = list(Stage.objects.unscoped().filter(legal_case=legal_case).prefetch_related(Prefetch("hearings", queryset=Hearing.objects.unscoped().order_by("held_on", "id")))
                  .order_by("started_on", "id"))
    documents = list(LegalDocument.objects.unscoped().filter(legal_case=legal_case)
                     .select_related("attachment", "stage", "uploaded_by").order_by("uploaded_at", "id"))
    recoveries = list(Recovery.objects.unscoped().filter(legal_case=legal_case).select_related("worker"))
    limitation = ClaimLimitation.objects.unscoped().filter(legal_case=legal_case).first()
    report = ClosingReport.objects.unscoped().filter(legal_case=legal_case).select_related("submitted_by").first()
    assignments = list(Assignment.objects.unscoped().filter(legal_case=legal_case)
                       .select_related("lawyer", "lawyer__firm", "issued_by").order_by("-issued_on", "-id"))
    events = case.events.unscoped().order_by("at", "id")
    can_change = access.may_change(user, legal_case)
    in_progress = case.state == "in_progress"
    lawyer_view = access.is_assigned_lawyer(user, legal_case) and not has_permission(user, VIEW, legal_case.node_path)
    # Staff steps of the engine other than assign and close (those have their own pages here).
    actions = []
    if not lawyer_view:
        actions = [(t, forms.get(f"t_{t.name}") or transition_form(t, case))
                   for t in workflow.available_transitions(case, user) if t.name not in ("assign", "close")]
    close = case.type.transition("close")
    ctx = {
        "lc": legal_case, "case": case, "case_type": case.type,
        "stages": stages, "open_stage": next((s for s in stages if s.ended_on is None), None),
        "documents": documents, "has_final_document": any(d.kind == LegalDocument.Kind.FINAL_DOCUMENT
                                                          for d in documents),
        "recoveries": recoveries, "recovered_total": sum((r.amount for r in recoveries), services.Decimal("0")),
        "limitation": limitation,
        "limitation_status": services.limitation_status(legal_case, limitation, stages),
        "stage_warnings": services.stage_warnings(legal_case, stages),
        "report": report, "assignments": assignments,
        "assignment": next((a for a in assignments if a.active), None),
        "events": events, "lawyer_view": lawyer_view,
        "can_change": can_change and in_progress, "can_note": can_change,
        "can_decide": has_permission(user, DECIDE, legal_case.node_path),
        "can_close": close is not None and workflow.may_take(case, close, user),
        "actions": actions,
        "stage_form": forms.get("stage_form") or StageForm(),
        "end_form": forms.get("end_form") or StageEndForm(),
        "end_stage_id": forms.get("end_stage_id"),
        "hearing_form": forms.get("hearing_form") or HearingForm(),
        "hearing_stage_id": forms.get("hearing_stage_id"),
        "limitation_form": forms.get("limitation_form") or LimitationForm(initial={
            "infringed_on": limitation.infringed_on if limitation else None,
            "employment_ended_on": limitation.employment_ended_on if limitation else None,
            "note": limitation.note if limitation else ""}),
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "document_form": forms.get("document_form") or DocumentForm(stages=stages),
        "recovery_form": forms.get("recovery_form") or RecoveryForm(workers=_workers_of(legal_case)),
    }
    return ctx


def _workers_of(legal_case: LegalCase):
    return [legal_case.worker] if legal_case.worker_id else []


def _render_case(request, legal_case, status=200, **forms):
    return render(request, CASE_TEMPLATE, _case_context(request, legal_case, **forms), status=status)


@login_required
def case_page(request, pk):
    """The legal case: who and what, the lawyer, stages and hearings, time limits, documents,
    recoveries, the outcome; the actions the user may take now."""
    legal_case = _case(request, pk)
    return _render_case(request, legal_case)


# ---------------------------------------------------------------- assignment

def _roster_ctx(request, legal_case, form, reassign_form=None):
    return {"lc": legal_case, "case": legal_case.case, "rows": services.roster_rows(legal_case), "form": form,
            "reassign_form": reassign_form or ReassignForm(),
            "assignment": services.active_assignment(legal_case)}


@login_required
def assign(request, pk):
    """指派律师: the roster with each lawyer's open cases, capacity and declared conflicts."""
    legal_case = _case(request, pk)
    require_permission(request.user, DECIDE, legal_case.node_path)
    case = legal_case.case
    if case.state not in ("approved", "in_progress"):
        messages.error(request, _("只有已受理待指派或办理中的案件可以指派律师。"))
        return redirect("legal:case", pk=legal_case.pk)
    form = AssignForm(initial={"version": case.version})
    status = 200
    if request.method == "POST":
        form = AssignForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                workflow.perform_transition(case, "assign", by=request.user, version=form.cleaned_data["version"],
                                            data={"lawyer": form.cleaned_data["lawyer"],
                                                  "note": form.cleaned_data["note"]})
            except workflow.StaleCase as stale:
                messages.error(request, str(stale))
                return redirect("legal:case", pk=legal_case.pk)
            except PermissionDenied as denied:
                _forbidden(denied)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已指派律师，委派函已生成。"))
                return redirect("legal:case", pk=legal_case.pk)
    return render(request, "legal/cases_assign.html", _roster_ctx(request, legal_case, form), status=status)


@require_POST
@login_required
def reassign(request, pk):
    legal_case = _case(request, pk)
    require_permission(request.user, DECIDE, legal_case.node_path)
    form = ReassignForm(request.POST)
    if form.is_valid():
        lawyer = Lawyer.objects.unscoped().filter(pk=form.cleaned_data["lawyer"]).first()
        try:
            if lawyer is None:
                raise ValidationError({"lawyer": [_("请从本中心的律师名册中选择一位合作中的律师。")]})
            services.reassign(legal_case, lawyer, by=request.user, reason=form.cleaned_data["reason"])
        except PermissionDenied as denied:
            _forbidden(denied)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已改派律师。"))
            return redirect("legal:case", pk=legal_case.pk)
    ctx = _roster_ctx(request, legal_case, AssignForm(initial={"version": legal_case.case.version}), form)
    return render(request, "legal/cases_assign.html", ctx, status=422)


# ---------------------------------------------------------------- small forms on the case page

def _post(request, legal_case, form, key, call, success, **extra):
    """Validate ``form``, call the service; on success redirect to the case, else re-render it."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except PermissionDenied as denied:
            _forbidden(denied)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("legal:case", pk=legal_case.pk)
    return _render_case(request, legal_case, status=422, **{key: form}, **extra)


@require_POST
@login_required
def stage_add(request, pk):
    legal_case = _case(request, pk, change=True)
    form = StageForm(request.POST)
    return _post(request, legal_case, form, "stage_form",
                 lambda d: services.add_stage(legal_case, by=request.user, kind=d["kind"], started_on=d["started_on"],
                                              deadline=d["deadline"], body=d["body"], docket_no=d["docket_no"],
                                              note=d["note"]),
                 _("已登记新的办理阶段。"))


def _stage(request, pk) -> tuple[Stage, LegalCase]:
    stage = Stage.objects.unscoped().filter(pk=pk).first()
    if stage is None:
        raise Http404
    return stage, _case(request, stage.legal_case_id, change=True)


@require_POST
@login_required
def stage_end(request, pk):
    stage, legal_case = _stage(request, pk)
    form = StageEndForm(request.POST)
    return _post(request, legal_case, form, "end_form",
                 lambda d: services.end_stage(stage, by=request.user, ended_on=d["ended_on"], result=d["result"]),
                 _("已记录本阶段的结果。"), end_stage_id=stage.pk)


@require_POST
@login_required
def hearing_add(request, pk):
    stage, legal_case = _stage(request, pk)
    form = HearingForm(request.POST)
    return _post(request, legal_case, form, "hearing_form",
                 lambda d: services.add_hearing(stage, by=request.user, held_on=d["held_on"], place=d["place"],
                                                record_text=d["record"]),
                 _("已添加庭审/调解记录。"), hearing_stage_id=stage.pk)


@require_POST
@login_required
def limitation(request, pk):
    legal_case = _case(request, pk, change=True)
    form = LimitationForm(request.POST)
    return _post(request, legal_case, form, "limitation_form",
                 lambda d: services.set_limitation(legal_case, by=request.user, infringed_on=d["infringed_on"],
                                                   employment_ended_on=d["employment_ended_on"], note=d["note"]),
                 _("已保存时效信息。"))


@require_POST
@login_required
def progress(request, pk):
    legal_case = _case(request, pk, change=True)
    form = ProgressForm(request.POST)
    return _post(request, legal_case, form, "progress_form",
                 lambda d: services.add_progress(legal_case, by=request.user, text=d["text"], internal=d["internal"]),
                 _("已记录办理进展。"))


@require_POST
@login_required
def document_add(request, pk):
    legal_case = _case(request, pk, change=True)
    stages = list(Stage.objects.unscoped().filter(legal_case=legal_case))
    form = DocumentForm(request.POST, request.FILES, stages=stages)

    def call(d):
        upload = d["file"]
        if upload.size > settings.GONGHUI_ATTACHMENT_MAX_BYTES:
            raise ValidationError({"file": [_("文件不能超过%(size)s。") % {
                "size": filesizeformat(settings.GONGHUI_ATTACHMENT_MAX_BYTES)}]})
        stage = next((s for s in stages if s.pk == d["stage"]), None)
        services.add_document(legal_case, by=request.user, kind=d["kind"], stage=stage, internal=d["internal"],
                              upload=services.Upload(upload.name, upload.read()))

    return _post(request, legal_case, form, "document_form", call, _("材料已上传。"))


@require_POST
@login_required
def recovery_add(request, pk):
    legal_case = _case(request, pk, change=True)
    workers = _workers_of(legal_case)
    form = RecoveryForm(request.POST, workers=workers)

    def call(d):
        worker = next((w for w in workers if w.pk == d["worker"]), None)
        if worker is None and not d["name"] and legal_case.worker_id:
            worker = legal_case.worker  # no name typed: the applicant themself
        services.add_recovery(legal_case, by=request.user, name=d["name"], amount=d["amount"],
                              recovered_on=d["recovered_on"], worker=worker, note=d["note"])

    return _post(request, legal_case, form, "recovery_form", call, _("已登记追回款项。"))


@login_required
def document(request, pk):
    """A document's file, for the staff and the assigned lawyer (the applicant uses the engine's link)."""
    doc = LegalDocument.objects.unscoped().select_related("attachment").filter(pk=pk).first()
    if doc is None:
        raise Http404
    _case(request, doc.legal_case_id)
    attachment = doc.attachment
    return FileResponse(attachment.file.open("rb"), as_attachment=not attachment.content_type.startswith("image/"),
                        filename=attachment.name, content_type=attachment.content_type)


# ---------------------------------------------------------------- closing

@login_required
def closing_report(request, pk):
    """The lawyer's (or the centre's) closing report with the outcome; the final document must be
    among the case's documents."""
    legal_case = _case(request, pk, change=True)
    report = ClosingReport.objects.unscoped().filter(legal_case=legal_case).first()
    form = ClosingReportForm(initial={
        "outcome": legal_case.outcome, "amount_awarded": legal_case.amount_awarded or "",
        "workers_covered": legal_case.workers_covered or None, "text": report.text if report else ""})
    status = 200
    if request.method == "POST":
        form = ClosingReportForm(request.POST)
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.submit_closing_report(legal_case, by=request.user, outcome=d["outcome"], text=d["text"],
                                               amount_awarded=d["amount_awarded"],
                                               workers_covered=d["workers_covered"])
            except PermissionDenied as denied:
                _forbidden(denied)
            except ValidationError as error:
                apply_errors(form, error, aliases={"final_document": None})
            else:
                messages.success(request, _("结案报告已提交，法律援助中心审核后结案。"))
                return redirect("legal:case", pk=legal_case.pk)
    return render(request, "legal/cases_report.html", {
        "lc": legal_case, "case": legal_case.case, "form": form, "report": report,
        "has_final_document": services.final_documents(legal_case).exists(),
        "recovered_total": services.recovered_total(legal_case)}, status=status)


@login_required
def close(request, pk):
    """结案 (the centre): the closing report (typed now or the lawyer's) and the final document."""
    legal_case = _case(request, pk)
    case = legal_case.case
    transition = case.type.transition("close")
    if not workflow.may_take(case, transition, request.user):
        if case.state != "in_progress":
            messages.error(request, _("只有办理中的案件可以结案。"))
            return redirect("legal:case", pk=legal_case.pk)
        raise PermissionDenied(_("只有法律援助中心的经办人可以结案。"))
    report = ClosingReport.objects.unscoped().filter(legal_case=legal_case).first()
    form = CloseForm(initial={"version": case.version, "outcome": legal_case.outcome,
                              "amount_awarded": legal_case.amount_awarded if legal_case.outcome else "",
                              "workers_covered": legal_case.workers_covered or None,
                              "report": report.text if report else ""})
    status = 200
    if request.method == "POST":
        form = CloseForm(request.POST)
        status = 422
        if form.is_valid():
            d = dict(form.cleaned_data)
            version = d.pop("version")
            data = {k: v for k, v in d.items() if v not in (None, "")}
            try:
                workflow.perform_transition(case, "close", by=request.user, version=version, data=data)
            except workflow.StaleCase as stale:
                messages.error(request, str(stale))
                return redirect("legal:case", pk=legal_case.pk)
            except PermissionDenied as denied:
                _forbidden(denied)
            except ValidationError as error:
                apply_errors(form, error, aliases={"final_document": None})
            else:
                messages.success(request, _("案件已结案。"))
                return redirect("legal:case", pk=legal_case.pk)
    return render(request, "legal/cases_close.html", {
        "lc": legal_case, "case": case, "form": form, "report": report,
        "has_final_document": services.final_documents(legal_case).exists(),
        "recovered_total": services.recovered_total(legal_case)}, status=status)


# ---------------------------------------------------------------- the lawyer's list

@login_required
def my_cases(request):
    """我的指派案件: the cases the signed-in lawyer holds an active assignment of — and nothing else."""
    _console(request)
    lawyer = access.lawyer_of(request.user)
    rows = []
    state = request.GET.get("state", "open")
    if lawyer is not None:
        qs = (access.cases_for(request.user).select_related("case", "lawyer")
              .order_by("-case__is_open", "-submitted_on", "-case_id"))
        if state == "open":
            qs = qs.filter(case__is_open=True)
        elif state == "closed":
            qs = qs.filter(case__is_open=False)
        rows = list(qs[:200])
    return render(request, "legal/cases_mine.html", {
        "lawyer": lawyer, "rows": rows, "state": state,
        "is_staff_viewer": has_permission(request.user, VIEW)})


# ---------------------------------------------------------------- the roster

def _centres(user, permission=DECIDE):
    paths = paths_with_permission(user, permission)
    qs = LegalCentre.objects.unscoped().filter(active=True).select_related("node").order_by("node__path")
    centres = [c.node for c in qs]
    if paths is None:
        return centres
    return [n for n in centres if any(n.path.startswith(p) for p in paths)]


class LawyerListView(ScopedListView):
    model = Lawyer
    permission = VIEW
    template_name = "legal/cases_lawyers.html"
    partial_template_name = "legal/cases_lawyers.html"
    filter_names = ("q", "active")

    def get_queryset(self):
        qs = super().get_queryset().select_related("firm", "node", "user").annotate(
            open_count=Count("assignments", filter=Q(assignments__active=True,
                                                     assignments__legal_case__case__is_open=True)))
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(firm__name__contains=q) | Q(licence_no__contains=q))
        if self.request.GET.get("active", "1") == "1":
            qs = qs.filter(active=True)
        return qs.order_by("node_path", "name", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = bool(_centres(self.request.user))
        return ctx


class FirmListView(ScopedListView):
    model = LawFirm
    permission = VIEW
    template_name = "legal/cases_firms.html"
    partial_template_name = "legal/cases_firms.html"

    def get_queryset(self):
        return super().get_queryset().select_related("node").annotate(
            lawyer_count=Count("lawyers", filter=Q(lawyers__active=True))).order_by("node_path", "name")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = bool(_centres(self.request.user))
        return ctx


def _refuse_foreign_centre(request, centres) -> None:
    """A posted centre outside the user's reach is 404, like any row out of scope."""
    if request.method == "POST":
        try:
            node_id = int(request.POST.get("node", ""))
        except ValueError:
            return
        if not any(c.pk == node_id for c in centres):
            raise Http404


def _pick_centre(request, form, centres):
    node = next((c for c in centres if c.pk == form.cleaned_data["node"]), None)
    if node is None:
        raise PermissionDenied
    return node


def _firm_or_404(request, pk) -> LawFirm:
    _console(request)
    firm = LawFirm.objects.visible_to(request.user, VIEW).select_related("node").filter(pk=pk).first()
    if firm is None:
        raise Http404
    return firm


@login_required
def firm_edit(request, pk=None):
    _console(request)
    firm = _firm_or_404(request, pk) if pk else None
    centres = _centres(request.user)
    if firm is not None:
        require_permission(request.user, DECIDE, firm.node_path)
    else:
        _refuse_foreign_centre(request, centres)
    if firm is None and not centres:
        raise PermissionDenied(_("只有法律援助中心的审批人可以维护律师名册。"))
    initial = {"active": True}
    if firm is not None:
        initial = {f: getattr(firm, f) for f in ("name", "uscc", "address", "contact", "phone", "active")}
        initial["node"] = firm.node_id
        centres = [firm.node]
    form = FirmForm(initial=initial, centres=centres)
    status = 200
    if request.method == "POST":
        form = FirmForm(request.POST, centres=centres)
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                firm = services.save_firm(by=request.user, node=_pick_centre(request, form, centres), firm=firm,
                                          name=d["name"], uscc=d["uscc"], address=d["address"],
                                          contact=d["contact"], phone=d["phone"], active=d["active"])
            except PermissionDenied as denied:
                _forbidden(denied)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已保存律师事务所。"))
                return redirect("legal:firms")
    return render(request, "legal/cases_firm_form.html", {"form": form, "firm": firm}, status=status)


def _lawyer_or_404(request, pk) -> Lawyer:
    _console(request)
    lawyer = (Lawyer.objects.visible_to(request.user, VIEW).select_related("node", "firm", "user")
              .filter(pk=pk).first())
    if lawyer is None:
        raise Http404
    return lawyer


def _partner_account(username: str):
    from gonghui.accounts.models import User

    username = (username or "").strip()
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None or user.kind != User.Kind.PARTNER:
        raise ValidationError({"account": [_("没有用户名为“%(name)s”的合作方账号，请先在账号授权中开通。") % {"name": username}]})
    taken = Lawyer.objects.unscoped().filter(user=user).first()
    return user, taken


@login_required
def lawyer_edit(request, pk=None):
    _console(request)
    lawyer = _lawyer_or_404(request, pk) if pk else None
    centres = _centres(request.user)
    can_edit = lawyer is None or has_permission(request.user, DECIDE, lawyer.node_path)
    if lawyer is None:
        _refuse_foreign_centre(request, centres)
    if lawyer is None and not centres:
        raise PermissionDenied(_("只有法律援助中心的审批人可以维护律师名册。"))
    if lawyer is not None:
        centres = [lawyer.node]
    firms = LawFirm.objects.unscoped().filter(node__in=centres, active=True).order_by("name")
    initial = {"active": True, "capacity": 5}
    if lawyer is not None:
        initial = {f: getattr(lawyer, f) for f in ("name", "licence_no", "phone", "matters", "capacity",
                                                   "conflicts_note", "active")}
        initial.update(node=lawyer.node_id, firm=lawyer.firm_id, conflict_usccs="\n".join(lawyer.conflict_usccs),
                       account=lawyer.user.username if lawyer.user_id else "")
    form = LawyerForm(initial=initial, centres=centres, firms=firms)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有法律援助中心的审批人可以维护律师名册。"))
        form = LawyerForm(request.POST, centres=centres, firms=firms)
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                found = _partner_account(d["account"])
                user = None
                if found:
                    user, taken = found
                    if taken is not None and taken != lawyer:
                        raise ValidationError({"account": [_("该账号已关联律师“%(name)s”。") % {"name": taken.name}]})
                firm = next((f for f in firms if f.pk == d["firm"]), None)
                lawyer = services.save_lawyer(
                    by=request.user, node=_pick_centre(request, form, centres), lawyer=lawyer, name=d["name"],
                    firm=firm, licence_no=d["licence_no"], phone=d["phone"], matters=d["matters"],
                    capacity=d["capacity"], conflict_usccs=d["conflict_usccs"], conflicts_note=d["conflicts_note"],
                    active=d["active"], user=user)
            except PermissionDenied as denied:
                _forbidden(denied)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已保存律师信息。"))
                return redirect("legal:lawyer", pk=lawyer.pk)
    ctx = {"form": form, "lawyer": lawyer, "can_edit": can_edit}
    if lawyer is not None:
        ctx["assignments"] = list(Assignment.objects.visible_to(request.user, VIEW).filter(lawyer=lawyer)
                                  .select_related("legal_case", "legal_case__case").order_by("-issued_on", "-id")[:50])
        ctx["open_count"] = services.open_counts([lawyer.pk]).get(lawyer.pk, 0)
    return render(request, "legal/cases_lawyer.html", ctx, status=status)


# ---------------------------------------------------------------- the applicant's rating (portal)

@require_POST
@login_required(login_url="accounts:worker_login")
def rate(request, pk):
    legal_case = access.get_legal_case_or_404(request.user, pk)
    if not access.is_applicant(request.user, legal_case):
        raise Http404
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.rate(legal_case, by=request.user, rating=form.cleaned_data["rating"],
                          comment=form.cleaned_data["comment"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("workflow:portal_case", pk=legal_case.pk)
    # The engine's portal page again, with the form and what was typed (nothing lost).
    from gonghui.workflow.views import _case_context as portal_context

    ctx = portal_context(request, legal_case.case, staff=False)
    ctx["rate_form"] = form
    return render(request, "workflow/portal_case.html", ctx, status=422)
