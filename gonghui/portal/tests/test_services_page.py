"""The 办事 page lists every worker service as a tile (the tab bar keeps five tabs)."""

from django.test import Client
from django.urls import reverse


def test_every_service_has_a_tile(db):
    html = Client().get(reverse("portal:services")).content.decode()
    for name in ("hardship:me", "legal:portal_home", "activities:list", "courses:portal_list", "courses:uplift",
                 "enrolment:mine", "requests:portal_new"):
        assert f'href="{reverse(name)}"' in html, name


def test_the_tab_bar_keeps_five_tabs(db):
    from gonghui.core import nav

    assert [e["key"] for e in nav.entries_for("portal", None)] == ["home", "services", "kb", "messages", "me"]
