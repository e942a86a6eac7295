"""The e-card (电子会员卡): a signed, expiring token in a QR code, its verification and the photo.

The card page shows a QR code holding the absolute URL of the staff verification page with a
token: the membership id signed with Django's ``TimestampSigner`` under a salt of its own. A staff or
partner phone camera opens the URL directly; a hand-held scanner types it into the page's field.
The token is valid for ``TOKEN_TTL`` seconds (the card page fetches a new one before then), so a
screenshot passed around stops working within minutes. Verification is city-wide by design (a
partner shop checks any member) and therefore shows only masked data; each one is audited.

Photos are personal data: they are served only through views that check access (the worker, staff
who may see the member, or a verification page holding a valid token), never from MEDIA_URL.
"""

import datetime
import re
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath
from urllib.parse import unquote

import filetype
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core import qr
from gonghui.core.qr import absolute_url
from gonghui.core.scope import has_permission
from gonghui.members.models import Membership, Worker

SALT = "gonghui.members.ecard"
TOKEN_TTL = 300  # seconds a QR code stays valid
REFRESH_AFTER = 240  # the card page fetches a new code this often, well before it expires
# The verification page shows the member's photo with the token it verified; the photo stays
# reachable a little longer than the token so a slow network still loads it.
PHOTO_GRACE = TOKEN_TTL + 300
VERIFY_PERMISSION = "members.verify_card"

PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
CONTENT_TYPES = {ext: mime for mime, ext in PHOTO_TYPES.items()} | {".jpeg": "image/jpeg"}
EXECUTABLE_HEADS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


def photo_max_bytes() -> int:
    return settings.GONGHUI_PHOTO_MAX_BYTES


# ----- whose card -----

def current_membership(worker: Worker | None) -> Membership | None:
    """The membership a card shows: the active one, else a retained one (退休保留会籍)."""
    if worker is None:
        return None
    rows = list(Membership.objects.unscoped().select_related("union")
                .filter(worker=worker, status__in=Membership.CURRENT).order_by("-joined_on", "-pk")[:5])
    return next((m for m in rows if m.status == Membership.Status.ACTIVE), rows[0] if rows else None)


# ----- the token -----

def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


@dataclass
class CardToken:
    token: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime


def issue_token(membership: Membership) -> CardToken:
    """A fresh token for ``membership``: ``<id>:<timestamp>:<signature>``, about 55 characters."""
    now = timezone.now()
    return CardToken(token=_signer().sign(str(membership.pk)), issued_at=now,
                     expires_at=now + datetime.timedelta(seconds=TOKEN_TTL))


