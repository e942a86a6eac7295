"""Console pages of the roster import (批量导入会员) under /console/members/imports/.

Thin: every rule is in members.importing; these pages pick the batch through the scoped manager
(another district's batch is 404), show its report and progress, and call the service.
The upload page refuses a too-big file from its Content-Length before reading the body: it is
exempt from the CSRF middleware (which would read the whole body first) and checks the token
itself once the size is known to be acceptable.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import ScopedListView, StaffRequiredMixin
from gonghui.members import importing
from gonghui.members.importing_files import body_too_large, guard_upload, max_bytes, too_big_message
from gonghui.members.importing_rows import FIELDS, IGNORE
from gonghui.members.models import ImportBatch
from gonghui.orgs.models import UnionNode

PERMISSION = "members.import"


class UploadForm(forms.Form):
    union = forms.ModelChoiceField(label=gettext_lazy("导入到哪个工会"), queryset=None,
                                   empty_label=gettext_lazy("请选择基层工会"),
                                   error_messages={"required": gettext_lazy("请选择要导入到哪个基层工会。"),
                                                   "invalid_choice": gettext_lazy("请从列表中选择基层工会。")})
    file = forms.FileField(label=gettext_lazy("花名册文件"),
                           help_text=gettext_lazy(".xlsx、.xls、.et、.ods 或 .csv（UTF-8或GBK编码）"),
                           error_messages={"required": gettext_lazy("请选择要上传的花名册文件。"),
                                           "empty": gettext_lazy("文件是空的（0字节），请选择填好的会员花名册。")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = importing.union_choices(user)
        self.fields["union"].label_from_instance = lambda node: node.name
        self.fields["file"].widget.attrs.update({
            "accept": ".xlsx,.xls,.et,.ods,.csv", "data-max-bytes": str(max_bytes()),
            "data-too-big": too_big_message()})


class ImportListView(ScopedListView):
    """Earlier batches in the user's scope and the upload form."""

    model = ImportBatch
    permission = PERMISSION
    template_name = "members/import_list.html"
    partial_template_name = "members/_import_table.html"

    def get_queryset(self):
        return self.base_queryset().select_related("union", "created_by").order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        initial = {}
        if self.request.GET.get("union", "").isdigit():
            initial["union"] = self.request.GET["union"]
        ctx.setdefault("form", UploadForm(user=self.request.user, initial=initial))
        ctx["max_mb"] = max_bytes() // (1024 * 1024)
        return ctx


@method_decorator(csrf_exempt, name="dispatch")
class ImportUploadView(StaffRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker" and not has_permission(
                request.user, PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return redirect("members:imports")

    def post(self, request):
        if body_too_large(request):  # refused before a byte of the body is read
            return self._error(request, None, too_big_message(), status=413)
        guard_upload(request)
        return _upload(request, self)

    def handle(self, request):
        request.FILES  # noqa: B018 — parse the body now, through the size-limiting handler
        if getattr(request, "import_too_large", False):
            return self._error(request, None, too_big_message(), status=413)
        union_id = request.POST.get("union", "")
        if union_id.isdigit():  # another district's union is 404, like every out-of-scope id
            get_visible_or_404(UnionNode, request.user, "members.view", pk=int(union_id))
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._error(request, form, None)
        try:
            batch = importing.start_import(form.cleaned_data["file"], form.cleaned_data["union"], by=request.user)
        except importing.BadFile as e:
            form.add_error("file", e.message)
            return self._error(request, form, None)
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self._error(request, form, None)
        return redirect(batch.get_absolute_url())

    def _error(self, request, form, text, status=422):
        view = ImportListView()
        view.setup(request)
        view.object_list = view.get_queryset()
        ctx = view.get_context_data(form=form or UploadForm(user=request.user))
        ctx["upload_error"] = text
        return render(request, "members/import_list.html", ctx, status=status)


@csrf_protect
def _upload(request, view):
    return view.handle(request)


class BatchMixin(StaffRequiredMixin):
    """The batch in the URL, if the user may import there (another district's is 404)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.kind != "worker":
            # Out of scope is 404; inside it without the import permission, 403.
            self.batch = get_visible_or_404(
                ImportBatch.objects.select_related("union", "created_by", "committed_by"),
                request.user, "members.view", pk=kwargs["pk"])
            require_permission(request.user, PERMISSION, self.batch.node_path)
        return super().dispatch(request, *args, **kwargs)


def _columns(batch: ImportBatch) -> list[dict]:
    choices = [(IGNORE, _("不导入"))] + [(key, str(label)) for key, label in FIELDS.items()]
    columns = []
    for column in batch.report.get("columns", []):
        chosen = column.get("field")
        columns.append({**column, "choices": choices, "chosen": "" if chosen is None else chosen,
                        "unknown": column.get("auto") is None})
    return columns


def batch_context(batch: ImportBatch) -> dict:
    report = batch.report or {}
    return {
        "batch": batch,
        "report": report,
        "columns": _columns(batch) if batch.status == ImportBatch.Status.MAPPING else [],
        "may_commit": batch.status == ImportBatch.Status.CHECKED and batch.valid_rows > 0,
        "imported_before": report.get("imported_before"),
    }


class ImportDetailView(BatchMixin, View):
    def get(self, request, pk):
        return render(request, "members/import_detail.html", batch_context(self.batch))


class ImportProgressView(BatchMixin, View):
    """The progress bar alone, polled by HTMX while a task works; reloads the page when done."""

    def get(self, request, pk):
        response = render(request, "members/_import_progress.html", {"batch": self.batch})
        if not self.batch.running and getattr(request, "htmx", False):
            response["HX-Refresh"] = "true"
        return response


class ImportMappingView(BatchMixin, View):
    def post(self, request, pk):
        mapping = {}
        for column in self.batch.report.get("columns", []):
            value = request.POST.get(f"col-{column['index']}")
            if value is not None:
                mapping[column["header"]] = value
        try:
            importing.choose_columns(self.batch, mapping, by=request.user)
        except importing.ImportRefused as e:
            messages.warning(request, e.message)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        return redirect("members:import_detail", pk=pk)


class ImportCommitView(BatchMixin, View):
    def post(self, request, pk):
        try:
            batch = importing.commit(self.batch, by=request.user)
        except importing.ImportRefused as e:
            messages.warning(request, e.message)
        else:
            if batch.status == ImportBatch.Status.COMMITTED:
                messages.success(request, _("已导入%(n)d名会员。") % {"n": batch.created_rows})
            elif batch.status == ImportBatch.Status.FAILED:
                messages.error(request, batch.error)
            else:
                messages.info(request, _("正在后台导入，可以离开本页，稍后回来查看结果。"))
        return redirect("members:import_detail", pk=pk)


class ImportRejectedView(BatchMixin, View):
    """The rejected rows as .xlsx, ready to correct and upload again (audited)."""

    def get(self, request, pk):
        try:
            handle = importing.rejected_rows_file(self.batch, by=request.user)
        except importing.ImportRefused as e:
            messages.info(request, e.message)
            return redirect("members:import_detail", pk=pk)
        return FileResponse(handle, as_attachment=True, filename=importing.download_name(self.batch),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class ImportTemplateView(StaffRequiredMixin, View):
    """An empty roster with the columns the import knows and one example row."""

    def get(self, request):
        if not has_permission(request.user, PERMISSION):
            raise PermissionDenied
        data = importing.template_workbook()
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''" + _url_quote(_("会员花名册模板.xlsx"))
        return response


def _url_quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
