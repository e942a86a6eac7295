from pathlib import Path

from django.conf import settings

from gonghui.core.management.commands.export_openapi import openapi_text

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def test_openapi_matches_the_committed_snapshot():
    """The API's contract changes only on purpose: run `make openapi` and commit the diff."""
    assert SNAPSHOT.read_text(encoding="utf-8") == openapi_text()
