"""The worker's photo: checked by content, size-limited, replaced cleanly, served only to those allowed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.members import ecard
from gonghui.members.models import Worker
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.members.tests.scope_cases_card import PNG

pytestmark = pytest.mark.django_db
UPLOAD = reverse("my_union:photo_upload")
MINE = reverse("my_union:photo")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + b"\x00" * 16


@pytest.fixture
def me(tree):
    user = WorkerUserFactory()
    worker = WorkerFactory(user=user, name="赵敏")
    MembershipFactory(worker=worker, union=tree.g1)
    client = Client()
    client.force_login(user)
    client.worker = worker
    return client


def upload(client, name, content):
    return client.post(UPLOAD, {"photo": SimpleUploadedFile(name, content)})


def photo_of(client) -> str:
    return Worker.objects.unscoped().get(pk=client.worker.pk).photo.name


def test_a_worker_uploads_a_photo_and_sees_it_on_the_card(me):
    response = upload(me, "me.png", PNG)
    assert response.status_code == 302 and response["Location"] == reverse("my_union:card")
    name = photo_of(me)
    assert name.startswith("members/photos/") and name.endswith(".png") and "me" not in name.split("/")[-1]
    served = me.get(MINE)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert MINE in me.get(reverse("my_union:card")).content.decode()
    entry = AuditEntry.objects.unscoped().get(event="worker.photo_changed")
    assert entry.actor.pk == me.worker.user_id and entry.changes == {"photo": [False, True]}


def test_the_file_name_does_not_decide_a_jpeg_named_png_is_stored_as_jpg(me):
    assert upload(me, "photo.png", JPEG).status_code == 302
    assert photo_of(me).endswith(".jpg")


@pytest.mark.parametrize("name,content,message", [
    ("notes.jpg", "不是图片，是一段文字".encode(), "这个文件不是照片，请上传 JPG、PNG 或 WebP 格式的照片。"),
    ("virus.jpg", EXE, "不能上传可执行文件，请上传 JPG、PNG 或 WebP 格式的照片。"),
    ("virus.exe", EXE, "不能上传可执行文件，请上传 JPG、PNG 或 WebP 格式的照片。"),
    ("iphone.heic", HEIC, "暂不支持 HEIC 格式的照片"),
    ("anim.gif", GIF, "不支持这种图片格式，请上传 JPG、PNG 或 WebP 格式的照片。"),
    ("empty.jpg", b"", "照片文件是空的，请重新选择一张照片。"),
])
def test_bad_files_are_refused_in_chinese_and_nothing_is_stored(me, name, content, message):
    upload(me, "ok.png", PNG)
    before = photo_of(me)
    response = upload(me, name, content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert photo_of(me) == before


def test_a_photo_over_the_limit_is_refused_before_it_is_read(me, settings):
    assert ecard.photo_max_bytes() == 5 * 1024 * 1024
    settings.GONGHUI_PHOTO_MAX_BYTES = 1024
    response = upload(me, "big.png", PNG + b"\x00" * 2000)
    assert response.status_code == 422 and "照片不能超过1.0\xa0KB" in response.content.decode()
    assert photo_of(me) == ""


def test_no_file_chosen(me):
    response = me.post(UPLOAD, {})
    assert response.status_code == 422 and "请先选择一张照片。" in response.content.decode()


def test_replacing_a_photo_removes_the_old_file(me, django_capture_on_commit_callbacks):
    upload(me, "a.png", PNG)
    old = photo_of(me)
    storage = Worker._meta.get_field("photo").storage
    with django_capture_on_commit_callbacks(execute=True):
        upload(me, "b.jpg", JPEG)
    assert photo_of(me) != old and not storage.exists(old) and storage.exists(photo_of(me))


def test_removing_the_photo(me, django_capture_on_commit_callbacks):
    upload(me, "a.png", PNG)
    old = photo_of(me)
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(UPLOAD, {"action": "remove"})
    assert response.status_code == 302 and photo_of(me) == ""
    assert not Worker._meta.get_field("photo").storage.exists(old)
    assert me.get(MINE).status_code == 404
    assert AuditEntry.objects.unscoped().filter(event="worker.photo_removed").count() == 1


def test_my_photo_url_serves_only_my_own_photo(me, tree):
    upload(me, "a.png", PNG)
    other_user = WorkerUserFactory()
    WorkerFactory(user=other_user)
    other = Client()
    other.force_login(other_user)
    assert other.get(MINE).status_code == 404  # they have no photo; mine is never served to them
    assert Client().get(MINE).status_code == 302  # sign in first


def test_only_the_worker_may_change_their_photo_through_the_service(me, staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        ecard.set_photo(me.worker, "a.png", PNG, by=staff.city_admin)
    with pytest.raises(PermissionDenied):
        ecard.remove_photo(me.worker, by=None)
