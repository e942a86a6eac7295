"""Console pages of the roster import: list and upload, batch page with report, mapping, commit,
progress, the rejected rows and the template."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.members import importing
from gonghui.members.models import ImportBatch, Membership
from gonghui.members.tests.importing_fixtures import HEADER, people, roster_csv, upload

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _post_upload(client, union, content, name="花名册.csv"):
    return client.post(reverse("members:import_upload"), {"union": union.pk, "file": upload(content, name)})


def test_list_page_offers_the_unions_in_scope_and_lists_batches(tree, staff):
    importing.start_import(upload(roster_csv(people(1)), "东城.csv"), tree.g1, by=staff.g1_handler)
    importing.start_import(upload(roster_csv(people(1)), "西城.csv"), tree.g2, by=staff.d2_admin)
    response = _client(staff.d1_manager).get(reverse("members:imports"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "东城.csv" in body and "西城.csv" not in body
    assert f'<option value="{tree.g1.pk}"' in body and f'<option value="{tree.g2.pk}"' not in body
    assert f'<option value="{tree.d1.pk}"' not in body  # a federation holds no members
    assert reverse("members:import_template") in body


def test_viewers_may_not_import(tree, staff):
    client = _client(staff.g1_viewer)
    assert client.get(reverse("members:imports")).status_code == 403
    assert _post_upload(client, tree.g1, roster_csv(people(1))).status_code == 403
    batch = importing.start_import(upload(roster_csv(people(1))), tree.g1, by=staff.g1_handler)
    assert client.get(reverse("members:import_detail", args=[batch.pk])).status_code == 403
    assert client.post(reverse("members:import_commit", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED


def test_upload_check_report_download_and_commit(tree, staff):
    client = _client(staff.g1_handler)
    persons = people(5)
    persons[2]["身份证号"] = "3.20102E+17"
    response = _post_upload(client, tree.g1, roster_csv(persons))
    batch = ImportBatch.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == reverse("members:import_detail", args=[batch.pk])

    page = client.get(response["Location"]).content.decode()
    assert "校验报告（未写入）" in page
    assert 'data-count="valid">4<' in page and 'data-count="rejected">1<' in page
    assert "身份证号被Excel转成了数字" in page and "第 4 行" in page
    assert "确认导入 4 名会员" in page and "data-confirm" in page
    assert not Membership.objects.unscoped().exists()

    download = client.get(reverse("members:import_rejected", args=[batch.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert list(rows[0]) == HEADER + ["错误原因"] and rows[1][3] == "3.20102E+17"
    assert "请把该列设为文本格式" in rows[1][-1]
    assert AuditEntry.objects.unscoped().filter(event="members.import_rejected_downloaded").count() == 1

    response = client.post(reverse("members:import_commit", args=[batch.pk]))
    assert response.status_code == 302
    assert Membership.objects.unscoped().filter(union=tree.g1).count() == 4
    page = client.get(reverse("members:import_detail", args=[batch.pk])).content.decode()
    assert "导入报告" in page and "导入 4 名会员" in page and "确认导入" not in page

    # A double click: the second post changes nothing and says so.
    response = client.post(reverse("members:import_commit", args=[batch.pk]), follow=True)
    assert "该批次已经导入过了，不会重复写入。" in response.content.decode()
    assert Membership.objects.unscoped().count() == 4


def test_mapping_screen(tree, staff):
    client = _client(staff.g1_handler)
    header = HEADER + ["血型"]
    persons = [{**p, "血型": "O"} for p in people(2)]
    _post_upload(client, tree.g1, roster_csv(persons, header=header))
    batch = ImportBatch.objects.unscoped().get()
    page = client.get(reverse("members:import_detail", args=[batch.pk])).content.decode()
    assert "确认列的对应关系" in page and "血型" in page and "未识别" in page
    column = next(c for c in batch.report["columns"] if c["header"] == "血型")
    assert column["samples"] == ["O", "O"]
    response = client.post(reverse("members:import_mapping", args=[batch.pk]), {f"col-{column['index']}": ""})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and batch.valid_rows == 2
    assert batch.column_mapping["血型"] == ""


def test_progress_partial_polls_while_running_and_refreshes_when_done(tree, staff):
    client = _client(staff.g1_handler)
    batch = importing.start_import(upload(roster_csv(people(2))), tree.g1, by=staff.g1_handler)
    ImportBatch.objects.unscoped().filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTING,
                                                              processed_rows=1, total_rows=4)
    url = reverse("members:import_progress", args=[batch.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body and "25%" in body and "HX-Refresh" not in response
    page = client.get(reverse("members:import_detail", args=[batch.pk])).content.decode()
    assert "正在导入" in page and 'aria-valuenow="25"' in page
    ImportBatch.objects.unscoped().filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTED)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and "every 2s" not in response.content.decode()


def test_template_download(tree, staff):
    response = _client(staff.g1_handler).get(reverse("members:import_template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["姓名", "性别", "身份证号"]
    assert sheet.cell(row=2, column=3).number_format == "@"
    # The template uploads as it is: its example row is valid.
    batch = importing.start_import(upload(response.content, "模板.xlsx"), tree.g1, by=staff.g1_handler)
    assert batch.status == ImportBatch.Status.CHECKED and batch.valid_rows == 1
    assert _client(staff.g1_viewer).get(reverse("members:import_template")).status_code == 403


def test_upload_form_errors_in_chinese(tree, staff):
    client = _client(staff.g1_handler)
    response = client.post(reverse("members:import_upload"), {"union": tree.g1.pk})
    assert response.status_code == 422 and "请选择要上传的花名册文件。" in response.content.decode()
    response = client.post(reverse("members:import_upload"), {"file": upload(roster_csv(people(1)))})
    assert response.status_code == 422 and "请选择要导入到哪个基层工会。" in response.content.decode()
    assert client.post(reverse("members:import_upload"), {"union": tree.g2.pk,
                                                          "file": upload(roster_csv(people(1)))}).status_code == 404


def test_upload_still_checks_the_csrf_token(tree, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.g1_handler)
    response = _post_upload(client, tree.g1, roster_csv(people(1)))
    assert response.status_code == 403
    assert not ImportBatch.objects.unscoped().exists()
