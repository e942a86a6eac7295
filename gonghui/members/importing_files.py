"""Reading an uploaded roster: what the file really is, its rows, and its header.

The format is decided by the bytes, not the name: a zip holding ``xl/workbook.xml`` is .xlsx
(WPS saves .et files this way too), an OLE2 compound file is .xls/.et, a zip with an
OpenDocument spreadsheet is .ods, and text that decodes as UTF-8 (with or without BOM),
UTF-16 (Excel's "Unicode text") or GB18030 (a superset of GBK) is CSV. Anything else is
refused with a sentence saying what the file seems to be.

Rows stream: CSV through the csv module line by line, .xlsx through python-calamine (fast, but
it holds the whole sheet in memory, about 1 GB for a million rows) or, for sheets larger than
GONGHUI_IMPORT_CALAMINE_MAX_MB of XML, through openpyxl's read-only mode, which streams in
constant memory at about a sixth of the speed (figures in docs/members-import.md).
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from gonghui.members.importing_rows import IGNORE, REQUIRED_FIELDS, cell_text, field_for_header

ALLOWED_SUFFIXES = {".xlsx", ".xls", ".et", ".ods", ".csv", ".xlsm", ".ett", ".txt"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SCAN_ROWS = 20
LOOKAHEAD_ROWS = 200


class BadFile(Exception):
    """The whole file is refused; the message says why and what to do, in Chinese."""

    def __init__(self, message: str, code: str = "bad_file"):
        super().__init__(message)
        self.message = message
        self.code = code


def setting(name: str, default):
    return getattr(settings, name, default)


def max_bytes() -> int:
    return int(setting("GONGHUI_IMPORT_MAX_BYTES", 150 * 1024 * 1024))


def too_big_message() -> str:
    return _("文件超过%(mb)dMB，请删去无关的工作表和列，或把名单拆成几个文件分别导入。") % {
        "mb": max_bytes() // (1024 * 1024)}


def check_size(size: int) -> None:
    if size <= 0:
        raise BadFile(_("文件是空的（0字节），请选择填好的会员花名册。"), "empty_file")
    if size > max_bytes():
        raise BadFile(too_big_message(), "file_too_large")


# ----- what the file is -----

def _what_binary(head: bytes) -> str | None:
    import filetype

    kind = filetype.guess(head)
    if kind is None:
        return None
    names = {"image": _("图片"), "video": _("视频"), "audio": _("音频")}
    family = kind.mime.split("/")[0]
    if family in names:
        return f"{kind.extension.upper()}{names[family]}"
    if kind.extension == "pdf":
        return _("PDF文档")
    return _("%(ext)s文件") % {"ext": kind.extension.upper()}


def sniff(path: Path, name: str) -> dict:
    """{"format": "xlsx"|"xls"|"ods"|"csv", "encoding": …}; raises BadFile."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise BadFile(_("只能导入 .xlsx、.xls、.et、.ods 或 .csv 格式的表格文件。"), "bad_type")
    size = path.stat().st_size
    check_size(size)
    with path.open("rb") as f:
        head = f.read(65536)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "xl/workbook.xml" in names:
                    return {"format": "xlsx"}
                if "content.xml" in names and b"opendocument.spreadsheet" in z.read("mimetype")[:100]:
                    return {"format": "ods"}
                if "word/document.xml" in names:
                    raise BadFile(_("这是一个Word文档，不是表格。请上传Excel或CSV格式的会员花名册。"), "not_spreadsheet")
        except zipfile.BadZipFile:
            raise BadFile(_("文件已损坏，无法打开。请在Excel中重新保存后再上传。"), "corrupt") from None
        except KeyError:
            pass
        raise BadFile(_("这是一个压缩包，不是表格。请上传Excel或CSV格式的会员花名册。"), "not_spreadsheet")
    if head.startswith(OLE_MAGIC):
        return {"format": "xls"}
    what = _what_binary(head)
    if what:
        raise BadFile(_("这个文件的内容是%(what)s，不是表格。请上传Excel（.xlsx、.xls、.et、.ods）或CSV格式的会员花名册。")
                      % {"what": what}, "not_spreadsheet")
    encoding = _text_encoding(path, head)
    if encoding is None:
        raise BadFile(_("无法识别文件内容：它不是Excel表格，也不是能识别编码的CSV文本。请在Excel中另存为“CSV UTF-8（逗号分隔）”或.xlsx格式后再上传。"),
                      "not_spreadsheet")
    return {"format": "csv", "encoding": encoding}


