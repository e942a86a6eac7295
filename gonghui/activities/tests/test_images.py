"""Pictures are checked by their bytes and re-encoded (smaller, without the camera's GPS position)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from gonghui.activities.images import check_picture


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (2400, 1800), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (32.0, 1.0, 2.0), 3: "E", 4: (120.0, 5.0, 6.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_resized_and_loses_its_gps_position():
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)
    picture = check_picture(raw)
    assert (picture.extension, picture.content_type) == (".jpg", "image/jpeg")
    stored = Image.open(io.BytesIO(picture.content))
    assert max(stored.size) == 1600 and not stored.getexif().get(0x8825)


@pytest.mark.parametrize("content, words", [
    (b"", "图片文件是空的"),
    (b"MZ\x90\x00" + b"\x00" * 300, "不能上传可执行文件"),
    (b"%PDF-1.7\n" + b"x" * 300, "这个文件不是图片"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 300, "HEIC"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 300, "图片已损坏"),
])
def test_what_is_not_a_usable_picture_is_refused_in_chinese(content, words):
    with pytest.raises(ValidationError) as exc:
        check_picture(content, field="file")
    assert words in exc.value.message_dict["file"][0]


def test_a_picture_over_the_limit_is_refused(settings):
    settings.GONGHUI_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        check_picture(jpeg_with_gps())
    assert "图片不能超过" in exc.value.message_dict["cover"][0]
