"""Articles: writing, review, publishing (now or at a set time), versions, and the search index.

Every function takes the acting user as ``by`` (None: the system, e.g. the periodic job) and
audits what it changes. Drafts are written with ``kb.write``; review and publishing need
``kb.publish`` at the article's union.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import diff, record, snapshot
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.kb import search
from gonghui.kb.models import Article, ArticleVersion, Category, Synonym, Tag
from gonghui.kb.sanitize import clean_html, html_to_text

S = Article.Status
CONTENT_FIELDS = ("title", "summary", "body_html", "kind", "category_id", "issuing_body", "doc_number",
                  "issued_on", "effective_on", "policy_status", "original_file", "publish_at", "pinned")
EDITABLE = set(CONTENT_FIELDS) | {"category", "tags", "node"}
AUDITED = ["title", "summary", "kind", "status", "category_id", "issuing_body", "doc_number", "issued_on",
           "effective_on", "policy_status", "publish_at", "published_at", "node_id", "pinned"]

BOOSTS = {
    ("policy", "in_force"): 1.6, ("policy", "amended"): 0.8, ("policy", "repealed"): 0.4,
    ("policy", ""): 1.0, ("faq", ""): 1.2, ("guide", ""): 1.1,
}


def boost_of(article: Article) -> float:
    status = article.policy_status if article.kind == Article.Kind.POLICY else ""
    return BOOSTS.get((article.kind, status), 1.0)


def _check(by, permission: str, node) -> None:
    if by is not None and not has_permission(by, permission, node.path):
        raise PermissionDenied


def _validate(article: Article) -> None:
    errors: dict[str, list[str]] = {}
    if not (article.title or "").strip():
        errors["title"] = [_("请填写标题。")]
    elif len(article.title) > 200:
        errors["title"] = [_("标题不能超过200个字。")]
    if article.kind not in Article.Kind.values:
        errors["kind"] = [_("请选择文章类型。")]
    if article.kind == Article.Kind.POLICY:
        if not article.issuing_body.strip():
            errors["issuing_body"] = [_("政策文件请填写发文机关。")]
        if not article.policy_status:
            errors["policy_status"] = [_("政策文件请选择效力状态（现行有效、已修订或已废止）。")]
        if article.issued_on and article.effective_on and article.effective_on < article.issued_on:
            errors["effective_on"] = [_("施行日期不能早于发文日期。")]
    if not html_to_text(article.body_html).strip() and not article.original_file:
        errors["body_html"] = [_("请填写正文（或上传政策原件）。")]
    if errors:
        raise ValidationError(errors)


def _set_tags(article: Article, tags) -> None:
    if tags is None:
        return
    if isinstance(tags, str):
        import re

        tags = [t for t in re.split(r"[,，、;；\s]+", tags) if t]
    objs = []
    for name in tags:
        name = str(name).strip()[:30]
        if name:
            objs.append(Tag.objects.get_or_create(name=name)[0])
    article.tags.set(objs)


@transaction.atomic
def create_article(*, node, kind, title, body_html, by, status="draft", **fields) -> Article:
    """A new article at ``node`` (a draft unless ``status`` says "review" or "published")."""
    _check(by, "kb.write", node)
    tags = fields.pop("tags", None)
    unknown = set(fields) - EDITABLE - {"source_request", "source_request_id", "category_id"}
    if unknown:
        raise TypeError(f"unknown article fields: {sorted(unknown)}")
    article = Article(node=node, kind=kind, title=(title or "").strip(), body_html=clean_html(body_html),
                      status=S.DRAFT, created_by=by, updated_by=by, **fields)
    if article.kind != Article.Kind.POLICY:
        article.policy_status = ""
    _validate(article)
    article.save()
    _set_tags(article, tags)
    record(by, AuditEntry.Action.CREATE, article, event="kb.article.created",
           changes=diff({}, snapshot(article, AUDITED)))
    if status == S.REVIEW:
        submit_for_review(article, by=by)
    elif status == S.PUBLISHED:
        publish(article, by=by)
    return article


@transaction.atomic
def update_article(article: Article, *, by, **fields) -> Article:
    """Change an article. A published article keeps its previous text as a version and is reindexed."""
    _check(by, "kb.write", article.node)
    if article.status in (S.REVIEW, S.SCHEDULED, S.PUBLISHED, S.ARCHIVED):
        _check(by, "kb.publish", article.node)
    tags = fields.pop("tags", None)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"unknown article fields: {sorted(unknown)}")
    if "node" in fields:
        _check(by, "kb.write", fields["node"])
    before_obj = Article._base_manager.get(pk=article.pk)
    before = snapshot(before_obj, AUDITED)
    for name, value in fields.items():
        if name == "body_html":
            value = clean_html(value)
        if name == "title":
            value = (value or "").strip()
        setattr(article, name, value)
    if article.kind != Article.Kind.POLICY:
        article.policy_status = ""
    _validate(article)
    content_changed = any(
        getattr(before_obj, f) != getattr(article, f) for f in CONTENT_FIELDS if f != "publish_at"
    ) or before_obj.node_id != article.node_id
    if before_obj.status == S.PUBLISHED and content_changed:
        keep_version(before_obj, by=by)
    article.updated_by = by
    article.save()
    old_tags = set(article.tags.values_list("name", flat=True))
    _set_tags(article, tags)
    changes = diff(before, snapshot(article, AUDITED))
    if tags is not None:
        new_tags = set(article.tags.values_list("name", flat=True))
        if new_tags != old_tags:
            changes["tags"] = [sorted(old_tags), sorted(new_tags)]
    if changes or content_changed:
        record(by, AuditEntry.Action.CHANGE, article, event="kb.article.changed", changes=changes)
    if article.status == S.PUBLISHED:
        index_article(article)
    return article


def keep_version(article: Article, *, by) -> ArticleVersion:
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    data = {k: v for k, v in snapshot(article, list(CONTENT_FIELDS) + ["node_id", "published_at"]).items()
            if k not in ("title", "summary", "body_html")}
    data["original_file"] = article.original_file.name or ""
    data["tags"] = sorted(article.tags.values_list("name", flat=True))
    return ArticleVersion.objects.create(
        article=article, number=last + 1, title=article.title, summary=article.summary,
        body_html=article.body_html, data=data, created_by=by,
    )


def _transition(article: Article, target: str, *, by, event: str, **extra_fields) -> Article:
    before = snapshot(article, AUDITED)
    article.status = target
    for name, value in extra_fields.items():
        setattr(article, name, value)
    article.updated_by = by
    article.save()
    record(by, AuditEntry.Action.WORKFLOW, article, event=event, changes=diff(before, snapshot(article, AUDITED)))
    return article


@transaction.atomic
def submit_for_review(article: Article, *, by) -> Article:
    _check(by, "kb.write", article.node)
    if article.status != S.DRAFT:
        raise ValidationError(_("只有草稿可以提交审核，这篇文章当前是“%(status)s”。") % {"status": article.status_label})
    _validate(article)
    return _transition(article, S.REVIEW, by=by, event="kb.article.submitted")


@transaction.atomic
def reject(article: Article, *, by, reason: str = "") -> Article:
    """Send an article in review (or scheduled) back to its writer as a draft."""
    _check(by, "kb.publish", article.node)
    if article.status not in (S.REVIEW, S.SCHEDULED):
        raise ValidationError(_("只有待审核或定时发布的文章可以退回修改。"))
    article = _transition(article, S.DRAFT, by=by, event="kb.article.returned")
    if reason:
        record(by, AuditEntry.Action.WORKFLOW, article, event="kb.article.returned_reason", extra={"reason": reason})
    return article


@transaction.atomic
def publish(article: Article, *, by, at: datetime | None = None) -> Article:
    """Approve and publish now, or at ``at`` (or at the article's publish_at) if that is later."""
    _check(by, "kb.publish", article.node)
    if article.status == S.PUBLISHED:
        raise ValidationError(_("这篇文章已经发布。"))
    _validate(article)
    now = timezone.now()
    when = at or article.publish_at
    if when and when > now:
        return _transition(article, S.SCHEDULED, by=by, event="kb.article.scheduled", publish_at=when)
    article = _transition(article, S.PUBLISHED, by=by, event="kb.article.published",
                          published_at=article.published_at or now, publish_at=None)
    index_article(article)
    return article


@transaction.atomic
def unpublish(article: Article, *, by) -> Article:
    """Take an article down (已下线): no longer found, listed or in the feeds."""
    _check(by, "kb.publish", article.node)
    if article.status not in (S.PUBLISHED, S.SCHEDULED):
        raise ValidationError(_("只有已发布或定时发布的文章可以下线。"))
    article = _transition(article, S.ARCHIVED, by=by, event="kb.article.archived")
    search.unindex_item("article", article.pk)
    return article


@transaction.atomic
def restore_draft(article: Article, *, by) -> Article:
    """An archived article back to draft, to be edited and published again."""
    _check(by, "kb.write", article.node)
    if article.status != S.ARCHIVED:
        raise ValidationError(_("只有已下线的文章可以恢复为草稿。"))
    return _transition(article, S.DRAFT, by=by, event="kb.article.restored")


def publish_due(now=None) -> list[int]:
    """Publish every scheduled article whose time has come (the periodic job)."""
    now = now or timezone.now()
    done = []
    due = Article.objects.unscoped().filter(status=S.SCHEDULED, publish_at__lte=now).order_by("publish_at")
    for article in due.select_related("node"):
        with transaction.atomic():
            locked = Article.objects.unscoped().select_for_update().get(pk=article.pk)
            if locked.status != S.SCHEDULED:
                continue
            _transition(locked, S.PUBLISHED, by=None, event="kb.article.published",
                        published_at=locked.publish_at or now)
            index_article(locked)
            done.append(locked.pk)
    return done


@task()
def publish_due_articles():
    """Periodic: scheduled articles go online when their time comes."""
    return len(publish_due())


def record_view(article: Article) -> None:
    Article.objects.unscoped().filter(pk=article.pk).update(views=F("views") + 1)


# ----- the index -----

def index_article(article: Article) -> None:
    if article.status != S.PUBLISHED:
        search.unindex_item("article", article.pk)
        return
    body = html_to_text(article.body_html)
    extra = " ".join(x for x in (article.summary, article.doc_number, article.issuing_body) if x)
    tags = " ".join(article.tags.values_list("name", flat=True)) if article.pk else ""
    search.index_item(
        "article", article.pk, title=article.title, body=f"{extra}\n{body}\n{tags}".strip(),
        node_path=article.node_path, url=article.get_absolute_url(), published_at=article.published_at,
        boost=boost_of(article),
        facets={"subkind": article.kind, "category_id": article.category_id,
                "policy_status": article.policy_status, "node": article.node_id},
    )


def reindex_all() -> int:
    n = 0
    for article in Article.objects.unscoped().filter(status=S.PUBLISHED).select_related("node").iterator():
        index_article(article)
        n += 1
    return n


# ----- who sees what -----

def audience_q(user) -> Q:
    """Published articles a person may read: their union's and its ancestors' (workers), a staff
    member's subtree with kb.view, and the top unions' for everyone."""
    if getattr(user, "is_authenticated", False) and user.is_superuser and user.is_active:
        return Q()
    exact: set[str] = set(search._root_paths())
    q = Q()
    if getattr(user, "is_authenticated", False):
        for path in search._worker_paths(user):
            exact.update(search._self_and_ancestors(path))
        for p in paths_with_permission(user, "kb.view") or []:
            exact.update(search._self_and_ancestors(p))
            q |= subtree_q("node_path", p)
    return q | Q(node_path__in=sorted(exact))


def published_for(user):
    return Article.objects.unscoped().filter(status=S.PUBLISHED).filter(audience_q(user))


def latest_for(user, n: int = 5) -> list[Article]:
    """The portal home's block: the newest news and notices of the signed-in person's unions (an
    anonymous first visit reads nothing from the database: the sign-in card is what it needs)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(published_for(user).filter(kind__in=(Article.Kind.NEWS, Article.Kind.NOTICE))
                .order_by("-published_at", "-pk")[:n])


def readable_or_none(user, pk) -> Article | None:
    """A published article the person may read, or None (the page answers 404)."""
    return published_for(user).select_related("node", "category").filter(pk=pk).first()


# ----- synonyms and categories (kb.manage) -----

def _check_manage(by) -> None:
    if by is not None and not has_permission(by, "kb.manage"):
        raise PermissionDenied


@transaction.atomic
def save_synonym(*, by, terms: str, synonym: Synonym | None = None, active: bool = True) -> Synonym:
    _check_manage(by)
    syn = synonym or Synonym()
    syn.terms = terms
    if len(syn.term_list()) < 2:
        raise ValidationError({"terms": [_("同义词组至少要有两个词，用“=”或逗号分隔，例如：欠薪 = 拖欠工资。")]})
    before = {} if syn.pk is None else {"terms": Synonym.objects.get(pk=syn.pk).terms}
    syn.terms = " = ".join(syn.term_list())
    syn.active = active
    syn.updated_by = by
    syn.save()
    record(by, AuditEntry.Action.CREATE if not before else AuditEntry.Action.CHANGE, syn,
           event="kb.synonym.saved", changes=diff(before, {"terms": syn.terms}))
    transaction.on_commit(search.clear_synonyms_cache)
    search.clear_synonyms_cache()
    return syn


@transaction.atomic
def delete_synonym(syn: Synonym, *, by) -> None:
    _check_manage(by)
    record(by, AuditEntry.Action.DELETE, syn, event="kb.synonym.deleted", changes={"terms": [syn.terms, None]})
    syn.delete()
    search.clear_synonyms_cache()


DEFAULT_CATEGORIES = [
    ("labour-contract", "劳动合同"), ("wages", "工资报酬"), ("work-injury", "工伤保险"),
    ("hardship", "困难帮扶"), ("education-aid", "金秋助学"), ("membership", "入会与会员服务"),
    ("legal-aid", "法律援助"), ("women", "女职工权益"), ("skills", "技能提升"), ("union-news", "工会动态"),
]
DEFAULT_SYNONYMS = ["欠薪 = 拖欠工资 = 工资拖欠 = 讨薪", "工伤 = 工伤认定 = 因工受伤",
                    "入会 = 加入工会 = 入会申请", "金秋助学 = 助学金 = 助学", "困难帮扶 = 困难救助 = 帮扶救助"]


def ensure_defaults() -> None:
    for order, (code, name) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "order": (order + 1) * 10})
    if not Synonym.objects.exists():
        for terms in DEFAULT_SYNONYMS:
            Synonym.objects.create(terms=terms)
        search.clear_synonyms_cache()
