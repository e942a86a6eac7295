"""The roster import as a service (members.importing): dry run, commit, undo, idempotency, conflicts,
column mapping and the file formats."""

import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.audit.models import AuditEntry
from gonghui.core import crypto
from gonghui.members import importing, services
from gonghui.members.models import ImportBatch, Membership, Worker
from gonghui.members.numbers import PREFIX
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.members.tests.importing_fixtures import (
    HEADER,
    people,
    roster_csv,
    roster_ods,
    roster_xlsx,
    upload,
)
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status


def _start(content, union, by, name="花名册.csv", **kwargs):
    return importing.start_import(upload(content, name), union, by=by, **kwargs)


def _rejected_sheet(batch):
    book = openpyxl.load_workbook(io.BytesIO(batch.rejected_file.read()))
    batch.rejected_file.close()
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_dry_run_reports_and_writes_nothing(tree, staff):
    persons = people(6)
    persons[1]["身份证号"] = persons[1]["身份证号"][:17] + ("0" if persons[1]["身份证号"][17] != "0" else "1")
    persons[2]["手机号"] = "85291234567"
    persons[3]["身份证号"] = persons[0]["身份证号"]
    persons[3]["性别"] = persons[0]["性别"]
    batch = _start(roster_csv(persons), tree.g1, staff.g1_handler)

    assert batch.status == Status.CHECKED
    assert (batch.total_rows, batch.valid_rows, batch.existing_rows, batch.rejected_rows) == (6, 3, 0, 3)
    assert not Worker.objects.unscoped().exists() and not Membership.objects.unscoped().exists()
    reasons = {r["code"]: r["count"] for r in batch.report["reasons"]}
    assert reasons == {"id_checksum": 1, "mobile_invalid": 1, "id_duplicate": 1}
    rows = {s["row"]: s["messages"] for s in batch.report["samples"]}
    assert rows[3] == ["身份证号第18位校验码不正确，请核对。"]
    assert rows[4] == ["手机号码不正确，请输入中国大陆11位手机号码。"]
    assert rows[5] == ["身份证号与第2行重复，同一人只能出现一次。"]  # names the first occurrence
    # The samples mask ID numbers; the rejected file keeps what was uploaded, to be corrected.
    assert all("*" in s["id_number"] for s in batch.report["samples"])
    sheet = _rejected_sheet(batch)
    assert sheet[0] == HEADER + ["错误原因"]
    assert [r[3] for r in sheet[1:]] == [persons[1]["身份证号"], persons[2]["身份证号"], persons[3]["身份证号"]]
    assert sheet[3][-1] == "身份证号与第2行重复，同一人只能出现一次。"


def test_rejected_file_keeps_id_numbers_as_text(tree, staff):
    persons = people(2)
    persons[0]["手机号"] = "123"
    batch = _start(roster_csv(persons), tree.g1, staff.g1_handler)
    book = openpyxl.load_workbook(io.BytesIO(batch.rejected_file.read()))
    cell = book.active.cell(row=2, column=HEADER.index("身份证号") + 1)
    assert cell.data_type == "s" and cell.value == persons[0]["身份证号"]
    assert cell.number_format == "@"  # typing a new number there stays text


def test_commit_writes_every_column_raw_sql_needs(tree, staff):
    persons = people(5)
    batch = _start(roster_csv(persons), tree.g1, staff.g1_handler)
    batch = importing.commit(batch, by=staff.g1_handler)

    assert batch.status == Status.COMMITTED and batch.created_rows == 5
    assert batch.committed_by == staff.g1_handler and batch.finished_at
    first = persons[0]
    worker = services.find_worker_by_id_number(first["身份证号"])
    assert worker.name == first["姓名"] and worker.import_batch_id == batch.pk
    assert worker.full_id_number() == first["身份证号"]
    assert worker.id_number_masked == crypto.mask_id_number(first["身份证号"])
    from gonghui.members.pinyin import name_keys

    assert (worker.name_pinyin, worker.name_initials) == name_keys(first["姓名"])
    assert worker.gender == ("M" if first["性别"] == "男" else "F")
    assert worker.birth_date == datetime.date(int(first["身份证号"][6:10]), int(first["身份证号"][10:12]),
                                              int(first["身份证号"][12:14]))
    assert worker.mobile == first["手机号"] and worker.ethnicity == "汉族" and worker.employer == "东城机械厂"
    assert worker.created_at and worker.updated_at
    membership = Membership.objects.unscoped().get(worker=worker)
    assert membership.union == tree.g1 and membership.node_path == tree.g1.path
    assert membership.sort_name == worker.name_pinyin and membership.status == Membership.Status.ACTIVE
    assert membership.joined_on == datetime.date(2023, 5, 1) and membership.import_batch_id == batch.pk
    assert membership.member_number.startswith(PREFIX) and len(membership.member_number) == 11
    assert Membership.objects.visible_to(staff.g1_viewer, "members.view").count() == 5
    numbers = set(Membership.objects.unscoped().values_list("member_number", flat=True))
    assert len(numbers) == 5
    # One audit entry for the batch, with its counts, not one per row.
    entries = AuditEntry.objects.unscoped().filter(action=AuditEntry.Action.IMPORT)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.event == "members.imported" and entry.node_id == tree.g1.pk
    assert entry.extra["created_memberships"] == 5 and entry.extra["created_workers"] == 5
    assert entry.extra["import_batch"] == batch.pk


