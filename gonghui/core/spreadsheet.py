"""Spreadsheets that leave the system (.xlsx exports, CSV): cells that cannot run as formulas, a
plain workbook of header + rows, and the download response."""

import io

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text stays text: nothing typed by a user becomes a formula or a link.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with a quote (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def book(sheets) -> bytes:
    """An .xlsx of ``sheets`` — (name, header, rows) each — every cell made safe."""
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    bold = workbook.add_format({"bold": True})
    for name, header, rows in sheets:
        ws = workbook.add_worksheet(name)
        ws.write_row(0, 0, header, bold)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, [safe_cell(v) for v in row])
        ws.set_column(0, 0, 28)
        ws.set_column(1, max(len(header), 1), 14)
    workbook.close()
    return out.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
