"""Demo data of the activities app, built through the services (activities and enrolment).

The city and every district organise activities: one full with a waiting list, one with places
left and a sign-up question, one finished with sign-ups, check-ins (ledger rows), a report and
photos, and a draft; 东湖区 adds a women workers' event. A finished activity is created and
published while ahead, its sign-ups and check-ins run at the times they would have (``now=``),
and its dates are then moved back, as time would have done. The demo worker (seed_demo's
WORKER_PHONE) holds a confirmed place at union 1's event and waits for 东湖区's full one.
"""

import datetime
import io

from django.db import transaction
from django.utils import timezone

WORKER_PHONE = "13800000001"
# (title, kind, place, address, latitude, longitude) per district index; the city's first.
PLACES = {
    "city": ("江海市工人文化宫", "江海市人民路1号", "32.005120", "120.864310"),
    0: ("东湖区全民健身中心", "东湖区湖滨大道88号", "32.012340", "120.881200"),
    1: ("西江区职工之家", "西江区江北路16号", "31.998760", "120.842100"),
    2: ("南山区科技园体育馆", "南山区科技大道200号", "31.987650", "120.901230"),
}
FULL = [("职工气排球联赛", "sports"), ("职工篮球友谊赛", "sports"), ("职工羽毛球团体赛", "sports")]
OPEN = [("职工书画摄影作品展", "culture"), ("职工读书分享会", "lecture"), ("职工合唱团招募", "culture")]
PAST = [("湖滨徒步健身行", "outing"), ("江滩清洁志愿服务", "volunteer"), ("青年职工联谊会", "matchmaking")]
REPORTS = [
    "活动当天共有{n}名职工参加，沿湖步行约8公里，途中设置了健康知识问答和趣味打卡点。大家表示活动既锻炼了身体，"
    "又增进了同事间的交流，希望工会多组织此类活动。",
    "{n}名职工志愿者分组清理江滩垃圾，共清运垃圾约200公斤，并向过往市民发放环保宣传册。",
    "来自辖区企业的{n}名单身青年职工参加了联谊活动，通过破冰游戏、分组协作和才艺展示相互认识。",
]


def _picture(rng, size=(480, 320)) -> bytes:
    from PIL import Image, ImageDraw

    base = (200, 22, 29) if rng.random() < 0.5 else (30, 110, 160)
    image = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, size[0]), rng.randint(0, size[1])
        r = rng.randint(30, 120)
        shade = tuple(min(255, c + rng.randint(20, 90)) for c in base)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=shade)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _worker_accounts(node, n: int, *, exclude=()) -> list:
    """Up to ``n`` worker accounts of members in ``node``'s subtree, making accounts for workers
    who have none (the demo's members are mostly account-less: they never signed in)."""
    from gonghui.accounts.models import User
    from gonghui.core.scope import subtree_q
    from gonghui.members.models import Membership, Worker

    ids = list(Membership.objects.unscoped().filter(subtree_q("node_path", node.path), status="active")
               .exclude(worker__user__in=list(exclude)).order_by("pk").values_list("worker_id", flat=True)[:n * 3])
    workers = list(Worker.objects.unscoped().filter(pk__in=ids).select_related("user").order_by("pk"))[:n]
    missing = [w for w in workers if w.user_id is None]
    if missing:
        taken = set(User.objects.filter(phone__in=[w.mobile for w in missing]).values_list("phone", flat=True))
        for w in missing:
            phone = w.mobile if w.mobile and w.mobile not in taken else None
            taken.add(phone)
            user = User(username=f"demo_worker_{w.pk}", phone=phone, kind=User.Kind.WORKER, display_name=w.name)
            user.set_unusable_password()
            w.user = user
        User.objects.bulk_create([w.user for w in missing])
        if any(w.user.pk is None for w in missing):
            by_name = dict(User.objects.filter(username__in=[w.user.username for w in missing])
                           .values_list("username", "pk"))
            for w in missing:
                w.user.pk = w.user.id = by_name[w.user.username]
        for w in missing:
            w.user_id = w.user.pk
        Worker.objects.unscoped().bulk_update(missing, ["user"])
    return [w.user for w in workers]


def _move_back(activity, starts, hours):
    from gonghui.activities.models import Activity
    from gonghui.enrolment.models import Offering

    ends = starts + datetime.timedelta(hours=hours)
    Activity.objects.unscoped().filter(pk=activity.pk).update(starts_at=starts, ends_at=ends)
    Offering.objects.unscoped().filter(pk=activity.pk).update(
        opens_at=starts - datetime.timedelta(days=14), closes_at=starts - datetime.timedelta(hours=12), ends_at=ends)
    return Activity.objects.unscoped().select_related("offering", "offering__node").get(pk=activity.pk)


def _sign_up_all(activity, users, now=None) -> list:
    from gonghui.enrolment import services as enrolment
    from gonghui.enrolment.models import Offering

    done = []
    for user in users:
        offering = Offering.objects.unscoped().select_related("node").get(pk=activity.pk)
        answers = {q["key"]: (q["choices"][0] if q["type"] == "choice" else "无") for q in offering.questions
                   if q.get("required", True)}
        try:
            done.append(enrolment.sign_up(offering, user, answers=answers, now=now))
        except Exception:  # noqa: BLE001 — a demo worker outside an audience is simply skipped
            continue
    return done


