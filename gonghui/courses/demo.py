"""Demo data of the courses app, built through the services (courses, enrolment, the engine).

The city runs a childcare-worker (育婴师) course towards its target "培训300名育婴师"; every district
runs a finished course (sessions, roll calls, scores, certificates, subsidies), a current one with
trainees and some roll calls taken, and a draft. Migrant workers' education uplift applications sit
at every step of the plan. The demo worker (seed_demo's WORKER_PHONE) holds a certificate from
their district's finished course and a place in the city's current one.
"""

import datetime

from django.db import transaction
from django.utils import timezone

WORKER_PHONE = "13800000001"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
BODY = "江海市职业技能鉴定指导中心"
# (occupation, level, title) of each district's finished and current courses.
FINISHED = [("育婴师", "四级/中级工", "育婴师（四级）培训班"), ("养老护理员", "四级/中级工", "养老护理员培训班"),
            ("育婴师", "五级/初级工", "育婴师（五级）培训班")]
CURRENT = [("电工", "四级/中级工", "低压电工上岗培训班"), ("育婴师", "四级/中级工", "育婴师（四级）培训班（第二期）"),
           ("家政服务员", "五级/初级工", "家政服务员培训班")]
TOPICS = ["职业道德与相关法规", "婴幼儿生活照料", "婴幼儿保健与护理", "婴幼儿早期教育", "实操训练与模拟考核"]
TEACHERS = ["陈丽华", "周敏", "吴建国", "郑晓燕"]
SCHOOLS = [("江海开放大学", "机电一体化技术（大专）", "diploma", "6000"),
           ("江海职业技术学院", "护理（大专）", "diploma", "7200"),
           ("江海市技师学院", "焊工（高级工）", "skills", "3000"),
           ("江苏开放大学江海分校", "行政管理（本科）", "diploma", "9000"),
           ("江海市技师学院", "数控车工（中级工）", "skills", "2400"),
           ("江海开放大学", "会计（大专）", "diploma", "5600")]
# The step each uplift application is left at.
UPLIFT_STEPS = ["submitted", "approved", "enrolment_check", "studying", "completed", "rejected"]


def _accounts(node, n: int, *, migrant=None, exclude=()) -> list:
    """Up to ``n`` worker accounts of current members in ``node``'s subtree (accounts made for
    workers who never signed in)."""
    from gonghui.accounts.models import User
    from gonghui.members.models import Membership, Worker

    qs = Membership.objects.unscoped().filter(node_path__startswith=node.path, status__in=Membership.CURRENT)
    if migrant is not None:
        qs = qs.filter(worker__migrant_worker=migrant)
    ids = list(qs.exclude(worker__user__in=list(exclude)).order_by("pk").values_list("worker_id", flat=True)[:n * 3])
    workers = list(dict.fromkeys(Worker.objects.unscoped().filter(pk__in=ids).select_related("user").order_by("pk")))
    workers = workers[:n]
    missing = [w for w in workers if w.user_id is None]
    if missing:
        taken = set(User.objects.filter(phone__in=[w.mobile for w in missing]).values_list("phone", flat=True))
        for w in missing:
            phone = w.mobile if w.mobile and w.mobile not in taken else None
            taken.add(phone)
            user = User(username=f"demo_worker_{w.pk}", phone=phone, kind=User.Kind.WORKER, display_name=w.name)
            user.set_unusable_password()
            w.user = user
        existing = set(User.objects.filter(username__in=[w.user.username for w in missing])
                       .values_list("username", flat=True))
        User.objects.bulk_create([w.user for w in missing if w.user.username not in existing])
        by_name = dict(User.objects.filter(username__in=[w.user.username for w in missing])
                       .values_list("username", "pk"))
        for w in missing:
            w.user_id = by_name[w.user.username]
        Worker.objects.unscoped().bulk_update(missing, ["user"])
        workers = list(Worker.objects.unscoped().filter(pk__in=[w.pk for w in workers]).select_related("user"))
    return [w.user for w in workers]


def _course(node, title, occupation, level, starts_on, ends_on, by, *, capacity, subsidy, audience="workers"):
    from gonghui.courses import services as svc

    return svc.create_course(node, {
        "title": title, "occupation": occupation, "certifying_body": BODY, "level": level,
        "description": f"面向辖区职工的{occupation}职业技能培训，理论与实操相结合，考核合格颁发培训合格证书。",
        "starts_on": starts_on, "ends_on": ends_on, "capacity": capacity, "audience": audience, "waitlist": True,
        "min_attendance_pct": 80, "pass_score": 60, "subsidy_per_trainee": subsidy}, by=by)