def test_second_commit_does_nothing_and_says_so(tree, staff):
    batch = _start(roster_csv(people(3)), tree.g1, staff.g1_handler)
    stale = ImportBatch.objects.unscoped().get(pk=batch.pk)
    importing.commit(batch, by=staff.g1_handler)
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(stale, by=staff.g1_handler)  # a double click sends the page's stale batch
    assert refused.value.code == "already_committed"
    assert refused.value.message == "该批次已经导入过了，不会重复写入。"
    assert Membership.objects.unscoped().count() == 3
    assert AuditEntry.objects.unscoped().filter(action=AuditEntry.Action.IMPORT).count() == 1


def test_reupload_of_the_same_file_creates_no_duplicates(tree, staff):
    content = roster_csv(people(4))
    first = importing.commit(_start(content, tree.g1, staff.g1_handler), by=staff.g1_handler)
    again = _start(content, tree.g1, staff.g1_handler)
    assert again.file_sha256 == first.file_sha256
    assert again.report["imported_before"]["id"] == first.pk
    assert (again.valid_rows, again.existing_rows, again.rejected_rows) == (0, 4, 0)
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(again, by=staff.g1_handler)
    assert refused.value.code == "nothing_to_import"
    assert Membership.objects.unscoped().count() == 4 and Worker.objects.unscoped().count() == 4


def test_known_person_without_a_current_membership_gets_only_a_new_membership(tree, staff):
    persons = people(2)
    worker = WorkerFactory(name="旧名字", id_number=persons[0]["身份证号"])
    MembershipFactory(worker=worker, union=tree.g2, status=Membership.Status.LEFT)
    batch = importing.commit(_start(roster_csv(persons), tree.g1, staff.g1_handler), by=staff.g1_handler)
    assert batch.created_rows == 2 and batch.report["created_workers"] == 1
    assert Worker.objects.unscoped().count() == 2
    worker.refresh_from_db()
    assert worker.name == "旧名字" and worker.import_batch_id is None  # the person is not rewritten
    new = Membership.objects.unscoped().get(worker=worker, status=Membership.Status.ACTIVE)
    assert new.union == tree.g1 and new.import_batch_id == batch.pk


def test_active_member_elsewhere_is_a_conflict_named_only_inside_the_scope(tree, staff):
    persons = people(2)
    other = MembershipFactory(worker=WorkerFactory(id_number=persons[0]["身份证号"]), union=tree.g2)
    by_handler = _start(roster_csv(persons), tree.g1, staff.g1_handler)
    assert by_handler.rejected_rows == 1 and by_handler.valid_rows == 1
    text = by_handler.report["samples"][0]["messages"][0]
    assert text == "该身份证号已是其他工会的在册会员，请办理转会。"
    assert tree.g2.name not in str(by_handler.report)
    # The city admin sees both districts: the message names the union.
    by_city = _start(roster_csv(persons), tree.g1, staff.city_admin)
    assert by_city.report["samples"][0]["messages"][0] == f"该身份证号已是其他工会（{tree.g2.name}）的在册会员，请办理转会。"
    importing.commit(by_handler, by=staff.g1_handler)
    other.refresh_from_db()
    assert other.status == Membership.Status.ACTIVE and other.union == tree.g2  # nothing stored is lost


