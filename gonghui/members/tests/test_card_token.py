"""The e-card token: signed with its own salt, carrying the membership id, expiring after 5 minutes."""

import time
from unittest import mock

import pytest
from django.core import signing

from gonghui.members import ecard
from gonghui.members.ecard import Outcome
from gonghui.members.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership(tree):
    return MembershipFactory(union=tree.g1)


def at(seconds_from_now: float):
    """Patch the clock the signer reads, so expiry is tested without waiting."""
    return mock.patch("django.core.signing.time.time", return_value=time.time() + seconds_from_now)


def test_a_fresh_token_names_its_membership(membership):
    card = ecard.issue_token(membership)
    assert card.token.startswith(f"{membership.pk}:") and len(card.token) < 80
    assert ecard.read_token(card.token) == (Outcome.VALID, membership.pk)
    assert (card.expires_at - card.issued_at).total_seconds() == ecard.TOKEN_TTL


def test_it_expires_after_the_ttl_but_still_says_whose_it_was(membership):
    card = ecard.issue_token(membership)
    with at(ecard.TOKEN_TTL - 5):
        assert ecard.read_token(card.token) == (Outcome.VALID, membership.pk)
    with at(ecard.TOKEN_TTL + 5):
        assert ecard.read_token(card.token) == (Outcome.EXPIRED, membership.pk)
    # The same check through max_age, as the brief allows.
    assert ecard.read_token(card.token, max_age=-1)[0] == Outcome.EXPIRED


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),   # signature changed
    lambda t: "9" + t,                                    # membership id changed
    lambda t: t.split(":")[0],                            # signature dropped
    lambda t: "",                                         # nothing
    lambda t: "hello world",                              # not a token at all
])
def test_a_tampered_token_is_invalid_and_names_nobody(membership, tamper):
    token = ecard.issue_token(membership).token
    assert ecard.read_token(tamper(token)) == (Outcome.INVALID, None)


def test_tokens_signed_for_another_purpose_are_refused(membership):
    # Same secret key, another salt (e.g. a password-reset or a cookie signature): not a card.
    other = signing.TimestampSigner(salt="gonghui.other").sign(str(membership.pk))
    assert ecard.read_token(other) == (Outcome.INVALID, None)
    unsalted = signing.TimestampSigner().sign(str(membership.pk))
    assert ecard.read_token(unsalted) == (Outcome.INVALID, None)


def test_a_genuine_signature_over_a_non_id_is_invalid():
    token = signing.TimestampSigner(salt=ecard.SALT).sign("abc")
    assert ecard.read_token(token) == (Outcome.INVALID, None)


@pytest.mark.parametrize("typed", [
    "{url}", "  {url}\n", "{url}?utm=x", "{token}", " {token} ",
    "http://other-host.example/console/members/card/verify/{token}/",
])
def test_the_token_is_found_in_what_a_scanner_types(membership, typed):
    token = ecard.issue_token(membership).token
    url = "https://gonghui.example.cn" + ecard.verify_path(token)
    assert ecard.extract_token(typed.format(url=url, token=token)) == token


def test_the_qr_holds_the_absolute_verification_url(membership, rf, settings):
    token = ecard.issue_token(membership).token
    request = rf.get("/me/card/", HTTP_HOST="testserver")
    assert ecard.verify_url(token, request) == f"http://testserver/console/members/card/verify/{token}/"
    settings.GONGHUI_PUBLIC_URL = "https://gonghui.example.cn/"
    assert ecard.verify_url(token, request) == f"https://gonghui.example.cn/console/members/card/verify/{token}/"
    svg = ecard.qr_svg(ecard.verify_url(token, request))
    assert svg.startswith("<svg") and "viewBox" in svg and "<script" not in svg


def test_the_current_membership_prefers_the_active_one(tree):
    from gonghui.members.models import Membership

    retired = MembershipFactory(union=tree.g2, status=Membership.Status.RETIRED_RETAINED)
    assert ecard.current_membership(retired.worker) == retired
    active = MembershipFactory(union=tree.g1, worker=retired.worker)
    assert ecard.current_membership(retired.worker) == active
    left = MembershipFactory(union=tree.g1, status=Membership.Status.LEFT)
    assert ecard.current_membership(left.worker) is None
    assert ecard.current_membership(None) is None
