"""Pages of the core part: the console's household files, applications and policy versions, and the
portal's apply, self-check, public notice and "我的困难帮扶". Thin: the rules are in services_core,
registration and assessment."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.forms import apply_errors
from gonghui.core.scope import (
    get_visible_or_404,
    has_permission,
    paths_with_permission,
    require_permission,
    subtree_q,
)
from gonghui.core.views import ScopedListView, StaffRequiredMixin
from gonghui.hardship import assessment as rules
from gonghui.hardship import forms_core as forms
from gonghui.hardship import policy, registration
from gonghui.hardship import services_core as svc
from gonghui.hardship.models import (
    Assessment,
    HardshipApplication,
    HardshipDocument,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    IncomeRow,
    PolicyVersion,
    RecordCheck,
    SpendingRow,
)
from gonghui.orgs.models import STEP_LEN, UnionNode
from gonghui.workflow.services import Upload

VIEW, CHANGE, APPROVE, POLICY = svc.VIEW, svc.CHANGE, svc.APPROVE, svc.POLICY
WORKER_LOGIN = "accounts:worker_login"


def _visible_file(request, pk) -> HardshipFile:
    return get_visible_or_404(HardshipFile.objects.select_related("worker", "union", "assessment"),
                              request.user, VIEW, pk=pk)


# ----- console: the list -----

class FileListView(ScopedListView):
    model = HardshipFile
    permission = VIEW
    template_name = "hardship/file_list.html"
    partial_template_name = "hardship/_file_table.html"
    filter_names = ("q", "status", "category", "union")

    def _union_filter(self):
        union_id = self.request.GET.get("union", "")
        if not union_id.isdigit():
            return None
        return UnionNode.objects.visible_to(self.request.user, VIEW).filter(pk=union_id).first()

    def get_queryset(self):
        qs = self.base_queryset().select_related("worker", "union", "assessment")
        union = self._union_filter()
        if union is not None:
            qs = qs.filter(subtree_q("node_path", union.path))
        self.status_base = qs
        status = self.request.GET.get("status")
        if status in HardshipFile.Status.values:
            qs = qs.filter(status=status)
        category = self.request.GET.get("category")
        if category in HardshipFile.Category.values:
            qs = qs.filter(category=category)
        q = self.request.GET.get("q", "").strip()[:60]
        if q:
            qs = qs.filter(Q(worker__name__contains=q) | Q(number=q.upper()))
        return qs.order_by("-updated_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = dict(self.status_base.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
        ctx["status_tabs"] = [(value, label, counts.get(value, 0)) for value, label in HardshipFile.Status.choices]
        ctx["status_total"] = sum(counts.values())
        ctx["categories"] = HardshipFile.Category.choices
        ctx["unions"] = (UnionNode.objects.visible_to(self.request.user, VIEW)
                         .exclude(kind__in=[UnionNode.Kind.DEPARTMENT, UnionNode.Kind.SERVICE_CENTRE])
                         .filter(active=True).order_by("path")[:300])
        ctx["can_create"] = has_permission(self.request.user, CHANGE)
        ctx["section"] = "files"
        return ctx


# ----- console: create -----

class FileCreateView(StaffRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker" and not has_permission(request.user,
                                                                                                    CHANGE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return render(self.request, "hardship/file_create.html", {"form": form, "section": "files"}, status=status)

    def get(self, request):
        return self.render_form(forms.FileCreateForm())

    def post(self, request):
        from gonghui.core import crypto
        from gonghui.core.validators import clean_id_number
        from gonghui.members.models import Worker
        from gonghui.members.services import active_membership

        form = forms.FileCreateForm(request.POST)
        if form.is_valid():
            try:
                normalised = clean_id_number(form.cleaned_data["id_number"])
            except ValidationError as error:
                form.add_error("id_number", error.messages)
                return self.render_form(form, 422)
            worker = (Worker.objects.visible_to(request.user, CHANGE)
                      .filter(id_number_hash=crypto.keyed_hash(normalised)).first())
            membership = active_membership(worker) if worker else None
            if worker is None or membership is None or not has_permission(request.user, CHANGE,
                                                                            membership.node_path):
                form.add_error("id_number", _("在您管理的工会中没有找到身份证号为此号码的在册会员。请先核对号码，"
                                              "或确认职工已在本工会入会。"))
                return self.render_form(form, 422)
            try:
                file = svc.create_file(worker, membership.union, by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
                return self.render_form(form, 422)
            messages.success(request, _("已为%(name)s建立档案（%(number)s），请补充家庭成员、收入和支出。")
                             % {"name": worker.name, "number": file.number})
            return redirect("hardship:file_detail", pk=file.pk)
        return self.render_form(form, 422)


# ----- console: detail -----

def _rows(model, user, file):
    return list(model.objects.visible_to(user, VIEW).filter(file=file))


class FileDetailView(StaffRequiredMixin, View):
    def get(self, request, pk):
        if not has_permission(request.user, VIEW):
            raise PermissionDenied
        file = _visible_file(request, pk)
        user = request.user
        members = _rows(HouseholdMember, user, file)
        incomes = list(IncomeRow.objects.visible_to(user, VIEW).filter(file=file).select_related("member"))
        spendings = _rows(SpendingRow, user, file)
        assessments = list(Assessment.objects.visible_to(user, VIEW).filter(file=file)
                           .select_related("policy_version__node", "by")[:20])
        applications = list(HardshipApplication.objects.visible_to(user, VIEW).filter(file=file)
                            .select_related("case").order_by("-created_at"))
        can_change = has_permission(user, CHANGE, file.node_path)
        return render(request, "hardship/file_detail.html", {
            "file": file, "members": members, "incomes": incomes, "spendings": spendings,
            "income_total": sum((r.annual_amount for r in incomes), Decimal(0)),
            "spending_total": sum((r.annual_amount for r in spendings), Decimal(0)),
            "visits": _rows(HomeVisit, user, file), "checks": _rows(RecordCheck, user, file),
            "documents": _rows(HardshipDocument, user, file), "assessments": assessments,
            "applications": applications, "open_application": next((a for a in applications if a.case.is_open), None),
            "can_change": can_change, "can_approve": has_permission(user, APPROVE, file.node_path),
            "section": "files",
        })


# ----- console: edit the details and causes -----

class _FileWriteView(StaffRequiredMixin, View):
    """A page that writes to one file: visible (else 404) and hardship.change there (else 403)."""

    permission = CHANGE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker":
            self.file = _visible_file(request, kwargs["pk"])
            require_permission(request.user, self.permission, self.file.node_path)
        return super().dispatch(request, *args, **kwargs)

    def page(self, form, title, status=200, **extra):
        return render(self.request, "hardship/file_form.html",
                      {"form": form, "file": self.file, "title": title, "section": "files", **extra}, status=status)


class FileEditView(_FileWriteView):
    def get(self, request, pk):
        f = self.file
        form = forms.FileDetailsForm(initial={
            "main_cause": f.main_cause, "secondary_causes": f.secondary_causes, "address": f.address, "phone": f.phone,
            "housing": f.housing, "housing_area": f.housing_area, "medical_insurance": f.medical_insurance,
            "bank_name": f.bank_name, "exclusion_flags": f.exclusion_flags, "note": f.note})
        return self.page(form, _("编辑档案信息"))

    def post(self, request, pk):
        form = forms.FileDetailsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            main, secondary = data.pop("main_cause"), data.pop("secondary_causes")
            bank_account = data.pop("bank_account") or None
            try:
                from django.db import transaction

                with transaction.atomic():
                    svc.set_causes(self.file, main, secondary, by=request.user)
                    svc.update_details(self.file, by=request.user, bank_account=bank_account, **data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("档案信息已保存。"))
                return redirect("hardship:file_detail", pk=self.file.pk)
        return self.page(form, _("编辑档案信息"), status=422)


# ----- console: add a member, an income, a spending, a visit, a check, a document; override; apply -----

ADD_PAGES = {
    "member": (forms.MemberForm, _("添加家庭成员")),
    "income": (forms.IncomeForm, _("登记家庭收入")),
    "spending": (forms.SpendingForm, _("登记刚性支出")),
    "visit": (forms.HomeVisitForm, _("记录入户调查")),
    "check": (forms.RecordCheckForm, _("记录信息核对")),
    "document": (forms.DocumentForm, _("上传证明材料")),
    "override": (forms.OverrideForm, _("人工调整困难类别")),
    "apply": (forms.StaffApplyForm, _("代职工提交建档申请")),
}
DONE = {
    "member": _("已添加家庭成员。"), "income": _("已登记收入。"), "spending": _("已登记支出。"),
    "visit": _("已记录入户调查。"), "check": _("已记录信息核对。"), "document": _("已上传材料。"),
    "override": _("已调整困难类别，理由已记入审计日志。"), "apply": _("已提交建档申请，进入基层审核。"),
}


class FileAddView(_FileWriteView):
    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("what") not in ADD_PAGES:
            raise Http404
        if kwargs["what"] == "override":
            self.permission = APPROVE
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, what, data=None, files=None):
        form_class, _title = ADD_PAGES[what]
        kwargs = {}
        if what == "income":
            kwargs["members"] = HouseholdMember.objects.visible_to(self.request.user, VIEW).filter(file=self.file)
        initial = {}
        if what in ("visit", "check"):
            initial = {"visited_on": forms.today(), "checked_on": forms.today(),
                       "checked_by_name": str(self.request.user)}
        if what == "override":
            initial = {"category": self.file.category}
        return form_class(data, files, initial=initial, **kwargs)

    def get(self, request, pk, what):
        return self.page(self.make_form(what), ADD_PAGES[what][1], multipart=what == "document")

    def post(self, request, pk, what):
        form = self.make_form(what, request.POST, request.FILES)
        if form.is_valid():
            try:
                self.save(what, form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, DONE[what])
                return redirect("hardship:file_detail", pk=self.file.pk)
        return self.page(form, ADD_PAGES[what][1], status=422, multipart=what == "document")

    def save(self, what, data):
        by, file = self.request.user, self.file
        if what == "member":
            svc.add_member(file, by=by, **data)
        elif what == "income":
            member = None
            if data["member"]:
                member = HouseholdMember.objects.visible_to(by, VIEW).filter(file=file, pk=data["member"]).first()
            svc.add_income(file, by=by, source=data["source"], annual_amount=data["annual_amount"], member=member,
                           note=data["note"])
        elif what == "spending":
            svc.add_spending(file, by=by, **data)
        elif what == "visit":
            svc.record_home_visit(file, by=by, **data)
        elif what == "check":
            svc.record_check(file, by=by, **data)
        elif what == "document":
            upload = data["upload"]
            svc.add_document(file, Upload(upload.name, upload.read()), data["kind"], by=by)
        elif what == "override":
            svc.override_category(file, data["category"], data["reason"], by=by)
        elif what == "apply":
            registration.apply_for(file, by=by, statement=data["statement"])


class MemberEditView(_FileWriteView):
    def _member(self, member_id):
        return get_visible_or_404(HouseholdMember, self.request.user, VIEW, pk=member_id, file=self.file)

    def get(self, request, pk, member_id):
        member = self._member(member_id)
        form = forms.MemberEditForm(initial={"health": member.health, "work_status": member.work_status,
                                             "school": member.school})
        return self.page(form, _("修改家庭成员：%(name)s") % {"name": member.name})

    def post(self, request, pk, member_id):
        member = self._member(member_id)
        form = forms.MemberEditForm(request.POST)
        if form.is_valid():
            try:
                svc.update_member(member, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("hardship:file_detail", pk=self.file.pk)
        return self.page(form, _("修改家庭成员：%(name)s") % {"name": member.name}, status=422)


REMOVABLE = {"member": HouseholdMember, "income": IncomeRow, "spending": SpendingRow}


class RowRemoveView(_FileWriteView):
    http_method_names = ["post"]

    def post(self, request, pk, what, row):
        model = REMOVABLE.get(what)
        if model is None:
            raise Http404
        obj = get_visible_or_404(model, request.user, VIEW, pk=row, file=self.file)
        try:
            if what == "member":
                svc.remove_member(obj, by=request.user)
            else:
                svc.remove_row(obj, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已删除。"))
        return redirect("hardship:file_detail", pk=self.file.pk)


class AssessView(_FileWriteView):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            decision = svc.assess(self.file, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("认定结果：%(category)s（家庭月人均收入 ¥%(income)s，依据 %(policy)s）。") % {
                "category": decision.category_label, "income": decision.per_capita_monthly_income,
                "policy": decision.policy_label})
        return redirect("hardship:file_detail", pk=self.file.pk)


def document_download(request, pk):
    if not request.user.is_authenticated or request.user.kind == "worker":
        raise Http404
    document = get_visible_or_404(HardshipDocument.objects.select_related("file__union"), request.user, VIEW, pk=pk)
    record(request.user, AuditEntry.Action.VIEW_PERSONAL, document, node=document.file.union,
           event="hardship.document_viewed", extra={"file": document.file_id})
    return FileResponse(document.upload.open("rb"), content_type=document.content_type, as_attachment=True,
                        filename=f"{document.name}")


# ----- console: applications (建档审批) -----

class ApplicationListView(ScopedListView):
    model = HardshipApplication
    permission = VIEW
    template_name = "hardship/application_list.html"
    partial_template_name = "hardship/_application_table.html"
    filter_names = ("state",)

    def get_queryset(self):
        qs = self.base_queryset().select_related("case__node", "file__worker", "file__union")
        self.state_base = qs
        state = self.request.GET.get("state", "")
        if state in {s.name for s in registration.REGISTRATION.states}:
            qs = qs.filter(case__state=state)
        return qs.order_by("-case__is_open", "case__due_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = dict(self.state_base.order_by().values("case__state").annotate(n=Count("pk"))
                      .values_list("case__state", "n"))
        ctx["state_tabs"] = [(s.name, s.label, counts.get(s.name, 0)) for s in registration.REGISTRATION.states]
        ctx["state_total"] = sum(counts.values())
        ctx["section"] = "applications"
        return ctx


class ApplyFromRequestView(StaffRequiredMixin, View):
    """One action from a request of the "hardship" category: a prefilled application."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker":
            from gonghui.requests.models import Request

            self.req = get_visible_or_404(Request.objects.select_related("case", "worker", "category"),
                                          request.user, "requests.view", pk=kwargs["pk"])
            require_permission(request.user, CHANGE, self.req.case.node_path)
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200):
        existing = svc.active_file_of(self.req.worker) if self.req.worker_id else None
        return render(self.request, "hardship/apply_from_request.html",
                      {"form": form, "req": self.req, "existing": existing, "section": "applications"}, status=status)

    def get(self, request, pk):
        return self.render_page(forms.StaffApplyForm(initial={"statement": self.req.description}))

    def post(self, request, pk):
        form = forms.StaffApplyForm(request.POST)
        if form.is_valid():
            try:
                application = registration.apply_from_request(self.req, by=request.user,
                                                              statement=form.cleaned_data["statement"])
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已转为困难职工建档申请（档案 %(number)s）。请补充家庭情况并入户调查。")
                                 % {"number": application.file.number})
                return redirect("hardship:file_detail", pk=application.file_id)
        return self.render_page(form, 422)


