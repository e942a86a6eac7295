"""Questions over the API at /api/v1/kb/questions/…: the consultation requests.

Staff with requests.view list the questions of their union subtree; a worker lists their own.
Answering and publishing as an FAQ go through the same services as the console pages. A worker
asks through ``POST /api/v1/requests/`` (kind "consultation") or the portal's 我要咨询.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.kb import figures as kb_figures
from gonghui.kb import services_questions as svc
from gonghui.kb.models import AnswerLink
from gonghui.orgs.models import UnionNode
from gonghui.requests.models import Request
from gonghui.workflow.services import StaleCase, is_applicant

router = Router(tags=["kb"])


class ArticleLinkOut(Schema):
    id: int
    title: str
    url: str


class QuestionOut(Schema):
    id: int
    number: str
    question: str
    category: str
    category_label: str
    state: str
    state_label: str
    answered: bool
    node_id: int
    node_name: str
    asked_at: datetime
    due_at: datetime | None
    answered_at: datetime | None
    answer_seconds: int | None
    on_time: bool | None
    faq_article_id: int | None
    version: int


class QuestionDetailOut(QuestionOut):
    answer: str
    articles: list[ArticleLinkOut]


class AnswerIn(Schema):
    answer: str
    article_ids: list[int] = []
    version: int


class FaqIn(Schema):
    title: str | None = None
    question: str | None = None
    answer: str | None = None
    node_id: int | None = None


class FaqOut(Schema):
    id: int
    title: str
    url: str
    status: str


def _out(req: Request, user, faq_ids: dict | None = None) -> dict:
    case = req.case
    answered = case.state in svc.ANSWERED_STATES
    seconds = int((req.outcome_at - case.created_at).total_seconds()) if answered and req.outcome_at else None
    faq_id = faq_ids.get(req.pk) if faq_ids is not None else getattr(svc.faq_of(req), "pk", None)
    return {
        "id": req.pk, "number": case.number, "question": req.description, "category": req.category.code,
        "category_label": req.category.label, "state": case.state,
        "state_label": case.applicant_state_label if is_applicant(case, user) else case.state_label,
        "answered": answered, "node_id": case.node_id, "node_name": case.node.name, "asked_at": case.created_at,
        "due_at": case.due_at, "answered_at": req.outcome_at if answered else None, "answer_seconds": seconds,
        "on_time": req.on_time if answered else None, "faq_article_id": faq_id, "version": case.version,
    }


def _detail(req: Request, user) -> dict:
    data = _out(req, user)
    answered = data["answered"]
    links = AnswerLink.objects.filter(request=req).select_related("article") if answered else []
    data.update(answer=svc.answer_text(req) if answered else "",
                articles=[{"id": link.article_id, "title": link.article.title,
                           "url": link.article.get_absolute_url()} for link in links])
    return data


def _questions(user):
    if getattr(user, "is_worker", False):
        return svc.consultations().filter(case__applicant=user)
    return svc.visible_questions(user)


def _one(user, question_id: int) -> Request:
    req = (_questions(user).filter(pk=question_id)
           .select_related("case", "case__node", "case__applicant", "case__assignee", "category", "worker").first())
    if req is None:
        raise Http404
    return req


class _Mapped:
    def __init__(self, qs, user):
        self.qs, self.user = qs, user

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        from gonghui.kb.models import Article

        rows = list(self.qs[item])
        faqs = dict(Article.objects.unscoped().filter(source_request_id__in=[r.pk for r in rows])
                    .exclude(status=Article.Status.ARCHIVED).values_list("source_request_id", "pk"))
        return [_out(r, self.user, faqs) for r in rows]


@router.get("/", response=list[QuestionOut], summary="职工咨询列表（干部：管辖范围内；职工：本人的）")
@paginate(LimitOffsetPagination)
def list_questions(request, answered: bool | None = None, category: str | None = None):
    qs = _questions(request.user)
    if answered is True:
        qs = qs.filter(svc.answered_q())
    elif answered is False:
        qs = qs.exclude(svc.answered_q())
    if category:
        qs = qs.filter(category__code=category)
    return _Mapped(qs.select_related("case", "case__node", "category").order_by("-case_id"), request.user)


@router.get("/figures", summary="咨询统计（无结果搜索、阅读最多、按类别、答复用时）")
def question_figures(request, days: int = kb_figures.DEFAULT_DAYS):
    user = request.user
    if getattr(user, "is_worker", False) or not (
            svc.has_permission(user, "kb.view") or svc.has_permission(user, "requests.view")):
        raise PermissionDenied
    return kb_figures.as_dict(kb_figures.build(user, days=kb_figures.parse_days(days)))


@router.get("/{int:question_id}", response=QuestionDetailOut, summary="一件咨询及其答复")
def get_question(request, question_id: int):
    return _detail(_one(request.user, question_id), request.user)


@router.post("/{int:question_id}/answer", response=QuestionDetailOut,
             summary="答复咨询（答复即办理结果；可引用文章）")
def answer_question(request, question_id: int, payload: AnswerIn):
    from gonghui.api import ApiError

    user = request.user
    if getattr(user, "is_worker", False):
        raise Http404
    req = _one(user, question_id)
    try:
        req = svc.answer(req, by=user, text=payload.answer, article_ids=payload.article_ids, version=payload.version)
    except StaleCase as stale:
        raise ApiError(409, "stale", str(stale)) from None
    return _detail(req, user)


@router.post("/{int:question_id}/faq", response={201: FaqOut},
             summary="发布为常见问答（未填写的标题、问题、答复取去除个人信息后的原文）")
def publish_as_faq(request, question_id: int, payload: FaqIn):
    user = request.user
    if getattr(user, "is_worker", False):
        raise Http404
    req = _one(user, question_id)
    draft = svc.faq_draft(req) if svc.is_answered(req) else {"title": "", "question": "", "answer": ""}
    node = None
    if payload.node_id is not None:
        node = UnionNode.objects.unscoped().filter(pk=payload.node_id).first()
        if node is None:
            raise Http404
    article = svc.publish_faq(req, by=user, title=payload.title or draft["title"],
                              question=payload.question or draft["question"],
                              answer=payload.answer or draft["answer"], node=node,
                              category=svc.faq_category(req))
    return Status(201, {"id": article.pk, "title": article.title, "url": article.get_absolute_url(),
                 "status": article.status})
