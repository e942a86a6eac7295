"""De-personalising a worker's question and its answer before it becomes a public FAQ.

A plain function: ``depersonalise(text, names=..., employers=...)`` replaces

- the names we know (the asker's name, the contact name, the staff who answered) and the common
  ways of addressing them (王芳 → 王女士/王师傅/小王/老王 are all "the worker"),
- mainland mobile numbers (13812345678, 138-1234-5678, +86 138 1234 5678) and landlines (0571-88886666),
- ID numbers (18 characters, the last a digit or X; 15 digits of the old cards),
- bank card numbers (16–19 digits), e-mail addresses,
- the employer names we know (the worker's employer, their union's name without "工会"),
- and "我叫某某 / 我是某某" introductions, whatever the name,

with neutral placeholders. Staff still read the result before publishing: this removes what a
machine can find, not every clue.
"""

import re
from collections.abc import Iterable

WORKER = "某职工"
EMPLOYER = "某单位"
PHONE = "（电话已隐去）"
ID_NUMBER = "（身份证号已隐去）"
CARD = "（卡号已隐去）"
EMAIL = "（邮箱已隐去）"

# Order matters: ID numbers (18) and card numbers (16–19 digits) before mobile numbers (11),
# so a mobile pattern never eats the middle of a longer number.
_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                 r"(?![0-9A-Za-z])|(?<!\d)[1-9]\d{14}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")
_MOBILE_RE = r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"
_LANDLINE_RE = r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"
_MOBILE = re.compile(_MOBILE_RE)
_LANDLINE = re.compile(_LANDLINE_RE)
# "，电话13812345678" says nothing once the number is gone: the label goes with it.
_LABELLED_PHONE = re.compile(r"(?:[，,]\s*)?(?:我的)?(?:联系)?(?:电话|手机号码|手机号|手机|联系方式)(?:是|为|号码)?[:：]?\s*"
                             rf"(?:{_MOBILE_RE}|{_LANDLINE_RE})")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# "我叫张三，" / "本人李四" / "我是王小明" followed by punctuation or a space: a self-introduction.
_INTRO = re.compile(r"(我叫|我是|本人|姓名[:：]?)\s*([\u4e00-\u9fff]{2,3})(?=[，,。.;；、\s!！]|$)")
_NOT_NAMES = {"农民工", "职工", "员工", "会员", "工人", "临时工", "派遣工", "外地人", "本地人", "工会会员", "困难职工",
              "一名", "一个", "司机", "保安", "厨师", "护士", "老师", "学生", "孕妇", "退休", "党员", "新人"}
TITLES = ("女士", "先生", "师傅", "经理", "老师", "阿姨", "大姐", "大哥", "同志")


def _variants(name: str) -> list[str]:
    """A person's name and the usual ways Chinese speakers address them by surname."""
    name = name.strip()
    if len(name) < 2:
        return []
    surname = name[0]
    forms = [name]
    if len(name) >= 3:
        forms.append(name[1:])  # 建国 for 刘建国
    forms += [f"{surname}{t}" for t in TITLES] + [f"小{surname}", f"老{surname}", f"{surname}某"]
    return forms


def _employer_variants(name: str) -> list[str]:
    name = name.strip()
    if len(name) < 2:
        return []
    forms = [name]
    for suffix in ("工会委员会", "工会联合会", "联合工会", "工会"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append(name[: -len(suffix)])
            break
    base = forms[-1]
    for suffix in ("有限责任公司", "股份有限公司", "有限公司", "集团", "公司"):
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            forms.append(base[: -len(suffix)])
            break
    return forms


def _replace_all(text: str, words: Iterable[str], placeholder: str) -> str:
    # The longest first, so 东城机械厂 does not leave 工会 behind after 东城机械厂工会.
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        text = text.replace(word, placeholder)
    return text


def depersonalise(text: str, *, names: Iterable[str] = (), employers: Iterable[str] = ()) -> str:
    """``text`` with personal facts replaced by placeholders (see the module's docstring)."""
    if not text:
        return ""
    text = _EMAIL.sub(EMAIL, text)
    text = _ID.sub(ID_NUMBER, text)
    text = _LABELLED_PHONE.sub("", text)
    text = _MOBILE.sub(PHONE, text)
    text = _CARD.sub(CARD, text)
    text = _LANDLINE.sub(PHONE, text)
    text = _replace_all(text, [v for e in employers if e for v in _employer_variants(e)], EMPLOYER)
    text = _replace_all(text, [v for n in names if n for v in _variants(n)], WORKER)

    def intro(match):
        return match.group(0) if match.group(2) in _NOT_NAMES or match.group(2).startswith(("某", "一")) \
            else f"{match.group(1)}{WORKER}"

    text = _INTRO.sub(intro, text)
    return text


def known_facts(req) -> tuple[list[str], list[str]]:
    """The names and employers a consultation request tells us about (to pass to depersonalise)."""
    from gonghui.members.models import Membership

    names = {req.contact_name, req.case.applicant_name}
    employers: set[str] = set()
    if req.worker_id:
        worker = req.worker
        names.add(worker.name)
        employers.add(worker.employer)
        for m in Membership.objects.unscoped().filter(worker=worker).select_related("union")[:5]:
            employers.add(m.union.name)
    if req.case.applicant_id:
        names.add(getattr(req.case.applicant, "display_name", ""))
    # The grassroots union that handled it is the worker's employer's union; district and city
    # federations are public bodies and stay named.
    from gonghui.orgs.models import UnionNode

    node = req.case.node
    if node.kind in UnionNode.MEMBER_KINDS:
        employers.add(node.name)
    if req.case.assignee_id:
        names.add(getattr(req.case.assignee, "display_name", ""))
    return [n for n in names if n and n not in ("匿名职工",)], [e for e in employers if e]