def _sessions(course, n, by, rng):
    from gonghui.courses import services as svc

    span = max((course.ends_on - course.starts_on).days, 1)
    for i in range(n):
        day = course.starts_on + datetime.timedelta(days=round(i * span / max(n - 1, 1)))
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 if i % 2 == 0 else 14, 0)))
        svc.add_session(course, {"starts_at": start, "ends_at": start + datetime.timedelta(hours=3),
                                 "topic": TOPICS[i % len(TOPICS)], "teacher": rng.choice(TEACHERS),
                                 "place": f"{course.offering.node.name}职工学校{201 + i}教室"}, by=by)


def _sign_up(course, users) -> list:
    from gonghui.enrolment import services as enrolment

    done = []
    for user in users:
        try:
            done.append(enrolment.sign_up(course.offering, user, answers={}))
        except Exception:  # noqa: BLE001 — a demo worker outside the audience is simply skipped
            continue
    return done


def _run(course, trainees, by, rng, *, upto=None, scores=True):
    """Roll calls of the sessions held (up to ``upto``), most present; then scores."""
    from gonghui.courses import services as svc
    from gonghui.courses.models import CourseSession

    now = timezone.now()
    trainees = [e for e in trainees if e.status == "confirmed"]
    for session in CourseSession.objects.unscoped().filter(course=course, starts_at__lte=upto or now):
        present = [e.pk for e in trainees if rng.random() < 0.9]
        svc.record_roll_call(session, present, by=by)
    if scores:
        svc.record_scores(course, {e.pk: str(rng.choice([52, 58, 66, 72, 78, 81, 85, 88, 90, 93, 96]))
                                   for e in trainees}, taken_on=min(course.ends_on, timezone.localdate()), by=by)


@transaction.atomic
def seed_courses(rng) -> dict:
    from gonghui.accounts.models import User
    from gonghui.courses import services as svc
    from gonghui.courses.models import Certificate, TrainingSubsidy
    from gonghui.orgs.models import UnionNode

    K = UnionNode.Kind
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    if city is None:
        return {}
    districts = list(UnionNode.objects.unscoped().filter(parent=city, kind=K.DISTRICT_FEDERATION).order_by("path"))
    staff = {u.username: u for u in User.objects.filter(username__in=[
        "city_admin", "district1_staff", "district2_staff", "district3_staff"])}
    city_admin = staff.get("city_admin")
    if city_admin is None:
        return {}
    demo_worker = User.objects.filter(phone=WORKER_PHONE, kind=User.Kind.WORKER).first()
    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    counts = {"courses": 0, "course_sessions": 0}

    svc.create_target(city, {"year": today.year, "occupation": "育婴师", "target": 300}, by=city_admin)

    # The city's course towards the target: finished, certificates issued.
    start = max(today - datetime.timedelta(days=70), year_start)
    course = _course(city, f"{today.year}年江海市育婴师（四级）培训班（第一期）", "育婴师", "四级/中级工", start,
                     min(start + datetime.timedelta(days=35), today - datetime.timedelta(days=1)), city_admin,
                     capacity=60, subsidy=800)
    _sessions(course, 5, city_admin, rng)
    svc.publish_course(course, by=city_admin)
    trainees = _sign_up(course, _accounts(city, 20, exclude=[demo_worker] if demo_worker else ()))
    _run(course, trainees, city_admin, rng)
    svc.evaluate_course(course, by=city_admin, on=course.ends_on)
    svc.pay_subsidies(course, by=city_admin, paid_on=course.ends_on)
    counts["courses"] += 1

    for i, district in enumerate(districts):
        by = staff.get(f"district{i + 1}_staff") or city_admin
        svc.create_target(district, {"year": today.year, "occupation": FINISHED[i % 3][0], "target": 60 + 20 * i},
                          by=by)
        occupation, level, title = FINISHED[i % len(FINISHED)]
        start = max(today - datetime.timedelta(days=50 + 7 * i), year_start)
        done = _course(district, f"{district.name.removesuffix('总工会')}{title}", occupation, level, start,
                       min(start + datetime.timedelta(days=28), today - datetime.timedelta(days=1)), by,
                       capacity=30, subsidy=500 + 100 * i)
        _sessions(done, 5, by, rng)
        svc.publish_course(done, by=by)
        users = _accounts(district, 10, exclude=[demo_worker] if demo_worker else ())
        if demo_worker is not None and i == 0:
            users = [demo_worker, *users]
        people = _sign_up(done, users)
        if demo_worker is not None and i == 0:
            # The demo worker attends every session and passes.
            _run(done, people, by, rng, scores=False)
            from gonghui.courses.models import CourseSession

            for session in CourseSession.objects.unscoped().filter(course=done):
                present = set(session.attendance.unscoped().filter(present=True).values_list("enrolment_id",
                                                                                              flat=True))
                svc.record_roll_call(session, present | {people[0].pk}, by=by)
            svc.record_scores(done, {e.pk: ("91" if e is people[0] else str(rng.choice([55, 68, 75, 83, 90])))
                                     for e in people}, taken_on=done.ends_on, by=by)
        else:
            _run(done, people, by, rng)
        svc.evaluate_course(done, by=by, on=done.ends_on)
        svc.pay_subsidies(done, by=by, paid_on=done.ends_on)

        occupation, level, title = CURRENT[i % len(CURRENT)]
        current = _course(district, f"{district.name.removesuffix('总工会')}{title}", occupation, level,
                          today - datetime.timedelta(days=10), today + datetime.timedelta(days=20), by,
                          capacity=8 if i == 0 else 25, subsidy=600)
        _sessions(current, 6, by, rng)
        svc.publish_course(current, by=by)
        people = _sign_up(current, _accounts(district, 10 if i == 0 else 6, exclude=[demo_worker] if demo_worker
                                             else ()))
        _run(current, people, by, rng, scores=False)

        draft = _course(district, f"{district.name.removesuffix('总工会')}茶艺师培训班", "茶艺师", "五级/初级工",
                        today + datetime.timedelta(days=30), today + datetime.timedelta(days=60), by,
                        capacity=20, subsidy=0)
        _sessions(draft, 2, by, rng)
        counts["courses"] += 3

    # The city's second course is open now: the demo worker holds a place.
    nxt = _course(city, f"{today.year}年江海市育婴师（四级）培训班（第二期）", "育婴师", "四级/中级工",
                  today + datetime.timedelta(days=7), today + datetime.timedelta(days=40), city_admin,
                  capacity=60, subsidy=800)
    _sessions(nxt, 5, city_admin, rng)
    svc.publish_course(nxt, by=city_admin)
    _sign_up(nxt, ([demo_worker] if demo_worker else []) + _accounts(city, 8, exclude=[demo_worker] if demo_worker
                                                                      else ()))
    counts["courses"] += 1

    counts["uplift_applications"] = _seed_uplift(districts, staff, city_admin, rng)
    from gonghui.courses.models import CourseSession

    counts["course_sessions"] = CourseSession.objects.unscoped().count()
    counts["certificates"] = Certificate.objects.unscoped().count()
    counts["training_subsidies"] = TrainingSubsidy.objects.unscoped().count()
    return counts


