"""The roster import over the API (/api/v1/members/imports/…), with a bearer token like a mobile
client and with the browser's session."""

import base64
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.accounts.services import issue_token
from gonghui.members.models import ImportBatch, Membership
from gonghui.members.tests.importing_fixtures import HEADER, people, roster_csv

pytestmark = pytest.mark.django_db

URL = "/api/v1/members/imports/"


@pytest.fixture
def api(staff):
    """A mobile client: a bearer token, no cookies (so no CSRF token either)."""
    _token, plain = issue_token(staff.g1_handler, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plain}")


def _upload(client, union, content, name="花名册.csv", **extra):
    return client.post(URL, {"union_id": union.pk, "file": SimpleUploadedFile(name, content), **extra})


def test_upload_check_commit_and_rejected_rows(api, tree):
    persons = people(4)
    persons[1]["手机号"] = "12345"
    response = _upload(api, tree.g1, roster_csv(persons))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "checked" and data["union_name"] == tree.g1.name
    assert (data["total_rows"], data["valid_rows"], data["rejected_rows"]) == (4, 3, 1)
    assert data["report"]["reasons"][0]["code"] == "mobile_invalid"
    assert data["rejected_url"] == f"{URL}{data['id']}/rejected"

    one = api.get(f"{URL}{data['id']}").json()
    assert one["id"] == data["id"] and one["status_label"] == "已校验"

    rejected = api.get(data["rejected_url"])
    assert rejected.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(rejected.streaming_content))).active
    assert [c.value for c in sheet[1]] == HEADER + ["错误原因"]

    committed = api.post(f"{URL}{data['id']}/commit")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert committed.json()["created_rows"] == 3
    again = api.post(f"{URL}{data['id']}/commit")
    assert again.status_code == 409
    assert again.json() == {"code": "already_committed", "message": "该批次已经导入过了，不会重复写入。"}
    assert Membership.objects.unscoped().count() == 3

    listed = api.get(URL).json()
    assert [b["id"] for b in listed["items"]] == [data["id"]]


def test_mapping_over_the_api(api, tree):
    persons = [{**p, "血型": "B"} for p in people(2)]
    data = _upload(api, tree.g1, roster_csv(persons, header=HEADER + ["血型"])).json()
    assert data["status"] == "mapping" and data["report"]["unknown"] == ["血型"]
    response = api.post(f"{URL}{data['id']}/mapping", json.dumps({"mapping": {"血型": "id_number_x"}}),
                        content_type="application/json")
    assert response.status_code == 422 and "不存在" in response.json()["message"]
    response = api.post(f"{URL}{data['id']}/mapping", json.dumps({"mapping": {"血型": ""}}),
                        content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "checked"
    assert response.json()["valid_rows"] == 2


def test_mapping_given_with_the_upload(api, tree):
    persons = [{**p, "证件": p["身份证号"]} for p in people(2)]
    header = ["姓名", "证件"]
    data = _upload(api, tree.g1, roster_csv(persons, header=header),
                   mapping=json.dumps({"证件": "id_number"})).json()
    assert data["status"] == "checked" and data["valid_rows"] == 2


def test_bad_files_answer_422_in_chinese(api, tree):
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    response = _upload(api, tree.g1, png, name="花名册.xlsx")
    assert response.status_code == 422
    assert response.json()["code"] == "not_spreadsheet" and "PNG图片" in response.json()["message"]
    response = _upload(api, tree.g1, b"", name="花名册.csv")
    assert response.status_code == 422
    assert response.json()["message"] == "文件是空的（0字节），请选择填好的会员花名册。"
    response = api.post(URL, {"union_id": tree.g1.pk})
    assert response.status_code == 422 and response.json()["code"] == "file_required"
    assert not ImportBatch.objects.unscoped().exists()


def test_too_big_upload_answers_413(api, tree, settings):
    settings.GONGHUI_IMPORT_MAX_BYTES = 2000
    response = _upload(api, tree.g1, roster_csv(people(60)))
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert not ImportBatch.objects.unscoped().exists()


def test_browser_session_needs_the_csrf_token(tree, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.g1_handler)
    response = _upload(client, tree.g1, roster_csv(people(1)))
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not ImportBatch.objects.unscoped().exists()


def test_permissions_and_scope(tree, staff):
    viewer = Client()
    viewer.force_login(staff.g1_viewer)
    assert _upload(viewer, tree.g1, roster_csv(people(1))).status_code == 403
    handler = Client()
    handler.force_login(staff.g1_handler)
    assert _upload(handler, tree.g2, roster_csv(people(1))).status_code == 404
    assert _upload(handler, tree.d1, roster_csv(people(1))).status_code == 404  # above the grant: not in view
    admin = Client()
    admin.force_login(staff.d1_admin)
    response = _upload(admin, tree.d1, roster_csv(people(1)))
    assert response.status_code == 422
    assert response.json()["message"] == "会员只能导入到基层工会或联合基层工会，请重新选择。"
    batch = _upload(handler, tree.g1, roster_csv(people(1))).json()
    assert viewer.get(f"{URL}{batch['id']}").status_code == 403
    assert viewer.post(f"{URL}{batch['id']}/commit").status_code == 403
    assert ImportBatch.objects.unscoped().get(pk=batch["id"]).status == "checked"
