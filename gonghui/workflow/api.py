"""Every case type's transitions, comments and files over the API (``/api/v1/cases/…``)."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from gonghui.api import ApiError
from gonghui.core.urlcache import object_url
from gonghui.workflow import services
from gonghui.workflow.access import get_case_or_404

router = Router(tags=["cases"])


class FieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[tuple[str, str]] = []


class TransitionOut(Schema):
    name: str
    label: str
    target: str
    fields: list[FieldOut]


class EventOut(Schema):
    id: int
    at: datetime
    kind: str
    actor_name: str
    transition: str
    from_state: str
    to_state: str
    text: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    url: str


class CaseOut(Schema):
    id: int
    number: str
    case_type: str
    title: str
    state: str
    state_label: str
    node_id: int
    urgent: bool
    version: int
    due_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    timeline: list[EventOut]


class TransitionIn(Schema):
    version: int
    data: dict = {}


class CommentIn(Schema):
    text: str
    internal: bool = False


def _fields(transition):
    return [{"name": f.name, "label": str(f.label), "kind": f.kind, "required": f.required,
             "choices": [(c, str(label)) for c, label in f.choices]} for f in transition.fields]


def case_out(case, user) -> dict:
    """The case as its reader may see it: the applicant gets plain words and no internal steps."""
    applicant = services.is_applicant(case, user)
    events = case.events.unscoped().order_by("at", "id")
    if applicant:
        events = events.filter(visible_to_applicant=True)
    return {
        "id": case.pk, "number": case.number, "case_type": case.case_type, "title": case.title,
        "state": case.state, "state_label": case.applicant_state_label if applicant else case.state_label,
        "node_id": case.node_id, "urgent": case.urgent, "version": case.version, "due_at": case.due_at,
        "created_at": case.created_at, "closed_at": case.closed_at, "timeline": list(events),
    }


@router.get("/{int:case_id}", response=CaseOut, summary="一个事项及其办理过程")
def get_case(request, case_id: int):
    return case_out(get_case_or_404(request.user, case_id), request.user)


@router.get("/{int:case_id}/transitions", response=list[TransitionOut], summary="我现在可以执行的操作")
def list_transitions(request, case_id: int):
    case = get_case_or_404(request.user, case_id)
    return [{"name": t.name, "label": str(t.label), "target": t.target, "fields": _fields(t)}
            for t in services.available_transitions(case, request.user)]


@router.post("/{int:case_id}/transitions/{name}", response=CaseOut, summary="执行一个操作（须带上看到的版本号）")
def take_transition(request, case_id: int, name: str, payload: TransitionIn):
    case = get_case_or_404(request.user, case_id)
    try:
        case = services.perform_transition(case, name, by=request.user, version=payload.version, data=payload.data)
    except services.StaleCase as stale:
        raise ApiError(409, "stale", str(stale)) from None
    return case_out(case, request.user)


@router.get("/{int:case_id}/comments", response=list[EventOut], summary="留言")
def list_comments(request, case_id: int):
    case = get_case_or_404(request.user, case_id)
    comments = case.events.unscoped().filter(kind="comment").order_by("at", "id")
    if services.is_applicant(case, request.user):
        comments = comments.filter(visible_to_applicant=True)
    return list(comments)


@router.post("/{int:case_id}/comments", response={201: EventOut}, summary="留言")
def add_comment(request, case_id: int, payload: CommentIn):
    case = get_case_or_404(request.user, case_id)
    internal = payload.internal and not services.is_applicant(case, request.user)
    return services.add_comment(case, payload.text, by=request.user, internal=internal)


def _attachment_out(attachment) -> dict:
    return {"id": attachment.pk, "name": attachment.name, "content_type": attachment.content_type,
            "size": attachment.size, "uploaded_at": attachment.uploaded_at,
            "url": object_url("workflow:download", attachment.pk)}


@router.get("/{int:case_id}/attachments", response=list[AttachmentOut], summary="附件")
def list_attachments(request, case_id: int):
    case = get_case_or_404(request.user, case_id)
    attachments = case.attachments.unscoped().order_by("uploaded_at")
    if services.is_applicant(case, request.user):
        attachments = attachments.filter(visible_to_applicant=True)
    return [_attachment_out(a) for a in attachments]


@router.post("/{int:case_id}/attachments", response={201: AttachmentOut}, summary="上传附件（图片、PDF、Word、Excel）")
def upload_attachment(request, case_id: int, file: UploadedFile = File(...),  # noqa: B008 (ninja's style)
                      internal: bool = Form(False)):  # noqa: B008
    case = get_case_or_404(request.user, case_id)
    if file.size > settings.GONGHUI_ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": [_("文件不能超过%(size)s。") % {
            "size": filesizeformat(settings.GONGHUI_ATTACHMENT_MAX_BYTES)}]})
    attachment = services.add_attachment(case, services.Upload(file.name, file.read()), by=request.user,
                                         internal=internal and not services.is_applicant(case, request.user))
    return _attachment_out(attachment)
