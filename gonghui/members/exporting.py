"""Export of the member list (members.export): exactly the filtered rows, streamed as .xlsx or .csv.

Nothing is built in memory: rows are read in chunks and written out as they come. The .xlsx is
written as a zip stream (Python's zipfile writes to an unseekable stream with data descriptors)
holding one worksheet of inline strings, so the first bytes leave at once and a 400,000-row
district costs the same memory as ten rows. CSV is UTF-8 with a BOM (Excel recognises it) or,
for old Excel, GBK (encoded as GB18030, which is byte-for-byte GBK for every GBK character and
keeps the rare ones GBK lacks).

ID numbers are masked unless the user holds members.view_full_id at the member's union; cells
that a spreadsheet would run as formulas are neutralised (core.spreadsheet.safe_cell); one audit
entry (Action.EXPORT) records the filters, the row count, the format and whether full ID numbers
left the system.
"""

import csv
import io
import zipfile
from xml.sax.saxutils import escape

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core import crypto
from gonghui.core.scope import paths_with_permission
from gonghui.core.spreadsheet import safe_cell
from gonghui.members import records_listing as listing
from gonghui.members import services
from gonghui.members.models import Education, Gender, HouseholdType, Membership
from gonghui.orgs.models import UnionNode

PERMISSION = "members.export"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
CHUNK = 2000

COLUMNS = (
    ("name", "worker__name"), ("gender", "worker__gender"), ("birth_date", "worker__birth_date"),
    ("ethnicity", "worker__ethnicity"), ("id_number", "worker__id_number_masked"),
    ("id_encrypted", "worker__id_number_encrypted"), ("mobile", "worker__mobile"),
    ("education", "worker__education"), ("household_type", "worker__household_type"),
    ("migrant_worker", "worker__migrant_worker"), ("employer", "worker__employer"), ("union", "union__name"),
    ("member_number", "member_number"), ("joined_on", "joined_on"), ("status", "status"),
    ("status_changed_on", "status_changed_on"), ("status_reason", "status_reason"), ("node_path", "node_path"),
)


def header() -> list[str]:
    return [_("姓名"), _("性别"), _("出生日期"), _("民族"), _("身份证号"), _("手机号"), _("学历"), _("户籍类型"),
            _("农民工"), _("工作单位"), _("基层工会"), _("会员号"), _("入会日期"), _("会籍状态"), _("状态变更日期"),
            _("变更原因")]


def _full_id_paths(user):
    return paths_with_permission(user, "members.view_full_id")


def id_disclosure(user, scope_paths) -> str:
    """"full", "masked" or "mixed": which ID numbers this export shows (said in its audit entry)."""
    full = _full_id_paths(user)
    if full is None:
        return "full"
    scope = scope_paths if scope_paths is not None else [""]
    if all(any(p.startswith(f) for f in full) for p in scope):
        return "full"
    if any(f.startswith(p) for f in full for p in scope):
        return "mixed"
    return "masked"


def rows(user, queryset, limit: int | None = None):
    """Each exported row as a list of cell texts, formulas neutralised."""
    full_paths = _full_id_paths(user)
    labels = {
        "gender": {k: str(v) for k, v in Gender.choices},
        "education": {k: str(v) for k, v in Education.choices},
        "household_type": {k: str(v) for k, v in HouseholdType.choices},
        "status": {k: str(v) for k, v in Membership.Status.choices},
    }
    yes = _("是")
    fields = [lookup for _name, lookup in COLUMNS]
    values_qs = queryset.values_list(*fields)
    if limit is not None:
        values_qs = values_qs[:limit]
    for values in values_qs.iterator(chunk_size=CHUNK):
        r = dict(zip((name for name, _lookup in COLUMNS), values, strict=True))
        full = full_paths is None or any(r["node_path"].startswith(p) for p in full_paths)
        id_text = crypto.decrypt(r["id_encrypted"]) if full else r["id_number"]
        yield [safe_cell(str(v)) for v in (
            r["name"], labels["gender"].get(r["gender"], ""), _date(r["birth_date"]), r["ethnicity"], id_text,
            r["mobile"], labels["education"].get(r["education"], ""),
            labels["household_type"].get(r["household_type"], ""), yes if r["migrant_worker"] else "",
            r["employer"], r["union"], r["member_number"], _date(r["joined_on"]),
            labels["status"].get(r["status"], r["status"]), _date(r["status_changed_on"]), r["status_reason"],
        )]


