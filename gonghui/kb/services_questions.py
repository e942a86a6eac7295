"""Questions (在线咨询): a question is a request of kind consultation (gonghui.requests).

Every write goes through the requests services and the workflow engine, so a question has one
home: the union's request inbox, its time limit and its escalation when late. This module adds:

- ``suggest``: the best matching answers while the worker types (FAQs first, then other
  articles, then the worker's own answered questions);
- ``ask``: file the question (once, even if the form is sent twice);
- ``answer``: staff answer with links to articles; the answer is the request's outcome;
- ``index_question`` / ``unindex_question``: the answered question in the search index (found by
  the asker and the staff of the subtree), kept in step by ``after_request_transition``;
- ``faq_draft`` / ``publish_faq``: a good answer becomes a de-personalised FAQ in one action.
"""

import html
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission
from gonghui.core.urlcache import object_url
from gonghui.kb.depersonalise import depersonalise, known_facts
from gonghui.kb.models import AnswerLink, Article, AskReceipt
from gonghui.members.models import Worker
from gonghui.orgs.models import UnionNode
from gonghui.requests import casetype
from gonghui.requests import services as requests_services
from gonghui.requests.categories import ensure_seeded
from gonghui.requests.models import Category, Request
from gonghui.workflow import services as workflow

CONSULTATION = Request.Kind.CONSULTATION
MAX_QUESTION = 2000
MAX_ANSWER = 4000  # the engine takes 5000 for the note; the article links come after the answer
MAX_LINKS = 5
QUERY_CHARS = 100  # what the suggestions search reads of a long question
DEDUP_MINUTES = 10
LINKS_HEADING = "相关政策和问答："
# The states of an answered question (the answer is the request's outcome).
ANSWERED_STATES = ("closed", "quality_check")


def answered_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}case__state__in": ANSWERED_STATES})


def is_answered(req: Request) -> bool:
    return req.case.state in ANSWERED_STATES and bool(req.outcome)


def consultations():
    """Every consultation request, unscoped (callers scope it)."""
    return Request.objects.unscoped().filter(kind=CONSULTATION)


def visible_questions(user, permission: str = "requests.view"):
    return Request.objects.visible_to(user, permission).filter(kind=CONSULTATION)


# ----- the topic of a question -----

TOPIC_WORDS = [
    ("wages", ("欠薪", "工资", "加班费", "拖欠", "工钱", "薪", "提成", "奖金", "最低工资")),
    ("injury_safety", ("工伤", "受伤", "职业病", "安全", "事故", "防护", "伤残")),
    ("social_insurance", ("社保", "医保", "养老保险", "失业保险", "公积金", "生育保险", "五险")),
    ("contract", ("合同", "试用期", "辞退", "解除", "开除", "派遣", "辞职", "离职", "补偿", "赔偿金", "年假",
                  "休假", "产假", "加班")),
    ("hardship", ("困难", "帮扶", "救助", "送温暖", "助学", "大病")),
    ("jobs_training", ("培训", "就业", "技能", "找工作", "招聘", "证书")),
    ("union_affairs", ("工会", "会员", "会费", "入会", "换届", "会员卡")),
]


def guess_topic(text: str) -> str:
    """The request category a question is most likely about ("legal" when nothing matches)."""
    text = text or ""
    best, score = "legal", 0
    for code, words in TOPIC_WORDS:
        n = sum(text.count(w) for w in words)
        if n > score:
            best, score = code, n
    return best


def topic_choices():
    ensure_seeded()
    return Category.objects.filter(active=True).exclude(code="suggestion")


# ----- suggestions while the worker types -----

@dataclass
class Suggestions:
    query: str
    faqs: list = field(default_factory=list)
    articles: list = field(default_factory=list)
    mine: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.faqs) + len(self.articles) + len(self.mine)


def _query_of(text: str) -> str:
    return " ".join((text or "").split())[:QUERY_CHARS]


def suggest(text: str, *, user, faqs: int = 3, articles: int = 3, mine: int = 2, log: bool = False) -> Suggestions:
    """The best answers to ``text`` that ``user`` may read: FAQs first, then policies, guides and
    other articles, then the user's own answered questions (few of each: a phone screen).
    Never raises on what was typed."""
    from gonghui.kb import search

    query = _query_of(text)
    result = Suggestions(query=query)
    if len(query) < 2:
        return result
    found = search.search(query, user=user, kinds=("article",), filters={"subkind": Article.Kind.FAQ},
                          limit=faqs, log=False)
    result.faqs = list(found.hits)[:faqs]
    seen = {h.obj_id for h in result.faqs}
    others = search.search(query, user=user, kinds=("article",), limit=articles + len(seen), log=log)
    result.articles = [h for h in others.hits if h.obj_id not in seen][:articles]
    if getattr(user, "is_authenticated", False):
        own = search.search(query, user=user, kinds=("question",), limit=mine + 3, log=False)
        result.mine = [h for h in own.hits if _is_own(h, user)][:mine]
    return result