def test_member_numbers_from_the_file_are_checked(tree, staff):
    persons = people(4)
    MembershipFactory(member_number="GH-0001", union=tree.g2)
    header = HEADER + ["会员号"]
    persons[0]["会员号"] = "GH-0100"
    persons[1]["会员号"] = "GH-0100"
    persons[2]["会员号"] = "GH-0001"
    batch = importing.commit(_start(roster_csv(persons, header=header), tree.g1, staff.g1_handler),
                             by=staff.g1_handler)
    assert batch.created_rows == 2
    messages = {s["row"]: s["messages"][0] for s in batch.report["samples"]}
    assert messages[3] == "会员号与第2行重复。"
    assert messages[4] == "会员号GH-0001已被其他会员使用，请更正或留空由系统编号。"
    assert set(Membership.objects.unscoped().filter(union=tree.g1).values_list("member_number", flat=True)) \
        >= {"GH-0100"}


def test_a_failure_undoes_the_whole_batch(tree, staff, settings, monkeypatch):
    settings.GONGHUI_IMPORT_CHUNK_ROWS = 3
    kept = MembershipFactory(union=tree.g1)
    persons = people(8)
    known = WorkerFactory(id_number=persons[7]["身份证号"])  # a person the batch only enrols
    batch = _start(roster_csv(persons), tree.g1, staff.g1_handler)
    calls = []

    def fail_on_third_chunk(run):
        calls.append(run.processed)
        if len(calls) == 3 and run.commit:
            raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_after_chunk", fail_on_third_chunk)
    batch = importing.commit(batch, by=staff.g1_handler)
    assert batch.status == Status.FAILED
    assert batch.error == "导入过程中出错，已全部撤销，没有写入任何会员。请稍后重试；如果再次失败，请联系管理员。"
    assert not Membership.objects.unscoped().filter(import_batch=batch).exists()
    assert not Worker.objects.unscoped().filter(import_batch=batch).exists()
    assert set(Membership.objects.unscoped().values_list("pk", flat=True)) == {kept.pk}
    assert Worker.objects.unscoped().filter(pk=known.pk).exists()  # not created by the batch: kept
    entry = AuditEntry.objects.unscoped().get(event="members.import_failed")
    assert entry.extra["deleted_memberships"] == 8 and entry.extra["deleted_workers"] == 7


def test_unknown_headers_wait_for_a_mapping_that_is_remembered(tree, staff):
    header = ["姓名", "证件号", "血型", "联系电话"]
    persons = [{**p, "证件号": p["身份证号"], "血型": "A"} for p in people(3)]
    batch = _start(roster_csv(persons, header=["姓名", "公民身份号码x", "血型", "联系电话"]), tree.g1,
                   staff.g1_handler)
    assert batch.status == Status.MAPPING
    assert batch.report["unknown"] == ["公民身份号码x", "血型"]
    assert "缺少必填列" not in " ".join(batch.report["mapping_problems"])
    assert batch.report["mapping_problems"][0].startswith("还有2列没有确定")
    batch = importing.choose_columns(batch, {"公民身份号码x": "id_number", "血型": ""}, by=staff.g1_handler)
    assert batch.status == Status.CHECKED and batch.valid_rows == 0 and batch.rejected_rows == 3  # empty IDs
    assert batch.column_mapping == {"公民身份号码x": "id_number", "血型": ""}

    # The next roster of the same union with the same unknown header uses the choice at once.
    later = _start(roster_csv(persons, header=header), tree.g1, staff.g1_handler)
    assert later.status == Status.CHECKED and later.valid_rows == 3
    assert later.report["remembered"] == ["血型"]  # "证件号" is a known synonym
    other_union = _start(roster_csv(persons, header=header), UnionNodeFactory(parent=tree.d1), staff.d1_admin)
    assert other_union.status == Status.MAPPING  # another union's choices are its own


def test_mapping_problems_when_two_columns_name_one_field(tree, staff):
    header = ["姓名", "身份证号", "手机号", "联系电话"]
    persons = [{**p, "联系电话": p["手机号"]} for p in people(2)]
    batch = _start(roster_csv(persons, header=header), tree.g1, staff.g1_handler)
    assert batch.status == Status.MAPPING
    assert batch.report["mapping_problems"] == ["“手机号”和“联系电话”都对应“手机号码”，请只保留一列，把其余的设为“不导入”。"]
    batch = importing.choose_columns(batch, {"联系电话": ""}, by=staff.g1_handler)
    assert batch.status == Status.CHECKED and batch.valid_rows == 2


