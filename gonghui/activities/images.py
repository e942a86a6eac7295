"""Pictures of activities (the cover and the photos after the event), checked by their bytes.

The bytes decide, not the name: ``filetype`` must find a JPEG, PNG or WebP, and Pillow must be able
to decode it. The picture is then re-encoded, at most ``MAX_SIDE`` pixels on its long side: the
portal stays light on a phone, and whatever else the file carried (EXIF with the camera's GPS
position, a payload appended after the image) is dropped.
"""

import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

TYPES = {"image/jpeg": ("JPEG", ".jpg"), "image/png": ("PNG", ".png"), "image/webp": ("WEBP", ".webp")}
CONTENT_TYPES = {ext: mime for mime, (_fmt, ext) in TYPES.items()}
EXECUTABLE_HEADS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
MAX_SIDE = 1600
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded


@dataclass
class Picture:
    content: bytes
    extension: str
    content_type: str


def max_bytes() -> int:
    return getattr(settings, "GONGHUI_PHOTO_MAX_BYTES", 8 * 1024 * 1024)


def check_picture(content: bytes, *, field: str = "cover") -> Picture:
    """The picture as it will be stored; ValidationError (on ``field``) in Chinese otherwise."""
    if not content:
        raise ValidationError({field: [_("图片文件是空的，请重新选择一张图片。")]})
    limit = max_bytes()
    if len(content) > limit:
        raise ValidationError({field: [_("图片不能超过%(size)s，请换一张小一些的图片。")
                                       % {"size": filesizeformat(limit)}]})
    head = content[:262]
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if head.startswith(EXECUTABLE_HEADS) or mime in {"application/x-msdownload", "application/x-executable"}:
        raise ValidationError({field: [_("不能上传可执行文件，请上传 JPG、PNG 或 WebP 格式的图片。")]})
    if mime not in TYPES:
        if mime in {"image/heic", "image/heif"}:
            raise ValidationError({field: [_("暂不支持 HEIC 格式的图片，请在手机相机设置中选择“兼容性最佳”，"
                                             "或截图后上传 JPG、PNG 格式的图片。")]})
        raise ValidationError({field: [_("这个文件不是图片，请上传 JPG、PNG 或 WebP 格式的图片。")]})
    return _reencode(content, mime, field)


def _reencode(content: bytes, mime: str, field: str) -> Picture:
    from PIL import Image, ImageOps

    broken = ValidationError({field: [_("图片已损坏或无法打开，请换一张图片。")]})
    try:
        with Image.open(io.BytesIO(content)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError({field: [_("图片像素过大，请换一张普通照片。")]})
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            fmt, extension = TYPES[mime]
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            options = {"quality": 85, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
            image.save(out, fmt, **options)
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds of error on a damaged file
        raise broken from None
    return Picture(out.getvalue(), extension, mime)