def _is_own(hit, user) -> bool:
    """A question hit is shown on the ask page only to the person who asked it."""
    owner = (hit.facets or {}).get("owner_id") if hasattr(hit, "facets") else None
    if owner is not None:
        return int(owner) == user.pk
    return consultations().filter(pk=hit.obj_id, case__applicant=user).exists()


# ----- filing a question -----

def clean_question(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"question": [_("请写下您想咨询的问题。")]})
    if len(text) > MAX_QUESTION:
        raise ValidationError({"question": [_("问题最多%(max)s字，现在是%(n)s字，请精简后再提交。")
                                            % {"max": MAX_QUESTION, "n": len(text)}]})
    return text


def ask(*, by, text: str, topic: str = "", chosen_node: UnionNode | None = None,
        token: str = "") -> tuple[Request, bool]:
    """File ``by``'s question as a consultation request; returns (request, created).

    The same form sent twice (``token``) or the same words again within ten minutes file one
    question: the second call returns the first one.
    """
    text = clean_question(text)
    if not getattr(by, "is_worker", False):
        raise ValidationError({"__all__": [_("工作人员请在工作台“职工诉求”中登记来电、来信、来访的咨询。")]})
    token = (token or "").strip()[:64]
    if token:
        receipt = AskReceipt.objects.filter(token=token).select_related("request").first()
        if receipt is not None:
            if receipt.user_id != by.pk:
                raise ValidationError({"__all__": [_("页面已过期，请刷新后重新提交。")]})
            return receipt.request, False
    since = timezone.now() - timezone.timedelta(minutes=DEDUP_MINUTES)
    same = (consultations().filter(case__applicant=by, description=text, case__created_at__gte=since)
            .order_by("case_id").first())
    if same is not None:
        return same, False
    ensure_seeded()
    category = Category.objects.filter(code=topic or guess_topic(text), active=True).first() \
        or Category.objects.filter(code=guess_topic(text)).first()
    worker = Worker.objects.unscoped().filter(user=by).first()
    try:
        with transaction.atomic():
            req = requests_services.submit_request(
                by=by, applicant=by, worker=worker, category=category, kind=CONSULTATION, description=text,
                contact_name=getattr(by, "display_name", "") or "", contact_phone=getattr(by, "phone", "") or "",
                chosen_node=chosen_node)
            if token:
                AskReceipt.objects.create(token=token, request=req, user=by)
    except IntegrityError:
        # The same form, sent twice at the same moment: the other submit filed it.
        receipt = AskReceipt.objects.filter(token=token).select_related("request").first()
        if receipt is None or receipt.user_id != by.pk:
            raise
        return receipt.request, False
    return req, True


# ----- answering -----

def linkable_articles(req: Request):
    """Articles an answer may link: published, and readable by the asker (published by the
    question's union or a union above it)."""
    node = req.case.node
    paths = [*node.ancestor_paths(), node.path]
    return Article.objects.unscoped().filter(status=Article.Status.PUBLISHED, node_path__in=paths)


def _compose(text: str, articles) -> str:
    if not articles:
        return text
    lines = [f"《{a.title}》 {object_url('kb:article', a.pk)}" for a in articles]
    return f"{text}\n\n{LINKS_HEADING}\n" + "\n".join(lines)


def answer_text(req: Request) -> str:
    """The answer without the list of linked articles appended to the outcome."""
    outcome = req.outcome or ""
    head, _sep, _tail = outcome.partition(f"\n\n{LINKS_HEADING}\n")
    return head


