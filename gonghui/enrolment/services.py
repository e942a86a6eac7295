"""The rules of enrolment: sign-up, cancel, promotion from the waiting list, staff changes, check-in.

Every write that changes who holds a place runs in ONE SHORT TRANSACTION that first locks the
offering's row (``select_for_update``; on SQLite the IMMEDIATE transaction of the project's
settings serialises writers, so the lock is the database's write lock), then reads the counts and
the person's live sign-up, then writes the enrolment and the counts. What only reads (the audience
rule, the answers) is worked out before the transaction, so the lock is held for a few statements.
The database backs the rules up: ``confirmed_count <= capacity`` is a check constraint and one live
sign-up per (offering, person) a partial unique index.

Seats: ``confirmed_count`` counts seats held (confirmed and offered); ``waiting_count`` seats
waiting. An offer (候补递补) holds its seats until ``offer_expires_at``; the periodic
``expire_offers`` gives an unconfirmed offer to the next person.
"""

import datetime
import logging
import secrets
from types import SimpleNamespace

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.audit.services import record
from gonghui.core import rows
from gonghui.core.scope import has_permission
from gonghui.enrolment import registry
from gonghui.enrolment.audience import hardship_worker_ids, joiner, joiner_columns, joiner_from, refusal
from gonghui.enrolment.models import Enrolment, Offering

logger = logging.getLogger("gonghui.enrolment")

VIEW, MANAGE, CHECK_IN = "enrolment.view", "enrolment.manage", "enrolment.check_in"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
CODE_LENGTH = 6
TOKEN_SALT = "gonghui.enrolment.check-in"
MAX_ANSWER = 500

S = Enrolment.Status


# ---------------------------------------------------------------------------------------------------
# Helpers


def _now():
    return timezone.now()


def _retry_when_locked(action, attempts: int = 3):
    """Run ``action`` again when SQLite gave up waiting for the write lock ("database is locked",
    after the busy timeout: many writers at once on a loaded machine). The failed transaction wrote
    nothing, so trying again is safe; inside a caller's transaction it is not ours to retry."""
    for attempt in range(attempts):
        try:
            return action()
        except OperationalError as error:
            if ("locked" not in str(error) or connection.vendor != "sqlite" or connection.in_atomic_block
                    or attempt == attempts - 1):
                raise


def _lock(offering: Offering, *, with_node: bool = True) -> Offering:
    qs = Offering.objects.unscoped().select_for_update(of=("self",))
    return (qs.select_related("node") if with_node else qs).get(pk=offering.pk)


def _lock_enrolment(enrolment: Enrolment) -> tuple[Offering, Enrolment]:
    offering = _lock(enrolment.offering)
    current = (Enrolment.objects.unscoped().select_for_update(of=("self",)).select_related("worker", "user")
               .get(pk=enrolment.pk))
    current.offering = offering
    return offering, current


def _save_counts(offering: Offering) -> None:
    Offering.objects.unscoped().filter(pk=offering.pk).update(
        confirmed_count=offering.confirmed_count, waiting_count=offering.waiting_count,
        last_position=offering.last_position)


def _require(user, permission: str, offering: Offering) -> None:
    if not has_permission(user, permission, offering.node_path):
        raise PermissionDenied(_("您没有在%(union)s管理报名的权限。") % {"union": offering.node.display_name})


def _notify(user, key: str, enrolment: Enrolment, **extra) -> None:
    from gonghui.notifications.services import notify

    context = {"title": enrolment.offering.title, **extra}
    try:
        notify(user, key, context, link="/enrolments/")
    except Exception:  # a notice must never undo a sign-up; the outbox logs its own failures
        logger.exception("enrolment notice %s failed", key)


def window_error(offering: Offering, now=None) -> str:
    """Why the offering takes no sign-up now ("" when it does)."""
    now = now or _now()
    if offering.status == Offering.Status.CANCELLED:
        return _("该项目已取消，不再接受报名。")
    if offering.status != Offering.Status.PUBLISHED:
        return _("该项目尚未发布，暂不能报名。")
    if offering.opens_at and now < offering.opens_at:
        return _("报名尚未开始：%(when)s开始报名。") % {
            "when": timezone.localtime(offering.opens_at).strftime("%Y-%m-%d %H:%M")}
    if offering.closes_at and now >= offering.closes_at:
        return _("报名已于%(when)s截止，不能再报名。") % {
            "when": timezone.localtime(offering.closes_at).strftime("%Y-%m-%d %H:%M")}
    return ""


# ---------------------------------------------------------------------------------------------------
# Questions and answers


QUESTION_TYPES = ("text", "choice", "number")


