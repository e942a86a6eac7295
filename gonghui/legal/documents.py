"""The legal-aid documents as PDF (reportlab, the CID font of ``gonghui.core.pdf``): the application
form (法律援助申请表), the assignment letter (委派函, with its number) and the closing report (结案报告).
Each carries the case number in its body and at the foot of every page.

Each document is built in two steps: ``*_data(legal_case)`` reads the rows into plain values (one place
that knows the models), ``render_*(data)`` lays them out — the batch of the benchmark and the tests
call the second step directly. Who may download which document is decided in views_reports.py.
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import pdf
from gonghui.legal.models_cases import bare_name

APPLICATION, LETTER, CLOSING = "application", "letter", "closing"
KINDS = (APPLICATION, LETTER, CLOSING)


def money(amount) -> str:
    """Money in the documents: "12,000.00 元" (the CID font has no ¥ sign)."""
    if amount in (None, ""):
        return ""
    return _("%(amount)s 元") % {"amount": f"{Decimal(amount):,.2f}"}


def day(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def _esc(text) -> str:
    """Paragraph text is a small markup language: escape it, keep line breaks."""
    text = "" if text is None else str(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _label(choices_cls, value) -> str:
    return str(dict(choices_cls.choices).get(value, value or "")) if choices_cls is not None else (value or "")


def _model(name):
    from django.apps import apps

    try:
        return apps.get_model("legal", name)
    except LookupError:
        return None


def _matter_label(value) -> str:
    from gonghui.legal import models

    return _label(getattr(models, "Matter", None), value)


def _outcome_label(value) -> str:
    from gonghui.legal import models

    return _label(getattr(models, "Outcome", None), value)


FLAG_LABELS = (
    ("is_member", "工会会员"), ("is_migrant", "农民工"), ("is_woman", "女职工"), ("is_disabled", "残疾人"),
    ("is_elderly", "老年人"), ("is_model_worker", "劳动模范"), ("is_union_officer", "工会干部"),
    ("in_hardship", "困难职工"),
)


def flags_text(legal_case) -> str:
    return "、".join(_(label) for name, label in FLAG_LABELS if getattr(legal_case, name, False)) or _("无")


def centre_name(legal_case) -> str:
    node = legal_case.case.node
    return node.name if node is not None else ""


def _documents(legal_case) -> list[str]:
    """The documents an application carries: "劳动合同：合同.pdf" each."""
    model = _model("LegalDocument")
    if model is None:
        return []
    kinds = dict(getattr(model, "Kind", None).choices) if hasattr(model, "Kind") else {}
    rows = (model._base_manager.filter(legal_case=legal_case).select_related("attachment")
            .order_by("pk"))
    out = []
    for row in rows:
        name = row.attachment.name if getattr(row, "attachment", None) is not None else ""
        out.append(f"{kinds.get(row.kind, row.kind)}：{name}" if name else str(kinds.get(row.kind, row.kind)))
    return out


def active_assignment(legal_case):
    """The case's current assignment (the newest active one), or None."""
    model = _model("Assignment")
    if model is None:
        return None
    return (model._base_manager.filter(legal_case=legal_case, active=True).select_related("lawyer", "lawyer__firm")
            .order_by("-issued_on", "-pk").first())


def latest_assignment(legal_case):
    model = _model("Assignment")
    if model is None:
        return None
    return (model._base_manager.filter(legal_case=legal_case).select_related("lawyer", "lawyer__firm")
            .order_by("-active", "-issued_on", "-pk").first())


# ----- the application form -----