def test_missing_required_column_says_which(tree, staff):
    batch = _start(roster_csv(people(2), header=["姓名", "手机号"]), tree.g1, staff.g1_handler)
    assert batch.status == Status.FAILED
    assert batch.error.startswith("缺少必填列：身份证号。")


def test_header_below_title_rows_and_gbk_csv(tree, staff):
    persons = people(3)
    text = "江海市东城机械厂工会会员花名册\n填表日期：2024年5月\n" + roster_csv(persons).decode("utf-8-sig")
    batch = _start(text.encode("gbk"), tree.g1, staff.g1_handler)
    assert batch.report["file"]["encoding"] == "gb18030"
    assert batch.report["header_row"] == 3
    assert batch.valid_rows == 3
    persons[0]["手机号"] = "1"
    text = "江海市东城机械厂工会会员花名册\n\n" + roster_csv(persons).decode("utf-8-sig")
    batch = _start(text.encode("gb18030"), tree.g1, staff.g1_handler)
    assert batch.report["samples"][0]["row"] == 4  # the sheet's own row number


def test_utf16_tab_separated_text_from_excel(tree, staff):
    content = roster_csv(people(2), delimiter="\t", encoding="utf-16")
    batch = _start(content, tree.g1, staff.g1_handler, name="花名册.txt")
    assert batch.status == Status.CHECKED and batch.valid_rows == 2


def test_xlsx_with_dates_numbers_and_a_title_row(tree, staff):
    persons = people(3)
    persons[0]["入会时间"] = datetime.date(2019, 3, 1)
    persons[1]["手机号"] = int(persons[1]["手机号"])
    content = roster_xlsx(persons, title="东城机械厂工会会员花名册", numbers_for=("手机号",))
    batch = importing.commit(_start(content, tree.g1, staff.g1_handler, name="花名册.xlsx"), by=staff.g1_handler)
    assert batch.status == Status.COMMITTED and batch.created_rows == 3
    worker = services.find_worker_by_id_number(persons[0]["身份证号"])
    assert Membership.objects.unscoped().get(worker=worker).joined_on == datetime.date(2019, 3, 1)
    assert services.find_worker_by_id_number(persons[1]["身份证号"]).mobile == str(persons[1]["手机号"])


def test_wps_et_and_misnamed_workbooks_are_read_by_content(tree, staff):
    content = roster_xlsx(people(2))
    for name in ("花名册.et", "花名册.xls"):
        batch = _start(content, tree.g1, staff.g1_handler, name=name)
        assert batch.status == Status.CHECKED and batch.report["file"]["format"] == "xlsx", name


def test_ods_from_libreoffice_or_wps(tree, staff):
    batch = _start(roster_ods(people(3)), tree.g1, staff.g1_handler, name="花名册.ods")
    assert batch.report["file"]["format"] == "ods"
    assert batch.status == Status.CHECKED and batch.valid_rows == 3


def test_id_numbers_turned_into_numbers_by_excel_are_reported(tree, staff):
    persons = people(3)
    content = roster_xlsx(persons, numbers_for=("身份证号",))
    batch = _start(content, tree.g1, staff.g1_handler, name="花名册.xlsx")
    assert batch.rejected_rows == 3 and batch.valid_rows == 0
    assert batch.report["reasons"] == [{"code": "id_excel_number", "label": "身份证号被Excel转成了数字", "count": 3}]
    assert "请把该列设为文本格式后重新填写" in batch.report["samples"][0]["messages"][0]


def test_only_member_holding_unions_in_scope(tree, staff):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as error:
        _start(roster_csv(people(1)), tree.d1, staff.d1_admin)
    assert error.value.messages == ["会员只能导入到基层工会或联合基层工会，请重新选择。"]
    with pytest.raises(PermissionDenied):
        _start(roster_csv(people(1)), tree.g2, staff.d1_admin)
    with pytest.raises(PermissionDenied):
        _start(roster_csv(people(1)), tree.g1, staff.g1_viewer)
    joint = UnionNodeFactory(name="东城联合工会", kind=UnionNode.Kind.JOINT_GRASSROOTS_UNION, parent=tree.d1)
    assert set(importing.union_choices(staff.d1_admin)) == {tree.g1, joint}
    assert not ImportBatch.objects.unscoped().exists()


