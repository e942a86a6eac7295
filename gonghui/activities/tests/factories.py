"""Factories of the activities tests: an activity made through the services (by the system)."""

import datetime
import io
import itertools

from django.utils import timezone

from gonghui.activities import services as svc

_seq = itertools.count(1)


def png_bytes(size=(40, 30), color=(200, 22, 29)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def make_activity(node, *, title=None, capacity=10, publish=True, starts_in=datetime.timedelta(days=3),
                  hours=3, audience="workers", waitlist=True, kind="sports", cover=None, **fields):
    """An activity organised by ``node`` starting ``starts_in`` from now (negative: in the past).

    A past one is published while it is still ahead (publishing an ended activity is refused) and
    then moved back, as time would have done."""
    now = timezone.now()
    starts = now + starts_in
    past = starts + datetime.timedelta(hours=hours) <= now
    data = dict(title=title or f"职工活动{next(_seq)}", kind=kind, place_name="市工人文化宫", address="人民路1号",
                capacity=capacity, audience=audience, waitlist=waitlist, description="<p>欢迎报名参加。</p>")
    data.update(fields)
    if past:
        data.update(starts_at=now + datetime.timedelta(days=1), ends_at=now + datetime.timedelta(days=1, hours=hours))
    else:
        data.update(starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours))
    activity = svc.create_activity(node=node, by=None, cover=cover, **data)
    if publish:
        svc.publish(activity, by=None)
    if past:
        from gonghui.activities.models import Activity
        from gonghui.enrolment.models import Offering

        ends = starts + datetime.timedelta(hours=hours)
        Activity.objects.unscoped().filter(pk=activity.pk).update(starts_at=starts, ends_at=ends)
        Offering.objects.unscoped().filter(pk=activity.pk).update(
            ends_at=ends, opens_at=starts - datetime.timedelta(days=7), closes_at=starts)
    return fresh(activity.pk)


def fresh(pk):
    from gonghui.activities.models import Activity

    return Activity.objects.unscoped().select_related("offering", "offering__node").get(pk=pk)