def _text_encoding(path: Path, head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        return None
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                while block := f.read(1 << 20):
                    text = decoder.decode(block)
                    if "\x00" in text:
                        raise UnicodeDecodeError(encoding, b"", 0, 1, "NUL")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


# ----- rows -----

@dataclass
class Table:
    rows: Iterator[list]
    estimated_rows: int = 0
    merged: list = field(default_factory=list)  # ((first row, first col), (last row, last col)), 0-based
    first_column: int = 0  # 0-based column of cells[0] (calamine skips empty columns on the left)
    reader: str = ""
    close: object = None


def open_table(path: Path, info: dict) -> Table:
    fmt = info["format"]
    if fmt == "csv":
        return _csv_table(path, info["encoding"])
    reader = setting("GONGHUI_IMPORT_XLSX_READER", "auto")
    if fmt == "xlsx" and reader != "calamine":
        if reader == "openpyxl" or _sheet_xml_bytes(path) > setting("GONGHUI_IMPORT_CALAMINE_MAX_MB", 640) * 2**20:
            return _openpyxl_table(path)
    return _calamine_table(path)


def _csv_table(path: Path, encoding: str) -> Table:
    f = path.open("r", encoding=encoding, newline="")
    first = f.readline()
    f.seek(0)
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    # An estimate for the progress bar: lines in the file (a quoted field may hold a newline).
    lines = 0
    with path.open("rb") as raw:
        while block := raw.read(1 << 20):
            lines += block.count(b"\n")
    return Table(rows=csv.reader(f, delimiter=delimiter), estimated_rows=lines, reader="csv",
                 close=f.close)


def _sheet_xml_bytes(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as z:
            return max((i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/")), default=0)
    except zipfile.BadZipFile:
        return 0


def _calamine_table(path: Path) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        with path.open("rb") as f:
            workbook = CalamineWorkbook.from_filelike(f)
        sheet = None
        for index in range(len(workbook.sheet_names)):
            candidate = workbook.get_sheet_by_index(index)
            if candidate.height and candidate.width:
                sheet = candidate
                break
    except BadFile:
        raise
    except Exception:
        raise BadFile(_("文件已损坏或不是有效的表格，无法读取。请在Excel或WPS中打开并另存为.xlsx后再上传。"), "corrupt") from None
    if sheet is None:
        return Table(rows=iter(()), reader="calamine")
    try:
        merged = list(sheet.merged_cell_ranges or [])
    except Exception:  # not every format reports merged cells
        merged = []
    return Table(rows=sheet.iter_rows(), estimated_rows=sheet.total_height, merged=merged,
                 first_column=sheet.start[1] if sheet.start else 0, reader="calamine")


def _openpyxl_table(path: Path) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        estimated = sheet.max_row or 0
    except Exception:
        raise BadFile(_("文件已损坏或不是有效的表格，无法读取。请在Excel或WPS中打开并另存为.xlsx后再上传。"), "corrupt") from None
    rows = (["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True))
    return Table(rows=rows, estimated_rows=estimated, reader="openpyxl", close=workbook.close)


# ----- the header -----

def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Header:
    row_number: int  # 1-based row of the header in the sheet
    texts: list[str]  # the header cells as text, one per column
    auto: list[str | None]  # the field each header names by itself (None: unknown, IGNORE)
    first_column: int = 0


def read_header(table: Table) -> tuple[Header, list[tuple[int, list]], int]:
    """The header row, the first data rows read ahead (to decide about blank header cells) and
    how many rows were read.

    The header is the first of the first 20 non-empty rows that names both 姓名 and 身份证号
    (rosters often start with a title row); failing that, the first non-empty row.
    """
    scanned: list[tuple[int, list]] = []
    rows = table.rows
    number = 0
    for row in rows:
        number += 1
        if any(cell_text(c) for c in row):
            scanned.append((number, list(row)))
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
    if not scanned:
        raise BadFile(_("表格是空的，没有找到任何内容。请确认第一个工作表里填写了会员名单。"), "empty_sheet")
    chosen = 0
    for i, (_n, row) in enumerate(scanned):
        fields = {field_for_header(c) for c in row}
        if "name" in fields and "id_number" in fields:
            chosen = i
            break
    header_number, header_cells = scanned[chosen]
    data = scanned[chosen + 1:]
    for row in rows:
        number += 1
        data.append((number, list(row)))
        if len(data) >= LOOKAHEAD_ROWS:
            break
    texts = [cell_text(c) for c in header_cells]
    while texts and not texts[-1]:
        texts.pop()
    header = Header(row_number=header_number, texts=texts, auto=[field_for_header(t) if t else IGNORE for t in texts],
                    first_column=table.first_column)
    _check_header_shape(header, table, data)
    return header, data, number


def _check_header_shape(header: Header, table: Table, data: list[tuple[int, list]]) -> None:
    row0 = header.row_number - 1
    offset = header.first_column
    for (r1, c1), (r2, c2) in table.merged:
        if r1 <= row0 <= r2 and (c2 > c1 or r2 > r1):
            cells = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
            raise BadFile(_("表头有合并的单元格（%(cells)s）。请取消合并，让每一列都有自己的列名（如“姓名”“身份证号”）后重新上传。")
                          % {"cells": cells}, "merged_header")
    seen: dict[str, int] = {}
    for i, text in enumerate(header.texts):
        letter = column_letter(i + offset)
        if not text:
            if any(i < len(row) and cell_text(row[i]) for _n, row in data):
                raise BadFile(_("表头第%(letter)s列没有列名，但下面有数据（可能是合并了表头单元格）。请给每一列填写列名，不导入的列可以删除，然后重新上传。")
                              % {"letter": letter}, "blank_header")
            continue
        if text in seen:
            raise BadFile(_("表头“%(text)s”出现了两次（%(first)s列和%(second)s列）。请删除或改名其中一列后重新上传。")
                          % {"text": text, "first": column_letter(seen[text] + offset), "second": letter},
                          "duplicate_header")
        seen[text] = i
    width = len(header.texts)
    for _n, row in data:
        for i in range(width, len(row)):
            if cell_text(row[i]):
                raise BadFile(_("表头第%(letter)s列没有列名，但下面有数据（可能是合并了表头单元格）。请给每一列填写列名，不导入的列可以删除，然后重新上传。")
                              % {"letter": column_letter(i + offset)}, "blank_header")


@dataclass
class Mapping:
    columns: dict[str, int]  # field -> column index
    unknown: list[int]  # columns whose header names no field and that nobody mapped yet
    conflicts: list[tuple[str, list[int]]]  # a field named by more than one column
    missing: list[str]  # required fields no column fills


def resolve_mapping(header: Header, chosen: dict[str, str]) -> Mapping:
    """Fields by column: the person's choices (``chosen``: header text -> field or "") first,
    then what each header names by itself."""
    by_field: dict[str, list[int]] = {}
    unknown = []
    for i, text in enumerate(header.texts):
        if not text:
            continue
        value = chosen[text] if text in chosen else header.auto[i]
        if value is None:
            unknown.append(i)
        elif value != IGNORE:
            by_field.setdefault(value, []).append(i)
    conflicts = [(f, cols) for f, cols in by_field.items() if len(cols) > 1]
    columns = {f: cols[0] for f, cols in by_field.items()}
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    return Mapping(columns=columns, unknown=unknown, conflicts=conflicts, missing=missing)


# ----- refusing a too-big upload before reading it -----

MULTIPART_SLACK = 1 << 20  # form fields and multipart boundaries around the file


def body_too_large(request) -> bool:
    """Whether the request declares a body larger than the import accepts (nothing read yet)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_bytes() + MULTIPART_SLACK


class SizeLimitUploadHandler(FileUploadHandler):
    """First upload handler of an import: stops reading once a file passes the limit (a client
    may send no Content-Length, or a wrong one) and marks the request, which then says why."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_bytes()
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit + MULTIPART_SLACK:
            self.request.import_too_large = True
            return QueryDict(), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.import_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def guard_upload(request) -> None:
    """Put the size limit in front of Django's upload handlers (before anything reads the body)."""
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