def application_data(legal_case) -> dict:
    case = legal_case.case
    rule = getattr(legal_case, "eligibility_rule", "") or ""
    return {
        "number": case.number,
        "centre": centre_name(legal_case),
        "applicant": legal_case.applicant_name,
        "phone": getattr(legal_case, "applicant_phone", ""),
        "union": legal_case.union.name if getattr(legal_case, "union_id", None) else "",
        "flags": flags_text(legal_case),
        "opponent": legal_case.opponent_name,
        "opponent_uscc": getattr(legal_case, "opponent_uscc", ""),
        "opponent_address": getattr(legal_case, "opponent_address", ""),
        "matter": _matter_label(legal_case.matter),
        "facts": legal_case.facts,
        "amount_claimed": legal_case.amount_claimed,
        "workers_involved": legal_case.workers_involved,
        "documents": _documents(legal_case),
        "eligibility": " ".join(x for x in (rule, getattr(legal_case, "eligibility_note", "") or "") if x),
        "submitted_on": getattr(legal_case, "submitted_on", None) or case.created_at,
    }


def render_application(d: dict) -> bytes:
    st = pdf.styles()
    story = [
        pdf.Paragraph(_("工会法律援助申请表"), st["title"]),
        pdf.Paragraph(_esc(_("案件编号：%(number)s") % {"number": d["number"]}), st["right"]),
        pdf.Spacer(1, 3 * pdf.mm),
        pdf.field_table([
            (_("申请人"), _esc(d["applicant"])),
            (_("联系电话"), _esc(d["phone"])),
            (_("所在工会"), _esc(d["union"])),
            (_("申请人情况"), _esc(d["flags"])),
            (_("对方当事人"), _esc(d["opponent"])),
            (_("统一社会信用代码"), _esc(d["opponent_uscc"])),
            (_("对方地址"), _esc(d["opponent_address"])),
            (_("案由"), _esc(d["matter"])),
            (_("涉及职工人数"), _esc(_("%(n)d 人") % {"n": d["workers_involved"] or 1})),
            (_("请求金额"), _esc(money(d["amount_claimed"]))),
            (_("提交的材料"), "<br/>".join(_esc(x) for x in d["documents"]) or _("未提交")),
            (_("适用的援助条件"), _esc(d["eligibility"])),
            (_("申请日期"), _esc(day(d["submitted_on"]))),
            (_("受理机构"), _esc(d["centre"])),
        ]),
        # Free text outside the table: a table row cannot run onto the next page.
        pdf.Paragraph(_("事实和理由"), st["heading"]),
        pdf.Paragraph(_esc(d["facts"]) or "—", st["body"]),
        pdf.Spacer(1, 6 * pdf.mm),
        pdf.Paragraph(_("本人保证以上所填内容及提交的材料真实。"), st["body"]),
        pdf.Spacer(1, 10 * pdf.mm),
        pdf.Paragraph(_("申请人（签名）：____________　　日期：____年__月__日"), st["right"]),
    ]
    return pdf.render(story, title=_("工会法律援助申请表"), footer=d["number"])


def application_pdf(legal_case) -> bytes:
    return render_application(application_data(legal_case))


# ----- the assignment letter (委派函) -----

def letter_data(assignment) -> dict:
    legal_case = assignment.legal_case
    lawyer = assignment.lawyer
    firm = lawyer.firm if getattr(lawyer, "firm_id", None) else None
    return {
        "letter_number": assignment.number,
        "number": legal_case.case.number,
        "centre": centre_name(legal_case),
        "to": firm.name if firm is not None else lawyer.name,
        "lawyer": lawyer.name,
        "licence_no": getattr(lawyer, "licence_no", ""),
        "firm": firm.name if firm is not None else "",
        "applicant": legal_case.applicant_name,
        "phone": getattr(legal_case, "applicant_phone", ""),
        "opponent": legal_case.opponent_name,
        "matter": _matter_label(legal_case.matter),
        "workers_involved": legal_case.workers_involved,
        "amount_claimed": legal_case.amount_claimed,
        "issued_on": assignment.issued_on,
    }


