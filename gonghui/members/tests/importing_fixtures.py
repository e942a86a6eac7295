"""Rosters for the import tests: CSV and .xlsx bytes built from rows of valid, made-up people."""

import csv
import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.demo.idnumbers import fake_id_number

HEADER = ["序号", "姓名", "性别", "身份证号", "手机号", "民族", "学历", "户籍", "是否农民工", "入会时间", "工作单位"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def person(rng: random.Random, number: int = 1, **overrides) -> dict:
    id_number = overrides.pop("id_number", None) or fake_id_number(rng)
    data = {
        "序号": str(number),
        "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        "性别": "男" if int(id_number[16]) % 2 else "女",
        "身份证号": id_number,
        "手机号": f"139{rng.randrange(10**8):08d}",
        "民族": "汉族",
        "学历": rng.choice(["本科", "大专", "高中"]),
        "户籍": rng.choice(["城镇", "农村"]),
        "是否农民工": rng.choice(["是", "否"]),
        "入会时间": "2023-05-01",
        "工作单位": "东城机械厂",
    }
    data.update(overrides)
    return data


def people(count: int, seed: int = 7, **overrides) -> list[dict]:
    rng = random.Random(seed)
    return [person(rng, i + 1, **overrides) for i in range(count)]


def rows_of(persons: list[dict], header=HEADER) -> list[list]:
    return [[p.get(h, "") for h in header] for p in persons]


def roster_csv(persons: list[dict], header=HEADER, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows_of(persons, header))
    return out.getvalue().encode(encoding)


def roster_xlsx(persons: list[dict], header=HEADER, *, title: str | None = None, merge: str | None = None,
                numbers_for: tuple[str, ...] = (), header_rows: list[list] | None = None) -> bytes:
    """An .xlsx roster; ``numbers_for`` writes those columns as number cells (as Excel does when
    someone pastes ID numbers into a General column); ``merge`` merges a range of the header."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("花名册")
    row = 0
    if title:
        sheet.merge_range(0, 0, 0, len(header) - 1, title)
        row = 1
    for extra in header_rows or []:
        sheet.write_row(row, 0, extra)
        row += 1
    sheet.write_row(row, 0, header)
    if merge:
        sheet.merge_range(merge, header[0])
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for p in persons:
        row += 1
        for col, h in enumerate(header):
            value = p.get(h, "")
            if isinstance(value, (datetime.date, datetime.datetime)):
                sheet.write_datetime(row, col, value if isinstance(value, datetime.datetime)
                                     else datetime.datetime.combine(value, datetime.time()), date_format)
            elif h in numbers_for and str(value).replace(".", "").isdigit():
                sheet.write_number(row, col, float(value))
            elif isinstance(value, (int, float)):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
    book.close()
    return out.getvalue()


def upload(content: bytes, name: str = "花名册.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def roster_ods(persons: list[dict], header=HEADER) -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice and WPS save as .ods)."""
    import zipfile
    from xml.sax.saxutils import escape

    def row(values):
        cells = "".join(f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p>'
                        f"</table:table-cell>" for v in values)
        return f"<table:table-row>{cells}</table:table-row>"

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="花名册">'
        + row(header) + "".join(row(r) for r in rows_of(persons, header))
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
