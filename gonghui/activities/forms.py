"""Forms of the activities app: the activity (with its places and audience), the report, a photo,
cancelling."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.activities.models import Activity
from gonghui.core.scope import paths_with_permission, subtree_q
from gonghui.enrolment.models import Offering
from gonghui.orgs.models import UnionNode

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
OPTIONAL = "（选填）"
NUMBER = "（数字）"


def datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def parse_questions(text: str) -> list[dict]:
    """One question a line: "衣服尺码：S/M/L" is a choice, "年龄（数字）" a number, anything else a
    text; "（选填）" at the end makes it optional."""
    questions = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        required = True
        if line.endswith(OPTIONAL):
            required, line = False, line[: -len(OPTIONAL)].strip()
        kind, choices = "text", []
        if line.endswith(NUMBER):
            kind, line = "number", line[: -len(NUMBER)].strip()
        parts = re.split(r"[:：]", line, maxsplit=1)
        if len(parts) == 2 and parts[1].strip():
            kind, line = "choice", parts[0].strip()
            choices = [c.strip() for c in re.split(r"[/／、|]", parts[1]) if c.strip()]
        questions.append({"key": f"q{n}", "label": line, "type": kind, "required": required, "choices": choices})
    return questions


def format_questions(questions) -> str:
    lines = []
    for q in questions or []:
        line = q.get("label", "")
        if q.get("type") == "choice":
            line += "：" + "/".join(q.get("choices") or [])
        elif q.get("type") == "number":
            line += NUMBER
        if not q.get("required", True):
            line += OPTIONAL
        lines.append(line)
    return "\n".join(lines)


def manageable_nodes(user):
    paths = paths_with_permission(user, "activities.manage")
    nodes = UnionNode.objects.unscoped().filter(active=True)
    if paths is not None:
        q = None
        for p in paths:
            q = subtree_q("path", p) if q is None else q | subtree_q("path", p)
        nodes = nodes.filter(q) if q is not None else nodes.none()
    return nodes.order_by("path")


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200)
    kind = forms.ChoiceField(label=_("活动类型"), choices=Activity.Kind.choices)
    node = forms.ModelChoiceField(label=_("主办工会"), queryset=UnionNode.objects.none())
    starts_at = forms.DateTimeField(label=_("开始时间"), input_formats=DATETIME_FORMATS, widget=datetime_widget())
    ends_at = forms.DateTimeField(label=_("结束时间"), input_formats=DATETIME_FORMATS, widget=datetime_widget())
    place_name = forms.CharField(label=_("活动地点"), max_length=120,
                                 help_text=_("例如：市工人文化宫体育馆"))
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    latitude = forms.CharField(label=_("纬度"), required=False, max_length=20,
                               help_text=_("在地图上取点后填写，例如 32.012345；用于职工导航"))
    longitude = forms.CharField(label=_("经度"), required=False, max_length=20,
                                help_text=_("例如 120.876543"))
    cover = forms.FileField(label=_("封面图片"), required=False,
                            help_text=_("JPG、PNG 或 WebP 格式，上传后自动压缩"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    remove_cover = forms.BooleanField(label=_("删除现有封面"), required=False)
    description = forms.CharField(label=_("活动介绍"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("可使用简单的 HTML（段落、列表、加粗）；保存时自动清除脚本和样式。"))
    capacity = forms.IntegerField(label=_("名额"), min_value=1, initial=30)
    audience = forms.ChoiceField(label=_("报名对象"), choices=Offering.Audience.choices,
                                 initial=Offering.Audience.MEMBERS)
    waitlist = forms.BooleanField(label=_("额满后接受候补"), required=False, initial=True)
    hardship_first = forms.BooleanField(label=_("候补递补时困难职工优先"), required=False)
    per_person_limit = forms.IntegerField(label=_("每人限报名额"), min_value=1, initial=1,
                                          help_text=_("可携带家属时填2或以上"))
    opens_at = forms.DateTimeField(label=_("报名开始时间"), required=False, input_formats=DATETIME_FORMATS,
                                   widget=datetime_widget(), help_text=_("留空则发布后立即开始报名"))
    closes_at = forms.DateTimeField(label=_("报名截止时间"), required=False, input_formats=DATETIME_FORMATS,
                                    widget=datetime_widget(), help_text=_("留空则截止到活动开始"))
    confirm_hours = forms.IntegerField(label=_("递补确认时限（小时）"), min_value=1, max_value=168, initial=24)
    questions_text = forms.CharField(
        label=_("报名时要填写的问题"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个问题。“衣服尺码：S/M/L”为选择题，“年龄（数字）”填数字，末尾加“（选填）”为选填。"))

    def __init__(self, *args, user=None, activity: Activity | None = None, **kwargs):
        if activity is not None and not kwargs.get("initial"):
            kwargs["initial"] = initial_for(activity)
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["node"].queryset = manageable_nodes(user)
        self.fields["node"].label_from_instance = lambda n: ("　" * max(0, n.depth - 1)) + n.display_name
        if activity is not None and activity.offering.status != Offering.Status.DRAFT:
            self.fields["node"].disabled = True
            self.fields["node"].help_text = _("活动发布后不能更换主办工会")
        if activity is None or not activity.cover:
            del self.fields["remove_cover"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["questions"] = parse_questions(data.pop("questions_text", ""))
        data["description"] = data.get("description") or ""
        for name in ("latitude", "longitude"):
            data[name] = (data.get(name) or "").strip() or None
        cover = data.pop("cover", None)
        data["cover"] = cover.read() if cover else None
        if "remove_cover" in data:
            data["remove_cover"] = bool(data.pop("remove_cover"))
        return data


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None


def initial_for(activity: Activity) -> dict:
    o = activity.offering
    return {
        "title": o.title, "kind": activity.kind, "node": o.node_id, "starts_at": _local(activity.starts_at),
        "ends_at": _local(activity.ends_at), "place_name": activity.place_name, "address": activity.address,
        "latitude": activity.latitude, "longitude": activity.longitude, "description": activity.description,
        "capacity": o.capacity, "audience": o.audience, "waitlist": o.waitlist, "hardship_first": o.hardship_first,
        "per_person_limit": o.per_person_limit, "opens_at": _local(o.opens_at), "closes_at": _local(o.closes_at),
        "confirm_hours": o.confirm_hours, "questions_text": format_questions(o.questions),
    }


class ReportForm(forms.Form):
    report = forms.CharField(label=_("活动总结"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000,
                             help_text=_("举办情况、参加人数、取得的效果；会显示在门户的活动页上。"))


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("活动照片"),
                           widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    caption = forms.CharField(label=_("照片说明"), required=False, max_length=120)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("已发布的活动须写明原因，报名和候补的职工会收到这条说明。"))
