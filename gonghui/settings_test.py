"""Settings for the test suite: immediate tasks, an in-memory SMS outbox, fast hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("GONGHUI_MODE", "test")
os.environ.setdefault("GONGHUI_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("GONGHUI_DATA_KEY", "dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLi4uLi4=")

from gonghui.settings import *  # noqa: E402,F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GONGHUI_SMS_BACKEND = "gonghui.accounts.sms.MemoryBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gonghui-test-media-"))
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: concurrency tests need separate connections to one database. One file
    # per test process, so parallel runs (pytest-xdist workers, two checkouts) never share one.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"gonghui-test-{os.getpid()}.sqlite3")
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