# ----- console: policy versions -----

class PolicyListView(ScopedListView):
    model = PolicyVersion
    permission = VIEW
    template_name = "hardship/policy_list.html"
    partial_template_name = "hardship/policy_list.html"

    def get_queryset(self):
        # The versions in the caller's subtree, and those of the federations above it (the rules that
        # apply there when no nearer one set its own): rules are not personal data.
        paths = paths_with_permission(self.request.user, VIEW)
        above = {p[:i] for p in (paths or []) for i in range(STEP_LEN, len(p), STEP_LEN)}
        visible = self.base_queryset()
        qs = (PolicyVersion.objects.unscoped().filter(Q(pk__in=visible.values("pk")) | Q(node__path__in=above))
              if paths is not None else visible)
        return qs.select_related("node", "created_by").order_by("node__path", "-effective_from")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = has_permission(self.request.user, POLICY)
        ctx["defaults"] = policy.DEFAULTS
        ctx["editable"] = policy.EDITABLE
        ctx["section"] = "files"
        return ctx


def _policy_nodes(user):
    paths = paths_with_permission(user, POLICY)
    qs = UnionNode.objects.unscoped().filter(active=True, kind__in=registration.FEDERATION_KINDS)
    if paths is not None:
        if not paths:
            return []
        qs = qs.filter(Q(*[subtree_q("path", p) for p in paths], _connector=Q.OR))
    return list(qs.order_by("path")[:200])


