"""The production start refuses a missing secret, the log SMS backend and demo data."""

import os
import subprocess
import sys

from django.conf import settings

BASE_ENV = {
    "GONGHUI_MODE": "production",
    "GONGHUI_SECRET_KEY": "x" * 60,
    "GONGHUI_DATA_KEY": "dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLi4uLi4=",
    "GONGHUI_SMS_BACKEND": "gonghui.accounts.sms.MemoryBackend",
    "DJANGO_SETTINGS_MODULE": "gonghui.settings",
}


def _start(env_overrides: dict, code: str = "import django; django.setup(); print('started')"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")} | BASE_ENV | env_overrides
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=60)


def test_production_starts_with_everything_set():
    result = _start({})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_refuses_missing_secret_key():
    result = _start({"GONGHUI_SECRET_KEY": None})
    assert result.returncode != 0
    assert "GONGHUI_SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_missing_data_key():
    result = _start({"GONGHUI_DATA_KEY": None})
    assert result.returncode != 0
    assert "GONGHUI_DATA_KEY must be set in production" in result.stderr


def test_production_refuses_log_sms_backend():
    result = _start({"GONGHUI_SMS_BACKEND": None})
    assert result.returncode != 0
    assert "GONGHUI_SMS_BACKEND" in result.stderr
