"""Pages of the courses app: the worker's /courses/…, the public /certificates/verify/ and the
console's /console/courses/…. Thin: the rules are in services and services_uplift."""

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.qr import qr_svg
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import ScopedListView
from gonghui.courses import services as svc
from gonghui.courses import services_uplift as up
from gonghui.courses.certificate_pdf import render_certificate, verify_url
from gonghui.courses.exports import results_response
from gonghui.courses.forms import (
    CourseForm,
    ProofForm,
    RevokeForm,
    SessionForm,
    TargetForm,
    UpliftForm,
    apply_errors,
)
from gonghui.courses.models import (
    Certificate,
    Course,
    CourseSession,
    TrainingSubsidy,
    TrainingTarget,
    UpliftApplication,
    UpliftInstalment,
)
from gonghui.courses.services import APPROVE, CHANGE, VIEW
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.members.models import Worker
from gonghui.workflow.services import Upload

WORKER_LOGIN = "accounts:worker_login"


def console_page(view):
    """Console pages: signed-in staff (workers get 404) holding courses.view somewhere (else 403)."""
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_worker:
            raise Http404
        if not has_permission(request.user, VIEW):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapper


def _worker_of(user) -> Worker | None:
    return Worker.objects.unscoped().filter(user=user).first() if user.is_authenticated else None


def _course_qs():
    return Course.objects.select_related("offering", "offering__node")


def _visible_course(request, pk) -> Course:
    return get_visible_or_404(_course_qs(), request.user, VIEW, pk=pk)


def _visible_session(request, pk) -> CourseSession:
    return get_visible_or_404(CourseSession.objects.select_related("course__offering__node"), request.user, VIEW,
                              pk=pk)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# ================= the worker portal =================

def joinable_courses(user):
    """Published courses the worker may join (the enrolment app's audience rule)."""
    from gonghui.enrolment.audience import offerings_for

    return offerings_for(user, Course.objects.unscoped().select_related("offering", "offering__node"),
                         prefix="offering__")


@login_required(login_url=WORKER_LOGIN)
def portal_list(request):
    today = timezone.localdate()
    courses = list(joinable_courses(request.user).filter(ends_on__gte=today).order_by("starts_on", "pk")[:50])
    mine = {e.offering_id: e for e in Enrolment.objects.unscoped()
            .filter(user=request.user, offering_id__in=[c.pk for c in courses], status__in=Enrolment.LIVE)}
    for c in courses:
        c.my_enrolment = mine.get(c.pk)
    return render(request, "courses/portal_list.html", {
        "courses": courses, "certificates": svc.certificates_of(request.user)[:3],
        "uplift_problem": up.eligibility_problem(_worker_of(request.user))})


@login_required(login_url=WORKER_LOGIN)
def portal_detail(request, pk):
    course = Course.objects.unscoped().select_related("offering", "offering__node").filter(pk=pk).first()
    enrolled = course is not None and Enrolment.objects.unscoped().filter(
        offering_id=course.pk, user=request.user).exists()
    if course is None or not (enrolled or joinable_courses(request.user).filter(pk=pk).exists()):
        raise Http404
    if course.offering.status == Offering.Status.DRAFT and not enrolled:
        raise Http404
    sessions = list(course.sessions.unscoped().order_by("starts_at"))
    certificate = Certificate.objects.unscoped().filter(course=course, user=request.user).first()
    return render(request, "courses/portal_detail.html", {
        "course": course, "offering": course.offering, "sessions": sessions, "certificate": certificate})


@login_required(login_url=WORKER_LOGIN)
def my_certificates(request):
    return render(request, "courses/portal_certificates.html", {
        "certificates": svc.certificates_of(request.user)})


@login_required(login_url=WORKER_LOGIN)
def my_certificate_pdf(request, pk):
    cert = get_object_or_404(svc.certificates_of(request.user), pk=pk)
    return _pdf_response(render_certificate(cert, request), f"{cert.number}.pdf")


def verify(request):
    """The public check of a certificate number: no sign-in; the name is masked."""
    number = svc.normalise_number(request.GET.get("number", ""))
    cert = svc.find_certificate(number) if number else None
    status = 200 if (cert is not None or not number) else 404
    return render(request, "courses/verify.html", {
        "number": number, "cert": cert, "masked_name": svc.masked_name(cert.worker_name) if cert else "",
        "searched": bool(number), "empty_query": "number" in request.GET and not number,
    }, status=status)