def test_large_files_run_as_tasks_and_in_worker_processes(tree, staff, settings):
    """The background path (immediate backend in tests) with the parallel checker: the same result."""
    settings.GONGHUI_IMPORT_INLINE_BYTES = 0
    settings.GONGHUI_IMPORT_PARALLEL_MIN_BYTES = 0
    settings.GONGHUI_IMPORT_PROCESSES = 2
    settings.GONGHUI_IMPORT_CHUNK_ROWS = 7
    persons = people(40)
    persons[5]["身份证号"] = persons[4]["身份证号"]
    persons[5]["性别"] = persons[4]["性别"]
    batch = _start(roster_csv(persons), tree.g1, staff.g1_handler)
    assert batch.status == Status.CHECKED and (batch.valid_rows, batch.rejected_rows) == (39, 1)
    assert batch.processed_rows == 40
    batch = importing.commit(batch, by=staff.g1_handler)
    assert batch.status == Status.COMMITTED and batch.created_rows == 39
    assert Membership.objects.unscoped().filter(import_batch=batch).count() == 39
    worker = services.find_worker_by_id_number(persons[10]["身份证号"])
    assert worker.full_id_number() == persons[10]["身份证号"]


def test_the_check_runs_in_the_background_for_large_files(tree, staff, settings, monkeypatch):
    settings.GONGHUI_IMPORT_INLINE_BYTES = 0
    enqueued = []
    from gonghui.members import tasks

    monkeypatch.setattr(tasks, "check_import", SimpleNamespace(enqueue=enqueued.append))
    batch = _start(roster_csv(people(3)), tree.g1, staff.g1_handler)
    assert enqueued == [batch.pk] and batch.status == Status.CHECKING and batch.running
    importing.run_check(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.CHECKED and batch.valid_rows == 3 and batch.percent == 100


def test_upload_is_audited_and_stored_under_a_new_name(tree, staff):
    batch = _start(roster_csv(people(1)), tree.g1, staff.g1_handler, name="../../etc/花名册.csv")
    assert batch.file_name == "花名册.csv" and batch.file.name.startswith("members/imports/")
    entry = AuditEntry.objects.unscoped().get(event="members.import_uploaded")
    assert entry.extra["sha256"] == batch.file_sha256 and entry.actor == staff.g1_handler


def test_command_style_path_input(tree, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(people(2)))
    batch = importing.start_import(path, tree.g1, by=None)
    batch = importing.commit(batch, by=None)
    assert batch.status == Status.COMMITTED and batch.created_rows == 2


def test_uploaded_file_objects_of_every_kind(tree, staff):
    content = roster_csv(people(2))
    batch = importing.start_import(SimpleUploadedFile("a.csv", content), tree.g1, by=staff.g1_handler)
    assert batch.file_size == len(content) and batch.valid_rows == 2


def test_an_import_whose_task_died_is_undone_by_the_periodic_job(tree, staff, settings):
    import datetime

    from django.utils import timezone

    from gonghui.core import periodic

    assert "gonghui.members.tasks.recover_stalled_imports" in periodic.JOBS
    settings.GONGHUI_IMPORT_CHUNK_ROWS = 2
    batch = _start(roster_csv(people(4)), tree.g1, staff.g1_handler)
    importing.commit(batch, by=staff.g1_handler)
    # As if the server stopped after the second chunk: rows written, the batch still "committing".
    ImportBatch.objects.unscoped().filter(pk=batch.pk).update(status=Status.COMMITTING)
    Membership.objects.unscoped().filter(import_batch=batch).order_by("-id")[:1].get().delete()
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert importing.recover_stalled(now=later) == []  # still within the heartbeat window
    assert importing.recover_stalled(now=later + importing.STALL) == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == Status.FAILED and "已全部撤销" in batch.error
    assert not Membership.objects.unscoped().exists() and not Worker.objects.unscoped().exists()
    assert AuditEntry.objects.unscoped().filter(event="members.import_interrupted").count() == 1
    assert importing.recover_stalled(now=later + importing.STALL) == []  # once
