"""Pages of the questions part: the portal's "我要咨询" and the console's 在线咨询 and 咨询统计.

Thin: the rules live in services_questions (and, underneath, the requests services and the
workflow engine); the figures in figures.py.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.forms import apply_errors
from gonghui.core.scope import has_permission, require_permission
from gonghui.core.views import ScopedListView
from gonghui.kb import figures as kb_figures
from gonghui.kb import services_questions as svc
from gonghui.kb.forms_questions import AnswerForm, AskForm, FaqForm
from gonghui.kb.models import AnswerLink, Article
from gonghui.members.models import Worker
from gonghui.members.services import active_membership
from gonghui.requests import services as requests_services
from gonghui.requests.models import Category, Request
from gonghui.workflow import services as workflow
from gonghui.workflow.access import get_case_or_404

WORKER_LOGIN = "accounts:worker_login"


# ================= the worker portal =================

@login_required(login_url=WORKER_LOGIN)
def ask(request):
    """我要咨询: the best answers appear while the worker types; the question is filed only if
    they still want it."""
    worker = Worker.objects.unscoped().filter(user=request.user).first()
    membership = active_membership(worker) if worker else None
    initial = {"token": uuid.uuid4().hex, "question": request.GET.get("q", "")[:svc.MAX_QUESTION]}
    form = AskForm(request.POST or None, member=membership is not None,
                   districts=requests_services.district_choices(), initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                req, _created = svc.ask(by=request.user, text=data["question"], topic=data.get("topic", ""),
                                        chosen_node=data.get("district"), token=data.get("token", ""))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("kb:ask_done", pk=req.pk)
    text = request.POST.get("question", "") if request.method == "POST" else initial["question"]
    suggestions = svc.suggest(text, user=request.user) if text else None
    mine = (Request.objects.unscoped().filter(kind=svc.CONSULTATION, case__applicant=request.user)
            .select_related("case").order_by("-case__created_at")[:5]) if request.user.is_authenticated else []
    return render(request, "kb/question_ask.html", {
        "form": form, "suggestions": suggestions, "membership": membership, "mine": mine,
    }, status=status)


@login_required(login_url=WORKER_LOGIN)
def ask_suggest(request):
    """The suggestions block, asked for by HTMX while the worker types."""
    text = request.GET.get("question", "") or request.GET.get("q", "")
    return render(request, "kb/question_suggestions.html", {"suggestions": svc.suggest(text, user=request.user)})


@login_required(login_url=WORKER_LOGIN)
def ask_done(request, pk):
    """The receipt: which union answers, and by when."""
    case = get_case_or_404(request.user, pk)
    req = Request.objects.unscoped().filter(pk=case.pk, kind=svc.CONSULTATION).select_related("category").first()
    if req is None:
        raise Http404
    if not workflow.is_applicant(case, request.user):
        return redirect("workflow:case", pk=case.pk)
    return render(request, "kb/question_done.html", {"case": case, "req": req})


@login_required(login_url=WORKER_LOGIN)
def question(request, pk):
    """Where a question found by search leads: the asker's own page, or the staff case page."""
    case = get_case_or_404(request.user, pk)
    if not Request.objects.unscoped().filter(pk=case.pk, kind=svc.CONSULTATION).exists():
        raise Http404
    if workflow.is_applicant(case, request.user):
        return redirect("workflow:portal_case", pk=case.pk)
    if request.user.is_worker:
        raise Http404
    return redirect("workflow:case", pk=case.pk)


# ================= the staff console =================

def _staff_only(request):
    if not request.user.is_authenticated:
        raise PermissionDenied
    if request.user.is_worker:
        raise Http404


def _visible_question(request, pk) -> Request:
    req = (svc.visible_questions(request.user).filter(pk=pk)
           .select_related("case", "case__node", "case__assignee", "case__applicant", "category", "worker").first())
    if req is None:
        raise Http404
    return req


STATUS_TABS = (("", "全部"), ("unanswered", "待答复"), ("answered", "已答复"), ("overdue", "已超期"))


def _status_q(status: str, now) -> Q | None:
    if status == "answered":
        return svc.answered_q()
    if status == "unanswered":
        return ~svc.answered_q()
    if status == "overdue":
        return ~svc.answered_q() & Q(case__is_open=True, case__due_at__lt=now)
    return None


class QuestionListView(ScopedListView):
    """在线咨询: the consultation requests of the subtree, answered or not, with answer times."""

    model = Request
    permission = "requests.view"
    template_name = "kb/question_list.html"
    partial_template_name = "kb/question_table.html"
    filter_names = ("status", "category", "q")

    def base_queryset(self):
        qs = super().base_queryset().filter(kind=svc.CONSULTATION)
        get = self.request.GET
        if get.get("category", "").isdigit():
            qs = qs.filter(category_id=int(get["category"]))
        q = get.get("q", "").strip()[:100]
        if q:
            qs = qs.filter(Q(case__number=q) | Q(case__applicant_name__contains=q) | Q(description__contains=q))
        return qs

    def get_queryset(self):
        now = timezone.now()
        qs = self.base_queryset()
        status = self.request.GET.get("status", "")
        cond = _status_q(status, now)
        if cond is not None:
            qs = qs.filter(cond)
        order = ("case__due_at", "case_id") if status in ("unanswered", "overdue") else ("-case_id",)
        return qs.select_related("case", "case__node", "category").order_by(*order)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        counts = self.base_queryset().aggregate(
            all=Count("pk"), answered=Count("pk", filter=svc.answered_q()),
            overdue=Count("pk", filter=~svc.answered_q() & Q(case__is_open=True, case__due_at__lt=now)))
        counts["unanswered"] = counts["all"] - counts["answered"]
        ctx["status_tabs"] = [(key, _(label), counts["all" if key == "" else key]) for key, label in STATUS_TABS]
        rows = ctx["object_list"]
        faqs = dict(Article.objects.unscoped().filter(source_request_id__in=[r.pk for r in rows])
                    .exclude(status=Article.Status.ARCHIVED).values_list("source_request_id", "pk"))
        for r in rows:
            c = r.case
            r.answered = c.state in svc.ANSWERED_STATES
            r.overdue = c.is_open and not r.answered and c.due_at is not None and c.due_at < now
            r.answer_seconds = (r.outcome_at - c.created_at).total_seconds() if r.answered and r.outcome_at else None
            r.faq_id = faqs.get(r.pk)
        user = self.request.user
        ctx.update({"categories": Category.objects.filter(active=True), "now": now,
                    "may_answer": has_permission(user, "requests.handle"),
                    "may_publish": has_permission(user, "kb.publish")})
        return ctx


