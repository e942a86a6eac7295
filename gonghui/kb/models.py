"""Policy consultation and news (政策咨询): articles, the search index, questions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url


class Category(models.Model):
    """A subject of articles (劳动合同, 工资报酬 …); one list for the whole tree, kept by admins."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Kind(models.TextChoices):
        POLICY = "policy", _("政策文件")
        FAQ = "faq", _("常见问答")
        GUIDE = "guide", _("办事指南")
        NEWS = "news", _("工会新闻")
        NOTICE = "notice", _("通知公告")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("待审核")
        SCHEDULED = "scheduled", _("定时发布")   # approved, published by the periodic job at publish_at
        PUBLISHED = "published", _("已发布")
        ARCHIVED = "archived", _("已下线")

    class PolicyStatus(models.TextChoices):
        IN_FORCE = "in_force", _("现行有效")
        AMENDED = "amended", _("已修订")
        REPEALED = "repealed", _("已废止")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    body_html = models.TextField(_("正文"), blank=True)
    # The publishing union: workers in its subtree see the article (a city article: everyone).
    node = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="articles",
                             verbose_name=_("发布单位"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="articles", verbose_name=_("栏目"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("标签"))
    # Policy documents.
    issuing_body = models.CharField(_("发文机关"), max_length=120, blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("发文日期"), null=True, blank=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    policy_status = models.CharField(_("效力状态"), max_length=10, choices=PolicyStatus.choices, blank=True)
    original_file = models.FileField(_("原件"), upload_to="kb/originals/%Y/", blank=True)
    # Publishing.
    publish_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    views = models.PositiveIntegerField(_("阅读次数"), default=0)
    pinned = models.BooleanField(_("置顶"), default=False)
    source_request = models.ForeignKey("requests.Request", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="faq_articles", verbose_name=_("来源咨询"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "node"

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        indexes = [
            models.Index(fields=["status", "kind", "node_path"], name="kb_article_status_kind"),
            models.Index(fields=["status", "publish_at"], name="kb_article_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.node_id and (not self.node_path or self.node.path != self.node_path):
            self.node_path = self.node.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return object_url("kb:article", self.pk)

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def policy_status_label(self) -> str:
        return str(self.PolicyStatus(self.policy_status).label) if self.policy_status else ""

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleVersion(models.Model):
    """The article as it was before a save of its published text (numbered from 1)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    body_html = models.TextField(_("正文"), blank=True)
    data = models.JSONField(_("其他字段"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique")]
        verbose_name = _("文章版本")
        verbose_name_plural = _("文章版本")

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Synonym(models.Model):
    """A group of words meaning the same thing (欠薪 = 拖欠工资 = 工资拖欠); a query for one finds all."""

    terms = models.CharField(_("同义词组"), max_length=300,
                             help_text=_("用“=”或逗号分隔，例如：欠薪 = 拖欠工资 = 工资拖欠"))
    active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")

    def __str__(self) -> str:
        return " = ".join(self.term_list())

    def term_list(self) -> list[str]:
        import re

        seen: list[str] = []
        for part in re.split(r"[=,，、;；\s]+", self.terms or ""):
            part = part.strip().lower()
            if part and part not in seen:
                seen.append(part)
        return seen


class SearchEntry(models.Model):
    """One searchable item (an article, an answered question) in segmented form.

    The full-text index over it is SQLite FTS5 (``kb_search_fts``, kept by triggers) or, on
    PostgreSQL, the generated ``tsv`` column, copied by triggers into the narrow ranking table
    ``kb_searchrank`` that holds the GIN indexes (migration ``0008_search_rank_table``).
    ``search.py`` is the only reader and writer.
    """

    kind = models.CharField(max_length=20)
    obj_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)              # plain text, for snippets
    title_seg = models.TextField(blank=True)         # segmented, space-separated
    body_seg = models.TextField(blank=True)
    pinyin = models.TextField(blank=True)            # pinyin keys of the title's words
    facet_tokens = models.TextField(blank=True)      # kind, sub-kind, category, audience paths
    node_path = models.CharField(max_length=255, db_index=True)
    owner_id = models.BigIntegerField(null=True, blank=True)  # a question's asker
    url = models.CharField(max_length=300)
    published_at = models.DateTimeField(null=True, blank=True)
    boost = models.FloatField(default=1.0)
    subkind = models.CharField(max_length=20, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    facets = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "obj_id"], name="kb_searchentry_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.obj_id} {self.title}"


class SearchLog(models.Model):
    """One search typed by someone; searches with no result tell staff what to write next."""

    query = models.CharField(_("检索词"), max_length=200)
    results = models.PositiveIntegerField(_("结果数"), default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    # The searcher's union (a worker's membership, a staff member's highest grant); "" if unknown.
    node_path = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["results", "created_at"], name="kb_searchlog_zero")]
        verbose_name = _("检索记录")
        verbose_name_plural = _("检索记录")

    def __str__(self) -> str:
        return self.query


from gonghui.kb.models_questions import *  # noqa: E402, F403