def answer(req: Request, *, by, text: str, article_ids=(), version: int) -> Request:
    """Answer a question: its outcome is ``text`` (plus the linked articles), through the
    request's own steps (accept if not yet accepted, then close — or submit for the quality check
    when the supervising union asked for one). ``version`` is the case version ``by`` saw."""
    if req.kind != CONSULTATION:
        raise ValidationError({"__all__": [_("这不是咨询类诉求，请在诉求页面办理。")]})
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["answer"] = [_("请填写答复内容。")]
    elif len(text) > MAX_ANSWER:
        errors["answer"] = [_("答复最多%(max)s字，较长的政策解读请写成文章后引用。") % {"max": MAX_ANSWER}]
    try:
        ids = list(dict.fromkeys(int(i) for i in article_ids if str(i).strip()))
    except (TypeError, ValueError):
        ids, errors["articles"] = [], [_("引用的文章不正确，请重新选择。")]
    if len(ids) > MAX_LINKS:
        errors["articles"] = [_("最多引用%(max)s篇文章。") % {"max": MAX_LINKS}]
    by_id = {a.pk: a for a in linkable_articles(req).filter(pk__in=ids)}
    if len(by_id) != len(ids) and "articles" not in errors:
        errors["articles"] = [_("只能引用已发布、职工能看到的文章（本工会或上级工会发布的）。")]
    if errors:
        raise ValidationError(errors)
    articles = [by_id[i] for i in ids]
    note = _compose(text, articles)
    case = req.case
    if case.state not in ("submitted", "reopened", "handling", "awaiting_info"):
        raise ValidationError({"__all__": [_("这条咨询已经答复（当前状态为“%(state)s”）。") % {
            "state": case.state_label}]})
    with transaction.atomic():
        if case.state in ("submitted", "reopened"):
            case = workflow.perform_transition(case, "accept", by=by, version=version)
            version = case.version
        step = "submit_for_check" if casetype.request_of(case) and case.worker_request.quality_check_required \
            else "close"
        case = workflow.perform_transition(case, step, by=by, version=version, data={"note": note})
        AnswerLink.objects.filter(request=req).delete()
        AnswerLink.objects.bulk_create([AnswerLink(request_id=req.pk, article=a, order=n, created_by=by)
                                        for n, a in enumerate(articles)])
        req = Request.objects.unscoped().select_related("case", "case__node", "category").get(pk=req.pk)
        record(by, AuditEntry.Action.CHANGE, req, node=case.node, event="kb.question_answered",
               changes={"articles": [None, ids]}, extra={"step": step})
        if req.case.state == "closed":  # after a quality check, the check's approval indexes it
            index_question(req)
    return req


# ----- the search index -----

def question_title(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    first = re.split(r"(?<=[？?。！!])", text, maxsplit=1)[0]
    title = first if 4 <= len(first) <= limit else text[:limit]
    return title + ("…" if len(title) < len(text) and not title.endswith(("？", "?", "。", "！", "!")) else "")


def index_question(req: Request) -> None:
    """Put an answered question in the search index: found by its asker and by staff of its
    subtree (``search`` reads the owner and the node)."""
    from gonghui.kb import search

    case = req.case
    search.index_item(
        "question", req.pk, title=question_title(req.description), body=f"{req.description}\n{answer_text(req)}",
        node_path=case.node_path, url=object_url("kb:question", req.pk), published_at=req.outcome_at or case.closed_at,
        owner_id=case.applicant_id, facets={"subkind": req.category.code, "owner_id": case.applicant_id},
    )


def unindex_question(req_or_id) -> None:
    from gonghui.kb import search

    search.unindex_item("question", getattr(req_or_id, "pk", req_or_id))


def after_request_transition(case, transition, data, by) -> None:
    """After every step of a request (workflow.signals.case_transitioned): keep answered
    consultation questions in the index, whichever page or API took the step."""
    req = casetype.request_of(case)
    if req is None or req.kind != CONSULTATION:
        return
    if transition.name == "reopen" or transition.target in ("reopened", "handling", "submitted"):
        unindex_question(req)
    elif case.state == "closed" and transition.name in ("close", "approve_check") and req.outcome:
        req.case = case
        index_question(req)


# ----- publishing a good answer as an FAQ -----

def faq_of(req: Request) -> Article | None:
    return (Article.objects.unscoped().filter(source_request=req).exclude(status=Article.Status.ARCHIVED)
            .order_by("pk").first())


_INTRO_LEAD = re.compile(r"^(?:您好|你好)?[，,！!]?\s*(?:我是|本人|我叫)?某职工[，,。、\s]*")


def faq_draft(req: Request) -> dict:
    """The question and its answer with names, numbers and employers taken out, for staff to edit."""
    names, employers = known_facts(req)
    # "我是某职工，公司……" adds nothing to an FAQ: the question starts at the question itself.
    question = depersonalise(req.description, names=names, employers=employers)
    question = _INTRO_LEAD.sub("", question) or question
    answer_ = depersonalise(answer_text(req), names=names, employers=employers)
    answer_ = re.sub(r"^某职工[，,]?\s*(您好|你好)", r"\1", answer_)
    return {"title": question_title(question), "question": question, "answer": answer_}


def faq_nodes(req: Request, user):
    """Where ``user`` may publish the FAQ: the question's union or a union above it (workers of
    the question's union then find it), where ``user`` holds kb.publish."""
    node = req.case.node
    paths = [*node.ancestor_paths(), node.path]
    return [n for n in UnionNode.objects.unscoped().filter(path__in=paths).order_by("depth")
            if has_permission(user, "kb.publish", n.path)]


def default_faq_node(nodes):
    """The district federation when the user may publish there (an FAQ helps the whole
    district), else the nearest union above the question where they may."""
    districts = [n for n in nodes if n.kind == UnionNode.Kind.DISTRICT_FEDERATION]
    return districts[-1] if districts else nodes[-1]


# Request categories → the kb's article categories (K1's DEFAULT_CATEGORIES codes).
ARTICLE_CATEGORY = {"wages": "wages", "contract": "labour-contract", "injury_safety": "work-injury",
                    "hardship": "hardship", "legal": "legal-aid", "jobs_training": "skills",
                    "union_affairs": "membership", "social_insurance": "labour-contract"}


def faq_category(req: Request):
    from gonghui.kb.models import Category as ArticleCategory

    code = ARTICLE_CATEGORY.get(req.category.code)
    return ArticleCategory.objects.filter(code=code, active=True).first() if code else None


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in re.split(r"\n\s*\n|\n", text) if p.strip())


