"""The courses API at /api/v1/courses/…: courses, sessions, roll call, exam results, evaluation,
certificates (and the public check), subsidies, targets and the education uplift plan.

Staff read through ``visible_to(user, "courses.view")`` (out of scope: 404); workers see the
courses they may join and their own certificates and applications. Writes call the services, whose
Chinese messages come back as ``{"code", "message"}``. The steps of an uplift application (approve,
confirm a proof …) go through the engine's ``/api/v1/cases/{id}/transitions/…``.
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import get_visible_or_404, require_permission
from gonghui.courses import services as svc
from gonghui.courses import services_uplift as up
from gonghui.courses.certificate_pdf import verify_url
from gonghui.courses.models import (
    Certificate,
    Course,
    CourseSession,
    TrainingTarget,
    UpliftApplication,
    UpliftInstalment,
)
from gonghui.courses.services import APPROVE, VIEW
from gonghui.members.models import Worker
from gonghui.orgs.models import UnionNode
from gonghui.workflow.services import Upload

router = Router(tags=["courses"])


# ----- schemas -----

class CourseOut(Schema):
    id: int
    title: str
    node_id: int
    node_name: str
    status: str
    audience: str
    capacity: int
    confirmed_count: int
    waiting_count: int
    occupation: str
    certifying_body: str
    level: str
    description: str
    starts_on: date
    ends_on: date
    min_attendance_pct: int
    pass_score: Decimal
    subsidy_per_trainee: Decimal

    @staticmethod
    def resolve_id(c):
        return c.pk

    @staticmethod
    def resolve_title(c):
        return c.offering.title

    @staticmethod
    def resolve_node_id(c):
        return c.offering.node_id

    @staticmethod
    def resolve_node_name(c):
        return c.offering.node.name

    @staticmethod
    def resolve_status(c):
        return c.offering.status

    @staticmethod
    def resolve_audience(c):
        return c.offering.audience

    @staticmethod
    def resolve_capacity(c):
        return c.offering.capacity

    @staticmethod
    def resolve_confirmed_count(c):
        return c.offering.confirmed_count

    @staticmethod
    def resolve_waiting_count(c):
        return c.offering.waiting_count


class CourseIn(Schema):
    node_id: int
    title: str
    occupation: str
    certifying_body: str
    level: str = ""
    description: str = ""
    starts_on: date
    ends_on: date
    capacity: int
    audience: str = "members"
    waitlist: bool = True
    hardship_first: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    min_attendance_pct: int = 80
    pass_score: Decimal = Decimal("60")
    subsidy_per_trainee: Decimal = Decimal("0")
    publish: bool = False


class SessionOut(Schema):
    id: int
    course_id: int
    starts_at: datetime
    ends_at: datetime
    teacher: str
    place: str
    topic: str
    roll_called_at: datetime | None


class SessionIn(Schema):
    starts_at: datetime
    ends_at: datetime
    teacher: str
    place: str
    topic: str


class AttendanceRow(Schema):
    enrolment_id: int
    name: str
    present: bool | None  # None: no roll call taken for this trainee yet


class AttendanceIn(Schema):
    present: list[int]  # enrolment ids of the trainees present; everybody else is absent


class RollCallOut(Schema):
    present: int
    absent: int


class ScoreIn(Schema):
    enrolment_id: int
    score: str | None = None


class ResultsIn(Schema):
    taken_on: date
    scores: list[ScoreIn]


class StandingOut(Schema):
    enrolment_id: int
    name: str
    present: int
    sessions: int
    attendance_pct: Decimal | None
    score: Decimal | None
    passed: bool
    reasons: list[str]
    certificate_number: str | None


class CertificateOut(Schema):
    id: int
    number: str
    course_id: int
    course_title: str
    worker_name: str
    attendance_pct: Decimal
    score: Decimal
    issued_on: date
    revoked: bool
    verify_url: str


class EvaluationOut(Schema):
    issued: list[str]
    already: int
    failed: int


class VerifyOut(Schema):
    number: str
    status: str  # valid / revoked
    name: str  # masked: 张*
    course: str
    occupation: str
    level: str
    organiser: str
    certifying_body: str
    issued_on: date


class SubsidiesOut(Schema):
    paid: int
    total: Decimal


class TargetOut(Schema):
    id: int
    node_id: int
    node_name: str
    year: int
    occupation: str
    target: int
    passed: int
    signed_up: int
    pct: float


class TargetIn(Schema):
    node_id: int
    year: int
    occupation: str
    target: int


class InstalmentOut(Schema):
    half: int
    amount: Decimal
    paid_on: date


class UpliftOut(Schema):
    id: int  # the case's id: /api/v1/cases/{id}
    number: str
    state: str
    state_label: str
    applicant_state_label: str
    worker_id: int
    worker_name: str
    node_id: int
    node_name: str
    school: str
    programme: str
    level: str
    fee: Decimal
    subsidy_asked: Decimal
    subsidy_approved: Decimal | None
    has_enrolment_proof: bool
    has_graduation_proof: bool
    instalments: list[InstalmentOut]


class UpliftIn(Schema):
    school: str
    programme: str
    level: str
    fee: str
    subsidy_asked: str


# ----- helpers -----

def _course_qs():
    return Course.objects.select_related("offering", "offering__node")


def _staff_course(request, course_id: int) -> Course:
    if request.user.is_worker:
        raise Http404
    return get_visible_or_404(_course_qs(), request.user, VIEW, pk=course_id)


def _staff_session(request, session_id: int) -> CourseSession:
    if request.user.is_worker:
        raise Http404
    return get_visible_or_404(CourseSession.objects.select_related("course__offering__node"), request.user, VIEW,
                              pk=session_id)


def _certificate_out(cert, request) -> dict:
    return {"id": cert.pk, "number": cert.number, "course_id": cert.course_id, "course_title": cert.course.title,
            "worker_name": cert.worker_name, "attendance_pct": cert.attendance_pct, "score": cert.score,
            "issued_on": cert.issued_on, "revoked": cert.revoked, "verify_url": verify_url(cert.number, request)}


def _uplift_out(a: UpliftApplication) -> dict:
    return {"id": a.pk, "number": a.case.number, "state": a.case.state, "state_label": a.case.state_label,
            "applicant_state_label": a.case.applicant_state_label, "worker_id": a.worker_id,
            "worker_name": a.worker.name, "node_id": a.case.node_id, "node_name": a.case.node.name,
            "school": a.school, "programme": a.programme, "level": a.level, "fee": a.fee,
            "subsidy_asked": a.subsidy_asked, "subsidy_approved": a.subsidy_approved,
            "has_enrolment_proof": bool(a.enrolment_proof_id), "has_graduation_proof": bool(a.graduation_proof_id),
            "instalments": [{"half": i.half, "amount": i.amount, "paid_on": i.paid_on} for i in a.instalments.all()]}


def _uplift_qs():
    return (UpliftApplication.objects.select_related("case", "case__node", "worker")
            .prefetch_related(Prefetch("instalments", queryset=UpliftInstalment.objects.unscoped())))


def _node(node_id: int) -> UnionNode:
    node = UnionNode.objects.unscoped().filter(pk=node_id, active=True).first()
    if node is None:
        raise ValidationError({"node_id": [_("工会不存在，请重新选择。")]})
    return node


# ----- courses -----

@router.get("/", response=list[CourseOut], summary="培训课程：职工看到可以报名的，工作人员看到本辖区组织的")
@paginate(LimitOffsetPagination)
def list_courses(request, q: str | None = None, occupation: str | None = None):
    if request.user.is_worker:
        from gonghui.courses.views import joinable_courses

        qs = joinable_courses(request.user)
    else:
        qs = Course.objects.visible_to(request.user, VIEW).select_related("offering", "offering__node")
    if q:
        qs = qs.filter(Q(offering__title__contains=q) | Q(occupation__contains=q))
    if occupation:
        qs = qs.filter(occupation=occupation)
    return qs.order_by("-starts_on", "-pk")


@router.post("/", response={201: CourseOut}, summary="新建培训课程（名额、报名对象、合格标准、补贴）")
def create_course(request, payload: CourseIn):
    data = payload.dict(exclude={"node_id", "publish"})
    course = svc.create_course(_node(payload.node_id), data, by=request.user)
    if payload.publish:
        svc.publish_course(course, by=request.user)
    return Status(201, _course_qs().unscoped().get(pk=course.pk))


@router.get("/{int:course_id}", response=CourseOut, summary="一门培训课程")
def get_course(request, course_id: int):
    if request.user.is_worker:
        from gonghui.courses.views import joinable_courses

        course = joinable_courses(request.user).filter(pk=course_id).first() or Course.objects.unscoped().filter(
            pk=course_id, offering__enrolments__user=request.user).select_related("offering__node").first()
        if course is None:
            raise Http404
        return course
    return _staff_course(request, course_id)


@router.post("/{int:course_id}/publish", response=CourseOut, summary="发布课程（须先排课）")
def publish_course(request, course_id: int):
    course = _staff_course(request, course_id)
    svc.publish_course(course, by=request.user)
    return _course_qs().unscoped().get(pk=course.pk)


@router.get("/{int:course_id}/sessions", response=list[SessionOut], summary="课次")
def list_sessions(request, course_id: int):
    course = _staff_course(request, course_id)
    return list(CourseSession.objects.unscoped().filter(course=course).order_by("starts_at", "pk"))


@router.post("/{int:course_id}/sessions", response={201: SessionOut}, summary="添加课次")
def add_session(request, course_id: int, payload: SessionIn):
    course = _staff_course(request, course_id)
    return Status(201, svc.add_session(course, payload.dict(), by=request.user))


@router.put("/sessions/{int:session_id}", response=SessionOut, summary="修改课次（改了时间或地点，学员会收到通知）")
def change_session(request, session_id: int, payload: SessionIn):
    session = _staff_session(request, session_id)
    return svc.change_session(session, payload.dict(), by=request.user)


@router.get("/sessions/{int:session_id}/attendance", response=list[AttendanceRow], summary="一次课的点名情况")
def get_attendance(request, session_id: int):
    session = _staff_session(request, session_id)
    marked = dict(session.attendance.unscoped().values_list("enrolment_id", "present"))
    return [{"enrolment_id": e.pk, "name": e.person_name, "present": marked.get(e.pk)}
            for e in svc.trainees(session.course)]


@router.put("/sessions/{int:session_id}/attendance", response=RollCallOut,
            summary="点名：列出到课学员（报名编号），其余记为缺勤；可重复提交更正")
def put_attendance(request, session_id: int, payload: AttendanceIn):
    session = _staff_session(request, session_id)
    return svc.record_roll_call(session, payload.present, by=request.user)


@router.get("/{int:course_id}/results", response=list[StandingOut],
            summary="学员的出勤、成绩和按合格规则的评定（未发证也显示）")
def get_results(request, course_id: int):
    course = _staff_course(request, course_id)
    return [{"enrolment_id": r.enrolment.pk, "name": r.enrolment.person_name, "present": r.present,
             "sessions": r.sessions, "attendance_pct": r.outcome.attendance_pct, "score": r.outcome.score,
             "passed": r.outcome.passed, "reasons": r.outcome.reasons,
             "certificate_number": r.certificate.number if r.certificate else None} for r in svc.standings(course)]


@router.put("/{int:course_id}/results", response=list[StandingOut], summary="录入考试成绩（0–100，一位小数）")
def put_results(request, course_id: int, payload: ResultsIn):
    course = _staff_course(request, course_id)
    svc.record_scores(course, {s.enrolment_id: s.score for s in payload.scores}, taken_on=payload.taken_on,
                      by=request.user)
    return get_results(request, course_id)


@router.post("/{int:course_id}/evaluate", response=EvaluationOut,
             summary="评定合格：按出勤率和成绩为新合格的学员发证书并记入服务台账")
def evaluate(request, course_id: int):
    course = _staff_course(request, course_id)
    require_permission(request.user, APPROVE, course.node_path)
    result = svc.evaluate_course(course, by=request.user)
    return {"issued": [c.number for c in result.issued], "already": result.already, "failed": len(result.failed)}


@router.get("/{int:course_id}/certificates", response=list[CertificateOut], summary="一门课程发出的证书")
def list_certificates(request, course_id: int):
    course = _staff_course(request, course_id)
    certs = Certificate.objects.unscoped().filter(course=course).select_related("course__offering")
    return [_certificate_out(c, request) for c in certs]


@router.post("/{int:course_id}/subsidies", response=SubsidiesOut,
             summary="向取得证书、尚未领取的学员发放培训补贴（每人一条服务台账）")
def pay_subsidies(request, course_id: int):
    course = _staff_course(request, course_id)
    require_permission(request.user, APPROVE, course.node_path)
    paid = svc.pay_subsidies(course, by=request.user)
    return {"paid": len(paid), "total": sum((s.amount for s in paid), Decimal("0"))}


# ----- certificates -----

@router.get("/certificates/mine", response=list[CertificateOut], summary="我的培训合格证书（职工）")
def my_certificates(request):
    return [_certificate_out(c, request) for c in svc.certificates_of(request.user)]


@router.get("/certificates/verify", response=VerifyOut, auth=None,
            summary="公开查验证书编号（无需登录；姓名只显示姓氏）")
def verify(request, number: str = ""):
    from gonghui.api import ApiError

    number = svc.normalise_number(number)
    if not number:
        raise ApiError(422, "invalid", _("请输入证书编号再查验。"))
    cert = svc.find_certificate(number)
    if cert is None:
        raise ApiError(404, "not_found", _("没有找到编号为“%(number)s”的证书。请核对编号，或扫描证书上的二维码查验。") % {
            "number": number})
    course = cert.course
    return {"number": cert.number, "status": "revoked" if cert.revoked else "valid",
            "name": svc.masked_name(cert.worker_name), "course": course.title, "occupation": course.occupation,
            "level": course.level, "organiser": course.offering.node.name,
            "certifying_body": course.certifying_body, "issued_on": cert.issued_on}


# ----- targets -----

@router.get("/targets", response=list[TargetOut], summary="培训目标和完成数（按取得合格证书的人数）")
def list_targets(request):
    if request.user.is_worker:
        raise Http404
    targets = TrainingTarget.objects.visible_to(request.user, VIEW).select_related("node").order_by("-year", "node_path")
    rows = []
    for t in targets[:200]:
        p = svc.target_progress(t)
        rows.append({"id": t.pk, "node_id": t.node_id, "node_name": t.node.name, "year": t.year,
                     "occupation": t.occupation, "target": t.target, "passed": p["passed"],
                     "signed_up": p["signed_up"], "pct": p["pct"]})
    return rows


@router.post("/targets", response={201: TargetOut}, summary="设定培训目标（本工会负责人）")
def create_target(request, payload: TargetIn):
    t = svc.create_target(_node(payload.node_id), payload.dict(exclude={"node_id"}), by=request.user)
    p = svc.target_progress(t)
    return Status(201, {"id": t.pk, "node_id": t.node_id, "node_name": t.node.name, "year": t.year,
                        "occupation": t.occupation, "target": t.target, "passed": p["passed"],
                        "signed_up": p["signed_up"], "pct": p["pct"]})


# ----- the education uplift plan -----

@router.get("/uplift/applications", response=list[UpliftOut], summary="学历与能力提升申请（本辖区）")
@paginate(LimitOffsetPagination)
def list_uplift(request, state: str | None = None):
    if request.user.is_worker:
        raise Http404
    qs = _uplift_qs().visible_to(request.user, VIEW)
    if state:
        qs = qs.filter(case__state=state)
    return [_uplift_out(a) for a in qs.order_by("-case_id")[:1000]]


@router.get("/uplift/mine", response=list[UpliftOut], summary="我的学历与能力提升申请（职工）")
def my_uplift(request):
    worker = Worker.objects.unscoped().filter(user=request.user).first()
    return [_uplift_out(a) for a in up.applications_of_worker(worker)]


@router.post("/uplift/applications", response={201: UpliftOut}, summary="申请学历与能力提升补贴（农民工会员本人）")
def apply_uplift(request, payload: UpliftIn):
    worker = Worker.objects.unscoped().filter(user=request.user).first()
    if worker is None:
        raise ValidationError({"__all__": [up.eligibility_problem(None)]})
    app = up.apply(by=request.user, worker=worker, data=payload.dict())
    return Status(201, _uplift_out(_uplift_qs().unscoped().get(pk=app.pk)))


@router.get("/uplift/applications/{int:application_id}", response=UpliftOut, summary="一份学历与能力提升申请")
def get_uplift(request, application_id: int):
    if request.user.is_worker:
        worker = Worker.objects.unscoped().filter(user=request.user).first()
        app = up.applications_of_worker(worker).filter(pk=application_id).first()
        if app is None:
            raise Http404
        return _uplift_out(app)
    return _uplift_out(get_visible_or_404(_uplift_qs(), request.user, VIEW, pk=application_id))


@router.post("/uplift/applications/{int:application_id}/proof", response=UpliftOut,
             summary="上传入学证明或毕业证明（申请人本人；按当前状态），并提交核验")
def upload_proof(request, application_id: int, proof: UploadedFile = File(None)):  # noqa: B008
    worker = Worker.objects.unscoped().filter(user=request.user).first()
    app = up.applications_of_worker(worker).filter(pk=application_id).first()
    if app is None:
        raise Http404
    upload = None
    if proof is not None:
        if proof.size > settings.GONGHUI_ATTACHMENT_MAX_BYTES:
            raise ValidationError({"proof": [_("文件不能超过%(size)s。") % {
                "size": filesizeformat(settings.GONGHUI_ATTACHMENT_MAX_BYTES)}]})
        upload = Upload(proof.name, proof.read())
    app = up.submit_proof(app, upload, by=request.user)
    return _uplift_out(_uplift_qs().unscoped().get(pk=app.pk))

