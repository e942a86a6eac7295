"""Keeping LegalTally (the figures counted ahead) true to the cases.

A case counts in up to four rows: the month of its application, of its decision and of its closing
(each with its matter and district), and its lawyer's year of closings. Whenever a case is saved
(with a counted field), deleted, or moved through the workflow (a refusal changes its decision row),
each row it counted in before and after is **recounted from the cases** — never adjusted by a
difference, so a row cannot drift. The recount locks its row first (created if missing, by INSERT …
ON CONFLICT DO NOTHING), so two requests recounting one row run one after the other and the second
sees the first's case. ``rebuild()`` recounts everything: after bulk loads (demo, bench) and in the
migration that created the table.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q, Sum

from gonghui.legal.figures import REJECTED, Month, Year

# The date of each kind of row, and what it sums.
DATE_OF = {"submitted": "submitted_on", "decided": "decided_on", "closed": "closed_on"}
KEY_FIELDS = ("node_path", "kind", "year", "month", "matter", "district_key", "lawyer_key")
# The LegalCase fields a tally row reads: a save touching none of them leaves the tallies alone.
COUNTED_FIELDS = frozenset({"node_path", "submitted_on", "decided_on", "closed_on", "matter", "district", "lawyer",
                            "amount_claimed", "workers_involved", "amount_awarded", "amount_recovered",
                            "workers_covered", "rating"})
CASE_VALUES = ("node_path", "submitted_on", "decided_on", "closed_on", "matter", "district_id", "lawyer_id")


def _sums(kind: str) -> dict:
    """What a row of ``kind`` sums over its cases (the same for a recount and a rebuild)."""
    if kind == "submitted":
        return {"count": Count("pk"), "claimed": Sum("amount_claimed"), "workers": Sum("workers_involved")}
    if kind == "decided":
        return {"count": Count("pk"), "refused": Count("pk", filter=Q(case__state=REJECTED))}
    if kind == "closed":
        return {"count": Count("pk"), "workers": Sum("workers_covered"), "awarded": Sum("amount_awarded"),
                "recovered": Sum("amount_recovered")}
    return {"count": Count("pk"), "workers": Sum("workers_covered"), "recovered": Sum("amount_recovered"),
            "rating_sum": Sum("rating"), "rated": Count("rating")}


def keys_of(values: dict) -> set[tuple]:
    """The rows a case (its CASE_VALUES) counts in."""
    keys = set()
    district = values["district_id"] or 0
    for kind, field in DATE_OF.items():
        day = values[field]
        if day is not None:
            keys.add((values["node_path"], kind, day.year, day.month, values["matter"], district, 0))
    if values["closed_on"] is not None and values["lawyer_id"]:
        keys.add((values["node_path"], "lawyer", values["closed_on"].year, 0, "", 0, values["lawyer_id"]))
    return keys


def stored_keys(case_id) -> set[tuple]:
    """The rows the stored version of a case counts in (none for a case not yet saved)."""
    from gonghui.legal.models import LegalCase

    values = LegalCase.objects.unscoped().filter(pk=case_id).values(*CASE_VALUES).first()
    return keys_of(values) if values else set()


def _cases_of(key: dict):
    from gonghui.legal.models import LegalCase

    cases = LegalCase.objects.unscoped().filter(node_path=key["node_path"]).order_by()
    year = key["year"]
    if key["kind"] == "lawyer":
        return cases.filter(closed_on__gte=datetime.date(year, 1, 1), closed_on__lte=datetime.date(year, 12, 31),
                            lawyer_id=key["lawyer_key"])
    first = datetime.date(year, key["month"], 1)
    following = datetime.date(year + (key["month"] == 12), key["month"] % 12 + 1, 1)
    field = DATE_OF[key["kind"]]
    cases = cases.filter(**{f"{field}__gte": first, f"{field}__lt": following}, matter=key["matter"])
    return cases.filter(district_id=key["district_key"]) if key["district_key"] else cases.filter(district__isnull=True)


def recount(keys) -> None:
    """Recount the rows ``keys`` from the cases, each under its row's lock; a row left empty goes."""
    from gonghui.legal.models import LegalTally

    tallies = LegalTally.objects.unscoped()
    for key in sorted(keys):  # one order for everyone: two recounts never wait on each other's locks
        fields = dict(zip(KEY_FIELDS, key, strict=True))
        with transaction.atomic():
            tallies.bulk_create([LegalTally(**fields)], ignore_conflicts=True)
            row = tallies.select_for_update().only("pk").get(**fields)
            counted = _cases_of(fields).aggregate(**_sums(fields["kind"]))
            if not counted["count"]:
                tallies.filter(pk=row.pk).delete()
            else:
                tallies.filter(pk=row.pk).update(**{k: v or 0 for k, v in counted.items()})


def rebuild(case_model=None, tally_model=None) -> int:
    """Count every row afresh from the cases (the models are passed by the migration). Returns the
    number of rows."""
    if case_model is None:
        from gonghui.legal.models import LegalCase as case_model
        from gonghui.legal.models import LegalTally as tally_model

    cases, tallies = case_model._base_manager.order_by(), tally_model._base_manager
    rows = []
    for kind, field in (*DATE_OF.items(), ("lawyer", "closed_on")):
        qs = cases.filter(**{f"{field}__isnull": False}).annotate(y=Year(field))
        if kind == "lawyer":
            groups = qs.filter(lawyer__isnull=False).values("node_path", "y", "lawyer_id")
        else:
            groups = qs.annotate(m=Month(field)).values("node_path", "y", "m", "matter", "district_id")
        for g in groups.annotate(**_sums(kind)):
            sums = {k: g[k] or 0 for k in _sums(kind)}
            rows.append(tally_model(node_path=g["node_path"], kind=kind, year=g["y"], month=g.get("m", 0),
                                    matter=g.get("matter", ""), district_key=g.get("district_id") or 0,
                                    lawyer_key=g.get("lawyer_id") or 0, **sums))
    with transaction.atomic():
        tallies.all().delete()
        tallies.bulk_create(rows, batch_size=2000)
    return len(rows)


# ----- the signals (connected in apps_reports.ready) -----

def before_case_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    counted = update_fields is None or not COUNTED_FIELDS.isdisjoint(update_fields)
    instance._tally_keys_before = stored_keys(instance.pk) if counted and not raw else None


def after_case_saved(sender, instance, raw=False, **kwargs) -> None:
    before = getattr(instance, "_tally_keys_before", None)
    if before is None:
        return
    instance._tally_keys_before = None
    recount(before | keys_of({f: getattr(instance, f) for f in CASE_VALUES}))


def after_case_deleted(sender, instance, **kwargs) -> None:
    recount(keys_of({f: getattr(instance, f) for f in CASE_VALUES}))


def after_transition(sender, case, **kwargs) -> None:
    """A refusal (or a case leaving "rejected") changes the count of refusals of its decision row."""
    recount({key for key in stored_keys(case.pk) if key[1] == "decided"})
