"""The roster import's routes for the shared scope test: a batch inside district 2 is neither listed,
read, mapped, committed nor downloaded by district 1's admin (404, nothing changed, no audit entry),
while district 2's admin can."""

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.tests.scopecases import ScopeCase
from gonghui.members.tests.importing_fixtures import HEADER, people, roster_csv

FILE_NAME = "西城纺织厂花名册.csv"


def _roster(extra_column: bool = False) -> bytes:
    persons = people(3, seed=42)
    persons.append({**persons[0], "序号": "4", "身份证号": "320102199001011000"})  # a rejected row
    header = HEADER + (["血型"] if extra_column else [])
    return roster_csv(persons, header=header)


def _checked_batch(env):
    from gonghui.members import importing

    batch = importing.start_import(SimpleUploadedFile(FILE_NAME, _roster()), env.tree.g2, by=env.staff.d2_admin)
    assert batch.status == "checked" and batch.valid_rows == 3 and batch.rejected_file, batch.report
    return batch


def _mapping_batch(env):
    from gonghui.members import importing

    batch = importing.start_import(SimpleUploadedFile(FILE_NAME, _roster(extra_column=True)), env.tree.g2,
                                   by=env.staff.d2_admin)
    assert batch.status == "mapping", batch.report
    return batch


def _g2(env):
    return env.tree.g2


def _upload_data(obj):
    return {"union": obj.pk, "file": SimpleUploadedFile(FILE_NAME, _roster())}


def _api_upload_data(obj):
    return {"union_id": obj.pk, "file": SimpleUploadedFile(FILE_NAME, _roster())}


def _marker(obj):
    return FILE_NAME


def _mapping_data(obj):
    column = next(c for c in obj.report["columns"] if c["header"] == "血型")
    return {f"col-{column['index']}": ""}


CASES = [
    ScopeCase("members:imports", _checked_batch, kind="list", kwargs=lambda obj: {}, marker=_marker),
    ScopeCase("members:import_detail", _checked_batch),
    ScopeCase("members:import_progress", _checked_batch),
    ScopeCase("members:import_rejected", _checked_batch),
    ScopeCase("members:import_commit", _checked_batch, kind="change"),
    ScopeCase("members:import_mapping", _mapping_batch, kind="change", data=_mapping_data),
    ScopeCase("members:import_upload", _g2, kind="create", kwargs=lambda obj: {}, data=_upload_data),
    ScopeCase("GET /api/v1/members/imports/", _checked_batch, kind="list", kwargs=lambda obj: {}, marker=_marker),
    ScopeCase("GET /api/v1/members/imports/{int:batch_id}", _checked_batch,
              kwargs=lambda obj: {"batch_id": obj.pk}),
    ScopeCase("GET /api/v1/members/imports/{int:batch_id}/rejected", _checked_batch,
              kwargs=lambda obj: {"batch_id": obj.pk}),
    ScopeCase("POST /api/v1/members/imports/{int:batch_id}/commit", _checked_batch, kind="change",
              kwargs=lambda obj: {"batch_id": obj.pk}),
    ScopeCase("POST /api/v1/members/imports/{int:batch_id}/mapping", _mapping_batch, kind="change",
              kwargs=lambda obj: {"batch_id": obj.pk}, data=lambda obj: {"mapping": {"血型": ""}}),
    ScopeCase("POST /api/v1/members/imports/", _g2, kind="create", kwargs=lambda obj: {}, multipart=True,
              data=_api_upload_data),
]

EXEMPT = {
    "members:import_template": "an empty roster template (.xlsx) with example data; reads no union's rows",
}