class PolicyCreateView(StaffRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker" and not has_permission(request.user,
                                                                                                    POLICY):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        nodes = _policy_nodes(self.request.user)
        defaults = policy.params_for(nodes[0]) if nodes else policy.DEFAULTS
        return forms.PolicyForm(data, nodes=nodes, defaults=defaults, initial={"effective_from": forms.today()})

    def render_form(self, form, status=200):
        return render(self.request, "hardship/policy_form.html", {"form": form, "section": "files"}, status=status)

    def get(self, request):
        return self.render_form(self.make_form())

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            node = UnionNode.objects.unscoped().get(pk=data["node"])
            params = {key: data[key].strip() for key in policy.EDITABLE if data.get(key, "").strip()}
            try:
                svc.add_policy_version(node, data["effective_from"], params, data["note"], by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已保存新的政策参数版本，自%(date)s起用于新的认定。")
                                 % {"date": f"{data['effective_from']:%Y年%m月%d日}"})
                return redirect("hardship:policies")
        return self.render_form(form, 422)


# ----- portal -----

def _worker_of(user):
    from gonghui.members.models import Worker

    return Worker.objects.unscoped().filter(user=user).first() if user.is_authenticated else None


@login_required(login_url=WORKER_LOGIN)
def portal_apply(request):
    worker = _worker_of(request.user)
    existing = svc.active_file_of(worker) if worker else None
    if existing is not None and existing.status != HardshipFile.Status.DRAFT:
        messages.info(request, _("您已有%(status)s的困难职工档案，不需要重复申请。") % {"status": existing.status_label})
        return redirect("hardship:me")
    form = forms.PortalApplyForm(request.POST or None, request.FILES or None,
                                 initial={"phone": worker.mobile if worker else ""})
    if request.method == "POST" and worker is not None and form.is_valid():
        data = form.cleaned_data
        uploads = []
        if data.get("document"):
            uploads.append(("other", Upload(data["document"].name, data["document"].read())))
        try:
            application = registration.apply_online(
                worker, by=request.user, statement=data["statement"], main_cause=data["main_cause"],
                secondary_causes=data["secondary_causes"], address=data["address"], phone=data["phone"],
                uploads=uploads)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return render(request, "hardship/portal_apply_done.html", {"application": application})
    return render(request, "hardship/portal_apply.html", {"form": form, "worker": worker},
                  status=422 if request.method == "POST" else 200)


