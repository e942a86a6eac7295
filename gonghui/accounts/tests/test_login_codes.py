"""Workers sign in with their mobile and a one-time code: sending, limits, checking, spending."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.accounts import services
from gonghui.accounts.models import LoginCode, User
from gonghui.accounts.sms import MemoryBackend
from gonghui.members.models import Worker
from gonghui.members.tests.factories import WorkerFactory

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def outbox():
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def code_in(outbox) -> str:
    phone, text = outbox[-1]
    return re.search(r"验证码是(\d+)", text).group(1)


def age_codes(phone, seconds):
    """Move the phone's codes into the past, as if ``seconds`` had gone by."""
    for code in LoginCode.objects.filter(phone=phone):
        LoginCode.objects.filter(pk=code.pk).update(
            created_at=code.created_at - timedelta(seconds=seconds),
            expires_at=code.expires_at - timedelta(seconds=seconds),
        )


def error_of(func, *args, **kwargs) -> services.LoginCodeError:
    with pytest.raises(services.LoginCodeError) as info:
        func(*args, **kwargs)
    return info.value


# ----- sending -----

def test_send_code_texts_a_six_digit_code_and_keeps_only_its_hash(db, outbox):
    sent = services.send_login_code(PHONE, ip="10.0.0.7")
    assert re.fullmatch(r"\d{6}", sent.code)
    assert sent.phone == PHONE
    assert outbox == [(PHONE, f"【网上工会】您的登录验证码是{sent.code}，5分钟内有效。请勿告诉他人。")]
    row = LoginCode.objects.get(phone=PHONE)
    assert sent.code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.ip == "10.0.0.7"
    assert row.used_at is None and row.attempts == 0
    assert timedelta(seconds=299) < row.expires_at - row.created_at <= timedelta(seconds=300)


def test_send_code_normalises_the_phone(db, outbox):
    sent = services.send_login_code("+86 139-1234-5678")
    assert sent.phone == PHONE
    assert outbox[0][0] == PHONE


@pytest.mark.parametrize(
    "phone, message",
    [
        ("", "请输入11位手机号码。"),
        ("hello", "请输入11位手机号码。"),
        ("12345", "手机号码不正确，请输入中国大陆11位手机号码。"),
        ("01012345678", "手机号码不正确，请输入中国大陆11位手机号码。"),
    ],
)
def test_send_code_to_an_invalid_phone(db, outbox, phone, message):
    error = error_of(services.send_login_code, phone)
    assert error.message == message
    assert error.status == 400
    assert outbox == []
    assert LoginCode.objects.count() == 0


def test_resend_within_a_minute_is_refused(db, outbox):
    services.send_login_code(PHONE)
    error = error_of(services.send_login_code, PHONE)
    assert error.status == 429
    assert error.message == "验证码已发送，请60秒后再试。"
    assert len(outbox) == 1
    assert LoginCode.objects.count() == 1
    # Another phone is not held back.
    services.send_login_code("13912345679")


def test_resend_after_a_minute_replaces_the_old_code(db, outbox, monkeypatch):
    codes = iter([111111, 222222])
    monkeypatch.setattr(services.secrets, "randbelow", lambda _n: next(codes))
    services.send_login_code(PHONE)
    first = code_in(outbox)
    age_codes(PHONE, 61)
    services.send_login_code(PHONE)
    second = code_in(outbox)
    assert len(outbox) == 2
    assert (first, second) == ("111111", "222222")
    assert LoginCode.objects.filter(phone=PHONE, used_at__isnull=True).count() == 1
    # The earlier code no longer works, even though it has not expired.
    assert error_of(services.verify_login_code, PHONE, first).message == "验证码不正确，请核对后重新输入。"
    assert services.verify_login_code(PHONE, second).phone == PHONE


def test_daily_limit(db, outbox, settings):
    for _i in range(settings.LOGIN_CODE_DAILY_LIMIT):
        services.send_login_code(PHONE)
        age_codes(PHONE, 61)
    error = error_of(services.send_login_code, PHONE)
    assert error.status == 429
    assert error.message == "今天获取验证码的次数已达上限，请明天再试。"
    assert len(outbox) == 10
    # A day later the phone may ask again.
    age_codes(PHONE, 24 * 3600)
    services.send_login_code(PHONE)
    assert len(outbox) == 11


