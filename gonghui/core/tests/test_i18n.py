import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "gonghui" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_is_complete():
    """Every Chinese source string has an English translation (run `make messages` to refresh)."""
    text = PO.read_text(encoding="utf-8")
    untranslated = re.findall(r'\nmsgid ("(?:[^"\\]|\\.)+")\nmsgstr ""\n\n', text)
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert "#, fuzzy" not in text.split("\n\n", 1)[1], "fuzzy entries need checking"


def test_compiled_catalogue_is_used():
    with translation.override("en"):
        assert translation.gettext("组织架构") != "组织架构"
    with translation.override("zh-hans"):
        assert translation.gettext("组织架构") == "组织架构"


def test_english_switch_changes_the_portal(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 302
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in html
