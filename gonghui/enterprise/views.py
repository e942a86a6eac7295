"""Console pages of enterprise visits and problems. Thin: the rules are in services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import ScopedDetailView, ScopedListView, StaffRequiredMixin
from gonghui.enterprise import services
from gonghui.enterprise.casetype import ENTERPRISE_PROBLEM, OPEN_STATES
from gonghui.enterprise.forms import MORE_ROWS, EnterpriseForm, ProblemFormSet, VisitForm
from gonghui.enterprise.models import Enterprise, Industry, Problem, Visit
from gonghui.enterprise.services import HANDLE, VIEW


class EnterpriseListView(ScopedListView):
    model = Enterprise
    permission = VIEW
    template_name = "enterprise/list.html"
    partial_template_name = "enterprise/_table.html"
    filter_names = ("q", "industry", "union")

    def get_queryset(self):
        qs = self.base_queryset().select_related("node", "union")
        industry = self.request.GET.get("industry")
        if industry in Industry.values:
            qs = qs.filter(industry=industry)
        has_union = self.request.GET.get("union")
        if has_union == "yes":
            qs = qs.filter(union__isnull=False)
        elif has_union == "no":
            qs = qs.filter(union__isnull=True)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(uscc=q.upper()))
        return qs.order_by("node__path", "name", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ids = [e.pk for e in ctx["object_list"]]
        user = self.request.user
        # Counts for the page's rows only, each through the scope rule: two queries per page.
        visits = dict(Visit.objects.visible_to(user, VIEW).filter(enterprise__in=ids).order_by()
                      .values("enterprise").annotate(n=Count("pk")).values_list("enterprise", "n"))
        open_problems = dict(Problem.objects.visible_to(user, VIEW).filter(enterprise__in=ids, case__is_open=True)
                             .order_by().values("enterprise").annotate(n=Count("pk")).values_list("enterprise", "n"))
        for enterprise in ctx["object_list"]:
            enterprise.visit_count = visits.get(enterprise.pk, 0)
            enterprise.open_problem_count = open_problems.get(enterprise.pk, 0)
        ctx["industries"] = Industry.choices
        ctx["can_create"] = has_permission(user, HANDLE)
        ctx["section"] = "enterprises"
        return ctx


class EnterpriseDetailView(ScopedDetailView):
    model = Enterprise
    permission = VIEW
    template_name = "enterprise/detail.html"
    context_object_name = "enterprise"

    def get_queryset(self):
        return self.base_queryset().select_related("node", "union")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprise, user = self.object, self.request.user
        ctx["visits"] = (Visit.objects.visible_to(user, VIEW).filter(enterprise=enterprise)
                         .select_related("node").prefetch_related("staff")
                         .annotate(problem_count=Count("problems"))[:100])
        ctx["problems"] = (Problem.objects.visible_to(user, VIEW).filter(enterprise=enterprise)
                           .select_related("case", "case__node", "visit")
                           .order_by("-case__is_open", "-visit__visited_on", "-pk")[:200])
        ctx["can_handle"] = services.may_record_visit(enterprise, user)
        ctx["section"] = "enterprises"
        return ctx


class _EnterpriseFormView(StaffRequiredMixin, View):
    """The create and edit pages; each subclass defines ``save(cleaned_data)``."""

    enterprise = None

    def render_form(self, form, status=200):
        return render(self.request, "enterprise/enterprise_form.html",
                      {"form": form, "enterprise": self.enterprise}, status=status)

    def get(self, request, **kwargs):
        initial = {}
        if self.enterprise is not None:
            initial = {k: getattr(self.enterprise, k) for k in services.ENTERPRISE_FIELDS}
        return self.render_form(EnterpriseForm(initial=initial, user=request.user))

    def post(self, request, **kwargs):
        form = EnterpriseForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                enterprise = self.save(form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("已保存“%(name)s”。") % {"name": enterprise.name})
                return redirect("enterprise:detail", pk=enterprise.pk)
        return self.render_form(form, status=422)


class EnterpriseCreateView(_EnterpriseFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker and not has_permission(request.user, HANDLE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def save(self, data):
        return services.create_enterprise(data, by=self.request.user)


class EnterpriseEditView(_EnterpriseFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker:
            self.enterprise = get_visible_or_404(Enterprise.objects.select_related("node"), request.user, VIEW,
                                                 pk=kwargs["pk"])
            require_permission(request.user, HANDLE, self.enterprise.node.path)
        return super().dispatch(request, *args, **kwargs)

    def save(self, data):
        return services.update_enterprise(self.enterprise, data, by=self.request.user)


def _posted_rows(data) -> tuple[list[dict], int]:
    """The problem rows a person filled in so far (blank ones dropped), and how many rows there were."""
    try:
        total = max(0, min(int(data.get("problems-TOTAL_FORMS", 0)), services.MAX_PROBLEMS))
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        row = {"kind": data.get(f"problems-{i}-kind", ""), "description": data.get(f"problems-{i}-description", "")}
        if row["kind"] or row["description"].strip():
            rows.append(row)
    return rows, total


class VisitCreateView(StaffRequiredMixin, View):
    """Record a visit and the problems found; "more rows" re-renders the form with blank rows added."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_worker:
            self.enterprise = get_visible_or_404(Enterprise.objects.select_related("node", "union"), request.user,
                                                 VIEW, pk=kwargs["pk"])
            require_permission(request.user, HANDLE, self.enterprise.node.path)
            self.nodes = services.visit_nodes(self.enterprise, request.user)
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None, initial=None):
        return VisitForm(data, initial=initial, nodes=self.nodes, staff=services.staff_choices(self.nodes))

    def render_page(self, form, formset, status=200):
        return render(self.request, "enterprise/visit_form.html", {
            "enterprise": self.enterprise, "form": form, "formset": formset,
            "selected_staff": {str(v) for v in (form["staff"].value() or [])}, "more_rows": MORE_ROWS,
        }, status=status)

    def get(self, request, pk):
        default = services.default_visit_node(self.enterprise, request.user)
        initial = {"staff": [request.user.pk], "node": default.pk if default else None}
        return self.render_page(self.make_form(initial=initial), ProblemFormSet(prefix="problems"))

    def post(self, request, pk):
        if "more_rows" in request.POST:
            # No script needed: keep what was typed and offer more blank rows.
            initial = {name: request.POST.get(name, "") for name in ("visited_on", "node", "other_participants",
                                                                     "met_with", "notes")}
            initial["staff"] = request.POST.getlist("staff")
            rows, total = _posted_rows(request.POST)
            formset = ProblemFormSet(prefix="problems", initial=rows)
            formset.extra = total - len(rows) + MORE_ROWS
            return self.render_page(self.make_form(initial=initial), formset)
        form = self.make_form(request.POST)
        formset = ProblemFormSet(request.POST, prefix="problems")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            problems = [f.cleaned_data for f in formset.forms if f.has_changed() and not f.is_blank]
            try:
                visit = services.record_visit(self.enterprise, data, problems, by=request.user)
            except ValidationError as e:
                for field, errs in e.message_dict.items():
                    if field == "problems":
                        formset._non_form_errors = formset.error_class(errs)
                    else:
                        form.add_error(field if field in form.fields else None, errs)
            else:
                n = len(visit.created_problems)
                messages.success(request, _("已登记走访，并建立%(n)d个企业难题。") % {"n": n} if n
                                 else _("已登记走访。"))
                return redirect("enterprise:visit", pk=visit.pk)
        return self.render_page(form, formset, status=422)


