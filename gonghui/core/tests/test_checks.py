import subprocess
import sys

from django.conf import settings


def test_system_checks_pass_without_warnings_in_a_fresh_process():
    """A fresh process imports modules in another order than the test run (e.g. django-axes loads
    the lockout view before any URLconf): import cycles show up only there."""
    result = subprocess.run([sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
                            cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
