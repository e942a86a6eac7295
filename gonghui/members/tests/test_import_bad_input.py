"""Bad input to the roster import: each case answers a clear Chinese sentence and loses nothing
already stored."""

import base64
import io

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.members import importing
from gonghui.members.importing_files import SizeLimitUploadHandler
from gonghui.members.models import ImportBatch, Membership, Worker
from gonghui.members.tests.factories import MembershipFactory
from gonghui.members.tests.importing_fixtures import HEADER, people, roster_csv, roster_xlsx, upload

pytestmark = pytest.mark.django_db

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@pytest.fixture
def stored(tree):
    """A member already in the register: every bad upload must leave them as they are."""
    return MembershipFactory(union=tree.g1)


def _unchanged(stored):
    assert Membership.objects.unscoped().count() == 1 and Worker.objects.unscoped().count() == 1
    stored.refresh_from_db()
    assert stored.status == Membership.Status.ACTIVE


def _refused(content, name, tree, staff):
    with pytest.raises(importing.BadFile) as refused:
        importing.start_import(upload(content, name), tree.g1, by=staff.g1_handler)
    assert not ImportBatch.objects.unscoped().exists()
    return refused.value


def test_png_named_xlsx(tree, staff, stored):
    error = _refused(PNG, "花名册.xlsx", tree, staff)
    assert error.code == "not_spreadsheet"
    assert error.message == "这个文件的内容是PNG图片，不是表格。请上传Excel（.xlsx、.xls、.et、.ods）或CSV格式的会员花名册。"
    _unchanged(stored)


def test_other_files_that_are_not_tables(tree, staff, stored):
    assert _refused(b"%PDF-1.4\n" + b"x" * 100, "a.xlsx", tree, staff).message.startswith("这个文件的内容是PDF文档")
    assert _refused(b"\x00\x01\x02\x03" * 50, "a.csv", tree, staff).code == "not_spreadsheet"
    assert _refused(b"PK\x03\x04broken", "a.xlsx", tree, staff).code == "corrupt"
    assert _refused(roster_csv(people(1)), "a.docx", tree, staff).message == \
        "只能导入 .xlsx、.xls、.et、.ods 或 .csv 格式的表格文件。"
    _unchanged(stored)


def test_empty_file(tree, staff, stored):
    error = _refused(b"", "花名册.xlsx", tree, staff)
    assert error.message == "文件是空的（0字节），请选择填好的会员花名册。"
    _unchanged(stored)


def test_too_big_by_setting(tree, staff, stored, settings):
    settings.GONGHUI_IMPORT_MAX_BYTES = 1000
    error = _refused(roster_csv(people(20)), "花名册.csv", tree, staff)
    assert error.code == "file_too_large"
    assert error.message == "文件超过0MB，请删去无关的工作表和列，或把名单拆成几个文件分别导入。"
    _unchanged(stored)


def test_200_mb_upload_is_refused_from_its_size_before_the_body_is_read(tree, staff, stored, settings):
    client = Client()
    client.force_login(staff.g1_handler)
    settings.GONGHUI_IMPORT_MAX_BYTES = 150 * 1024 * 1024
    body = io.BytesIO(b"--x\r\n")  # the server must not read this: the declared size already refuses it
    response = client.generic("POST", reverse("members:import_upload"), data=b"",
                              content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(200 * 1024 * 1024), **{"wsgi.input": body})
    assert response.status_code == 413
    assert "文件超过150MB" in response.content.decode()
    assert body.tell() == 0
    response = client.generic("POST", "/api/v1/members/imports/", data=b"",
                              content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(200 * 1024 * 1024), **{"wsgi.input": body})
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert body.tell() == 0
    assert not ImportBatch.objects.unscoped().exists()
    _unchanged(stored)


def test_upload_without_a_truthful_length_stops_at_the_limit(tree, staff, stored, settings):
    settings.GONGHUI_IMPORT_MAX_BYTES = 2000
    client = Client()
    client.force_login(staff.g1_handler)
    response = client.post(reverse("members:import_upload"),
                           {"union": tree.g1.pk, "file": upload(roster_csv(people(60)))})
    assert response.status_code == 413 and "文件超过" in response.content.decode()
    handler = SizeLimitUploadHandler()
    handler.request = type("R", (), {})()
    handler.new_file("file", "a.csv", "text/csv", None)
    from django.core.files.uploadhandler import StopUpload

    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 2001, 0)
    assert handler.request.import_too_large
    _unchanged(stored)


def _failed(content, name, tree, staff):
    batch = importing.start_import(upload(content, name), tree.g1, by=staff.g1_handler)
    assert batch.status == ImportBatch.Status.FAILED
    return batch


def test_merged_header_cells(tree, staff, stored):
    content = roster_xlsx(people(2), merge="A1:B1")
    batch = _failed(content, "花名册.xlsx", tree, staff)
    assert batch.error == "表头有合并的单元格（A1:B1）。请取消合并，让每一列都有自己的列名（如“姓名”“身份证号”）后重新上传。"
    _unchanged(stored)


def test_a_merged_title_above_the_header_is_fine(tree, staff, stored):
    batch = importing.start_import(upload(roster_xlsx(people(2), title="会员花名册"), "a.xlsx"), tree.g1,
                                   by=staff.g1_handler)
    assert batch.status == ImportBatch.Status.CHECKED and batch.report["header_row"] == 2


