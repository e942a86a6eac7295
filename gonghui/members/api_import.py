"""Roster import over the API: ``/api/v1/members/imports/…`` — the same action as the console page.

POST / (multipart: file, union_id, optional mapping as JSON) stores the file and checks it (small
files at once, large ones as a task: poll GET /{id}); POST /{id}/mapping answers the columns the
check did not recognise; POST /{id}/commit writes the valid rows (409 when it was already done);
GET /{id}/rejected returns the rejected rows as .xlsx. A body larger than GONGHUI_IMPORT_MAX_MB is
refused (413) from its Content-Length before it is read.
"""

import datetime
import json

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.api import ApiError, api_auth
from gonghui.core.scope import get_visible_or_404, require_permission
from gonghui.members import importing
from gonghui.members.importing_files import body_too_large, guard_upload, too_big_message
from gonghui.members.models import ImportBatch
from gonghui.orgs.models import UnionNode

router = Router(tags=["members"])

PERMISSION = "members.import"


class BatchOut(Schema):
    id: int
    union_id: int
    union_name: str
    file_name: str
    file_sha256: str
    file_size: int
    status: str
    status_label: str
    total_rows: int
    processed_rows: int
    valid_rows: int
    existing_rows: int
    rejected_rows: int
    created_rows: int
    column_mapping: dict
    report: dict
    error: str
    imported_before: dict | None
    rejected_url: str | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


class MappingIn(Schema):
    mapping: dict[str, str]


def _out(batch: ImportBatch) -> dict:
    report = dict(batch.report or {})
    return {
        "id": batch.pk, "union_id": batch.union_id, "union_name": batch.union.name, "file_name": batch.file_name,
        "file_sha256": batch.file_sha256, "file_size": batch.file_size, "status": batch.status,
        "status_label": batch.status_label, "total_rows": batch.total_rows, "processed_rows": batch.processed_rows,
        "valid_rows": batch.valid_rows, "existing_rows": batch.existing_rows, "rejected_rows": batch.rejected_rows,
        "created_rows": batch.created_rows, "column_mapping": batch.column_mapping, "report": report,
        "error": batch.error, "imported_before": report.get("imported_before"),
        "rejected_url": f"/api/v1/members/imports/{batch.pk}/rejected" if batch.rejected_file else None,
        "created_at": batch.created_at, "finished_at": batch.finished_at,
    }


def _batch(request, batch_id: int) -> ImportBatch:
    batch = get_visible_or_404(ImportBatch.objects.select_related("union"), request.user, "members.view",
                               pk=batch_id)
    require_permission(request.user, PERMISSION, batch.node_path)
    return batch


class UploadSizeGuard:
    """Runs before authentication reads the body: refuses a too-big upload from its declared size
    and puts the import's size limit in front of Django's upload handlers."""

    def __call__(self, request):
        if body_too_large(request):
            raise ApiError(413, "file_too_large", too_big_message())
        guard_upload(request)
        return None


@router.get("/", response=list[BatchOut], summary="导入批次列表（管辖范围内）")
@paginate(LimitOffsetPagination)
def list_batches(request, union_id: int | None = None, status: str | None = None):
    qs = ImportBatch.objects.visible_to(request.user, PERMISSION).select_related("union")
    if union_id is not None:
        qs = qs.filter(union_id=union_id)
    if status:
        qs = qs.filter(status=status)
    return _Mapped(qs.order_by("-created_at", "-id"))


class _Mapped:
    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_out(b) for b in self.qs[item]]


@router.post("/", response={201: BatchOut}, auth=[UploadSizeGuard(), *api_auth],
             summary="上传花名册并校验（multipart：file、union_id，可选 mapping 为 JSON）")
def upload(request, union_id: Form[int], file: File[UploadedFile] = None, mapping: Form[str] = ""):
    if getattr(request, "import_too_large", False):  # the body has been parsed to get ``file``
        raise ApiError(413, "file_too_large", too_big_message())
    if file is None:
        raise ApiError(422, "file_required", _("请选择要上传的花名册文件。"))
    union = get_visible_or_404(UnionNode, request.user, "members.view", pk=union_id)
    chosen = None
    if mapping:
        try:
            chosen = json.loads(mapping)
        except ValueError:
            chosen = None
        if not isinstance(chosen, dict):
            raise ApiError(422, "invalid", _("mapping 应为 JSON 对象，如 {\"证件号\": \"id_number\", \"备用电话\": \"\"}。"))
    try:
        batch = importing.start_import(file, union, by=request.user, file_name=file.name, mapping=chosen)
    except importing.BadFile as e:
        raise ApiError(422, e.code, e.message) from None
    return Status(201, _out(batch))


@router.get("/{int:batch_id}", response=BatchOut, summary="一个导入批次：状态、进度和报告")
def get_batch(request, batch_id: int):
    return _out(_batch(request, batch_id))


@router.post("/{int:batch_id}/mapping", response=BatchOut,
             summary="指定列的对应字段（列名 → 字段，空字符串表示不导入），随后重新校验")
def set_mapping(request, batch_id: int, payload: MappingIn):
    batch = _batch(request, batch_id)
    try:
        batch = importing.choose_columns(batch, payload.mapping, by=request.user)
    except importing.ImportRefused as e:
        raise ApiError(409, e.code, e.message) from None
    except ValidationError:
        raise
    return _out(batch)


@router.post("/{int:batch_id}/commit", response=BatchOut, summary="确认导入：写入全部有效行（重复提交返回409）")
def commit(request, batch_id: int):
    batch = _batch(request, batch_id)
    try:
        batch = importing.commit(batch, by=request.user)
    except importing.ImportRefused as e:
        raise ApiError(409, e.code, e.message) from None
    return _out(batch)


@router.get("/{int:batch_id}/rejected", summary="有错误的行（.xlsx，含“错误原因”列）",
            openapi_extra={"responses": {200: {"description": ".xlsx", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}})
def rejected(request, batch_id: int):
    batch = _batch(request, batch_id)
    try:
        handle = importing.rejected_rows_file(batch, by=request.user)
    except importing.ImportRefused as e:
        raise ApiError(404, e.code, e.message) from None
    return FileResponse(handle, as_attachment=True, filename=importing.download_name(batch),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