def _union_of(user):
    from gonghui.enrolment.audience import current_union, worker_of

    return current_union(worker_of(user)) if user is not None else None


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@transaction.atomic
def seed(rng) -> dict:
    from gonghui.accounts.models import User
    from gonghui.activities import services as svc
    from gonghui.enrolment import services as enrolment
    from gonghui.enrolment.models import Enrolment
    from gonghui.orgs.models import UnionNode

    K = UnionNode.Kind
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    if city is None:
        return {}
    districts = list(UnionNode.objects.unscoped().filter(parent=city, kind=K.DISTRICT_FEDERATION).order_by("path"))
    staff = {u.username: u for u in User.objects.filter(username__in=[
        "city_admin", "district1_admin", "district2_admin", "district3_admin"])}
    demo_worker = User.objects.filter(phone=WORKER_PHONE, kind=User.Kind.WORKER).first()
    today = timezone.localdate()
    counts = {"activities": 0, "activity_signups": 0, "activity_checkins": 0}

    def make(node, title, kind, place, starts, hours=3, **fields):
        name, address, lat, lng = place
        activity = svc.create_activity(
            node=node, by=None, title=title, kind=kind, starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=hours), place_name=name, address=address, latitude=lat,
            longitude=lng, description=f"<p>{node.name}主办。欢迎符合条件的职工报名参加，请准时到场签到。</p>"
                                        "<ul><li>请穿着适合活动的服装</li><li>如不能参加请提前取消报名，把名额让给候补的职工</li></ul>",
            cover=_picture(rng) if rng.random() < 0.7 else None, **fields)
        counts["activities"] += 1
        return activity

    # The city: a run for everyone, open now.
    run = make(city, "江海市职工迎新春健步走", "sports", PLACES["city"], _at(today + datetime.timedelta(days=12), 8),
               capacity=300, audience="workers", hardship_first=True)
    svc.publish(run, by=None)
    counts["activity_signups"] += len(_sign_up_all(run, _worker_accounts(city, 40)))

    for d, district in enumerate(districts[:3]):
        place = PLACES.get(d, PLACES["city"])
        admin = staff.get(f"district{d + 1}_admin")
        unions = list(UnionNode.objects.unscoped().filter(path__startswith=district.path, kind=K.GRASSROOTS_UNION)
                      .order_by("path")[:3])
        people = _worker_accounts(district, 24, exclude=[demo_worker] if demo_worker else [])

        # Full, with a waiting list.
        title, kind = FULL[d % len(FULL)]
        full = make(district, f"{district.short_name or district.name}{title}", kind, place,
                    _at(today + datetime.timedelta(days=5 + d), 14), capacity=6, audience="members")
        svc.publish(full, by=None)
        counts["activity_signups"] += len(_sign_up_all(full, people[:9]))
        if d == 0 and demo_worker is not None:
            counts["activity_signups"] += len(_sign_up_all(full, [demo_worker]))

        # Places left, with a sign-up question, organised by a grassroots union.
        organiser = unions[0] if unions else district
        title, kind = OPEN[d % len(OPEN)]
        opened = make(organiser, f"{organiser.short_name or organiser.name}{title}", kind, place,
                      _at(today + datetime.timedelta(days=9 + d), 19), hours=2, capacity=40, audience="workers",
                      questions=[{"label": "衣服尺码", "type": "choice", "choices": ["S", "M", "L", "XL"]},
                                 {"label": "想对工会说的话", "type": "text", "required": False}])
        svc.publish(opened, by=None)
        counts["activity_signups"] += len(_sign_up_all(opened, people[9:15]))

        # Finished: sign-ups, check-ins at the time, a report and photos.
        title, kind = PAST[d % len(PAST)]
        held = make(district, f"{district.short_name or district.name}{title}", kind, place,
                    _at(today + datetime.timedelta(days=1), 9), hours=4, capacity=20, audience="members")
        svc.publish(held, by=None)
        started = _at(today - datetime.timedelta(days=10 + 7 * d), 9)
        held = _move_back(held, started, 4)
        signed = _sign_up_all(held, people[12:22], now=started - datetime.timedelta(days=3))
        counts["activity_signups"] += len(signed)
        for n, e in enumerate(signed):
            if n % 5 == 4 or admin is None or e.status != Enrolment.Status.CONFIRMED:
                continue  # a no-show
            enrolment.check_in(e.code, by=admin, offering=held.offering,
                               now=started + datetime.timedelta(minutes=10 + n))
            counts["activity_checkins"] += 1
        attended = Enrolment.objects.unscoped().filter(offering_id=held.pk, attended_at__isnull=False).count()
        svc.save_report(held, by=None, report=REPORTS[d % len(REPORTS)].format(n=attended))
        for caption in ("活动现场", "集体合影"):
            svc.add_photo(held, by=None, content=_picture(rng), caption=caption)

        # A draft for next month.
        make(district, f"{district.short_name or district.name}职工趣味运动会（筹备中）", "sports", place,
             _at(today + datetime.timedelta(days=35), 9), capacity=100, audience="members")

        if d == 0:
            women = make(district, "“巾帼风采”女职工插花沙龙", "culture", place,
                         _at(today + datetime.timedelta(days=7), 14), hours=2, capacity=25, audience="women")
            svc.publish(women, by=None)
            counts["activity_signups"] += len(_sign_up_all(women, people[:24]))
            home = _union_of(demo_worker)
            if home is not None:
                own = make(home, f"{home.short_name or home.name}乒乓球比赛", "sports", place,
                           _at(today + datetime.timedelta(days=4), 18), hours=2, capacity=16, audience="members")
                svc.publish(own, by=None)
                counts["activity_signups"] += len(_sign_up_all(own, [demo_worker] + people[15:20]))
    return counts


def seed_activities(rng) -> dict:
    return seed(rng)
