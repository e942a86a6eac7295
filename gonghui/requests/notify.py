"""Messages of the request type beyond the engine's generic ones."""

from django.utils.translation import gettext_lazy as _

from gonghui.notifications import templates

templates.register(
    "requests.rate_invite",
    subject=_("请评价：{title}"),
    body=_("您的诉求“{title}”（{number}）已办结。请在{deadline}前为办理结果打分（1–5分），"
           "您的评价会帮助工会改进工作；评1–2分的诉求将由上级工会重新办理。"),
    sms=_("您的诉求{number}已办结，请在{deadline}前登录网上工会评价。"),
)
