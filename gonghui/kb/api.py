"""The kb API at /api/v1/kb/…: search and articles here, questions in api_questions.

Reading: a person finds and reads the published articles of their union and the unions above it
(staff: also their subtree's). Staff with ``manage=true`` list every article of their subtree in
any state, and write, submit and publish with kb.write / kb.publish.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import has_permission, require_permission
from gonghui.kb import search as kb_search
from gonghui.kb import services_articles as svc
from gonghui.kb.api_questions import router as questions_router
from gonghui.kb.models import Article, Category
from gonghui.orgs.models import UnionNode

router = Router(tags=["kb"])
router.add_router("/questions", questions_router)


class HitOut(Schema):
    kind: str
    id: int
    title: str
    title_html: str
    snippet_html: str
    url: str
    score: float
    article_kind: str
    published_at: datetime | None


class SearchOut(Schema):
    query: str
    total: int
    results: list[HitOut]


class ArticleOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    title: str
    summary: str
    node_id: int
    node_name: str
    category: str | None
    tags: list[str]
    issuing_body: str
    doc_number: str
    issued_on: date | None
    effective_on: date | None
    policy_status: str
    publish_at: datetime | None
    published_at: datetime | None
    views: int
    url: str


class ArticleDetailOut(ArticleOut):
    body_html: str
    original_file: str | None


class ArticleIn(Schema):
    kind: str
    node_id: int
    title: str
    body_html: str
    summary: str = ""
    category: str | None = None
    tags: list[str] = []
    issuing_body: str = ""
    doc_number: str = ""
    issued_on: date | None = None
    effective_on: date | None = None
    policy_status: str = ""
    publish_at: datetime | None = None


class PublishIn(Schema):
    at: datetime | None = None


@router.get("/search", response=SearchOut, summary="搜索政策、问答、指南、资讯（及本人/管辖范围内已答复的咨询）")
def search_articles(request, q: str = "", kind: str = "", category: int | None = None, union: int | None = None,
                    limit: int = 10, offset: int = 0):
    filters = {}
    if kind:
        filters["subkind"] = kind
    if category is not None:
        filters["category"] = category
    if union is not None:  # a union's subtree (what the caller may see of it)
        node = UnionNode.objects.unscoped().filter(pk=union).first()
        filters["node_path"] = node.path if node else "none"
    kinds = ("article",) if filters else ("article", "question")
    page = kb_search.search(q, user=request.user, kinds=kinds, filters=filters, limit=limit, offset=offset)
    return {"query": page.query, "total": page.total, "results": [
        {"kind": h.kind, "id": h.obj_id, "title": h.title, "title_html": h.title_html, "snippet_html": h.snippet_html,
         "url": h.url, "score": round(h.score, 4), "article_kind": str(h.facets.get("subkind", "")),
         "published_at": h.published_at} for h in page.hits]}


def _out(a: Article, tags=None) -> dict:
    return {
        "id": a.pk, "kind": a.kind, "kind_label": a.kind_label, "status": a.status, "title": a.title,
        "summary": a.summary, "node_id": a.node_id, "node_name": a.node.name,
        "category": a.category.code if a.category_id else None,
        "tags": tags if tags is not None else [t.name for t in a.tags.all()],
        "issuing_body": a.issuing_body, "doc_number": a.doc_number, "issued_on": a.issued_on,
        "effective_on": a.effective_on, "policy_status": a.policy_status, "publish_at": a.publish_at,
        "published_at": a.published_at, "views": a.views, "url": a.get_absolute_url(),
    }


def _detail(a: Article) -> dict:
    data = _out(a)
    data.update(body_html=a.body_html, original_file=a.original_file.url if a.original_file else None)
    return data


class _Mapped:
    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_out(a) for a in self.qs[item]]


@router.get("/articles/", response=list[ArticleOut], summary="文章列表（已发布；干部 manage=true 时为管辖范围内全部）")
@paginate(LimitOffsetPagination)
def list_articles(request, kind: str = "", status: str = "", category: str = "", manage: bool = False):
    user = request.user
    if manage:
        if not has_permission(user, "kb.view"):
            raise PermissionDenied
        qs = Article.objects.visible_to(user, "kb.view")
        if status:
            qs = qs.filter(status=status)
    else:
        qs = svc.published_for(user)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category__code=category)
    return _Mapped(qs.select_related("node", "category").prefetch_related("tags").order_by("-published_at", "-pk"))


def _readable(user, article_id: int) -> Article:
    article = svc.readable_or_none(user, article_id)
    if article is None and has_permission(user, "kb.view"):
        article = (Article.objects.visible_to(user, "kb.view").select_related("node", "category")
                   .filter(pk=article_id).first())
    if article is None:
        raise Http404
    return article


def _manageable(user, article_id: int) -> Article:
    article = Article.objects.visible_to(user, "kb.view").select_related("node", "category").filter(
        pk=article_id).first()
    if article is None:
        raise Http404
    return article


@router.get("/articles/{int:article_id}", response=ArticleDetailOut, summary="一篇文章（阅读数加一）")
def get_article(request, article_id: int):
    article = _readable(request.user, article_id)
    if article.status == Article.Status.PUBLISHED:
        svc.record_view(article)
    return _detail(article)


def _fields(payload: ArticleIn, user) -> dict:
    node = UnionNode.objects.unscoped().filter(pk=payload.node_id, active=True).first()
    if node is None or not has_permission(user, "kb.write", node.path):
        raise Http404
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, active=True).first()
        if category is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"category": [_("栏目不存在，请从栏目列表中选择。")]})
    return {
        "kind": payload.kind, "node": node, "title": payload.title, "body_html": payload.body_html,
        "summary": payload.summary, "category": category, "tags": payload.tags,
        "issuing_body": payload.issuing_body, "doc_number": payload.doc_number, "issued_on": payload.issued_on,
        "effective_on": payload.effective_on, "policy_status": payload.policy_status,
        "publish_at": payload.publish_at,
    }


@router.post("/articles/", response={201: ArticleDetailOut}, summary="新建文章（草稿，需撰写权限）")
def create_article(request, payload: ArticleIn):
    if getattr(request.user, "is_worker", False) or not has_permission(request.user, "kb.write"):
        raise PermissionDenied
    article = svc.create_article(by=request.user, **_fields(payload, request.user))
    return Status(201, _detail(article))


@router.put("/articles/{int:article_id}", response=ArticleDetailOut, summary="修改文章（已发布的文章保留修改前版本）")
def update_article(request, article_id: int, payload: ArticleIn):
    article = _manageable(request.user, article_id)
    require_permission(request.user, "kb.write", article.node_path)
    fields = _fields(payload, request.user)
    return _detail(svc.update_article(article, by=request.user, **fields))


@router.post("/articles/{int:article_id}/submit", response=ArticleDetailOut, summary="提交审核")
def submit_article(request, article_id: int):
    article = _manageable(request.user, article_id)
    require_permission(request.user, "kb.write", article.node_path)
    return _detail(svc.submit_for_review(article, by=request.user))


@router.post("/articles/{int:article_id}/publish", response=ArticleDetailOut, summary="审核通过并发布（可定时）")
def publish_article(request, article_id: int, payload: PublishIn):
    article = _manageable(request.user, article_id)
    require_permission(request.user, "kb.publish", article.node_path)
    return _detail(svc.publish(article, by=request.user, at=payload.at))


@router.post("/articles/{int:article_id}/unpublish", response=ArticleDetailOut, summary="下线")
def unpublish_article(request, article_id: int):
    article = _manageable(request.user, article_id)
    require_permission(request.user, "kb.publish", article.node_path)
    return _detail(svc.unpublish(article, by=request.user))
