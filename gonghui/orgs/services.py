"""Rules and writes for the organisation tree."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import subtree_q
from gonghui.core.validators import clean_uscc
from gonghui.orgs.models import STEP_LEN, UnionNode, decode_step, encode_step

# Which kinds may sit under which: keeps the tree shaped like a real federation.
ALLOWED_PARENT_KINDS = {
    UnionNode.Kind.PROVINCE_FEDERATION: {None},
    UnionNode.Kind.CITY_FEDERATION: {None, UnionNode.Kind.PROVINCE_FEDERATION},
    UnionNode.Kind.DISTRICT_FEDERATION: {UnionNode.Kind.CITY_FEDERATION},
    UnionNode.Kind.TOWN_UNION: {UnionNode.Kind.DISTRICT_FEDERATION},
    UnionNode.Kind.GRASSROOTS_UNION: {
        UnionNode.Kind.CITY_FEDERATION, UnionNode.Kind.DISTRICT_FEDERATION, UnionNode.Kind.TOWN_UNION,
    },
    UnionNode.Kind.JOINT_GRASSROOTS_UNION: {UnionNode.Kind.DISTRICT_FEDERATION, UnionNode.Kind.TOWN_UNION},
    UnionNode.Kind.DEPARTMENT: {
        UnionNode.Kind.PROVINCE_FEDERATION, UnionNode.Kind.CITY_FEDERATION, UnionNode.Kind.DISTRICT_FEDERATION,
    },
    UnionNode.Kind.SERVICE_CENTRE: {
        UnionNode.Kind.PROVINCE_FEDERATION, UnionNode.Kind.CITY_FEDERATION, UnionNode.Kind.DISTRICT_FEDERATION,
    },
}

NODE_FIELDS = ["name", "short_name", "kind", "uscc", "address", "contact_person", "contact_phone", "active"]


def validate_node_fields(data: dict, parent: UnionNode | None) -> dict:
    """Cleaned node fields; raises ValidationError keyed by field with Chinese messages."""
    errors: dict[str, list[str]] = {}
    cleaned = {k: (data.get(k) or "").strip() if isinstance(data.get(k, ""), str) else data.get(k)
               for k in NODE_FIELDS if k in data}
    if not cleaned.get("name"):
        errors.setdefault("name", []).append(_("请填写名称。"))
    kind = cleaned.get("kind")
    if kind not in UnionNode.Kind.values:
        errors.setdefault("kind", []).append(_("类别不正确，可选：%(kinds)s。") % {
            "kinds": "、".join(str(label) for label in UnionNode.Kind.labels)})
    else:
        parent_kind = parent.kind if parent else None
        if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
            errors.setdefault("parent", []).append(_("%(kind)s不能设在%(parent)s之下。") % {
                "kind": UnionNode.Kind(kind).label,
                "parent": UnionNode.Kind(parent_kind).label if parent_kind else _("顶层"),
            })
    if cleaned.get("uscc"):
        try:
            cleaned["uscc"] = clean_uscc(cleaned["uscc"], union=kind in UnionNode.UNION_KINDS)
        except ValidationError as e:
            errors.setdefault("uscc", []).extend(e.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _next_child_path(parent: UnionNode | None) -> str:
    prefix, depth = (parent.path, parent.depth + 1) if parent else ("", 1)
    last = (
        UnionNode.objects.unscoped()
        .filter(subtree_q("path", prefix), depth=depth)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = decode_step(last[-STEP_LEN:]) + 1 if last else 0
    return prefix + encode_step(number)


def set_search_keys(node: UnionNode) -> None:
    """The pinyin keys the portal's union search reads (kept on every create and update)."""
    from gonghui.members.pinyin import name_keys

    node.name_pinyin, node.name_initials = name_keys(node.name)


def _insert(parent: UnionNode | None, fields: dict) -> UnionNode:
    node = UnionNode(parent=parent, **fields)
    set_search_keys(node)
    node.path = _next_child_path(parent)
    node.depth = len(node.path) // STEP_LEN
    node.save()
    return node


def _check_uscc_unique(uscc: str, exclude_pk=None) -> None:
    if uscc and UnionNode.objects.unscoped().filter(uscc=uscc).exclude(pk=exclude_pk).exists():
        raise ValidationError({"uscc": [_("该统一社会信用代码已被其他组织使用。")]})


@transaction.atomic
def create_node(parent: UnionNode | None, data: dict, *, by) -> UnionNode:
    """Add a node under ``parent`` (None: a root) and audit it."""
    cleaned = validate_node_fields(data, parent)
    _check_uscc_unique(cleaned.get("uscc", ""))
    node = _insert(parent, cleaned)
    record(by, AuditEntry.Action.CREATE, node, event="org.created",
           changes={k: [None, v] for k, v in cleaned.items()})
    return node


@transaction.atomic
def update_node(node: UnionNode, data: dict, *, by) -> UnionNode:
    """Change a node's own fields (not its place in the tree) and audit the diff."""
    merged = {k: getattr(node, k) for k in NODE_FIELDS} | {k: v for k, v in data.items() if k in NODE_FIELDS}
    cleaned = validate_node_fields(merged, node.parent)
    _check_uscc_unique(cleaned.get("uscc", ""), exclude_pk=node.pk)
    changes = {k: [getattr(node, k), v] for k, v in cleaned.items() if getattr(node, k) != v}
    for k, v in cleaned.items():
        setattr(node, k, v)
    set_search_keys(node)
    node.save()
    if changes:
        record(by, AuditEntry.Action.CHANGE, node, event="org.changed", changes=changes)
    return node


