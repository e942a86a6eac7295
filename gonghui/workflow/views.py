from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.audit.services import audited_delete, audited_save
from gonghui.core.forms import apply_errors
from gonghui.workflow import declarations, services
from gonghui.workflow.access import get_case_or_404
from gonghui.workflow.forms import AttachmentForm, CommentForm, HolidayOverrideForm, transition_form
from gonghui.workflow.models import CaseAttachment, HolidayOverride

WORKER_LOGIN = "accounts:worker_login"


def _staff_only(request):
    if request.user.is_worker:
        raise Http404


def _case_context(request, case, *, forms=None, comment_form=None, attachment_form=None, staff=True):
    allowed = services.available_transitions(case, request.user)
    forms = forms or {}
    events = case.events.unscoped().order_by("at", "id")
    attachments = case.attachments.unscoped().order_by("uploaded_at")
    if not staff:
        events = events.filter(visible_to_applicant=True)
        attachments = attachments.filter(visible_to_applicant=True)
    return {
        "case": case,
        "case_type": case.type,
        "actions": [(t, forms.get(t.name) or transition_form(t, case)) for t in allowed],
        "events": events,
        "attachments": attachments,
        "comment_form": comment_form or CommentForm(),
        "attachment_form": attachment_form or AttachmentForm(),
    }


@login_required
def case_page(request, pk):
    """The console's case page: who and what, state and due time, actions, timeline, files."""
    _staff_only(request)
    case = get_case_or_404(request.user, pk)
    return render(request, "workflow/case.html", _case_context(request, case))


def _portal_or_console(request, case):
    return "workflow:portal_case" if services.is_applicant(case, request.user) else "workflow:case"


@require_POST
@login_required
def take_transition(request, pk, name):
    case = get_case_or_404(request.user, pk)
    transition = case.type.transition(name)
    if transition is None:
        raise Http404
    form = transition_form(transition, case, request.POST)
    staff = not services.is_applicant(case, request.user)
    status = 422
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            case = services.perform_transition(case, name, by=request.user, version=form.cleaned_data["version"],
                                               data=data)
        except services.StaleCase as stale:
            messages.error(request, str(stale))
            case, status = stale.case, 409
            form = None
        except PermissionDenied as denied:
            raise PermissionDenied(str(denied)) from None
        except ValidationError as error:
            apply_errors(form, error)  # a hook may refuse with field errors or with plain sentences
        else:
            messages.success(request, _("已%(action)s。") % {"action": transition.label})
            if staff and not services.may_view(case, request.user):
                # Handed out of the user's scope (转办): its page would now be a 404.
                return redirect("console:home")
            return redirect(_portal_or_console(request, case), pk=case.pk)
    template = "workflow/case.html" if staff else "workflow/portal_case.html"
    ctx = _case_context(request, case, forms={name: form} if form else None, staff=staff)
    return render(request, template, ctx, status=status)


@require_POST
@login_required
def comment(request, pk):
    case = get_case_or_404(request.user, pk)
    form = CommentForm(request.POST)
    staff = not services.is_applicant(case, request.user)
    if form.is_valid():
        try:
            services.add_comment(case, form.cleaned_data["text"], by=request.user,
                                 internal=staff and form.cleaned_data["internal"])
        except ValidationError as error:
            form.add_error("text", error.messages)
        else:
            messages.success(request, _("留言已发送。"))
            return redirect(_portal_or_console(request, case), pk=case.pk)
    template = "workflow/case.html" if staff else "workflow/portal_case.html"
    return render(request, template, _case_context(request, case, comment_form=form, staff=staff), status=422)


@require_POST
@login_required
def attach(request, pk):
    case = get_case_or_404(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    staff = not services.is_applicant(case, request.user)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.GONGHUI_ATTACHMENT_MAX_BYTES:
            form.add_error("file", _("文件不能超过%(size)s。") % {
                "size": filesizeformat(settings.GONGHUI_ATTACHMENT_MAX_BYTES)})
        else:
            try:
                services.add_attachment(case, services.Upload(upload.name, upload.read()), by=request.user,
                                        internal=staff and form.cleaned_data["internal"])
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                messages.success(request, _("附件已上传。"))
                return redirect(_portal_or_console(request, case), pk=case.pk)
    template = "workflow/case.html" if staff else "workflow/portal_case.html"
    return render(request, template, _case_context(request, case, attachment_form=form, staff=staff), status=422)


@login_required
def download(request, pk):
    attachment = CaseAttachment.objects.unscoped().select_related("case").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    case = get_case_or_404(request.user, attachment.case_id)
    if services.is_applicant(case, request.user) and not attachment.visible_to_applicant:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=not attachment.content_type.startswith("image/"),
                        filename=attachment.name, content_type=attachment.content_type)


@login_required(login_url=WORKER_LOGIN)
def portal_case(request, pk):
    """The applicant's view: plain-word status, the visible timeline, replies, their own actions."""
    case = get_case_or_404(request.user, pk)
    if not services.is_applicant(case, request.user):
        return redirect("workflow:case", pk=case.pk)
    return render(request, "workflow/portal_case.html", _case_context(request, case, staff=False))


@login_required
def diagram(request, name):
    """States and transitions of a case type, drawn from its declaration."""
    _staff_only(request)
    case_type = declarations.REGISTRY.get(name)
    if case_type is None:
        raise Http404
    diagram_data = {
        "nodes": [{"name": s.name, "value": str(s.label), "label": {"formatter": str(s.label)},
                   "itemStyle": {"color": "#495057"} if s.terminal else {}} for s in case_type.states],
        "links": [{"source": source, "target": t.target, "label": str(t.label)}
                  for t in case_type.transitions for source in t.sources],
    }
    return render(request, "workflow/diagram.html", {"case_type": case_type, "diagram_data": diagram_data})


@login_required
def holiday_calendar(request):
    _staff_only(request)
    if not services.may_manage_calendar(request.user):
        raise PermissionDenied
    form = HolidayOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        audited_save(form.save(commit=False), request.user, event="calendar.override_saved")
        messages.success(request, _("已保存。"))
        return redirect("workflow:calendar")
    return render(request, "workflow/calendar.html", {
        "form": form, "overrides": HolidayOverride.objects.all()[:500],
    }, status=422 if request.method == "POST" else 200)


@require_POST
@login_required
def delete_override(request, pk):
    _staff_only(request)
    if not services.may_manage_calendar(request.user):
        raise PermissionDenied
    audited_delete(get_object_or_404(HolidayOverride, pk=pk), request.user, event="calendar.override_deleted")
    messages.success(request, _("已删除。"))
    return redirect("workflow:calendar")

