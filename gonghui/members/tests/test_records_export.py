"""Export of the member list: exactly the filtered rows, streamed, masked unless allowed, neutralised, audited."""

import csv
import io
import random

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.audit.models import AuditEntry
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import services


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(tree):
    made = {}
    for n, (name, union, employer) in enumerate([("张三", "g1", "=HYPERLINK(\"http://x\")"), ("赵四", "g1", "+1-2"),
                                                  ("王芳", "g2", "@SUM(A1)"), ("李思", "g1", "-3")]):
        worker = services.register_worker(name=name, id_number=fake_id_number(random.Random(500 + n)),
                                          employer=employer, mobile=f"1391234000{n}", by=None)
        made[name] = services.enrol(worker, getattr(tree, union), by=None)
    return made


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(data: bytes, encoding="utf-8-sig"):
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def exports():
    return AuditEntry.objects.unscoped().filter(action=AuditEntry.Action.EXPORT, event="members.exported")


def test_csv_export_is_the_filtered_list_with_masked_ids(people, staff, tree):
    response = as_user(staff.d1_manager).get(reverse("members:export"), {"format": "csv", "sort": "pinyin"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="members-')
    data = body(response)
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs
    rows = csv_rows(data)
    assert rows[0][:5] == ["姓名", "性别", "出生日期", "民族", "身份证号"]
    assert [r[0] for r in rows[1:]] == ["李思", "张三", "赵四"]  # district 1 only, in pinyin order
    for r, name in zip(rows[1:], ["李思", "张三", "赵四"], strict=True):
        worker = people[name].worker
        assert r[4] == worker.id_number_masked
        assert worker.full_id_number() not in data.decode("utf-8-sig")
    entry = exports().get()
    assert entry.actor == staff.d1_manager and entry.node == tree.d1
    assert entry.extra == {"filters": {"sort": "pinyin"}, "rows": 3, "format": "csv", "encoding": "utf-8",
                           "id_numbers": "masked"}


def test_export_follows_the_search(people, staff):
    response = as_user(staff.city_admin).get(reverse("members:export"), {"format": "csv", "q": "zs"})
    assert sorted(r[0] for r in csv_rows(body(response))[1:]) == ["张三", "赵四"]
    assert exports().get().extra["filters"] == {"q": "zs"}


def test_export_shows_full_ids_to_a_role_allowed_to_see_them(people, staff):
    response = as_user(staff.d1_admin).get(reverse("members:export"), {"format": "csv"})
    rows = csv_rows(body(response))
    by_name = {r[0]: r[4] for r in rows[1:]}
    assert by_name == {name: people[name].worker.full_id_number() for name in ("张三", "赵四", "李思")}
    assert exports().get().extra["id_numbers"] == "full"


def test_city_admin_export_is_full_and_a_mixed_scope_says_so(people, staff, tree):
    from gonghui.accounts.tests.factories import StaffFactory, grant

    both = StaffFactory()
    grant(both, tree.city, "manager")  # export everywhere
    grant(both, tree.d1, "admin")  # full IDs in district 1 only
    rows = csv_rows(body(as_user(both).get(reverse("members:export"), {"format": "csv"})))
    by_name = {r[0]: r[4] for r in rows[1:]}
    assert by_name["王芳"] == people["王芳"].worker.id_number_masked
    assert by_name["张三"] == people["张三"].worker.full_id_number()
    assert exports().get().extra["id_numbers"] == "mixed"


def test_formulas_are_neutralised(people, staff):
    rows = csv_rows(body(as_user(staff.city_admin).get(reverse("members:export"), {"format": "csv"})))
    employers = {r[0]: r[9] for r in rows[1:]}
    assert employers == {"张三": "'=HYPERLINK(\"http://x\")", "赵四": "'+1-2", "王芳": "'@SUM(A1)", "李思": "'-3"}


def test_gbk_csv_for_old_excel(people, staff):
    response = as_user(staff.d1_manager).get(reverse("members:export"), {"format": "csv", "encoding": "gbk"})
    assert response["Content-Type"] == "text/csv; charset=GB18030"
    data = body(response)
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data, "gbk")
    assert rows[0][0] == "姓名" and {r[0] for r in rows[1:]} == {"张三", "赵四", "李思"}
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert exports().get().extra["encoding"] == "gbk"


def test_xlsx_export(people, staff):
    response = as_user(staff.d1_admin).get(reverse("members:export"), {"format": "xlsx", "sort": "pinyin"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    sheet = book.active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert sheet.title == "会员名单"
    assert values[0][:5] == ["姓名", "性别", "出生日期", "民族", "身份证号"]
    assert [r[0] for r in values[1:]] == ["李思", "张三", "赵四"]
    assert values[2][4] == people["张三"].worker.full_id_number()  # text, never a number
    assert values[2][9] == "'=HYPERLINK(\"http://x\")"
    assert exports().get().extra["format"] == "xlsx"


def test_xlsx_export_masked_for_a_manager(people, staff):
    data = body(as_user(staff.d1_manager).get(reverse("members:export")))
    values = [list(r) for r in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)]
    assert {r[4] for r in values[1:]} == {people[n].worker.id_number_masked for n in ("张三", "赵四", "李思")}


def test_python_calamine_reads_the_streamed_xlsx(people, staff):
    from python_calamine import CalamineWorkbook

    data = body(as_user(staff.city_admin).get(reverse("members:export"), {"format": "xlsx"}))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert len(rows) == 5 and rows[0][0] == "姓名"


def test_export_needs_members_export(people, staff):
    response = as_user(staff.g1_handler).get(reverse("members:export"))
    assert response.status_code == 403
    assert not exports().exists()


def test_the_list_offers_export_only_to_those_who_may(people, staff):
    assert as_user(staff.d1_manager).get(reverse("members:list")).context["may_export"] is True
    assert as_user(staff.g1_handler).get(reverse("members:list")).context["may_export"] is False


def test_export_streams_in_chunks(people, staff, monkeypatch):
    from gonghui.members import exporting

    monkeypatch.setattr(exporting, "CHUNK", 1)
    response = as_user(staff.city_admin).get(reverse("members:export"), {"format": "csv"})
    chunks = [c for c in response.streaming_content if c]
    assert len(chunks) >= 4  # one per row, never the whole file at once