def render_letter(d: dict) -> bytes:
    st = pdf.styles()
    body = _(
        "经审查，申请人%(applicant)s与%(opponent)s%(matter)s纠纷一案（案件编号：%(number)s）符合工会法律援助条件，"
        "本中心决定给予法律援助。现委派%(lawyer)s律师承办此案。请于收到本函之日起三个工作日内与受援人联系，"
        "依法维护受援人的合法权益；办理中的重要进展请及时在系统中登记，案件办结后十五个工作日内提交结案报告"
        "及调解书、裁决书或判决书。"
    ) % {"applicant": d["applicant"], "opponent": d["opponent"], "matter": d["matter"], "number": d["number"],
         "lawyer": bare_name(d["lawyer"])}
    story = [
        pdf.Paragraph(_("工会法律援助案件委派函"), st["title"]),
        pdf.Paragraph(_esc(d["letter_number"]), st["right"]),
        pdf.Spacer(1, 4 * pdf.mm),
        pdf.Paragraph(_esc(_("%(to)s：") % {"to": d["to"]}), st["body"]),
        pdf.Paragraph(_esc(body), st["body"]),
        pdf.Spacer(1, 4 * pdf.mm),
        pdf.field_table([
            (_("案件编号"), _esc(d["number"])),
            (_("受援人"), _esc(d["applicant"])),
            (_("联系电话"), _esc(d["phone"])),
            (_("对方当事人"), _esc(d["opponent"])),
            (_("案由"), _esc(d["matter"])),
            (_("涉及职工人数"), _esc(_("%(n)d 人") % {"n": d["workers_involved"] or 1})),
            (_("请求金额"), _esc(money(d["amount_claimed"]))),
            (_("承办律师"), _esc(d["lawyer"])),
            (_("执业证号"), _esc(d["licence_no"])),
            (_("律师事务所"), _esc(d["firm"])),
        ]),
        pdf.Spacer(1, 12 * pdf.mm),
        pdf.Paragraph(_esc(d["centre"]), st["right"]),
        pdf.Paragraph(_esc(day(d["issued_on"])), st["right"]),
    ]
    return pdf.render(story, title=_("工会法律援助案件委派函"), footer=f"{d['letter_number']}  {d['number']}")


def letter_pdf(assignment) -> bytes:
    return render_letter(letter_data(assignment))


# ----- the closing report (结案报告) -----

def _stages(legal_case) -> list[dict]:
    model = _model("Stage")
    if model is None:
        return []
    kinds = dict(model.Kind.choices) if hasattr(model, "Kind") else {}
    out = []
    for s in model._base_manager.filter(legal_case=legal_case).order_by("started_on", "pk"):
        out.append({"kind": str(kinds.get(s.kind, s.kind)), "started_on": s.started_on,
                    "ended_on": getattr(s, "ended_on", None), "body": getattr(s, "body", ""),
                    "docket_no": getattr(s, "docket_no", ""), "result": getattr(s, "result", "")})
    return out


def _closing_text(legal_case) -> str:
    """The closing report the lawyer wrote (the cases part's ClosingReport)."""
    model = _model("ClosingReport")
    if model is None:
        return ""
    row = model._base_manager.filter(legal_case=legal_case).first()
    return row.text if row is not None else ""


def _final_documents(legal_case) -> list[str]:
    """The final documents (调解书/裁决书/判决书): the one the closing report names, and any other
    document of that kind."""
    model = _model("LegalDocument")
    if model is None:
        return []
    return [row.attachment.name for row in model._base_manager.filter(legal_case=legal_case, kind="final_document")
            .select_related("attachment").order_by("pk") if getattr(row, "attachment", None) is not None]


