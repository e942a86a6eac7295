"""Console pages of the review part: what is due, the yearly review, exit or closure, reopening,
monthly incomes, follow-ups, and the figures with their drill-down and export. Thin: the rules are
in services_review.py and figures.py."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import StaffRequiredMixin
from gonghui.hardship import figures
from gonghui.hardship import services_review as services
from gonghui.hardship.forms_review import EndForm, FollowUpForm, IncomeForm, ReopenForm, ReviewForm
from gonghui.hardship.models import Exit, FollowUp, HardshipFile, MonthlyIncome
from gonghui.hardship.services_review import CHANGE, VIEW
from gonghui.orgs.models import UnionNode

FLAGS = ("all", "start", "new", "exited", "closed", "end")


def _require_view(request) -> None:
    if not has_permission(request.user, VIEW):
        raise PermissionDenied


# ----- what is due -----

class ReviewsView(StaffRequiredMixin, View):
    """年度复核: files whose yearly review falls due (overdue first), and follow-ups of exited households."""

    def get(self, request):
        _require_view(request)
        user, today = request.user, services.today()
        tab = request.GET.get("tab") if request.GET.get("tab") in ("reviews", "followups") else "reviews"
        try:
            within = max(0, min(int(request.GET.get("within", 30)), 366))
        except ValueError:
            within = 30
        files = HardshipFile.objects.visible_to(user, VIEW)
        reviews = services.reviews_due(files, today, within).select_related("worker", "union")
        followups = services.followups_due(FollowUp.objects.visible_to(user, VIEW), today, within) \
            .select_related("file", "file__worker", "file__union", "exit")
        qs = reviews if tab == "reviews" else followups
        page = Paginator(qs, 20).get_page(request.GET.get("page"))
        return render(request, "hardship/review_list.html", {
            "tab": tab, "within": within, "page_obj": page, "object_list": page.object_list, "today": today,
            "page_sizes": (20,), "review_count": reviews.count(), "followup_count": followups.count(),
            "section": "reviews", "can_change": has_permission(user, CHANGE),
        })


# ----- actions on one file -----

class _FileAction(StaffRequiredMixin, View):
    """A form about one file: out of scope 404, without hardship.change 403."""

    template_name = ""
    form_class = None
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker":
            self.file = get_visible_or_404(HardshipFile.objects.select_related("worker", "union"), request.user,
                                           VIEW, pk=kwargs["pk"])
            require_permission(request.user, CHANGE, self.file.node_path)
        return super().dispatch(request, *args, **kwargs)

    def initial(self) -> dict:
        return {}

    def context(self, form) -> dict:
        return {"file": self.file, "form": form, "title": self.title, "section": "files"}

    def get(self, request, pk):
        return render(request, self.template_name, self.context(self.form_class(initial=self.initial())))

    def post(self, request, pk):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.save(form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, message)
                return redirect(self.file.get_absolute_url())
        return render(request, self.template_name, self.context(form), status=422)


class ReviewFileView(_FileAction):
    template_name = "hardship/review_form.html"
    form_class = ReviewForm

    def initial(self):
        return {"reviewed_on": services.today().isoformat(), "decision": "keep"}

    def context(self, form):
        ctx = super().context(form)
        ctx["title"] = _("年度复核")
        ctx["rule"] = services.exit_rule(self.file)
        return ctx

    def save(self, data):
        review = services.review_file(self.file, situation=data["situation"], decision=data["decision"],
                                      reason=data.get("reason", ""), note=data.get("note", ""),
                                      on=data["reviewed_on"], by=self.request.user)
        return _("已完成年度复核：%(outcome)s。") % {"outcome": review.get_outcome_display()}


class EndFileView(_FileAction):
    """解困脱困 or another closure, by the reason chosen."""

    template_name = "hardship/review_end.html"
    form_class = EndForm

    def initial(self):
        return {"on": services.today().isoformat(), "reason": self.request.GET.get("reason", "")}

    def context(self, form):
        ctx = super().context(form)
        ctx["title"] = _("解困脱困或注销")
        ctx["rule"] = services.exit_rule(self.file)
        return ctx

    def save(self, data):
        if data["reason"] in Exit.EXIT_REASONS:
            services.exit_file(self.file, reason=data["reason"], note=data.get("note", ""), on=data["on"],
                               by=self.request.user)
            return _("已办理解困脱困，系统已安排脱困后回访。")
        services.close_file(self.file, reason=data["reason"], note=data.get("note", ""), on=data["on"],
                            by=self.request.user)
        return _("档案已注销。")


class ReopenFileView(_FileAction):
    template_name = "hardship/review_reopen.html"
    form_class = ReopenForm

    def initial(self):
        return {"on": services.today().isoformat()}

    def context(self, form):
        ctx = super().context(form)
        ctx["title"] = _("返困恢复在档")
        return ctx

    def save(self, data):
        services.reopen_file(self.file, situation=data["situation"], on=data["on"], by=self.request.user)
        return _("档案已恢复在档，并按现行标准重新认定了困难类别。")


class IncomeView(_FileAction):
    template_name = "hardship/review_income.html"
    form_class = IncomeForm

    def initial(self):
        last = services.add_months(services.month_start(services.today()), -1)
        return {"month": f"{last:%Y-%m}", "household_size": self.file.household_size}

    def context(self, form):
        ctx = super().context(form)
        ctx["title"] = _("登记家庭月收入")
        ctx["incomes"] = MonthlyIncome.objects.visible_to(self.request.user, VIEW).filter(file=self.file)[:24]
        ctx["rule"] = services.exit_rule(self.file)
        return ctx

    def save(self, data):
        row = services.record_monthly_income(self.file, month=data["month"], household_income=data["household_income"],
                                             household_size=data["household_size"], note=data.get("note", ""),
                                             by=self.request.user)
        return _("已登记%(month)s家庭月收入，人均%(pc)s元。") % {"month": f"{row.month:%Y年%-m月}", "pc": row.per_capita}


class FollowUpView(StaffRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker":
            self.followup = get_visible_or_404(FollowUp.objects.select_related("file", "file__worker", "exit"),
                                               request.user, VIEW, pk=kwargs["pk"])
            require_permission(request.user, CHANGE, self.followup.file.node_path)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return render(self.request, "hardship/review_followup.html",
                      {"followup": self.followup, "file": self.followup.file, "form": form, "section": "reviews"},
                      status=status)

    def get(self, request, pk):
        f = self.followup
        return self.render_form(FollowUpForm(initial={"done_on": (f.done_on or services.today()).isoformat(),
                                                      "finding": f.finding, "notes": f.notes}))

    def post(self, request, pk):
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.record_followup(self.followup, finding=form.cleaned_data["finding"],
                                         notes=form.cleaned_data["notes"], on=form.cleaned_data["done_on"],
                                         by=request.user)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                if form.cleaned_data["finding"] == FollowUp.Finding.RETURNED:
                    messages.warning(request, _("回访发现该户已返困：请更新家庭收入和支出后办理“返困恢复在档”。"))
                else:
                    messages.success(request, _("已登记回访。"))
                return redirect(self.followup.file.get_absolute_url())
        return self.render_form(form, status=422)


# ----- figures -----

def _year(request) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return min(max(year, 2000), this_year)


def _node(request):
    """The node asked for (404 outside the user's hardship scope), else the user's top node."""
    raw = request.GET.get("node")
    if raw:
        try:
            pk = int(raw)
        except ValueError:
            raise Http404 from None
        return get_visible_or_404(UnionNode, request.user, VIEW, pk=pk)
    node = figures.top_node(request.user)
    if node is None:
        raise PermissionDenied
    return node


def _trail(request, node) -> list:
    """The breadcrumb from the user's top node down to ``node``."""
    top = figures.top_node(request.user)
    nodes = [n for n in node.ancestors() if top is None or n.path.startswith(top.path)]
    return [*nodes, node]


class FiguresView(StaffRequiredMixin, View):
    def get(self, request):
        _require_view(request)
        node, year = _node(request), _year(request)
        data = figures.report(request.user, node, year)
        chart = {"labels": [], "ids": [], "start": [], "new": [], "exited": [], "rate": []}
        for row in data["rows"]:
            c = row["counts"]
            chart["labels"].append(str(_("本级")) if row["own"] else row["name"])
            chart["ids"].append(None if row["own"] else row["id"])
            chart["start"].append(c.start)
            chart["new"].append(c.new)
            chart["exited"].append(c.exited)
            chart["rate"].append(float(c.rate) if c.rate is not None else None)
        households = None
        if data["leaf"]:
            qs = _households(request.user, node, year, "all").select_related("worker", "union")
            households = Paginator(qs, 50).get_page(request.GET.get("page"))
        this_year = timezone.localdate().year
        return render(request, "hardship/figures_page.html", {
            **data, "chart": chart, "trail": _trail(request, node), "households": households,
            "years": list(range(this_year, this_year - 6, -1)), "section": "figures",
        })


def _households(user, node, year, flag):
    files = HardshipFile.objects.visible_to(user, VIEW)
    exits = Exit.objects.visible_to(user, VIEW)
    q = figures.flag_q(files, exits, year, flag, node.path)
    from gonghui.core.scope import subtree_q

    return files.filter(subtree_q("node_path", node.path)).filter(q).order_by("node_path", "number", "pk")


def _flag(request) -> str:
    flag = request.GET.get("flag", "all")
    return flag if flag in FLAGS else "all"


class HouseholdsView(StaffRequiredMixin, View):
    """The households behind a figure (drill-down to the last level)."""

    def get(self, request):
        _require_view(request)
        node, year, flag = _node(request), _year(request), _flag(request)
        qs = _households(request.user, node, year, flag).select_related("worker", "union")
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(request, "hardship/figures_households.html", {
            "node": node, "year": year, "flag": flag, "flag_label": FLAG_LABELS[flag], "page_obj": page,
            "object_list": page.object_list, "page_sizes": (50,), "trail": _trail(request, node),
            "section": "figures", "flags": [(f, FLAG_LABELS[f]) for f in FLAGS],
        })


FLAG_LABELS = {
    "all": gettext_lazy("本年在档过的全部家庭"), "start": gettext_lazy("年初在档"), "new": gettext_lazy("本年新增"),
    "exited": gettext_lazy("本年解困脱困"), "closed": gettext_lazy("本年注销"), "end": gettext_lazy("年末在档"),
}


EXPORT_COLUMNS = ("number", "worker__name", "union__name", "category", "status", "household_size", "registered_on",
                  "exited_on", "closed_on", "closed_reason", "next_review_due")


def export_header() -> list[str]:
    return [_("档案编号"), _("户主"), _("建档工会"), _("困难类别"), _("状态"), _("家庭人口"), _("建档日期"),
            _("脱困日期"), _("注销日期"), _("脱困/注销原因"), _("下次复核")]


def export_rows(queryset):
    from gonghui.core.spreadsheet import safe_cell

    categories = {k: str(v) for k, v in HardshipFile.Category.choices}
    statuses = {k: str(v) for k, v in HardshipFile.Status.choices}
    for values in queryset.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        (number, name, union, category, status, size, registered, exited, closed, reason, review) = values
        yield [number, safe_cell(name), safe_cell(union), categories.get(category, ""), statuses.get(status, status),
               str(size), _iso(registered), _iso(exited), _iso(closed), safe_cell(reason), _iso(review)]


def _iso(value) -> str:
    return value.isoformat() if value else ""


class ExportView(StaffRequiredMixin, View):
    """The household list behind a figure as .xlsx, streamed (rows read in chunks as they go out)."""

    def get(self, request):
        from gonghui.members.exporting import xlsx_chunks

        _require_view(request)
        node, year, flag = _node(request), _year(request), _flag(request)
        qs = _households(request.user, node, year, flag)
        record(request.user, AuditEntry.Action.EXPORT, None, node=node, event="hardship.figures_exported",
               extra={"node": node.pk, "year": year, "flag": flag})
        response = StreamingHttpResponse(
            xlsx_chunks(export_header(), export_rows(qs), sheet_name=_("困难职工家庭")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        stamp = datetime.date.today().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="hardship-{year}-{flag}-{stamp}.xlsx"'
        return response