def _self_check(data, union):
    params = policy.params_for(union) if union is not None else policy.DEFAULTS
    version = policy.policy_for(union) if union is not None else None
    size = data["household_size"]
    monthly = rules.check_amount(data["monthly_income"], label=_("每月收入"))
    spending = {}
    for key, kind in (("medical", "illness"), ("disability", "disability"), ("schooling", "schooling"),
                      ("housing", "housing")):
        spending[kind] = rules.check_amount(data.get(key) or "0", label=_("支出金额"))
    exclusions = [name for name in forms.SelfCheckForm.EXCLUSION_FIELDS if data.get(name)]
    figures = rules.Figures(household_size=size, incomes=[monthly * 12],
                            able_not_working=[Decimal(0)] * min(data.get("able_not_working") or 0, size),
                            spending=spending, sudden_spending=sum(spending.values()) if data.get("sudden") else 0,
                            exclusions=exclusions)
    result = rules.compute(figures, params)
    documents = [_("户主和家庭成员的身份证、户口簿"), _("近12个月的收入证明（工资单、养老金、失业金等）")]
    if spending["illness"]:
        documents.append(_("病历、诊断证明和医疗费用票据"))
    if spending["disability"]:
        documents.append(_("残疾证"))
    if spending["schooling"]:
        documents.append(_("孩子的学籍证明或录取通知书、学费票据"))
    if spending["housing"]:
        documents.append(_("租房合同或危房鉴定、修缮票据"))
    if data.get("sudden"):
        documents.append(_("事故、灾害或大病的证明材料"))
    if data.get("able_not_working"):
        documents.append(_("失业登记证明"))
    return {"result": result, "policy_label": policy.label_of(version), "union": union,
            "standard": Decimal(str(params["min_living_standard"])), "documents": documents,
            "exclusion_labels": [str(forms.SelfCheckForm.base_fields[name].label) for name in exclusions]}