# ----- the education uplift plan -----

@login_required(login_url=WORKER_LOGIN)
def uplift_portal(request):
    worker = _worker_of(request.user)
    return render(request, "courses/uplift_portal.html", {
        "problem": up.eligibility_problem(worker), "applications": list(up.applications_of_worker(worker))})


@login_required(login_url=WORKER_LOGIN)
def uplift_apply(request):
    worker = _worker_of(request.user)
    problem = up.eligibility_problem(worker)
    if problem:
        messages.error(request, problem)
        return redirect("courses:uplift")
    form = UpliftForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                app = up.apply(by=request.user, worker=worker, data=form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("申请已提交。%(union)s将在10个工作日内审核；批准后，入学时上传入学证明领取一半补贴，"
                                            "毕业时上传毕业证书领取另一半。") % {"union": app.case.node.name})
                return redirect("workflow:portal_case", pk=app.pk)
    return render(request, "courses/uplift_apply.html", {"form": form}, status=status)


@login_required(login_url=WORKER_LOGIN)
def uplift_proof(request, pk):
    app = get_object_or_404(up.applications_of_worker(_worker_of(request.user)), pk=pk)
    kind = up.proof_kind(app)
    if not kind:
        messages.error(request, _("当前状态（%(state)s）不需要上传证明。") % {"state": app.case.applicant_state_label})
        return redirect("workflow:portal_case", pk=app.pk)
    form = ProofForm(request.POST if request.method == "POST" else None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            f = form.cleaned_data.get("proof")
            try:
                up.submit_proof(app, Upload(f.name, f.read()) if f else None, by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("证明已提交，%(union)s核验后发放补贴。") % {"union": app.case.node.name})
                return redirect("workflow:portal_case", pk=app.pk)
    return render(request, "courses/uplift_proof.html", {"form": form, "app": app, "kind": kind}, status=status)


# ================= the console =================

class CourseList(ScopedListView):
    model = Course
    permission = VIEW
    template_name = "courses/console_list.html"
    partial_template_name = "courses/_course_table.html"
    filter_names = ("q", "status")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker" and not has_permission(request.user, VIEW):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = (self.base_queryset().select_related("offering", "offering__node")
              .annotate(n_certificates=Count("certificates", filter=Q(certificates__revoked=False), distinct=True),
                        n_sessions=Count("sessions", distinct=True)))
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(offering__title__contains=q) | Q(occupation__contains=q))
        status = self.request.GET.get("status", "")
        if status in Offering.Status.values:
            qs = qs.filter(offering__status=status)
        return qs.order_by("-starts_on", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = has_permission(self.request.user, CHANGE)
        ctx["statuses"] = Offering.Status.choices
        ctx["section"] = "courses"
        return ctx


console_list = CourseList.as_view()


def _course_form_data(form) -> dict:
    return dict(form.cleaned_data)


@console_page
def console_create(request):
    nodes = svc.course_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied
    today = timezone.localdate()
    form = CourseForm(request.POST or None, nodes=nodes, initial={
        "node": nodes.first(), "starts_on": today + datetime.timedelta(days=14),
        "ends_on": today + datetime.timedelta(days=60), "capacity": 30, "waitlist": True})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                course = svc.create_course(form.cleaned_data["node"], _course_form_data(form), by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已创建课程“%(title)s”。请添加课次，然后发布。") % {"title": course.title})
                return redirect("courses:console_course", pk=course.pk)
    return render(request, "courses/console_form.html", {"form": form, "section": "courses"}, status=status)


@console_page
def console_edit(request, pk):
    course = _visible_course(request, pk)
    require_permission(request.user, CHANGE, course.node_path)
    o = course.offering

    def local(v):
        return timezone.localtime(v).strftime("%Y-%m-%dT%H:%M") if v else ""

    initial = {"title": o.title, "capacity": o.capacity, "audience": o.audience, "waitlist": o.waitlist,
               "hardship_first": o.hardship_first, "opens_at": local(o.opens_at), "closes_at": local(o.closes_at),
               **{f: getattr(course, f) for f in svc.COURSE_FIELDS}}
    form = CourseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                svc.update_course(course, _course_form_data(form), by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("课程信息已保存。"))
                return redirect("courses:console_course", pk=course.pk)
    return render(request, "courses/console_form.html", {"form": form, "course": course, "section": "courses"},
                  status=status)


def _roster_url(course) -> str:
    try:
        return reverse("enrolment:roster", kwargs={"pk": course.pk})
    except NoReverseMatch:
        return ""


@console_page
def console_course(request, pk):
    course = _visible_course(request, pk)
    user = request.user
    rows = svc.standings(course)
    sessions = list(course.sessions.unscoped().annotate(n_present=Count("attendance", filter=Q(attendance__present=True))))
    subsidies = {s.enrolment_id: s for s in TrainingSubsidy.objects.unscoped().filter(course=course)}
    for r in rows:
        r.subsidy = subsidies.get(r.enrolment.pk)
    return render(request, "courses/console_course.html", {
        "course": course, "offering": course.offering, "rows": rows, "sessions": sessions,
        "session_form": SessionForm(), "roster_url": _roster_url(course),
        "can_change": has_permission(user, CHANGE, course.node_path),
        "can_approve": has_permission(user, APPROVE, course.node_path),
        "passed": sum(1 for r in rows if r.outcome.passed),
        "certified": sum(1 for r in rows if r.certificate and not r.certificate.revoked),
        "subsidy_total": sum((s.amount for s in subsidies.values()), 0),
        "section": "courses"})


@console_page
def console_results_xlsx(request, pk):
    """The course's trainees with attendance, score, the pass rule's verdict and certificate, as .xlsx."""
    course = _visible_course(request, pk)
    return results_response(request, course)


def _post_action(request, pk, action, done_message):
    course = _visible_course(request, pk)
    try:
        result = action(course)
    except ValidationError as error:
        for m in error.messages:
            messages.error(request, m)
    else:
        messages.success(request, done_message(result))
    return redirect("courses:console_course", pk=course.pk)


@console_page
@require_POST
def console_publish(request, pk):
    return _post_action(request, pk, lambda c: svc.publish_course(c, by=request.user),
                        lambda c: _("课程已发布，职工可以在网上工会报名。"))


def _session_page(request, course, save, done: str, *, session=None, initial=None):
    """The add and edit form of a session: ``save(cleaned_data)`` calls the service."""
    require_permission(request.user, CHANGE, course.node_path)
    form = SessionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("courses:console_course", pk=course.pk)
    return render(request, "courses/console_session_form.html", {"form": form, "course": course, "session": session,
                                                                  "section": "courses"}, status=status)


@console_page
def console_session_add(request, pk):
    course = _visible_course(request, pk)
    return _session_page(request, course, lambda data: svc.add_session(course, data, by=request.user),
                         _("已添加课次。"))


@console_page
def console_session_edit(request, pk):
    session = _visible_session(request, pk)
    local = "%Y-%m-%dT%H:%M"
    initial = {"starts_at": timezone.localtime(session.starts_at).strftime(local),
               "ends_at": timezone.localtime(session.ends_at).strftime(local),
               "topic": session.topic, "teacher": session.teacher, "place": session.place}
    return _session_page(request, session.course, lambda data: svc.change_session(session, data, by=request.user),
                         _("课次已修改。"), session=session, initial=initial)


@console_page
def console_roll_call(request, pk):
    session = _visible_session(request, pk)
    course = session.course
    require_permission(request.user, CHANGE, course.node_path)
    people = list(svc.trainees(course))
    marked = dict(session.attendance.unscoped().values_list("enrolment_id", "present"))
    errors = []
    status = 200
    if request.method == "POST":
        try:
            counts = svc.record_roll_call(session, request.POST.getlist("present"), by=request.user)
        except ValidationError as error:
            errors = error.messages
            status = 422
        else:
            messages.success(request, _("点名已保存：出勤%(p)d人，缺勤%(a)d人。") % {
                "p": counts["present"], "a": counts["absent"]})
            return redirect("courses:console_course", pk=course.pk)
    for e in people:
        # Before the first roll call everybody is ticked: staff untick the absent.
        e.is_present = marked.get(e.pk, not marked)
    return render(request, "courses/console_roll_call.html", {
        "session": session, "course": course, "people": people, "errors": errors, "section": "courses"},
        status=status)


@console_page
def console_results(request, pk):
    course = _visible_course(request, pk)
    require_permission(request.user, CHANGE, course.node_path)
    people = list(svc.trainees(course))
    existing = {r.enrolment_id: r for r in course.results.unscoped()}
    errors: dict = {}
    taken_on = request.POST.get("taken_on") or (
        next(iter(existing.values())).taken_on.isoformat() if existing else timezone.localdate().isoformat())
    status = 200
    if request.method == "POST":
        scores = {e.pk: request.POST.get(f"score_{e.pk}", "").strip() for e in people}
        try:
            n = svc.record_scores(course, scores, taken_on=taken_on, by=request.user)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            status = 422
        else:
            messages.success(request, _("成绩已保存（%(n)d人）。") % {"n": n})
            return redirect("courses:console_course", pk=course.pk)
    for e in people:
        e.score_value = request.POST.get(f"score_{e.pk}") if request.method == "POST" else (
            existing[e.pk].score if e.pk in existing else "")
        e.score_errors = errors.get(f"score_{e.pk}", [])
    general = [m for k, ms in errors.items() if not k.startswith("score_") for m in ms]
    return render(request, "courses/console_results.html", {
        "course": course, "people": people, "taken_on": taken_on, "errors": general, "section": "courses"},
        status=status)


@console_page
@require_POST
def console_evaluate(request, pk):
    def done(result):
        return _("评定完成：新发证书%(issued)d张，此前已发%(already)d张，未通过%(failed)d人。") % {
            "issued": len(result.issued), "already": result.already, "failed": len(result.failed)}

    course = _visible_course(request, pk)
    require_permission(request.user, APPROVE, course.node_path)
    return _post_action(request, pk, lambda c: svc.evaluate_course(c, by=request.user), done)


@console_page
@require_POST
def console_subsidies(request, pk):
    course = _visible_course(request, pk)
    require_permission(request.user, APPROVE, course.node_path)
    return _post_action(request, pk, lambda c: svc.pay_subsidies(c, by=request.user),
                        lambda paid: _("已发放培训补贴%(n)d人，记入职工服务台账。") % {"n": len(paid)})


def _visible_certificate(request, pk) -> Certificate:
    return get_visible_or_404(Certificate.objects.select_related("course__offering__node"), request.user, VIEW, pk=pk)


@console_page
def console_certificate_pdf(request, pk):
    cert = _visible_certificate(request, pk)
    return _pdf_response(render_certificate(cert, request), f"{cert.number}.pdf")


@console_page
def console_certificate_revoke(request, pk):
    cert = _visible_certificate(request, pk)
    require_permission(request.user, APPROVE, cert.node_path)
    form = RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                svc.revoke_certificate(cert, form.cleaned_data.get("reason", ""), by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("证书%(number)s已撤销，查验页面将显示“已撤销”。") % {"number": cert.number})
                return redirect("courses:console_course", pk=cert.course_id)
    return render(request, "courses/console_revoke.html", {
        "form": form, "cert": cert, "section": "courses",
        "qr": qr_svg(verify_url(cert.number, request), title=cert.number)}, status=status)


@console_page
def console_targets(request):
    user = request.user
    nodes = svc.course_nodes(user, APPROVE)
    form = TargetForm(request.POST or None, nodes=nodes, initial={"year": timezone.localdate().year,
                                                                  "occupation": _("育婴师")})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                svc.create_target(form.cleaned_data["node"], form.cleaned_data, by=user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("培训目标已设定。"))
                return redirect("courses:console_targets")
    targets = list(TrainingTarget.objects.visible_to(user, VIEW).select_related("node").order_by("-year", "node_path"))
    for t in targets:
        t.progress = svc.target_progress(t)
    return render(request, "courses/console_targets.html", {
        "targets": targets, "form": form, "can_create": nodes.exists(), "section": "courses"}, status=status)


@console_page
def console_uplift(request):
    qs = (UpliftApplication.objects.visible_to(request.user, VIEW)
          .select_related("case", "case__node", "worker").prefetch_related(Prefetch("instalments", queryset=UpliftInstalment.objects.unscoped())).order_by("-case_id"))
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(case__state=state)
    from gonghui.courses.uplift import EDUCATION_UPLIFT

    counts = dict(UpliftApplication.objects.visible_to(request.user, VIEW).values("case__state")
                  .annotate(n=Count("pk")).values_list("case__state", "n").order_by())
    tabs = [(s.name, s.label, counts.get(s.name, 0)) for s in EDUCATION_UPLIFT.states]
    return render(request, "courses/console_uplift.html", {
        "applications": list(qs[:200]), "tabs": tabs, "state": state, "section": "courses"})