def closing_data(legal_case) -> dict:
    assignment = latest_assignment(legal_case)
    lawyer = legal_case.lawyer if getattr(legal_case, "lawyer_id", None) else (
        assignment.lawyer if assignment is not None else None)
    firm = lawyer.firm if lawyer is not None and getattr(lawyer, "firm_id", None) else None
    rating = getattr(legal_case, "rating", None)
    return {
        "number": legal_case.case.number,
        "centre": centre_name(legal_case),
        "applicant": legal_case.applicant_name,
        "opponent": legal_case.opponent_name,
        "matter": _matter_label(legal_case.matter),
        "lawyer": lawyer.name if lawyer is not None else "",
        "firm": firm.name if firm is not None else "",
        "letter_number": assignment.number if assignment is not None else "",
        "submitted_on": getattr(legal_case, "submitted_on", None) or legal_case.case.created_at,
        "closed_on": getattr(legal_case, "closed_on", None),
        "outcome": _outcome_label(getattr(legal_case, "outcome", "")),
        "amount_claimed": legal_case.amount_claimed,
        "amount_awarded": getattr(legal_case, "amount_awarded", None),
        "amount_recovered": getattr(legal_case, "amount_recovered", None),
        "workers_involved": legal_case.workers_involved,
        "workers_covered": getattr(legal_case, "workers_covered", 0),
        "stages": _stages(legal_case),
        "report": _closing_text(legal_case),
        "final_documents": _final_documents(legal_case),
        "rating": rating,
        "rating_comment": getattr(legal_case, "rating_comment", ""),
    }


def render_closing(d: dict) -> bytes:
    st = pdf.styles()
    story = [
        pdf.Paragraph(_("工会法律援助案件结案报告"), st["title"]),
        pdf.Paragraph(_esc(_("案件编号：%(number)s") % {"number": d["number"]}), st["right"]),
        pdf.Spacer(1, 3 * pdf.mm),
        pdf.field_table([
            (_("受援人"), _esc(d["applicant"])),
            (_("对方当事人"), _esc(d["opponent"])),
            (_("案由"), _esc(d["matter"])),
            (_("承办律师"), _esc(" ".join(x for x in (d["lawyer"], d["firm"]) if x))),
            (_("委派函号"), _esc(d["letter_number"])),
            (_("申请日期"), _esc(day(d["submitted_on"]))),
            (_("结案日期"), _esc(day(d["closed_on"]))),
            (_("结案方式"), _esc(d["outcome"])),
            (_("请求金额"), _esc(money(d["amount_claimed"]))),
            (_("调解、裁决或判决金额"), _esc(money(d["amount_awarded"]))),
            (_("实际追回金额"), _esc(money(d["amount_recovered"]))),
            (_("涉及 / 惠及职工"), _esc(_("涉及 %(a)d 人，惠及 %(b)d 人") % {
                "a": d["workers_involved"] or 1, "b": d["workers_covered"] or 0})),
            (_("结案文书"), "<br/>".join(_esc(x) for x in d["final_documents"]) or _("未附")),
        ]),
    ]
    if d["stages"]:
        story += [pdf.Paragraph(_("办理经过"), st["heading"])]
        rows = []
        for s in d["stages"]:
            span = day(s["started_on"]) + (" — " + day(s["ended_on"]) if s["ended_on"] else "")
            detail = "；".join(x for x in (span, s["body"], s["docket_no"], s["result"]) if x)
            rows.append((_esc(s["kind"]), _esc(detail)))
        story.append(pdf.field_table(rows))
    story += [
        pdf.Paragraph(_("承办律师的结案报告"), st["heading"]),
        pdf.Paragraph(_esc(d["report"]) or _("（未填写）"), st["body"]),
    ]
    if d["rating"]:
        story += [
            pdf.Paragraph(_("受援人评价"), st["heading"]),
            pdf.Paragraph(_esc(_("%(n)d 星（满分 5 星）") % {"n": d["rating"]} + (
                "：" + d["rating_comment"] if d["rating_comment"] else "")), st["body"]),
        ]
    story += [
        pdf.Spacer(1, 12 * pdf.mm),
        pdf.Paragraph(_("承办律师（签名）：____________"), st["right"]),
        pdf.Paragraph(_esc(d["centre"]), st["right"]),
    ]
    return pdf.render(story, title=_("工会法律援助案件结案报告"), footer=d["number"])


def closing_pdf(legal_case) -> bytes:
    return render_closing(closing_data(legal_case))


def filename(kind: str, number: str) -> str:
    """ASCII file names (the case number is ASCII: "FY…")."""
    safe = "".join(c for c in number if c.isascii() and (c.isalnum() or c in "-_")) or "case"
    return f"{kind}-{safe}.pdf"