def portal_self_check(request):
    """A questionnaire that says whether the household is likely to qualify; nothing is stored."""
    from gonghui.members.services import active_membership

    worker = _worker_of(request.user)
    membership = active_membership(worker) if worker else None
    union = membership.union if membership else None
    form = forms.SelfCheckForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = _self_check(form.cleaned_data, union)
        except ValidationError as error:
            form.add_error(None, error.messages)
    return render(request, "hardship/portal_self_check.html", {
        "form": form, "outcome": outcome, "union": union, "worker": worker,
    }, status=422 if request.method == "POST" and outcome is None else 200)


@login_required(login_url=WORKER_LOGIN)
def portal_me(request):
    from gonghui.ledger.services import services_of

    worker = _worker_of(request.user)
    file = svc.latest_file_of(worker) if worker else None
    application = registration.application_for_file(file) if file else None
    received = [row for row in services_of(worker)[:200] if row.kind.startswith("hardship.")] if worker else []
    return render(request, "hardship/portal_me.html", {
        "worker": worker, "file": file, "application": application, "received": received,
        "received_total": sum((row.amount or Decimal(0) for row in received), Decimal(0)),
    })


@login_required(login_url=WORKER_LOGIN)
def portal_notice(request):
    """公示: households of the worker's union in notice, name masked, union only."""
    from gonghui.members.services import active_membership

    worker = _worker_of(request.user)
    membership = active_membership(worker) if worker else None
    rows = registration.notices_for(membership.node_path) if membership else []
    return render(request, "hardship/portal_notice.html", {"rows": rows, "membership": membership})
