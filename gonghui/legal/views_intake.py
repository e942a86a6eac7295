"""Pages of the intake part: the portal's 法律援助 (my applications, the phone application form with
its live eligibility check) and the console's list of cases, application for a worker,
consultations (answer, log a walk-in, turn into an application), eligibility rules and centres.
Thin: the rules are in services_intake and eligibility."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_errors
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.core.views import ScopedListView
from gonghui.legal import access, eligibility
from gonghui.legal import forms_intake as forms
from gonghui.legal import services_intake as svc
from gonghui.legal.case_type import CHANGE, DECIDE, LEGAL_AID, VIEW
from gonghui.legal.models import EligibilityRule, LegalCase, LegalCentre, Matter
from gonghui.orgs.models import UnionNode

WORKER_LOGIN = "accounts:worker_login"


def _worker_of(user):
    from gonghui.members.models import Worker

    return Worker.objects.unscoped().filter(user=user).first() if user.is_authenticated else None


def _staff_only(request):
    if not request.user.is_authenticated or request.user.kind == "worker":
        raise Http404


# ----- portal -----

@login_required(login_url=WORKER_LOGIN)
def portal_home(request):
    """法律援助: my applications and what the union can do."""
    cases = list(access.cases_for(request.user).select_related("case").order_by("-submitted_on", "-pk")[:50]) \
        if request.user.kind == "worker" else []
    return render(request, "legal/portal_home.html", {"cases": cases, "worker": _worker_of(request.user)})


def _facts_data(form_data) -> dict:
    return {key: form_data.get(key) for key in ("matter", "workers_involved", *eligibility.FACTS)}


def _district(form, districts):
    pk = form.cleaned_data.get("district") if "district" in form.fields else ""
    return next((d for d in districts if str(d.pk) == str(pk)), None)


@login_required(login_url=WORKER_LOGIN)
def portal_apply(request):
    """The phone form: who, the opponent, the matter, the facts, the documents; the rule that
    applies (or why none does) is shown as the applicant fills it in."""
    worker = _worker_of(request.user)
    if request.user.kind != "worker":
        raise Http404
    membership = svc._membership(worker)
    districts = list(svc.district_choices()) if membership is None else []
    initial = {"applicant_name": worker.name if worker else "", "applicant_phone": worker.mobile if worker else "",
               "is_migrant": bool(worker and worker.migrant_worker), "workers_involved": "1"}
    form = forms.ApplicationForm(request.POST or None, request.FILES or None, initial=initial, districts=districts,
                                 ask_district=membership is None)
    if request.method == "POST" and worker is not None and form.is_valid():
        try:
            legal_case = svc.submit_application(by=request.user, worker=worker, data=form.cleaned_data,
                                                uploads=form.uploads(), district=_district(form, districts))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return render(request, "legal/portal_apply_done.html", {"lc": legal_case, "case": legal_case.case})
    data = form.data if form.is_bound else {**initial, "matter": request.GET.get("matter", "")}
    rule, sentence = svc.check_eligibility(worker, _facts_data(data)) if worker else (None, "")
    return render(request, "legal/portal_apply.html", {
        "form": form, "worker": worker, "membership": membership, "rule": rule, "sentence": sentence,
        "required_text": svc.required_documents_text(data.get("matter")) if data.get("matter") in Matter.values else "",
    }, status=422 if request.method == "POST" else 200)


@login_required(login_url=WORKER_LOGIN)
@require_POST
def portal_check(request):
    """The live eligibility sentence (HTMX, as the form changes); nothing is stored."""
    worker = _worker_of(request.user)
    rule, sentence = svc.check_eligibility(worker, _facts_data(request.POST))
    matter = request.POST.get("matter", "")
    return render(request, "legal/portal_check.html", {
        "rule": rule, "sentence": sentence,
        "required": svc.required_documents_text(matter) if matter in Matter.values else ""})


# ----- console: the centre's list -----

class CaseListView(ScopedListView):
    model = LegalCase
    permission = VIEW
    template_name = "legal/intake_cases.html"
    partial_template_name = "legal/intake_cases_table.html"
    filter_names = ("state", "matter", "district", "urgent", "q")

    def get_queryset(self):
        qs = self.base_queryset().select_related("case", "district", "union", "lawyer")
        self.state_base = qs
        get = self.request.GET
        if get.get("matter") in Matter.values:
            qs = qs.filter(matter=get["matter"])
        if get.get("district", "").isdigit():
            qs = qs.filter(district_id=int(get["district"]))
        if get.get("urgent") == "1":
            qs = qs.filter(urgent_arrears=True)
        query = get.get("q", "").strip()
        if query:
            qs = qs.filter(Q(applicant_name__contains=query) | Q(opponent_name__contains=query)
                           | Q(case__number=query.upper()))
        self.filtered_base = qs
        state = get.get("state", "")
        if state in {s.name for s in LEGAL_AID.states}:
            qs = qs.filter(case__state=state)
        return qs.order_by("-case__is_open", "-urgent_arrears", "case__due_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = dict(self.filtered_base.order_by().values("case__state").annotate(n=Count("pk"))
                      .values_list("case__state", "n"))
        ctx["state_tabs"] = [(s.name, s.label, counts.get(s.name, 0)) for s in LEGAL_AID.states]
        ctx["state_total"] = sum(counts.values())
        ctx["matters"] = Matter.choices
        ctx["districts"] = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION,
                                                               active=True).order_by("path")
        ctx["may_apply"] = has_permission(self.request.user, CHANGE)
        ctx["section"] = "cases"
        return ctx


# ----- console: applying for a worker -----

def _centres_for(user, permission=CHANGE):
    paths = paths_with_permission(user, permission)
    qs = LegalCentre.objects.unscoped().select_related("node", "federation").filter(active=True)
    if paths is None:
        return qs.order_by("node__path")
    if not paths:
        return qs.none()
    q = Q()
    for path in paths:
        q |= subtree_q("node__path", path)
    return qs.filter(q).order_by("node__path")


def apply_for(request):
    """The centre's officer applies for a worker: found by ID number or mobile (records fill the
    membership), or a walk-in without records; ``?consultation=<id>`` prefills from a consultation."""
    _staff_only(request)
    if not has_permission(request.user, CHANGE):
        raise PermissionDenied
    consultation_req = None
    consultation = None
    source = request.GET.get("consultation") or request.POST.get("consultation")
    if source:
        consultation_req = svc.get_consultation_request_or_404(request.user, source, change=True)
        consultation = svc.consultation_of(consultation_req)
    lookup = forms.WorkerLookupForm(request.GET if "query" in request.GET else None)
    query = request.POST.get("query") or request.GET.get("query", "")
    worker = svc.find_worker(query, by=request.user) if query else None
    if worker is None and consultation_req is not None:
        worker = consultation_req.worker
    districts = list(svc.district_choices())
    membership = svc._membership(worker)
    initial = svc.application_initial(consultation_req) if consultation_req else {"workers_involved": "1"}
    if worker is not None:
        initial.update({"applicant_name": worker.name, "applicant_phone": initial.get("applicant_phone") or worker.mobile,
                        "is_migrant": initial.get("is_migrant") or worker.migrant_worker})
    form = forms.ApplicationForm(request.POST or None, request.FILES or None, initial=initial, districts=districts,
                                 ask_district=membership is None, staff=True)
    if request.method == "POST" and form.is_valid():
        if consultation_req is not None and consultation is None:
            form.add_error(None, _("请先填写该咨询的解答意见，再转为法律援助申请。"))
        else:
            try:
                legal_case = svc.submit_application(by=request.user, worker=worker, data=form.cleaned_data,
                                                    uploads=form.uploads(), district=_district(form, districts),
                                                    consultation=consultation)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已登记法律援助申请（%(number)s）。%(note)s") % {
                    "number": legal_case.case.number, "note": legal_case.eligibility_note})
                return redirect("legal:case", pk=legal_case.pk)
    data = form.data if form.is_bound else initial
    rule, sentence = svc.check_eligibility(worker, _facts_data(data), district=_district_from(data, districts))
    return render(request, "legal/intake_apply.html", {
        "form": form, "lookup": lookup, "query": query, "worker": worker, "membership": membership,
        "consultation_req": consultation_req, "rule": rule, "sentence": sentence, "section": "cases",
    }, status=422 if request.method == "POST" else 200)


def _district_from(data, districts):
    pk = str(data.get("district") or "")
    return next((d for d in districts if str(d.pk) == pk), None)


# ----- console: consultations -----

def consultations(request):
    _staff_only(request)
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    from django.core.paginator import Paginator

    qs = svc.consultations_for(request.user).select_related("case", "worker", "legal_consultation")
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.filter(legal_consultation__isnull=True)
    elif status == "answered":
        qs = qs.filter(legal_consultation__answered_at__isnull=False)
    page = Paginator(qs.order_by("-case__created_at", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "legal/intake_consultations.html", {
        "page_obj": page, "object_list": page.object_list, "filters": {"status": status},
        "may_log": _centres_for(request.user).exists(), "section": "consultations"})


def consultation(request, pk):
    """The answer to one consultation, and 转为法律援助申请."""
    _staff_only(request)
    req = svc.get_consultation_request_or_404(request.user, pk)
    existing = svc.consultation_of(req)
    may_answer = svc.consultations_for(request.user, CHANGE).filter(pk=req.pk).exists()
    initial = ({"answer": existing.answer, "law_cited": existing.law_cited, "minutes_spent": existing.minutes_spent}
               if existing else {})
    form = forms.AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                svc.answer_consultation(req, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已保存解答，职工可在诉求页面看到。"))
                return redirect("legal:consultation", pk=req.pk)
    applications = list(LegalCase.objects.unscoped().select_related("case").filter(consultation__request=req))
    return render(request, "legal/intake_consultation.html", {
        "req": req, "consultation": existing, "form": form, "may_answer": may_answer, "applications": applications,
        "section": "consultations"}, status=422 if request.method == "POST" else 200)


def consultation_log(request):
    """A walk-in, phone or letter consultation logged at the centre."""
    _staff_only(request)
    centres = list(_centres_for(request.user))
    posted = request.POST.get("centre", "")
    if not centres or (posted and posted not in {str(c.pk) for c in centres}):
        raise Http404
    form = forms.LogConsultationForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        centre = next(c for c in centres if str(c.pk) == data["centre"])
        try:
            req = svc.log_consultation(by=request.user, centre=centre, name=data["name"], phone=data["phone"],
                                       question=data["question"], channel=data["channel"],
                                       migrant_worker=data["migrant_worker"])
        except ValidationError as error:
            apply_errors(form, error, aliases={"description": "question", "contact_phone": "phone"})
        else:
            messages.success(request, _("已登记咨询（%(number)s），请填写解答。") % {"number": req.case.number})
            return redirect("legal:consultation", pk=req.pk)
    return render(request, "legal/intake_consultation_log.html", {"form": form, "section": "consultations"},
                  status=422 if request.method == "POST" else 200)


# ----- console: eligibility rules -----

def _federations_for(user, permission=VIEW):
    paths = paths_with_permission(user, permission)
    qs = UnionNode.objects.unscoped().filter(kind__in=svc.FEDERATION_KINDS, active=True)
    if paths is None:
        return qs.order_by("path")
    if not paths:
        return qs.none()
    q = Q()
    for path in paths:
        q |= subtree_q("path", path)
    return qs.filter(q).order_by("path")


def rules(request):
    """Each federation in reach: the rules in force (its own, an upper federation's or the defaults)."""
    _staff_only(request)
    if not has_permission(request.user, VIEW):
        raise PermissionDenied
    rows = []
    for federation in _federations_for(request.user):
        in_force, owner = eligibility.rules_for(federation)
        rows.append({"federation": federation, "owner": owner,
                     "rules": [(rule, eligibility.describe(rule.conditions)) for rule in in_force],
                     "own": owner is not None and owner.pk == federation.pk,
                     "may_edit": has_permission(request.user, DECIDE, federation.path),
                     "inactive": list(EligibilityRule.objects.unscoped().filter(federation=federation, active=False))})
    return render(request, "legal/intake_rules.html", {"rows": rows, "section": "rules"})


def _federation_or_404(user, pk):
    federation = _federations_for(user).filter(pk=pk).first()
    if federation is None:
        raise Http404
    return federation


def rule_add(request, federation_id):
    _staff_only(request)
    federation = _federation_or_404(request.user, federation_id)
    if not has_permission(request.user, DECIDE, federation.path):
        raise Http404
    return _rule_form(request, federation, None)


def rule_edit(request, pk):
    _staff_only(request)
    rule = EligibilityRule.objects.visible_to(request.user, DECIDE).select_related("federation").filter(pk=pk).first()
    if rule is None:
        raise Http404
    return _rule_form(request, rule.federation, rule)


def _rule_form(request, federation, rule):
    form = forms.RuleForm(request.POST or None, initial=forms.RuleForm.initial_for(rule) if rule else {"active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.save_rule(federation, by=request.user, code=data["code"], label=data["label"],
                          conditions=form.conditions(), order=data["order"], active=data["active"], rule=rule)
        except ValidationError as error:
            apply_errors(form, error, aliases={"conditions": "facts"})
        else:
            messages.success(request, _("已保存援助条件。"))
            return redirect("legal:rules")
    return render(request, "legal/intake_rule_form.html", {"form": form, "federation": federation, "rule": rule,
                                                           "section": "rules"},
                  status=422 if request.method == "POST" else 200)


@require_POST
def rules_copy(request, federation_id):
    _staff_only(request)
    federation = _federation_or_404(request.user, federation_id)
    if not has_permission(request.user, DECIDE, federation.path):
        raise Http404
    try:
        svc.copy_default_rules(federation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已按默认条件建立本会的援助条件，可以逐条修改。"))
    return redirect("legal:rules")


# ----- console: centres -----

class CentreListView(ScopedListView):
    model = LegalCentre
    permission = VIEW
    template_name = "legal/intake_centres.html"
    partial_template_name = "legal/intake_centres.html"

    def get_queryset(self):
        return self.base_queryset().select_related("node", "federation").order_by("node__path")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for centre in ctx["object_list"]:
            centre.may_edit = has_permission(self.request.user, DECIDE, centre.node.path)
        ctx["section"] = "centres"
        return ctx


def centre_edit(request, pk):
    _staff_only(request)
    centre = LegalCentre.objects.visible_to(request.user, DECIDE).select_related("node", "federation") \
        .filter(pk=pk).first()
    if centre is None:
        raise Http404
    form = forms.CentreForm(request.POST or None, initial={"decision_days": centre.decision_days,
                                                           "urgent_days": centre.urgent_days, "active": centre.active})
    if request.method == "POST" and form.is_valid():
        try:
            svc.set_centre(centre.node, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已保存%(centre)s的审查时限。") % {"centre": centre.node.name})
            return redirect("legal:centres")
    return render(request, "legal/intake_centre_form.html", {"form": form, "centre": centre, "section": "centres"},
                  status=422 if request.method == "POST" else 200)
