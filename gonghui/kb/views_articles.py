"""Pages of the articles part: the portal's /kb/… (search, lists, article) and the console's
/console/kb/… (articles, review and publishing, versions, synonyms). Thin: rules live in
services_articles and search."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import ScopedListView
from gonghui.kb import search
from gonghui.kb import services_articles as svc
from gonghui.kb.forms_articles import ArticleForm, ScheduleForm, SynonymForm
from gonghui.kb.models import Article, Category, Synonym

PORTAL_KINDS = [
    ("faq", _("常见问答")), ("policy", _("政策文件")), ("guide", _("办事指南")), ("news", _("工会新闻")),
    ("notice", _("通知公告")),
]


def _kind_choices():
    return [(k.value, k.label) for k in Article.Kind]


# ----- portal -----

def home(request):
    """政策咨询: a search box that answers while typing, then the latest of each kind."""
    base = svc.published_for(request.user).select_related("node").only(
        "id", "title", "kind", "published_at", "node__name", "node__short_name", "policy_status")
    sections = []
    for kind in Article.Kind:
        rows = list(base.filter(kind=kind).order_by("-pinned", "-published_at", "-pk")[:4])
        if rows:
            sections.append({"kind": kind.value, "label": kind.label, "rows": rows})
    return render(request, "kb/home.html", {
        "sections": sections, "kinds": _kind_choices(),
        "categories": Category.objects.filter(active=True),
    })


def _search_params(request):
    q = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    category = request.GET.get("category", "")
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 50))
    except ValueError:
        page = 1
    filters = {}
    if kind in Article.Kind.values:
        filters["subkind"] = kind
    else:
        kind = ""
    if category.isdigit():
        filters["category"] = int(category)
    else:
        category = ""
    return q, kind, category, page, filters


def search_view(request):
    """Results (the whole page, or only the results for HTMX while the person types)."""
    q, kind, category, page_no, filters = _search_params(request)
    per_page = 10
    kinds = ("article",) if filters else ("article", "question")
    page = search.search(q, user=request.user, kinds=kinds, filters=filters, limit=per_page,
                         offset=(page_no - 1) * per_page, log=page_no == 1)
    ctx = {
        "q": search.normalise_query(q), "kind": kind, "category": category, "page": page,
        "page_no": page_no, "has_next": page.total > page_no * per_page, "kinds": _kind_choices(),
        "categories": Category.objects.filter(active=True),
        "capped": page.total >= search.COUNT_CAP,
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "kb/_search_results.html", ctx)
    return render(request, "kb/search.html", ctx)


def list_kind(request, kind):
    if kind not in Article.Kind.values:
        raise Http404
    qs = svc.published_for(request.user).filter(kind=kind).select_related("node", "category").order_by(
        "-pinned", "-published_at", "-pk")
    category = request.GET.get("category", "")
    if category.isdigit():
        qs = qs.filter(category_id=int(category))
    paginator = Paginator(qs, 15)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(request, "kb/list.html", {
        "kind": kind, "kind_label": Article.Kind(kind).label, "page_obj": page_obj,
        "categories": Category.objects.filter(active=True), "category": category,
    })


def article_view(request, pk):
    article = svc.readable_or_none(request.user, pk)
    if article is None:
        raise Http404
    svc.record_view(article)
    related = list(
        svc.published_for(request.user).filter(category_id=article.category_id).exclude(pk=article.pk)
        .order_by("-published_at")[:4]
    ) if article.category_id else []
    return render(request, "kb/article.html", {
        "article": article, "tags": list(article.tags.all()), "related": related,
    })


# ----- console -----

STATUS_TABS = [("", _("全部"))] + [(s.value, s.label) for s in Article.Status]


class ArticleList(ScopedListView):
    model = Article
    permission = "kb.view"
    template_name = "kb/console_articles.html"
    partial_template_name = "kb/_console_articles_table.html"
    filter_names = ("status", "kind", "q", "category")

    def get_queryset(self):
        qs = super().get_queryset().select_related("node", "category", "updated_by")
        g = self.request.GET
        if g.get("status") in Article.Status.values:
            qs = qs.filter(status=g["status"])
        if g.get("kind") in Article.Kind.values:
            qs = qs.filter(kind=g["kind"])
        if g.get("category", "").isdigit():
            qs = qs.filter(category_id=int(g["category"]))
        if g.get("q", "").strip():
            qs = qs.filter(title__icontains=g["q"].strip()[:100])
        return qs.order_by("-updated_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = dict(
            Article.objects.visible_to(self.request.user, self.permission)
            .values_list("status").annotate(n=Count("pk")).order_by()
        )
        ctx["tabs"] = [(value, label, sum(counts.values()) if not value else counts.get(value, 0))
                       for value, label in STATUS_TABS]
        ctx["kinds"] = _kind_choices()
        ctx["categories"] = Category.objects.filter(active=True)
        ctx["may_write"] = has_permission(self.request.user, "kb.write")
        ctx["may_manage"] = has_permission(self.request.user, "kb.manage")
        return ctx


def _staff_only(request):
    if not request.user.is_authenticated:
        return False
    if request.user.kind == "worker":
        raise Http404
    return True


def article_new(request):
    if not _staff_only(request):
        return redirect_to_login(request.get_full_path())
    if not has_permission(request.user, "kb.write"):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            article = svc.create_article(by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存为草稿。"))
            return redirect("kb:article_manage", pk=article.pk)
    return render(request, "kb/console_article_form.html", {"form": form, "article": None})


def article_edit(request, pk):
    if not _staff_only(request):
        return redirect_to_login(request.get_full_path())
    article = get_visible_or_404(Article, request.user, "kb.view", pk=pk)
    require_permission(request.user, "kb.write", article.node_path)
    if article.status != Article.Status.DRAFT:
        require_permission(request.user, "kb.publish", article.node_path)
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        fresh = Article.objects.unscoped().get(pk=article.pk)
        try:
            svc.update_article(fresh, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。") if fresh.status != Article.Status.PUBLISHED
                             else _("已保存，修改前的内容已存为历史版本。"))
            return redirect("kb:article_manage", pk=article.pk)
    return render(request, "kb/console_article_form.html", {"form": form, "article": article})


def article_manage(request, pk):
    if not _staff_only(request):
        return redirect_to_login(request.get_full_path())
    article = get_visible_or_404(Article.objects.select_related("node", "category", "created_by", "updated_by"),
                                 request.user, "kb.view", pk=pk)
    user = request.user
    may_write = has_permission(user, "kb.write", article.node_path)
    may_publish = has_permission(user, "kb.publish", article.node_path)
    S = Article.Status
    return render(request, "kb/console_article.html", {
        "article": article, "versions": article.versions.select_related("created_by"),
        "tags": list(article.tags.all()),
        "schedule_form": ScheduleForm(initial={"at": timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M")
                                               if article.publish_at else None}),
        "may_edit": may_write and (article.status == S.DRAFT or may_publish),
        "may_submit": may_write and article.status == S.DRAFT,
        "may_publish": may_publish and article.status in (S.DRAFT, S.REVIEW, S.ARCHIVED),
        "may_reject": may_publish and article.status in (S.REVIEW, S.SCHEDULED),
        "may_unpublish": may_publish and article.status in (S.PUBLISHED, S.SCHEDULED),
        "may_restore": may_write and article.status == S.ARCHIVED,
    })


ACTIONS = {
    "submit": ("kb.write", lambda a, u, f: svc.submit_for_review(a, by=u), _("已提交审核。")),
    # The form shows the writer's publish_at; emptied, it means now.
    "publish": ("kb.publish", lambda a, u, f: svc.publish(a, by=u, at=f.cleaned_data.get("at") or timezone.now()),
                None),
    "reject": ("kb.publish", lambda a, u, f: svc.reject(a, by=u, reason=f.data.get("reason", "")[:300]),
               _("已退回修改。")),
    "unpublish": ("kb.publish", lambda a, u, f: svc.unpublish(a, by=u), _("已下线，职工不再能看到这篇文章。")),
    "restore": ("kb.write", lambda a, u, f: svc.restore_draft(a, by=u), _("已恢复为草稿。")),
}


@require_POST
def article_action(request, pk, action):
    if not _staff_only(request):
        raise PermissionDenied
    if action not in ACTIONS:
        raise Http404
    article = get_visible_or_404(Article.objects.select_related("node"), request.user, "kb.view", pk=pk)
    permission, run, done = ACTIONS[action]
    require_permission(request.user, permission, article.node_path)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("发布时间格式不正确，请重新选择。"))
        return redirect("kb:article_manage", pk=pk)
    try:
        result = run(article, request.user, form)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if action == "publish":
            done = (_("已安排定时发布。") if result.status == Article.Status.SCHEDULED else _("已发布。"))
        messages.success(request, done)
    return redirect("kb:article_manage", pk=pk)


def article_version(request, pk, number):
    if not _staff_only(request):
        return redirect_to_login(request.get_full_path())
    article = get_visible_or_404(Article, request.user, "kb.view", pk=pk)
    version = get_object_or_404(article.versions, number=number)
    return render(request, "kb/console_version.html", {"article": article, "version": version})


def synonyms(request, pk=None):
    if not _staff_only(request):
        return redirect_to_login(request.get_full_path())
    if not has_permission(request.user, "kb.manage"):
        raise PermissionDenied
    instance = get_object_or_404(Synonym, pk=pk) if pk else None
    form = SynonymForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if request.POST.get("delete") and instance:
            svc.delete_synonym(instance, by=request.user)
            messages.success(request, _("已删除同义词组。"))
            return redirect("kb:synonyms")
        if form.is_valid():
            try:
                svc.save_synonym(by=request.user, terms=form.cleaned_data["terms"], synonym=instance,
                                 active=form.cleaned_data["active"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存，搜索时会按同义词扩展。"))
                return redirect("kb:synonyms")
    return render(request, "kb/console_synonyms.html", {
        "form": form, "instance": instance, "rows": Synonym.objects.all(),
    })
