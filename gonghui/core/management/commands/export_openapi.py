import json
from pathlib import Path

from django.core.management.base import BaseCommand

from gonghui.api import api


def openapi_text() -> str:
    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema to docs/api/openapi.json (the snapshot the tests compare with)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=Path("docs/api/openapi.json"))

    def handle(self, *args, output: Path, **options):
        output.write_text(openapi_text(), encoding="utf-8")
        self.stdout.write(f"wrote {output}")