def _seed_uplift(districts, staff, city_admin, rng) -> int:
    from gonghui.courses import services_uplift as up
    from gonghui.members.models import Worker
    from gonghui.workflow import services as workflow
    from gonghui.workflow.models import Case
    from gonghui.workflow.services import Upload

    def step(app, name, by, **data):
        case = Case.objects.unscoped().get(pk=app.pk)
        workflow.perform_transition(case, name, by=by, version=case.version, data=data)

    made = 0
    for i, district in enumerate(districts):
        by = staff.get(f"district{i + 1}_staff") or city_admin
        # Two steps of the plan per district, so that together they show every step.
        steps = UPLIFT_STEPS[2 * i % len(UPLIFT_STEPS):2 * i % len(UPLIFT_STEPS) + 2]
        users = _accounts(district, len(steps), migrant=True)
        for j, (user, target) in enumerate(zip(users, steps, strict=False)):
            worker = Worker.objects.unscoped().get(user=user)
            if up.eligibility_problem(worker):
                continue
            school, programme, level, fee = SCHOOLS[(i + j) % len(SCHOOLS)]
            asked = int(int(fee) * 0.5)
            app = up.apply(by=user, worker=worker, data={"school": school, "programme": programme, "level": level,
                                                         "fee": fee, "subsidy_asked": str(asked)})
            made += 1
            if target == "submitted":
                continue
            if target == "rejected":
                step(app, "reject", by, note="该专业不在本年度资助目录内，请选择目录内的院校和专业。")
                continue
            step(app, "approve", by, note="经审核符合条件，予以资助。")
            if target == "approved":
                continue
            app = up.submit_proof(up.applications_of_worker(worker).get(pk=app.pk),
                                  Upload("录取通知书.png", PNG), by=user)
            if target == "enrolment_check":
                continue
            step(app, "confirm_enrolment", by)
            if target == "studying":
                continue
            app = up.submit_proof(up.applications_of_worker(worker).get(pk=app.pk), Upload("毕业证书.png", PNG),
                                  by=user)
            step(app, "confirm_graduation", by)
    return made
