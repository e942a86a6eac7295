"""Models of the legal app's reports part (imported by models.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager

__all__ = ["LegalTally"]


class LegalTally(models.Model):
    """The year's figures of a legal-aid centre, counted ahead (援助统计): one row per (date kind,
    month, matter, district) — or, for the lawyers' table, per (year, lawyer) — instead of a GROUP BY
    over a year's cases on every page view. Kept by ``tally.py``: each row is recounted from the
    cases themselves whenever a case in it is saved, deleted or moved through the workflow, and the
    whole table is rebuilt after bulk loads. The figures page reads these rows; the per-union table
    of one district still counts its (few) cases directly.

    ``district_key`` and ``lawyer_key`` are ids with 0 for "none" rather than nullable foreign keys:
    the unique key then holds for every row, so a row can be created by INSERT … ON CONFLICT DO
    NOTHING while another request creates the same one."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("申请")  # by submitted_on: applications, amount claimed, workers involved
        DECIDED = "decided", _("审查")  # by decided_on: decisions, of which refusals
        CLOSED = "closed", _("结案")  # by closed_on: closings, workers covered, amounts awarded and recovered
        LAWYER = "lawyer", _("律师结案")  # by closed_on's year and lawyer (month 0, no matter or district)

    node_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    matter = models.CharField(max_length=20, blank=True)
    district_key = models.IntegerField(default=0)
    lawyer_key = models.IntegerField(default=0)
    count = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    workers = models.IntegerField(default=0)
    claimed = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    awarded = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    recovered = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    rating_sum = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["node_path", "kind", "year", "month", "matter", "district_key", "lawyer_key"],
            name="legal_one_tally")]
        indexes = [models.Index(fields=["year", "kind", "node_path"], name="legal_tally_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}-{self.month:02d} {self.matter} d{self.district_key} l{self.lawyer_key}: {self.count}"
