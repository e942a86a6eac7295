"""Models of the questions part (imported by models.py).

A question is a request of kind consultation (gonghui.requests): it has no model of its own. The
rows here add what the requests app does not hold: the articles an answer links to, and the
one-time token of the ask form that makes a double submit file one question.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerLink(models.Model):
    """An article that staff linked in their answer to a question (a consultation request)."""

    request = models.ForeignKey("requests.Request", on_delete=models.CASCADE, related_name="answer_links",
                                verbose_name=_("咨询"))
    article = models.ForeignKey("kb.Article", on_delete=models.CASCADE, related_name="answer_links",
                                verbose_name=_("文章"))
    order = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "article"], name="kb_answerlink_unique")]
        verbose_name = _("答复引用的文章")
        verbose_name_plural = _("答复引用的文章")

    def __str__(self) -> str:
        return f"{self.request_id} → {self.article_id}"


class AskReceipt(models.Model):
    """The ask form's one-time token and the question it filed: a second submit of the same form
    (a double tap, a retry on a weak network) finds the question already filed."""

    token = models.CharField(max_length=64, unique=True)
    request = models.OneToOneField("requests.Request", on_delete=models.CASCADE, related_name="ask_receipt")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("咨询提交凭据")
        verbose_name_plural = _("咨询提交凭据")

    def __str__(self) -> str:
        return self.token
