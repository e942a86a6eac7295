"""The e-card's and the worker's own pages' routes for the shared scope test."""

from django.core.files.base import ContentFile

from gonghui.core.tests.scopecases import ScopeCase
from gonghui.members.tests.factories import MembershipFactory

# The smallest valid PNG (1 x 1 pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _member_with_photo_in_d2(env):
    membership = MembershipFactory(union=env.tree.g2, worker__name="西城有照片的会员")
    membership.worker.photo.save("scope.png", ContentFile(PNG), save=True)
    return membership


CASES = [
    ScopeCase("members:photo", _member_with_photo_in_d2, owner_statuses=(200,)),
]

_CITY_WIDE = ("card verification is city-wide by design: a partner shop or the staff of any union checks any "
              "member's card. The signed token (5 minutes) is what authorises the look-up, only masked data "
              "are shown, workers and anonymous users are refused, and every check is audited "
              "(test_card_verify, test_card_api)")
_OWN = ("the signed-in worker's own record only (Worker.user is the caller); no id in the URL, so no other "
        "worker's or union's rows can be asked for (test_me_pages, test_card_api)")

EXEMPT = {
    "members:card_verify": _CITY_WIDE,
    "members:card_verify_token": _CITY_WIDE,
    "members:card_photo": "the photo of the member whose genuine, recent card token is in the URL, for a "
                          "verifier (staff holding members.verify_card or a partner); without a valid token "
                          "404 (test_card_verify)",
    "POST /api/v1/members/cards/verify": _CITY_WIDE,
    "my_union:card": _OWN,
    "my_union:card_qr": _OWN,
    "my_union:photo": _OWN,
    "my_union:photo_upload": _OWN,
    "my_union:profile": _OWN,
    "my_union:profile_edit": _OWN,
    "my_union:my_services": _OWN,
    "my_union:my_data": _OWN,
    "GET /api/v1/members/me": _OWN,
    "PATCH /api/v1/members/me": _OWN,
    "GET /api/v1/members/me/card": _OWN,
    "GET /api/v1/members/me/photo": _OWN,
    "POST /api/v1/members/me/photo": _OWN,
    "DELETE /api/v1/members/me/photo": _OWN,
    "GET /api/v1/members/me/services": _OWN,
    "GET /api/v1/members/me/data": _OWN,
}