def clean_questions(questions) -> list[dict]:
    """Check the list of form questions staff set on an offering."""
    if questions in (None, ""):
        return []
    if not isinstance(questions, list):
        raise ValidationError({"questions": _("报名问题格式不对：应为问题列表。")})
    cleaned, keys = [], set()
    for index, question in enumerate(questions, start=1):
        if not isinstance(question, dict) or not str(question.get("label", "")).strip():
            raise ValidationError({"questions": _("第%(n)d个报名问题缺少题目。") % {"n": index}})
        key = str(question.get("key") or f"q{index}").strip()[:40]
        kind = question.get("type") or "text"
        if kind not in QUESTION_TYPES:
            raise ValidationError({"questions": _("第%(n)d个报名问题的类型应为文字、选择或数字。") % {"n": index}})
        choices = [str(c).strip() for c in question.get("choices") or [] if str(c).strip()]
        if kind == "choice" and len(choices) < 2:
            raise ValidationError({"questions": _("第%(n)d个报名问题是选择题，请至少给出两个选项。") % {"n": index}})
        if key in keys:
            raise ValidationError({"questions": _("报名问题的编号“%(key)s”重复了。") % {"key": key}})
        keys.add(key)
        cleaned.append({"key": key, "label": str(question["label"]).strip()[:100], "type": kind,
                        "required": bool(question.get("required")), "choices": choices})
    return cleaned


def clean_answers(offering: Offering, answers) -> dict:
    """The answers to the offering's questions, checked; errors keyed ``answers.<key>``... as
    ``ValidationError({"q_<key>": sentence})`` so a form shows them beside their fields."""
    answers = answers or {}
    if not isinstance(answers, dict):
        raise ValidationError(_("报名信息格式不对，请刷新页面后重新填写。"), code="answers")
    cleaned, errors = {}, {}
    for question in offering.questions or []:
        key, label = question["key"], question["label"]
        raw = answers.get(key)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if question.get("required"):
                errors[f"q_{key}"] = _("请填写“%(label)s”。") % {"label": label}
            continue
        if len(value) > MAX_ANSWER:
            errors[f"q_{key}"] = _("“%(label)s”最多%(n)d个字。") % {"label": label, "n": MAX_ANSWER}
        elif question.get("type") == "choice" and value not in question.get("choices", []):
            errors[f"q_{key}"] = _("“%(label)s”请从给出的选项中选择。") % {"label": label}
        elif question.get("type") == "number":
            try:
                number = float(value)
            except ValueError:
                errors[f"q_{key}"] = _("“%(label)s”请填写数字。") % {"label": label}
            else:
                if number != number or abs(number) > 1e9:
                    errors[f"q_{key}"] = _("“%(label)s”请填写数字。") % {"label": label}
                else:
                    cleaned[key] = value
                continue
        cleaned[key] = value
    if errors:
        raise ValidationError(errors, code="answers")
    return cleaned


def _clean_seats(offering: Offering, seats) -> int:
    try:
        seats = int(seats)
    except (TypeError, ValueError):
        raise ValidationError({"seats": _("报名人数请填写整数。")}, code="seats") from None
    if seats < 1:
        raise ValidationError({"seats": _("报名人数至少为1。")}, code="seats")
    if seats > offering.per_person_limit:
        raise ValidationError({"seats": _("每人最多报%(n)d个名额。") % {"n": offering.per_person_limit}},
                              code="limit")
    return seats


# ---------------------------------------------------------------------------------------------------
# Sign-up


def sign_up(offering: Offering, user, *, answers=None, seats=1, now=None, who=False) -> Enrolment:
    """The worker ``user`` signs up: confirmed while places are free and nobody waits, else on the
    waiting list (if the offering keeps one), else refused. Raises ValidationError with a code:
    closed, audience, duplicate, full, answers, seats, limit.

    The release rush runs through here, so the statements are counted: the worker's audience facts
    (``who``, read with the offering by ``offering_for_sign_up``, or here in ONE read), then the
    transaction — lock the offering row and read the person's live sign-up in the same statement,
    then insert and update the counters (one statement on PostgreSQL, two on SQLite;
    ``tests/test_speed.py`` holds the count)."""
    if who is False:
        who = joiner(user)
    reason = refusal(offering, who)
    if reason:
        raise ValidationError(reason, code="audience")
    cleaned = clean_answers(offering, answers)
    seats = _clean_seats(offering, seats)
    return _retry_when_locked(lambda: _sign_up_once(offering, user, who.worker_id, cleaned, seats, now or _now()))


_OFFERING_SQL: dict[str, str] = {}