class VisitDetailView(ScopedDetailView):
    model = Visit
    permission = VIEW
    template_name = "enterprise/visit.html"
    context_object_name = "visit"

    def get_queryset(self):
        return self.base_queryset().select_related("enterprise", "node", "created_by").prefetch_related("staff")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visit = self.object
        ctx["problems"] = (Problem.objects.visible_to(self.request.user, VIEW).filter(visit=visit)
                           .select_related("case", "case__node").order_by("pk"))
        ctx["section"] = "enterprises"
        return ctx


class ProblemListView(ScopedListView):
    """Every problem in the user's scope, with counts per state as tabs."""

    model = Problem
    permission = VIEW
    template_name = "enterprise/problems.html"
    partial_template_name = "enterprise/_problem_table.html"
    filter_names = ("state", "kind", "q", "overdue")

    def filtered_without_state(self):
        qs = self.base_queryset()
        kind = self.request.GET.get("kind")
        if kind in Problem.Kind.values:
            qs = qs.filter(kind=kind)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(enterprise__name__contains=q) | Q(case__number=q.upper()) | Q(description__contains=q))
        if self.request.GET.get("overdue") == "1":
            qs = qs.filter(case__is_open=True, case__escalated_at__isnull=False)
        return qs

    def get_queryset(self):
        qs = self.filtered_without_state().select_related("case", "case__node", "enterprise")
        state = self.request.GET.get("state")
        if state in {s.name for s in ENTERPRISE_PROBLEM.states}:
            qs = qs.filter(case__state=state)
        elif state == "open":
            qs = qs.filter(case__is_open=True)
        return qs.order_by("-case__is_open", "case__due_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = services.state_counts(self.filtered_without_state())
        ctx["state_tabs"] = [("", _("全部"), sum(counts.values())),
                             ("open", _("未办结"), sum(counts.get(s, 0) for s in OPEN_STATES))] + [
            (s.name, s.label, counts.get(s.name, 0)) for s in ENTERPRISE_PROBLEM.states]
        ctx["kinds"] = Problem.Kind.choices
        ctx["section"] = "problems"
        return ctx