class Outcome(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"
    NOT_CURRENT = "not_current"


def read_token(token: str, *, max_age: float = TOKEN_TTL) -> tuple[Outcome, int | None]:
    """(outcome, membership id) of a token. An expired token still names its membership (its
    signature is genuine), so the audit can say whose card was shown; a tampered one names none."""
    signer = _signer()
    try:
        value = signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        value = signer.unsign(token)  # the signature is good: only the age failed
        return Outcome.EXPIRED, int(value) if value.isdigit() else None
    except signing.BadSignature:
        return Outcome.INVALID, None
    if not value.isdigit():
        return Outcome.INVALID, None
    return Outcome.VALID, int(value)


_IN_URL = re.compile(r"/card/verify/([^/?#\s]+)")


def extract_token(text: str) -> str:
    """The token from what a scanner typed or staff pasted: the whole URL of the QR code or the
    token alone. Whitespace around it (a scanner's Enter) is ignored."""
    text = (text or "").strip()
    found = _IN_URL.search(text)
    return unquote(found.group(1)) if found else text


def verify_path(token: str) -> str:
    return reverse("members:card_verify_token", kwargs={"token": token})


def verify_url(token: str, request=None) -> str:
    """The absolute URL a staff phone camera opens. ``GONGHUI_PUBLIC_URL`` (e.g.
    ``https://gonghui.example.cn``) wins over the host of the request, for deployments behind a proxy."""
    return absolute_url(verify_path(token), request)


def qr_svg(data: str) -> str:
    """The QR code as inline SVG (no image request, no script); it scales with its container."""
    return qr.qr_svg(data, title=_("电子会员卡二维码"), css_class="card-qr-svg")


# ----- verification -----

def may_verify(user) -> bool:
    """Partner users (shops, service sites) and staff holding members.verify_card anywhere."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.kind == user.Kind.PARTNER:
        return True
    if user.kind == user.Kind.WORKER:
        return False
    return has_permission(user, VERIFY_PERMISSION)


@dataclass
class Verification:
    outcome: Outcome
    message: str
    # Shown only when the card is genuine and unexpired (valid, or a membership no longer current).
    membership: Membership | None = None
    token: str = ""
    checked_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def valid(self) -> bool:
        return self.outcome == Outcome.VALID


def messages() -> dict[Outcome, str]:
    return {
        Outcome.VALID: _("有效会员"),
        Outcome.EXPIRED: _("二维码已过期，请会员刷新电子会员卡后重新出示"),
        Outcome.INVALID: _("二维码无效，请让会员重新出示电子会员卡"),
    }


def not_current_message(membership: Membership) -> str:
    return _("该会员的会籍已不在有效状态（%(status)s），电子会员卡不能使用，请会员联系所在工会") % {
        "status": membership.status_label}


@transaction.atomic
def verify(text: str, *, by, max_age: float = TOKEN_TTL) -> Verification:
    """Check a scanned or typed card code; every check is audited, whatever its outcome."""
    if not may_verify(by):
        raise PermissionDenied
    token = extract_token(text)
    outcome, membership_id = read_token(token, max_age=max_age) if token else (Outcome.INVALID, None)
    membership = None
    if membership_id is not None:
        membership = (Membership.objects.unscoped().select_related("worker", "union")
                      .filter(pk=membership_id).first())
    if outcome == Outcome.VALID and membership is None:
        outcome = Outcome.INVALID  # a genuine token of a membership since removed
    if outcome == Outcome.VALID and membership.status not in Membership.CURRENT:
        outcome = Outcome.NOT_CURRENT
    shown = outcome in (Outcome.VALID, Outcome.NOT_CURRENT)
    message = not_current_message(membership) if outcome == Outcome.NOT_CURRENT else messages()[outcome]
    record(by, AuditEntry.Action.VIEW_PERSONAL if shown else AuditEntry.Action.SECURITY, membership,
           event=f"card.{outcome.value}", extra={"outcome": outcome.value, "by_kind": by.kind})
    return Verification(outcome=outcome, message=message, membership=membership if shown else None,
                        token=token if shown else "")


def membership_for_photo(token: str, *, by) -> Membership:
    """The membership whose photo a verification page may show: a genuine, recent token; else 404."""
    if not may_verify(by):
        raise Http404
    outcome, membership_id = read_token(token, max_age=PHOTO_GRACE)
    if outcome != Outcome.VALID:
        raise Http404
    membership = Membership.objects.unscoped().select_related("worker").filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


# ----- the photo -----

def check_photo_size(size: int) -> None:
    """Refuses a photo over the limit; callers check the declared size before reading the bytes."""
    limit = photo_max_bytes()
    if size > limit:
        raise ValidationError({"photo": [_("照片不能超过%(size)s，请换一张小一些的照片，或裁剪后再上传。")
                                         % {"size": filesizeformat(limit)}]})


def check_photo(name: str, content: bytes) -> str:
    """The extension to store a photo under; ValidationError in Chinese otherwise. The bytes
    decide, not the file name: an .exe renamed .jpg is refused."""
    if not content:
        raise ValidationError({"photo": [_("照片文件是空的，请重新选择一张照片。")]})
    check_photo_size(len(content))
    head = content[:262]
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in PHOTO_TYPES:
        return PHOTO_TYPES[mime]
    if head.startswith(EXECUTABLE_HEADS) or mime in {"application/x-msdownload", "application/x-executable"}:
        raise ValidationError({"photo": [_("不能上传可执行文件，请上传 JPG、PNG 或 WebP 格式的照片。")]})
    if mime in {"image/heic", "image/heif"}:
        raise ValidationError({"photo": [_("暂不支持 HEIC 格式的照片，请在手机相机设置中选择“兼容性最佳”，"
                                           "或截图后上传 JPG、PNG 格式的照片。")]})
    if mime and mime.startswith("image/"):
        raise ValidationError({"photo": [_("不支持这种图片格式，请上传 JPG、PNG 或 WebP 格式的照片。")]})
    raise ValidationError({"photo": [_("这个文件不是照片，请上传 JPG、PNG 或 WebP 格式的照片。")]})


def _union_of(worker: Worker):
    membership = current_membership(worker)
    return membership.union if membership else None


def _require_self(worker: Worker, by) -> None:
    if by is None or worker.user_id is None or worker.user_id != by.pk:
        raise PermissionDenied


@transaction.atomic
def set_photo(worker: Worker, name: str, content: bytes, *, by) -> Worker:
    """The worker replaces their own photo; the old file is removed once the change is committed."""
    _require_self(worker, by)
    extension = check_photo(name, content)
    worker = Worker.objects.unscoped().select_for_update().get(pk=worker.pk)
    old = worker.photo.name
    worker.photo.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    worker.save(update_fields=["photo", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, worker, node=_union_of(worker), event="worker.photo_changed",
           changes={"photo": [bool(old), True]}, extra={"size": len(content)})
    if old:
        storage = worker.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return worker


@transaction.atomic
def remove_photo(worker: Worker, *, by) -> Worker:
    _require_self(worker, by)
    worker = Worker.objects.unscoped().select_for_update().get(pk=worker.pk)
    old = worker.photo.name
    if not old:
        return worker
    storage = worker.photo.storage
    worker.photo = ""
    worker.save(update_fields=["photo", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, worker, node=_union_of(worker), event="worker.photo_removed",
           changes={"photo": [True, False]})
    transaction.on_commit(lambda: storage.delete(old))
    return worker


def photo_version(worker: Worker) -> str:
    """A short token that changes with the photo, for cache-busting its URL."""
    return PurePosixPath(worker.photo.name).stem[:8] if worker.photo else ""


def photo_response(worker: Worker) -> FileResponse:
    """The photo's bytes for a caller whose access was checked; 404 when there is none."""
    if not worker.photo:
        raise Http404
    extension = PurePosixPath(worker.photo.name).suffix.lower()
    try:
        handle = worker.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    # Personal data: kept by this browser only, and only briefly.
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = "inline"
    return response