def offering_for_sign_up(offering_id: int, user):
    """The offering ``offering_id`` and the audience facts of ``user`` (a Joiner, or None without a
    worker record) in ONE statement — the first read of a sign-up in the rush. (None, None) when
    there is no such offering."""
    from gonghui.members.models import Worker

    who_columns, params = joiner_columns()
    own, count = rows.columns(Offering, "o")
    if connection.vendor not in _OFFERING_SQL:
        qn = connection.ops.quote_name
        _OFFERING_SQL[connection.vendor] = (
            f"SELECT {own}, {who_columns} FROM {qn(Offering._meta.db_table)} o "
            f"LEFT JOIN {qn(Worker._meta.db_table)} w ON w.user_id = %s WHERE o.id = %s")
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    with rows.cursor() as cursor:
        cursor.execute(_OFFERING_SQL[connection.vendor], [*params, user_id, offering_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    return rows.instance(Offering, row[:count], "o"), joiner_from(row[count:])


def _sign_up_once(offering, user, worker_id, answers, seats, now) -> Enrolment:
    """Lock + checks, insert, counters: on PostgreSQL ONE statement (``_sign_up_in_one``), elsewhere
    one transaction of three (``_sign_up_locked``); a savepoint inside a caller's transaction.
    Should the database refuse the insert — a twin of the random check-in code (one in a billion),
    or the same person's sign-up from another tab that committed meanwhile — nothing is written and
    it is tried again with a new code, or refused as a duplicate."""
    in_one = connection.vendor == "postgresql"
    for attempt in range(8):
        try:
            if in_one and not connection.in_atomic_block:  # the statement is its own transaction
                enrolment = _sign_up_in_one(offering, user, worker_id, answers, seats, now)
            else:
                with transaction.atomic():
                    enrolment = (_sign_up_in_one if in_one else _sign_up_locked)(
                        offering, user, worker_id, answers, seats, now)
            if enrolment is not None:
                return enrolment
        except IntegrityError:
            if attempt == 7:
                raise
            if Enrolment.objects.unscoped().filter(offering_id=offering.pk, user_id=user.pk,
                                                   status__in=Enrolment.LIVE).exists():
                raise ValidationError(_("您已报名该项目，不能重复报名。"), code="duplicate") from None
    raise RuntimeError("unreachable")


# The columns a worker's sign-up inserts, in the order both statements give their values.
INSERT_COLUMNS = ("offering_id", "node_path", "user_id", "worker_id", "seats", "status", "position", "answers",
                  "offer_expires_at", "reason", "code", "attended_at", "checked_in_by_id", "added_by_id",
                  "created_at", "updated_at")
_ONE_SQL: list[str] = []


def _sign_up_one_statement() -> str:
    """The whole locked part as one PostgreSQL statement: lock the offering row (FOR UPDATE waits
    for the holder, then reads the newest counters), decide, insert the sign-up and update the
    counters — the row is locked only while the database runs it, not across round trips to the
    app. The decision mirrors ``_decide`` for a worker's own sign-up; the live-sign-up check reads
    the statement's snapshot, and one it misses is refused by the partial unique index."""
    if not _ONE_SQL:
        qn = connection.ops.quote_name
        o, e = qn(Offering._meta.db_table), qn(Enrolment._meta.db_table)
        live = ", ".join(f"'{status}'" for status in Enrolment.LIVE)
        _ONE_SQL.append(
            f"WITH o AS (SELECT id, capacity, confirmed_count, waiting_count, last_position, waitlist, status, "
            f"node_path, (opens_at IS NOT NULL AND opens_at > %(now)s) OR (closes_at IS NOT NULL AND "
            f"closes_at <= %(now)s) AS outside FROM {o} WHERE id = %(offering)s FOR UPDATE), "
            f"d AS (SELECT o.*, CASE WHEN o.status <> %(published)s OR o.outside THEN 'closed' "
            f"WHEN EXISTS (SELECT 1 FROM {e} e WHERE e.offering_id = o.id AND e.user_id = %(user)s "
            f"AND e.status IN ({live})) THEN 'duplicate' "
            f"WHEN o.confirmed_count + %(seats)s <= o.capacity AND o.waiting_count = 0 THEN %(confirmed)s "
            f"WHEN o.waitlist THEN %(waiting)s "
            f"WHEN o.confirmed_count + %(seats)s > o.capacity THEN 'full' ELSE 'queue' END AS outcome FROM o), "
            f"ins AS (INSERT INTO {e} ({', '.join(qn(c) for c in INSERT_COLUMNS)}) "
            f"SELECT d.id, d.node_path, %(user)s, %(worker)s, %(seats)s, d.outcome, "
            f"CASE WHEN d.outcome = %(waiting)s THEN d.last_position + 1 END, %(answers)s, NULL, '', %(code)s, "
            f"NULL, NULL, NULL, %(created)s, %(created)s FROM d WHERE d.outcome IN (%(confirmed)s, %(waiting)s) "
            f"RETURNING id, position), "
            f"upd AS (UPDATE {o} SET "
            f"confirmed_count = d.confirmed_count + CASE WHEN d.outcome = %(confirmed)s THEN %(seats)s ELSE 0 END, "
            f"waiting_count = d.waiting_count + CASE WHEN d.outcome = %(waiting)s THEN %(seats)s ELSE 0 END, "
            f"last_position = d.last_position + CASE WHEN d.outcome = %(waiting)s THEN 1 ELSE 0 END "
            f"FROM d WHERE {o}.id = d.id AND d.outcome IN (%(confirmed)s, %(waiting)s)) "
            f"SELECT d.outcome, (SELECT id FROM ins), (SELECT position FROM ins), d.node_path FROM d")
    return _ONE_SQL[0]


def _sign_up_in_one(offering, user, worker_id, answers, seats, now) -> Enrolment | None:
    """The sign-up as one statement (PostgreSQL). None when it should be tried again: the offering or
    the person's sign-up changed between the statement and the reading of why it was refused."""
    created = _now()
    code = _random_code()
    with rows.cursor() as cursor:
        cursor.execute(_sign_up_one_statement(), {
            "now": now, "offering": offering.pk, "published": Offering.Status.PUBLISHED, "user": user.pk,
            "worker": worker_id, "seats": seats, "confirmed": S.CONFIRMED, "waiting": S.WAITING,
            "answers": Enrolment._meta.get_field("answers").get_db_prep_save(answers, connection), "code": code,
            "created": created})
        row = cursor.fetchone()
    if row is None:
        raise Offering.DoesNotExist
    outcome, pk, position, node_path = row
    if outcome == "closed":  # the sentence comes from the ORM's reading
        error = window_error(Offering.objects.unscoped().get(pk=offering.pk), now)
        if error:
            raise ValidationError(error, code="closed")
        return None
    if outcome == "duplicate":
        _refuse_live(offering, user)
        return None
    if outcome == "full":
        raise ValidationError(_("名额已满，且不设候补，不能再报名。"), code="full")
    if outcome == "queue":
        raise ValidationError(_("还有人在候补，请先处理候补名单。"), code="full")
    enrolment = Enrolment(pk=pk, offering=offering, node_path=node_path, user=user, worker_id=worker_id, seats=seats,
                          status=outcome, position=position, answers=answers, code=code, created_at=created,
                          updated_at=created)
    enrolment._state.adding, enrolment._state.db = False, connection.alias
    return enrolment


_SQL: dict[str, tuple[str, str, str]] = {}


def _sign_up_statements() -> tuple[str, str, str]:
    """The three statements of the locked part, written out once per database vendor: the rush
    spends its time in them, and composing them through the ORM cost more than running them."""
    if connection.vendor not in _SQL:
        qn = connection.ops.quote_name
        o, e = qn(Offering._meta.db_table), qn(Enrolment._meta.db_table)
        live = ", ".join(["%s"] * len(Enrolment.LIVE))
        features = connection.features
        lock = (" FOR UPDATE OF o" if features.has_select_for_update_of
                else " FOR UPDATE" if features.has_select_for_update else "")
        # The live-sign-up subquery: on PostgreSQL it reads the snapshot taken before the lock was
        # granted (the counters come from the newest, locked row). A live sign-up it shows is read
        # again after the lock; one it misses is caught by the partial unique index (IntegrityError).
        select = (f"SELECT o.capacity, o.confirmed_count, o.waiting_count, o.last_position, o.waitlist, o.status, "
                  f"CASE WHEN o.opens_at IS NOT NULL AND o.opens_at > %s THEN 1 "
                  f"WHEN o.closes_at IS NOT NULL AND o.closes_at <= %s THEN 1 ELSE 0 END, o.node_path, "
                  f"(SELECT e.status FROM {e} e WHERE e.offering_id = o.id AND e.user_id = %s "
                  f"AND e.status IN ({live}) LIMIT 1) FROM {o} o WHERE o.id = %s{lock}")
        insert = (f"INSERT INTO {e} ({', '.join(qn(c) for c in INSERT_COLUMNS)}) "
                  f"VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))})"
                  + (" RETURNING id" if features.can_return_columns_from_insert else ""))
        update = f"UPDATE {o} SET confirmed_count = %s, waiting_count = %s, last_position = %s WHERE id = %s"
        _SQL[connection.vendor] = (select, insert, update)
    return _SQL[connection.vendor]


def _sign_up_locked(offering, user, worker_id, answers, seats, now) -> Enrolment:
    """Inside the transaction: lock the offering row and read its counters, window and the person's
    live sign-up (one statement), then insert and update the counters (two more)."""
    select, insert, update = _sign_up_statements()
    adapt = connection.ops.adapt_datetimefield_value
    when = adapt(now)
    with connection.cursor() as cursor:
        cursor.execute(select, [when, when, user.pk, *Enrolment.LIVE, offering.pk])
        row = cursor.fetchone()
        if row is None:
            raise Offering.DoesNotExist
        capacity, confirmed, waiting, last_position, waitlist, status, outside, node_path, live = row
        if status != Offering.Status.PUBLISHED or outside:  # the sentence comes from the ORM's reading
            error = window_error(Offering.objects.unscoped().get(pk=offering.pk), now)
            if error:
                raise ValidationError(error, code="closed")
        if live is not None:
            _refuse_live(offering, user)
        counts = SimpleNamespace(capacity=capacity, confirmed_count=confirmed, waiting_count=waiting,
                                 last_position=last_position, waitlist=bool(waitlist))
        status, position = _decide(counts, seats)
        created = _now()
        code = _random_code()
        field = Enrolment._meta.get_field
        values = [offering.pk, node_path, user.pk, worker_id, seats, status, position,
                  field("answers").get_db_prep_save(answers, connection), None, "", code, None, None, None,
                  adapt(created), adapt(created)]
        cursor.execute(insert, values)
        pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
        cursor.execute(update, [counts.confirmed_count, counts.waiting_count, counts.last_position, offering.pk])
    enrolment = Enrolment(pk=pk, offering=offering, node_path=node_path, user=user, worker_id=worker_id, seats=seats,
                          status=status, position=position, answers=answers, code=code, created_at=created,
                          updated_at=created)
    enrolment._state.adding, enrolment._state.db = False, connection.alias
    return enrolment


def _refuse_live(offering, user, *, by=None) -> None:
    """Inside the lock: refuse when the person already holds a live sign-up (read now)."""
    live = Enrolment.objects.unscoped().filter(offering_id=offering.pk, user=user, status__in=Enrolment.LIVE).first()
    if live is not None:
        raise ValidationError(
            _("您已报名该项目（状态：%(status)s），不能重复报名。") % {"status": live.get_status_display()}
            if by is None else
            _("%(name)s已报名该项目（状态：%(status)s），不能重复添加。") % {
                "name": live.person_name, "status": live.get_status_display()},
            code="duplicate")


def _decide(offering, seats, *, by=None, allow_waiting=True) -> tuple[str, int | None]:
    """Confirmed while seats are free and nobody waits, else waiting (position = last + 1), else a
    refusal; updates the offering's counters in memory."""
    if offering.confirmed_count + seats <= offering.capacity and offering.waiting_count == 0:
        offering.confirmed_count += seats
        return S.CONFIRMED, None
    if offering.waitlist and allow_waiting:
        offering.last_position += 1
        offering.waiting_count += seats
        return S.WAITING, offering.last_position
    if offering.confirmed_count + seats > offering.capacity and by is None:
        raise ValidationError(_("名额已满，且不设候补，不能再报名。"), code="full")
    if offering.confirmed_count + seats > offering.capacity:
        raise ValidationError(_("名额已满：请先移除他人或增加名额后再添加。"), code="full")
    # places free but people wait (a bigger group at the head): staff add after them
    raise ValidationError(_("还有人在候补，请先处理候补名单。"), code="full")


def _place(offering, user, worker, answers, seats, *, now, by=None, reason="", allow_waiting=True) -> Enrolment:
    """Inside the offering's lock: check the person's live sign-up and the places, then insert
    (staff adding someone; a worker's own sign-up goes through ``_sign_up_locked``)."""
    _refuse_live(offering, user, by=by)
    status, position = _decide(offering, seats, by=by, allow_waiting=allow_waiting)
    enrolment = Enrolment(offering=offering, node_path=offering.node_path, user=user, worker=worker,
                          seats=seats, status=status, position=position, answers=answers,
                          reason=reason, added_by=by)
    _insert_with_code(enrolment)
    _save_counts(offering)
    return enrolment


def _random_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _insert_with_code(enrolment: Enrolment) -> None:
    """Insert with a fresh random code; the unique index (offering, code) catches the rare twin code
    (32**6 codes), the partial unique index a twin sign-up of the same person."""
    for _attempt in range(8):
        enrolment.code = _random_code()
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction stays usable
                enrolment.save(force_insert=True)
            return
        except IntegrityError:
            enrolment.pk = None
            if Enrolment.objects.unscoped().filter(offering_id=enrolment.offering_id, user_id=enrolment.user_id,
                                                   status__in=Enrolment.LIVE).exists():
                raise ValidationError(_("您已报名该项目，不能重复报名。"), code="duplicate") from None
    raise RuntimeError("no free check-in code")


# ---------------------------------------------------------------------------------------------------
# Cancel, promotion, offers


def cancel(enrolment: Enrolment, *, by, now=None) -> Enrolment:
    """The worker cancels their own sign-up; freed places go to the waiting list at once."""
    if by is None or enrolment.user_id != by.pk:
        raise PermissionDenied(_("只能取消自己的报名。"))
    return _retry_when_locked(lambda: _end(enrolment, S.CANCELLED, now=now or _now()))


def _end(enrolment, status, *, now, reason="", by=None) -> Enrolment:
    with transaction.atomic():
        offering, current = _lock_enrolment(enrolment)
        if current.status not in Enrolment.LIVE:
            raise ValidationError(_("这条报名已是“%(status)s”状态，无需再操作。") % {
                "status": current.get_status_display()}, code="not_live")
        if current.attended_at:
            raise ValidationError(_("已签到的报名不能取消或移除。"), code="attended")
        if current.status in Enrolment.HOLDING:
            offering.confirmed_count -= current.seats
        else:
            offering.waiting_count -= current.seats
        current.status = status
        current.reason = reason or current.reason
        current.offer_expires_at = None
        current.save(update_fields=["status", "reason", "offer_expires_at", "updated_at"])
        _save_counts(offering)
        _promote_locked(offering, now=now)
        if by is not None:
            record(by, "change", current, event="enrolment.removed", node=offering.node, extra={"reason": reason},
                   changes={"status": ["live", status]})
            _notify(current.user, "enrolment.removed", current, reason=reason)
    return current


def _waiting_queue(offering: Offering) -> list[Enrolment]:
    waiting = list(Enrolment.objects.unscoped().filter(offering=offering, status=S.WAITING)
                   .order_by("position", "id").select_related("user"))
    if offering.hardship_first and waiting:
        first = hardship_worker_ids([e.worker_id for e in waiting])
        waiting.sort(key=lambda e: (e.worker_id not in first, e.position or 0, e.id))
    return waiting


def _promote_locked(offering: Offering, *, now) -> list[Enrolment]:
    """Inside the offering's lock: offer free places to the next people waiting, each with a
    deadline to confirm and a notice. A person whose seats do not fit is passed over for now."""
    offered = []
    free = offering.capacity - offering.confirmed_count
    if free <= 0 or offering.waiting_count <= 0 or offering.status == Offering.Status.CANCELLED:
        return offered
    deadline = now + datetime.timedelta(hours=offering.confirm_hours)
    if offering.ends_at and offering.ends_at > now:
        deadline = min(deadline, offering.ends_at)
    for enrolment in _waiting_queue(offering):
        if enrolment.seats > free:
            continue
        enrolment.status = S.OFFERED
        enrolment.offer_expires_at = deadline
        enrolment.save(update_fields=["status", "offer_expires_at", "updated_at"])
        offering.confirmed_count += enrolment.seats
        offering.waiting_count -= enrolment.seats
        free -= enrolment.seats
        offered.append(enrolment)
        enrolment.offering = offering
        _notify(enrolment.user, "enrolment.offered", enrolment,
                deadline=timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"))
        if free <= 0:
            break
    if offered:
        _save_counts(offering)
    return offered


def promote(offering: Offering, *, now=None) -> list[Enrolment]:
    """Offer any free places to the waiting list (after a capacity change, for instance)."""
    def run():
        with transaction.atomic():
            return _promote_locked(_lock(offering), now=now or _now())
    return _retry_when_locked(run)


def confirm_offer(enrolment: Enrolment, *, by, now=None) -> Enrolment:
    """The worker accepts a place offered from the waiting list, before its deadline."""
    if by is None or enrolment.user_id != by.pk:
        raise PermissionDenied(_("只能确认自己的递补名额。"))
    now = now or _now()

    def run():
        with transaction.atomic():
            offering, current = _lock_enrolment(enrolment)
            if current.status == S.CONFIRMED:
                raise ValidationError(_("您已确认，无需重复确认。"), code="not_offered")
            if current.status != S.OFFERED:
                raise ValidationError(_("这条报名没有待确认的递补名额（状态：%(status)s）。") % {
                    "status": current.get_status_display()}, code="not_offered")
            if current.offer_expires_at and current.offer_expires_at <= now:
                _expire_locked(offering, [current], now=now)
                return current
            current.status = S.CONFIRMED
            current.offer_expires_at = None
            current.save(update_fields=["status", "offer_expires_at", "updated_at"])
            return current

    result = _retry_when_locked(run)
    if result.status == S.EXPIRED:
        raise ValidationError(_("递补确认已超过截止时间，名额已让给下一位。如仍想参加，请重新报名。"),
                              code="offer_expired")
    return result


def decline_offer(enrolment: Enrolment, *, by, now=None) -> Enrolment:
    """The worker turns an offered place down (same as cancelling)."""
    return cancel(enrolment, by=by, now=now)


def _expire_locked(offering, enrolments, *, now) -> None:
    for enrolment in enrolments:
        enrolment.status = S.EXPIRED
        enrolment.save(update_fields=["status", "updated_at"])
        offering.confirmed_count -= enrolment.seats
        enrolment.offering = offering
        _notify(enrolment.user, "enrolment.offer_expired", enrolment)
    _save_counts(offering)
    _promote_locked(offering, now=now)


def expire_offers(now=None) -> int:
    """Expire the offers not confirmed in time and offer the places to the next people waiting."""
    now = now or _now()
    offering_ids = set(Enrolment.objects.unscoped().filter(status=S.OFFERED, offer_expires_at__lte=now)
                       .values_list("offering_id", flat=True))
    expired = 0
    for offering_id in sorted(offering_ids):
        def run(offering_id=offering_id):
            with transaction.atomic():
                offering = Offering.objects.unscoped().select_for_update().get(pk=offering_id)
                due = list(Enrolment.objects.unscoped().select_for_update(of=("self",)).select_related("user")
                           .filter(offering=offering, status=S.OFFERED, offer_expires_at__lte=now))
                _expire_locked(offering, due, now=now)
                return len(due)
        expired += _retry_when_locked(run)
    return expired


@task()
def expire_offers_task():
    """The periodic job (every 5 minutes)."""
    return expire_offers()


# ---------------------------------------------------------------------------------------------------
# Staff


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因（例如“电话报名”“本人要求退出”）。")}, code="reason")
    if len(reason) > 300:
        raise ValidationError({"reason": _("原因最多300个字。")}, code="reason")
    return reason


def staff_add(offering: Offering, worker, *, reason, by, seats=1, answers=None, now=None) -> Enrolment:
    """Staff sign a worker up (by phone, on paper): outside the window and the audience rule, with a
    reason, but never beyond the capacity — when full, the worker joins the waiting list."""
    _require(by, MANAGE, offering)
    reason = _clean_reason(reason)
    if worker is None or worker.user_id is None:
        raise ValidationError({"worker": _("该职工还没有职工账号：请让其先用手机号登录一次职工端，再代为报名。")},
                              code="no_account")
    seats = _clean_seats(offering, seats)
    answers = answers or {}

    def run():
        with transaction.atomic():
            locked = _lock(offering)
            if locked.status == Offering.Status.CANCELLED:
                raise ValidationError(_("该项目已取消，不能再添加报名。"), code="closed")
            enrolment = _place(locked, worker.user, worker, answers, seats, now=now or _now(), by=by,
                               reason=reason)
            record(by, "create", enrolment, event="enrolment.added", node=locked.node,
                   extra={"reason": reason, "status": enrolment.status})
            return enrolment
    return _retry_when_locked(run)


def staff_remove(enrolment: Enrolment, *, reason, by, now=None) -> Enrolment:
    """Staff remove a person (with a reason they are told); the freed places go to the waiting list."""
    _require(by, MANAGE, enrolment.offering)
    reason = _clean_reason(reason)
    return _retry_when_locked(lambda: _end(enrolment, S.REMOVED, now=now or _now(), reason=reason, by=by))


def set_capacity(offering: Offering, capacity, *, by, now=None) -> Offering:
    """Change the number of places; more places go to the waiting list at once, fewer than the
    places already held are refused."""
    _require(by, MANAGE, offering)
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise ValidationError({"capacity": _("名额请填写整数。")}) from None
    if capacity < 1:
        raise ValidationError({"capacity": _("名额至少为1。")})

    def run():
        with transaction.atomic():
            locked = _lock(offering)
            if capacity < locked.confirmed_count:
                raise ValidationError({"capacity": _("已有%(n)d个名额被占用，名额不能少于这个数。请先移除报名。") % {
                    "n": locked.confirmed_count}})
            old = locked.capacity
            locked.capacity = capacity
            Offering.objects.unscoped().filter(pk=locked.pk).update(capacity=capacity)
            _promote_locked(locked, now=now or _now())
            record(by, "change", locked, event="enrolment.capacity", node=locked.node, changes={"capacity": [old, capacity]})
            return locked
    return _retry_when_locked(run)


def cancel_offering(offering: Offering, *, reason, by) -> Offering:
    """Cancel a whole offering: everyone signed up or waiting is told why."""
    _require(by, MANAGE, offering)
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = _lock(offering)
        if locked.status == Offering.Status.CANCELLED:
            raise ValidationError(_("该项目已取消。"), code="closed")
        live = list(Enrolment.objects.unscoped().select_related("user")
                    .filter(offering=locked, status__in=Enrolment.LIVE))
        Offering.objects.unscoped().filter(pk=locked.pk).update(status=Offering.Status.CANCELLED)
        locked.status = Offering.Status.CANCELLED
        for enrolment in live:
            enrolment.offering = locked
            _notify(enrolment.user, "enrolment.offering_cancelled", enrolment, reason=reason)
        record(by, "change", locked, event="enrolment.offering_cancelled", node=locked.node, extra={"reason": reason})
    return locked


# ---------------------------------------------------------------------------------------------------
# Check-in


def token_expiry(offering: Offering) -> datetime.datetime:
    """Check-in codes work until a day after the offering ends (or 30 days after sign-up closes)."""
    if offering.ends_at:
        return offering.ends_at + datetime.timedelta(days=1)
    if offering.closes_at:
        return offering.closes_at + datetime.timedelta(days=30)
    return offering.created_at + datetime.timedelta(days=365)


def make_token(enrolment: Enrolment) -> str:
    expires = int(token_expiry(enrolment.offering).timestamp())
    return signing.dumps({"e": enrolment.pk, "o": enrolment.offering_id, "x": expires}, salt=TOKEN_SALT,
                         compress=True)


def read_token(token: str, *, now=None) -> tuple[int, int]:
    """(enrolment id, offering id) of a check-in token; ValidationError when forged or expired."""
    try:
        data = signing.loads((token or "").strip(), salt=TOKEN_SALT)
        enrolment_id, offering_id, expires = int(data["e"]), int(data["o"]), int(data["x"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(_("签到二维码无效：它不是本平台生成的，或已被改动。请让职工打开“我的报名”重新出示。"),
                              code="forged") from None
    if (now or _now()).timestamp() > expires:
        raise ValidationError(_("签到二维码已过期：该项目已结束，不能再签到。"), code="expired")
    return enrolment_id, offering_id


def find_for_check_in(token_or_code: str, *, offering: Offering | None = None, now=None) -> Enrolment:
    """The enrolment a scanned token or a typed code names (unscoped: the caller checks scope)."""
    value = (token_or_code or "").strip()
    if not value:
        raise ValidationError(_("请扫描二维码或输入签到码。"), code="empty")
    if ":" in value:
        enrolment_id, offering_id = read_token(value, now=now)
        if offering is not None and offering_id != offering.pk:
            raise ValidationError(_("这个二维码属于另一个项目，不是本项目的签到码。"), code="wrong_offering")
        found = Enrolment.objects.unscoped().select_related("offering", "offering__node").filter(pk=enrolment_id).first()
        if found is None:
            raise ValidationError(_("签到二维码对应的报名已不存在。"), code="unknown")
        return found
    if offering is None:
        raise ValidationError(_("输入签到码时请先选择项目。"), code="no_offering")
    code = value.upper().replace(" ", "")
    found = (Enrolment.objects.unscoped().select_related("offering", "offering__node")
             .filter(offering=offering, code=code).first())
    if found is None:
        raise ValidationError(_("签到码“%(code)s”不是本项目的签到码，请核对后重新输入。") % {"code": code[:12]},
                              code="unknown")
    return found


def check_in(token_or_code: str, *, by, offering: Offering | None = None, now=None) -> Enrolment:
    """Record attendance once: the person must hold a confirmed place; writes the ledger row of the
    offering kind (events: "activities.attended"; courses: none, they count sessions)."""
    now = now or _now()
    found = find_for_check_in(token_or_code, offering=offering, now=now)
    _require(by, CHECK_IN, found.offering)

    def run():
        with transaction.atomic():
            current = (Enrolment.objects.unscoped().select_for_update(of=("self",))
                       .select_related("offering", "offering__node", "worker").get(pk=found.pk))
            if current.attended_at:
                raise ValidationError(_("%(name)s已于%(when)s签到，不能重复签到。") % {
                    "name": current.person_name,
                    "when": timezone.localtime(current.attended_at).strftime("%m-%d %H:%M")}, code="already")
            if current.status != S.CONFIRMED:
                raise ValidationError(_("%(name)s的报名状态是“%(status)s”，没有确认的名额，不能签到。") % {
                    "name": current.person_name, "status": current.get_status_display()}, code="not_confirmed")
            if current.offering.status == Offering.Status.CANCELLED:
                raise ValidationError(_("该项目已取消，不能签到。"), code="closed")
            current.attended_at = now
            current.checked_in_by = by
            current.save(update_fields=["attended_at", "checked_in_by", "updated_at"])
            info = registry.kind_info(current.offering.kind)
            if info.ledger_kind and current.worker_id:
                from gonghui.ledger.services import record_service

                record_service(worker=current.worker, kind=info.ledger_kind, app=info.ledger_kind.split(".")[0],
                               source=current, title=current.offering.title,
                               delivering_union=current.offering.node, delivered_on=timezone.localdate(now), by=by)
            record(by, "change", current, event="enrolment.checked_in", node=current.offering.node)
            return current
    return _retry_when_locked(run)