def faq_summary(text: str, limit: int = 120) -> str:
    """An FAQ's summary is the short answer (the question is its title)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def faq_body_html(question: str, answer_: str, articles) -> str:
    body = f"<h2>{html.escape(_('问'))}</h2>{_paragraphs(question)}<h2>{html.escape(_('答'))}</h2>{_paragraphs(answer_)}"
    if articles:
        items = "".join(f'<li><a href="{object_url("kb:article", a.pk)}">{html.escape(a.title)}</a></li>'
                        for a in articles)
        body += f"<h2>{html.escape(_('相关政策'))}</h2><ul>{items}</ul>"
    return body


def publish_faq(req: Request, *, by, title: str, question: str, answer: str, node: UnionNode | None = None,
                category=None) -> Article:
    """Publish an answered question as an FAQ article (``source_request`` = the question), in one
    action: created and published at once by staff holding kb.publish."""
    from gonghui.kb import services_articles

    if req.kind != CONSULTATION:
        raise ValidationError({"__all__": [_("只有咨询类诉求可以发布为常见问答。")]})
    if not is_answered(req):
        raise ValidationError({"__all__": [_("这条咨询还没有答复，答复后才能发布为常见问答。")]})
    allowed = faq_nodes(req, by)
    if not allowed:
        raise PermissionDenied(_("您没有发布常见问答的权限。"))
    node = node or default_faq_node(allowed)
    if node.pk not in {n.pk for n in allowed}:
        raise ValidationError({"node": [_("请选择本工会或上级工会作为发布单位。")]})
    title, question, answer = (title or "").strip(), (question or "").strip(), (answer or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("请填写标题。")]
    elif len(title) > 200:
        errors["title"] = [_("标题最多200字。")]
    if not question:
        errors["question"] = [_("请填写问题。")]
    elif len(question) > MAX_QUESTION:
        errors["question"] = [_("问题最多%(max)s字。") % {"max": MAX_QUESTION}]
    if not answer:
        errors["answer"] = [_("请填写答复。")]
    elif len(answer) > 10000:
        errors["answer"] = [_("答复最多10000字。")]
    if errors:
        raise ValidationError(errors)
    articles = [link.article for link in AnswerLink.objects.filter(request=req).select_related("article")]
    with transaction.atomic():
        # Lock the question so two clicks of "publish" make one FAQ.
        Request.objects.unscoped().select_for_update().filter(pk=req.pk).first()
        existing = faq_of(req)
        if existing is not None:
            raise ValidationError({"__all__": [_("这条咨询已发布为常见问答《%(title)s》。") % {"title": existing.title}]})
        fields = {"summary": faq_summary(answer), "source_request": req}
        if category is not None:
            fields["category"] = category
        article = services_articles.create_article(node=node, kind=Article.Kind.FAQ, title=title,
                                                   body_html=faq_body_html(question, answer, articles), by=by,
                                                   **fields)
        article = services_articles.publish(article, by=by) or article
        record(by, AuditEntry.Action.CREATE, article, node=node, event="kb.faq_from_question",
               extra={"request": req.pk})
    return article