# ----- import of a whole tree from .xlsx or .csv -----

IMPORT_COLUMNS = {
    # header in the file (Chinese or English) -> field
    "名称": "name", "name": "name",
    "简称": "short_name", "short_name": "short_name",
    "类别": "kind", "kind": "kind",
    "统一社会信用代码": "uscc", "uscc": "uscc",
    "上级统一社会信用代码": "parent_uscc", "parent_uscc": "parent_uscc",
    "地址": "address", "address": "address",
    "联系人": "contact_person", "contact_person": "contact_person",
    "联系电话": "contact_phone", "contact_phone": "contact_phone",
}
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000
KIND_BY_LABEL = {str(label): value for value, label in UnionNode.Kind.choices} | {
    v: v for v in UnionNode.Kind.values
}


class ImportRejected(Exception):
    """The whole file is refused; ``errors`` lists (row number, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"第{row}行：{msg}" if row else msg for row, msg in errors[:20]))


@dataclass
class ImportResult:
    created_ids: list[int] = field(default_factory=list)
    audit_entry_id: int | None = None


def read_rows(path: Path) -> list[list[str]]:
    """All rows of the first sheet (xlsx) or of the CSV file, as strings."""
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportRejected([(0, _("文件超过20MB，请拆分后再导入。"))])
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xls", ".ods"}:
            from python_calamine import CalamineWorkbook

            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=False)
        elif suffix == ".csv":
            raw = path.read_bytes()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportRejected([(0, _("无法识别文件编码，请另存为UTF-8编码的CSV。"))])
            rows = list(csv.reader(io.StringIO(text)))
        else:
            raise ImportRejected([(0, _("只支持 .xlsx 或 .csv 文件。"))])
    except ImportRejected:
        raise
    except Exception:
        raise ImportRejected([(0, _("文件已损坏或不是有效的表格文件。"))]) from None
    return [["" if c is None else str(c).strip() for c in row] for row in rows]


def _cell(value) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


@transaction.atomic
def import_tree(path: Path, *, by, under: UnionNode | None = None) -> ImportResult:
    """Import nodes from a file; each row names its parent by USCC (blank: ``under`` or a root).

    Rows may come in any order. Any bad row rejects the whole file, with its row number.
    """
    rows = read_rows(path)
    if not rows:
        raise ImportRejected([(0, _("文件是空的。"))])
    header = [IMPORT_COLUMNS.get(h.strip()) for h in rows[0]]
    missing = {"name", "kind"} - set(header)
    if missing:
        raise ImportRejected([(1, _("缺少必填列：名称、类别。"))])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ImportRejected([(0, _("一次最多导入%(n)d行。") % {"n": MAX_IMPORT_ROWS})])

    errors: list[tuple[int, str]] = []
    pending: list[tuple[int, dict]] = []
    seen_uscc: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        data = {f: _cell(row[i]) for i, f in enumerate(header) if f and i < len(row)}
        data["kind"] = KIND_BY_LABEL.get(data.get("kind", ""), data.get("kind", ""))
        if data.get("uscc"):
            if data["uscc"] in seen_uscc:
                errors.append((number, _("统一社会信用代码与第%(row)d行重复。") % {"row": seen_uscc[data["uscc"]]}))
            seen_uscc[data["uscc"]] = number
        pending.append((number, data))

    # Parents already in the tree must lie inside ``under``'s subtree: the importer may change only there.
    existing_qs = UnionNode.objects.unscoped().exclude(uscc="")
    if under is not None:
        existing_qs = existing_qs.filter(path__startswith=under.path)
    existing = {n.uscc: n for n in existing_qs.filter(
        uscc__in=[d.get("parent_uscc") for _n, d in pending if d.get("parent_uscc")])}
    created: dict[str, UnionNode] = {}
    result = ImportResult()
    # Insert parents before children: repeat passes over rows whose parent is now known.
    remaining = pending
    while remaining:
        next_round = []
        for number, data in remaining:
            parent_code = data.pop("parent_uscc", "") or ""
            if parent_code:
                parent = created.get(parent_code) or existing.get(parent_code)
                if parent is None:
                    if parent_code in seen_uscc:
                        data["parent_uscc"] = parent_code
                        next_round.append((number, data))
                        continue
                    errors.append((number, _("找不到上级组织（统一社会信用代码 %(code)s）。") % {"code": parent_code}))
                    continue
            else:
                parent = under
            try:
                cleaned = validate_node_fields(data, parent)
                _check_uscc_unique(cleaned.get("uscc", ""))
            except ValidationError as e:
                errors.extend((number, m) for m in e.messages)
                continue
            if errors:
                continue  # the file is refused anyway; keep checking rows, write nothing more
            node = _insert(parent, cleaned)
            result.created_ids.append(node.pk)
            if node.uscc:
                created[node.uscc] = node
        if len(next_round) == len(remaining):
            errors.extend((n, _("上级组织的关系有循环或上级行有错误。")) for n, _d in next_round)
            break
        remaining = next_round
    if errors:
        raise ImportRejected(sorted(errors))
    entry = record(by, AuditEntry.Action.IMPORT, None, node=under, event="org.imported",
                   extra={"file": path.name, "rows": len(pending), "created": len(result.created_ids),
                          "ids": result.created_ids})
    result.audit_entry_id = entry.pk
    return result