# ----- verifying -----

def test_verify_the_right_code_creates_a_worker_user(db, outbox):
    services.send_login_code(PHONE)
    user = services.verify_login_code(PHONE, code_in(outbox))
    assert user.kind == User.Kind.WORKER
    assert user.phone == PHONE
    assert user.username == f"w{PHONE}"
    assert not user.has_usable_password()
    assert LoginCode.objects.get(phone=PHONE).used_at is not None


def test_first_sign_in_links_the_worker_with_that_mobile(db, outbox):
    worker = WorkerFactory(mobile=PHONE)
    other = WorkerFactory(mobile="13700000000")
    services.send_login_code(PHONE)
    user = services.verify_login_code(PHONE, code_in(outbox))
    assert Worker.objects.unscoped().get(pk=worker.pk).user == user
    assert Worker.objects.unscoped().get(pk=other.pk).user is None


def test_second_sign_in_reuses_the_user(db, outbox):
    services.send_login_code(PHONE)
    first = services.verify_login_code(PHONE, code_in(outbox))
    age_codes(PHONE, 61)
    services.send_login_code(PHONE)
    second = services.verify_login_code(PHONE, " " + code_in(outbox) + " ")
    assert first == second
    assert User.objects.filter(phone=PHONE).count() == 1


def test_wrong_code_counts_attempts_and_the_count_persists(db, outbox):
    services.send_login_code(PHONE)
    right = code_in(outbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for attempt in (1, 2):
        error = error_of(services.verify_login_code, PHONE, wrong)
        assert error.message == "验证码不正确，请核对后重新输入。"
        assert error.status == 400
        # Kept although the call raised (the attempt count is not rolled back).
        assert LoginCode.objects.get(phone=PHONE).attempts == attempt
    # The right code still works within the limit.
    assert services.verify_login_code(PHONE, right).phone == PHONE
    assert not User.objects.filter(phone=PHONE).first().is_staff


def test_too_many_attempts_kill_the_code(db, outbox, settings):
    services.send_login_code(PHONE)
    right = code_in(outbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _i in range(settings.LOGIN_CODE_MAX_ATTEMPTS):
        error_of(services.verify_login_code, PHONE, wrong)
    assert LoginCode.objects.get(phone=PHONE).attempts == 5
    error = error_of(services.verify_login_code, PHONE, right)
    assert error.message == "验证码错误次数过多，请重新获取。"
    assert error.status == 429
    assert not User.objects.filter(phone=PHONE).exists()


def test_expired_code_is_refused(db, outbox):
    services.send_login_code(PHONE)
    LoginCode.objects.filter(phone=PHONE).update(expires_at=timezone.now() - timedelta(seconds=1))
    error = error_of(services.verify_login_code, PHONE, code_in(outbox))
    assert error.message == "验证码已过期，请重新获取。"
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_used_code_cannot_be_reused(db, outbox):
    services.send_login_code(PHONE)
    code = code_in(outbox)
    services.verify_login_code(PHONE, code)
    error = error_of(services.verify_login_code, PHONE, code)
    assert error.message == "请先获取验证码。"


def test_verify_without_a_code_sent(db):
    assert error_of(services.verify_login_code, PHONE, "123456").message == "请先获取验证码。"


def test_verify_checks_the_phone(db, outbox):
    services.send_login_code(PHONE)
    code = code_in(outbox)
    # The same digits for another phone are not a code for it.
    assert error_of(services.verify_login_code, "13912345679", code).message == "请先获取验证码。"
    assert error_of(services.verify_login_code, "abc", code).message == "请输入11位手机号码。"


def test_a_disabled_worker_cannot_sign_in(db, outbox):
    User.objects.create(username="w" + PHONE, phone=PHONE, kind=User.Kind.WORKER, is_active=False)
    services.send_login_code(PHONE)
    error = error_of(services.verify_login_code, PHONE, code_in(outbox))
    assert error.status == 403
    assert error.message == "该账号已停用，请联系所在工会。"