def test_blank_header_cell_between_named_ones(tree, staff, stored):
    header = ["姓名", "", "身份证号"]
    persons = [{**p, "": "备用"} for p in people(2)]
    batch = _failed(roster_csv(persons, header=header), "a.csv", tree, staff)
    assert batch.error == "表头第B列没有列名，但下面有数据（可能是合并了表头单元格）。请给每一列填写列名，不导入的列可以删除，然后重新上传。"
    # An empty spacer column is simply skipped.
    batch = importing.start_import(upload(roster_csv(people(2), header=header)), tree.g1, by=staff.g1_handler)
    assert batch.status == ImportBatch.Status.CHECKED and batch.valid_rows == 2
    _unchanged(stored)


def test_data_right_of_the_last_header(tree, staff, stored):
    content = roster_csv(people(2), header=["姓名", "身份证号"]).decode("utf-8-sig").replace("\r\n", ",备注\r\n")
    content = content.replace("姓名,身份证号,备注", "姓名,身份证号")
    batch = _failed(content.encode(), "a.csv", tree, staff)
    assert batch.error.startswith("表头第C列没有列名，但下面有数据")


def test_duplicate_headers(tree, staff, stored):
    header = ["姓名", "身份证号", "姓名"]
    batch = _failed(roster_csv(people(2), header=header), "a.csv", tree, staff)
    assert batch.error == "表头“姓名”出现了两次（A列和C列）。请删除或改名其中一列后重新上传。"
    _unchanged(stored)


def test_a_sheet_with_only_a_header(tree, staff, stored):
    for content, name in ((roster_csv([]), "a.csv"), (roster_xlsx([]), "a.xlsx")):
        batch = _failed(content, name, tree, staff)
        assert batch.error == "表格里只有表头，没有会员数据。请从表头下一行起每行填写一名会员后重新上传。"
    batch = _failed(roster_xlsx([], header=[]), "b.xlsx", tree, staff)
    assert batch.error == "表格是空的，没有找到任何内容。请确认第一个工作表里填写了会员名单。"
    _unchanged(stored)


def test_no_usable_header(tree, staff, stored):
    batch = importing.start_import(upload("甲,乙\n1,2\n".encode()), tree.g1, by=staff.g1_handler)
    assert batch.status == ImportBatch.Status.MAPPING
    assert any("缺少必填列" in p or "没有确定" in p for p in batch.report["mapping_problems"])


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p.update(身份证号=p["身份证号"][:17] + ("1" if p["身份证号"][17] == "0" else "0")),
     "身份证号第18位校验码不正确，请核对。"),
    (lambda p: p.update(性别="女" if p["性别"] == "男" else "男"), "性别与身份证号不符"),
    (lambda p: p.update(手机号="+85291234567"), "手机号码不正确，请输入中国大陆11位手机号码。"),
    (lambda p: p.update(身份证号=p["身份证号"][:6] + p["身份证号"][8:17]), "这是15位的旧身份证号，请填写18位的身份证号。"),
])
def test_bad_rows_are_rejected_with_their_reason(tree, staff, stored, change, message):
    persons = people(3)
    change(persons[1])
    batch = importing.start_import(upload(roster_csv(persons)), tree.g1, by=staff.g1_handler)
    assert batch.rejected_rows == 1 and batch.valid_rows == 2
    assert batch.report["samples"][0]["row"] == 3
    assert batch.report["samples"][0]["messages"][0].startswith(message)
    importing.commit(batch, by=staff.g1_handler)
    assert Membership.objects.unscoped().count() == 3
    _unchanged_member = Membership.objects.unscoped().get(pk=stored.pk)
    assert _unchanged_member.status == Membership.Status.ACTIVE


def test_birth_date_column_contradicting_the_id(tree, staff, stored):
    persons = people(2)
    persons[0]["出生日期"] = "1901-01-01"
    batch = importing.start_import(upload(roster_csv(persons, header=HEADER + ["出生日期"])), tree.g1,
                                   by=staff.g1_handler)
    assert batch.report["samples"][0]["messages"][0].startswith("出生日期与身份证号不符：按身份证号应为")


def test_conflict_with_an_active_member_elsewhere(tree, staff, stored):
    persons = people(2)
    elsewhere = MembershipFactory(union=tree.g2)
    persons[0]["身份证号"] = elsewhere.worker.full_id_number()
    persons[0]["性别"] = ""
    batch = importing.commit(importing.start_import(upload(roster_csv(persons)), tree.g1, by=staff.g1_handler),
                             by=staff.g1_handler)
    assert batch.created_rows == 1
    assert batch.report["samples"][0]["messages"] == ["该身份证号已是其他工会的在册会员，请办理转会。"]
    elsewhere.refresh_from_db()
    assert elsewhere.union == tree.g2 and elsewhere.status == Membership.Status.ACTIVE


def test_commit_of_a_batch_that_was_not_checked(tree, staff, stored):
    header = HEADER + ["血型"]
    batch = importing.start_import(upload(roster_csv(people(2), header=header)), tree.g1, by=staff.g1_handler)
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(batch, by=staff.g1_handler)
    assert refused.value.message == "该批次当前状态不能进行此操作。"
    _unchanged(stored)