def _article_choices(req, user, text: str, limit: int = 8):
    """Articles matching ``text`` that the answer may link (the asker can read them)."""
    from gonghui.kb import search

    if not text.strip():
        return []
    page = search.search(text, user=user, kinds=("article",), limit=20, log=False)
    linkable = set(svc.linkable_articles(req).filter(pk__in=[h.obj_id for h in page.hits])
                   .values_list("pk", flat=True))
    return [h for h in page.hits if h.obj_id in linkable][:limit]


@login_required
def answer(request, pk):
    """答复咨询: the answer, with links to articles picked by search, becomes the request's outcome."""
    _staff_only(request)
    req = _visible_question(request, pk)
    case = req.case
    require_permission(request.user, "requests.handle", case.node_path)
    answerable = case.state in ("submitted", "reopened", "handling", "awaiting_info")
    form = AnswerForm(request.POST or None, initial={"version": case.version})
    status = 200
    picked = []
    if request.method == "POST":
        status = 422
        ids = [i for i in request.POST.getlist("article") if i.isdigit()]
        picked = list(svc.linkable_articles(req).filter(pk__in=ids))
        if not answerable:
            messages.error(request, _("这条咨询已经答复。"))
            return redirect("workflow:case", pk=case.pk)
        if form.is_valid():
            try:
                svc.answer(req, by=request.user, text=form.cleaned_data["answer"],
                           article_ids=request.POST.getlist("article"), version=form.cleaned_data["version"])
            except workflow.StaleCase as stale:
                messages.error(request, str(stale))
                status = 409
                form = AnswerForm(initial={"version": stale.case.version, "answer": form.cleaned_data["answer"]})
                case = stale.case
            except PermissionDenied as denied:
                raise PermissionDenied(str(denied)) from None
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已答复，答复内容已发送给职工。"))
                return redirect("workflow:case", pk=case.pk)
    existing = [link.article for link in AnswerLink.objects.filter(request=req).select_related("article")]
    return render(request, "kb/question_answer.html", {
        "req": req, "case": case, "form": form, "answerable": answerable,
        "candidates": _article_choices(req, request.user, req.description), "picked": picked or existing,
        "answer_text": svc.answer_text(req), "faq": svc.faq_of(req),
        "may_publish": bool(svc.faq_nodes(req, request.user)),
    }, status=status)


@login_required
def article_picker(request, pk):
    """Search results to pick from while answering (HTMX)."""
    _staff_only(request)
    req = _visible_question(request, pk)
    text = request.GET.get("q", "")
    return render(request, "kb/question_picker.html", {"req": req, "hits": _article_choices(req, request.user, text),
                                                       "q": text})


@login_required
def publish_faq(request, pk):
    """发布为常见问答: the question and answer de-personalised, for staff to edit and publish."""
    _staff_only(request)
    req = _visible_question(request, pk)
    nodes = svc.faq_nodes(req, request.user)
    if not nodes:
        raise PermissionDenied
    existing = svc.faq_of(req)
    if existing is not None:
        messages.info(request, _("这条咨询已发布为常见问答《%(title)s》。") % {"title": existing.title})
        return redirect(existing.get_absolute_url())
    if not svc.is_answered(req):
        messages.error(request, _("这条咨询还没有答复，答复后才能发布为常见问答。"))
        return redirect("kb:answer", pk=req.pk)
    category = svc.faq_category(req)
    initial = svc.faq_draft(req) | {"node": svc.default_faq_node(nodes).pk,
                                    "category": category.pk if category else None}
    form = FaqForm(request.POST or None, nodes=nodes, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = svc.publish_faq(req, by=request.user, title=data["title"], question=data["question"],
                                          answer=data["answer"], node=data["node"], category=data.get("category"))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已发布为常见问答，职工搜索即可找到。"))
                return redirect(article.get_absolute_url())
    return render(request, "kb/question_faq.html", {"req": req, "case": req.case, "form": form}, status=status)


@login_required
def figures(request):
    """咨询统计: searches with no result, most read articles, questions by topic, answer time."""
    _staff_only(request)
    if not has_permission(request.user, "kb.view"):
        raise PermissionDenied
    days = kb_figures.parse_days(request.GET.get("days"))
    report = kb_figures.build(request.user, days=days)
    return render(request, "kb/figures_page.html", {"report": report, "days": days,
                                                   "periods": kb_figures.PERIODS,
                                                   "charts": kb_figures.chart_data(report)})
