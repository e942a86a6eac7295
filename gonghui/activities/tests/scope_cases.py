"""The activities app's routes for the shared scope test: every activity is organised in district 2."""

import datetime

from django.utils import timezone

from gonghui.core.tests.scopecases import ScopeCase

API = "/api/v1/activities"


def _activity(env):
    from gonghui.activities.tests.factories import make_activity, png_bytes

    return make_activity(env.tree.g2, title="西城专属篮球赛", cover=png_bytes())


def _draft(env):
    from gonghui.activities.tests.factories import make_activity

    return make_activity(env.tree.g2, title="西城专属草稿活动", publish=False)


def _past(env):
    from gonghui.activities.tests.factories import make_activity

    return make_activity(env.tree.g2, title="西城专属往期活动", starts_in=-datetime.timedelta(days=2))


def _photo(env):
    from gonghui.activities import services as svc
    from gonghui.activities.tests.factories import png_bytes

    return svc.add_photo(_past(env), by=None, content=png_bytes(), caption="西城合影")


def _photo_activity(env):
    return _photo(env).activity


def _form(obj):
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=5))
    return {"title": "改名的活动", "kind": "culture", "node": obj.offering.node_id,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place_name": "文化宫", "capacity": "20", "audience": "workers", "per_person_limit": "1",
            "confirm_hours": "24"}


def _api_new(obj):
    start = timezone.now() + datetime.timedelta(days=5)
    return {"node_id": obj.offering.node_id, "title": "接口新建活动", "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=2)).isoformat(), "place_name": "文化宫"}


CASES = [
    ScopeCase("activities:list", _activity, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.offering.title),
    ScopeCase("activities:detail", _activity),
    ScopeCase("activities:cover", _activity),
    ScopeCase("activities:photo", _photo),
    ScopeCase("activities:console_list", _activity, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.offering.title),
    ScopeCase("activities:manage", _activity),
    ScopeCase("activities:edit", _activity, kind="change", data=_form),
    ScopeCase("activities:new", _activity, kind="create", kwargs=lambda obj: {}, data=_form,
              owner_statuses=(302,)),
    ScopeCase("activities:action", _draft, kind="change", kwargs=lambda obj: {"pk": obj.pk, "action": "publish"}),
    ScopeCase("activities:report", _past, kind="change", data=lambda obj: {"report": "共有30名职工参加。"}),
    ScopeCase("activities:photo_add", _past, kind="create",
              data=lambda obj: {"caption": "合影", "file": _upload()}),
    ScopeCase("activities:photo_delete", _photo, kind="delete"),
    ScopeCase(f"GET {API}/", _activity, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.offering.title),
    ScopeCase(f"GET {API}/{{int:activity_id}}", _activity, kwargs=lambda obj: {"activity_id": obj.pk}),
    ScopeCase(f"POST {API}/", _activity, kind="create", kwargs=lambda obj: {}, data=_api_new),
    ScopeCase(f"PATCH {API}/{{int:activity_id}}", _activity, kind="change",
              kwargs=lambda obj: {"activity_id": obj.pk}, data=lambda obj: {"capacity": 12}),
    ScopeCase(f"POST {API}/{{int:activity_id}}/publish", _draft, kind="change",
              kwargs=lambda obj: {"activity_id": obj.pk}),
    ScopeCase(f"POST {API}/{{int:activity_id}}/cancel", _activity, kind="change",
              kwargs=lambda obj: {"activity_id": obj.pk}, data=lambda obj: {"reason": "天气原因"}),
    ScopeCase(f"POST {API}/{{int:activity_id}}/report", _past, kind="change",
              kwargs=lambda obj: {"activity_id": obj.pk}, data=lambda obj: {"report": "共有30名职工参加。"}),
]
EXEMPT = {}


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.activities.tests.factories import png_bytes

    return SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