def _date(value) -> str:
    return value.isoformat() if value else ""


# ----- CSV -----

def csv_chunks(header_row, body, *, encoding: str):
    """CSV text in chunks of about CHUNK rows, encoded; UTF-8 starts with a BOM so Excel reads it."""
    codec = "gb18030" if encoding == "gbk" else "utf-8"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if codec == "utf-8":
        buffer.write("\ufeff")
    writer.writerow(header_row)
    n = 0
    for row in body:
        writer.writerow(row)
        n += 1
        if n % CHUNK == 0:
            yield buffer.getvalue().encode(codec)
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode(codec)


# ----- XLSX as a zip stream -----

class _Pipe(io.RawIOBase):
    """An unseekable file that collects what zipfile writes, for the generator to hand out."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self):
        return True

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


def _workbook(sheet_name: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>')


# Characters XML 1.0 does not allow (control characters other than tab, newline, return).
_ILLEGAL = dict.fromkeys([c for c in range(32) if c not in (9, 10, 13)], None)
_COLS = [chr(65 + i) if i < 26 else "A" + chr(65 + i - 26) for i in range(52)]


def _row_xml(number: int, cells, style: str = "") -> str:
    parts = [f'<row r="{number}">']
    for i, text in enumerate(cells):
        if text:
            parts.append(f'<c r="{_COLS[i]}{number}" t="inlineStr"{style}><is><t xml:space="preserve">'
                         f'{escape(text.translate(_ILLEGAL))}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def xlsx_chunks(header_row, body, *, sheet_name: str):
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _workbook(sheet_name))
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        yield pipe.take()
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            widths = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                             for i, w in enumerate((10, 6, 12, 8, 21, 13, 14, 9, 7, 28, 30, 14, 12, 12, 12, 20)))
            sheet.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                         'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                         f'<cols>{widths}</cols><sheetData>').encode())
            sheet.write(_row_xml(1, header_row, ' s="1"').encode())
            batch: list[str] = []
            for n, row in enumerate(body, start=2):
                batch.append(_row_xml(n, row))
                if len(batch) >= CHUNK:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    yield pipe.take()
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())
        yield pipe.take()
    yield pipe.take()


# ----- the response -----

def export_response(user, params) -> StreamingHttpResponse:
    """The filtered list for ``user`` (members.export) as a streamed download; audited before the
    first row leaves."""
    fmt = (params.get("format") or "xlsx").lower()
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    encoding = "gbk" if (params.get("encoding") or "").lower() in ("gbk", "gb18030") and fmt == "csv" else "utf-8"
    chosen = listing.plan(user, PERMISSION, params)
    qs = chosen.queryset
    total = qs.count()
    limit = None
    if fmt == "xlsx":
        total, limit = min(total, XLSX_MAX_ROWS), XLSX_MAX_ROWS
    scope_paths = paths_with_permission(user, PERMISSION)
    union = listing._chosen_union(params)
    if union is not None:
        scope_paths = [union.path]
    disclosure = id_disclosure(user, scope_paths)
    node = union if union is not None else _top_node(user)
    record(user, AuditEntry.Action.EXPORT, None, node=node, event="members.exported", extra={
        "filters": {k: params.get(k) for k in services.FILTER_NAMES if params.get(k)},
        "rows": total, "format": fmt, "encoding": encoding, "id_numbers": disclosure,
    })
    stamp = timezone.localdate().strftime("%Y%m%d")
    body = rows(user, qs, limit)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(header(), body, encoding=encoding),
                                         content_type=f"text/csv; charset={'GB18030' if encoding == 'gbk' else 'utf-8'}")
    else:
        response = StreamingHttpResponse(
            xlsx_chunks(header(), body, sheet_name=_("会员名单")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="members-{stamp}.{fmt}"'
    response["X-Row-Count"] = str(total)
    return response


def _top_node(user):
    paths = paths_with_permission(user, PERMISSION)
    if not paths:
        return None
    return UnionNode.objects.unscoped().filter(path=paths[0]).first()
