import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from gonghui.workflow import services

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)  # an .xlsx is a zip container like .docx
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def test_photos_and_documents_are_kept_with_their_hash(make_case, applicant):
    case = make_case()
    photo = services.add_attachment(case, services.Upload("工资条.png", PNG), by=applicant)
    assert (photo.extension, photo.content_type, photo.size) == (".png", "image/png", len(PNG))
    assert photo.file.read() == PNG
    assert services.add_attachment(case, services.Upload("合同.pdf", PDF), by=applicant).content_type == "application/pdf"
    assert services.add_attachment(case, services.Upload("考勤.xlsx", _docx()), by=applicant).extension == ".xlsx"
    assert case.events.unscoped().filter(kind="attachment").count() == 3


@pytest.mark.parametrize(("name", "content", "message"), [
    ("工资条.png", b"this is not an image at all", "文件内容与扩展名“.png”不符，请上传真实的文件。"),
    ("合同.pdf", PNG, "文件内容与扩展名“.pdf”不符，请上传真实的文件。"),
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "不能上传可执行文件。"),
    ("照片.jpg", b"MZ\x90\x00" + b"\x00" * 100, "不能上传可执行文件。"),
    ("run.sh", b"#!/bin/sh\nrm -rf /\n", "不能上传可执行文件。"),
    ("notes.txt", b"hello", "只能上传图片（jpg、png、gif、webp、heic）、PDF 或 Word、Excel 文件。"),
    ("空.png", b"", "文件是空的。"),
])
def test_bad_files_are_refused_in_chinese(make_case, applicant, name, content, message):
    case = make_case()
    with pytest.raises(ValidationError) as error:
        services.add_attachment(case, services.Upload(name, content), by=applicant)
    assert error.value.message_dict == {"file": [message]}
    assert not case.attachments.unscoped().exists()


@override_settings(GONGHUI_ATTACHMENT_MAX_BYTES=50)
def test_oversize_files_are_refused(make_case, applicant):
    with pytest.raises(ValidationError) as error:
        services.add_attachment(make_case(), services.Upload("big.pdf", PDF + b"x" * 100), by=applicant)
    assert error.value.message_dict == {"file": ["文件不能超过50\xa0字节。"]}
