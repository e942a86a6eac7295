"""The checks of one roster row (批量导入), fast enough for a million rows.

This module imports no Django models and needs no configured settings: the import runs it in
worker processes (see importing.py), which get the column layout and the derived keys from the
parent. A checked row comes back either prepared for the database (normalised values, keyed
hash, ciphertext, mask, pinyin keys) or with error codes; the parent turns codes into Chinese
sentences (``MESSAGES``), so the workers need no translations.

The ID number and mobile checks give exactly the answers of ``core.validators.clean_id_number``
and ``clean_mobile`` (tests/test_import_rows.py proves it on many inputs), but avoid their
repeated work: the check digit is one base-13 ``int()``, birth dates and area codes are looked
up once per distinct value (python-stdnum's area database costs ~30 µs a call), and the mobile
check is phonenumbers' own CN mobile pattern compiled once. Anything unusual (full-width digits,
prefixes, separators) takes the slow path through the same libraries.
"""

from __future__ import annotations

import base64
import datetime
import hmac
import re

import phonenumbers
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from gonghui.members import vocab

# ----- fields and headers -----

# The fields a roster column can fill, in the order the mapping screen lists them.
FIELDS: dict[str, object] = {
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "gender": _("性别"),
    "birth_date": _("出生日期"),
    "mobile": _("手机号码"),
    "ethnicity": _("民族"),
    "education": _("学历"),
    "household_type": _("户籍类型"),
    "migrant_worker": _("是否农民工"),
    "joined_on": _("入会日期"),
    "employer": _("工作单位"),
    "member_number": _("会员号"),
}
REQUIRED_FIELDS = ("name", "id_number")
IGNORE = ""  # the mapping value of a column that is not imported

# Header texts (normalised: no spaces, no "*", no "（必填）") and the field each names.
HEADER_SYNONYMS: dict[str, str] = {}
for _field, _names in {
    "name": ["姓名", "名字", "职工姓名", "会员姓名", "员工姓名", "name"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "居民身份证号码", "居民身份证号",
                  "身份证", "证件号码", "证件号", "身份证件号码", "idnumber", "id_number"],
    "gender": ["性别", "gender", "sex"],
    "birth_date": ["出生日期", "出生年月日", "出生年月", "生日", "birthdate", "birth_date"],
    "mobile": ["手机号", "手机号码", "联系电话", "手机", "联系方式", "电话", "电话号码", "移动电话", "mobile", "phone"],
    "ethnicity": ["民族", "ethnicity"],
    "education": ["学历", "文化程度", "最高学历", "学历层次", "education"],
    "household_type": ["户籍", "户籍类型", "户口性质", "户口类型", "户籍性质", "户口", "household_type"],
    "migrant_worker": ["是否农民工", "农民工", "是否为农民工", "农民工标识", "migrant_worker"],
    "joined_on": ["入会时间", "入会日期", "入会年月", "加入工会时间", "入会年月日", "joined_on"],
    "employer": ["工作单位", "单位", "单位名称", "所在单位", "工作单位名称", "就业单位", "employer"],
    "member_number": ["会员号", "会员编号", "会员证号", "会员证编号", "member_number"],
}.items():
    for _name in _names:
        HEADER_SYNONYMS[_name] = _field
# Columns of every roster that hold nothing to import: ignored without asking. "错误原因" is the
# column our own file of rejected rows adds, so a corrected file uploads again as it is.
AUTO_IGNORED_HEADERS = {"序号", "编号", "行号", "备注", "错误原因", "说明"}

_HEADER_DROP = re.compile(r"[\s*＊:：]|[（(](?:必填|选填|可选|必须|非必填)[）)]")


def normalise_header(text) -> str:
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return _HEADER_DROP.sub("", str(text).replace("\ufeff", "")).lower()


def field_for_header(text) -> str | None:
    """The field a header names (None: unknown; IGNORE: a column rosters keep for themselves)."""
    key = normalise_header(text)
    if key in HEADER_SYNONYMS:
        return HEADER_SYNONYMS[key]
    if key in AUTO_IGNORED_HEADERS:
        return IGNORE
    return None


# ----- value vocabularies -----

ETHNICITIES = frozenset(vocab.ETHNICITIES)

EDUCATION_VALUES = {
    "primary": ["小学及以下", "小学", "小学以下", "文盲", "半文盲", "无"],
    "junior": ["初中", "初级中学", "初中及以下"],
    "senior": ["高中/中专/技校", "高中", "中专", "技校", "职高", "中技", "高中及中专", "普通高中", "中等专科",
               "中等职业教育", "高中中专", "高中(中专)", "高中（中专）"],
    "college": ["大专", "专科", "大学专科", "高职", "高职高专", "大专及以上"],
    "bachelor": ["本科", "大学本科", "大学", "学士", "本科及以上"],
    "postgraduate": ["研究生", "硕士", "硕士研究生", "博士", "博士研究生", "研究生及以上"],
}
HOUSEHOLD_VALUES = {
    "urban": ["城镇", "城市", "城镇户口", "城镇户籍", "非农", "非农业", "非农业户口", "非农业家庭户口", "城镇居民"],
    "rural": ["农村", "农业", "农村户口", "农村户籍", "农业户口", "农业家庭户口", "农村居民"],
}
YES_VALUES = {"是", "y", "yes", "true", "1", "√", "✓", "是农民工"}
NO_VALUES = {"否", "n", "no", "false", "0", "×", "不是", "非"}
GENDER_VALUES = {"男": "M", "男性": "M", "m": "M", "male": "M", "女": "F", "女性": "F", "f": "F", "female": "F"}


def _value_map(table: dict[str, list[str]]) -> dict[str, str]:
    return {normalise_header(text): key for key, texts in table.items() for text in [key, *texts]}


EDUCATION_MAP = _value_map(EDUCATION_VALUES)
HOUSEHOLD_MAP = _value_map(HOUSEHOLD_VALUES)

# ----- messages (the parent formats them; workers return codes and parameters) -----

MESSAGES = {
    "name_missing": _("姓名为空，请填写。"),
    "name_too_long": _("姓名超过60个字，请核对。"),
    "id_missing": _("身份证号为空，请填写。"),
    "id_excel_number": _("身份证号被Excel转成了数字（如3.20102E+17），后几位已经丢失，无法还原。请把该列设为文本格式后重新填写身份证号。"),
    "id_excel_digits_lost": _("身份证号最后几位是000且校验码不对，很可能被Excel转成了数字，后几位已经丢失。请把该列设为文本格式后重新填写身份证号。"),
    "id_15": _("这是15位的旧身份证号，请填写18位的身份证号。"),
    "id_length": _("身份证号应为18位，请核对。"),
    "id_format": _("身份证号只能包含数字，最后一位可以是X，请核对。"),
    "id_checksum": _("身份证号第18位校验码不正确，请核对。"),
    "id_birth_date": _("身份证号第7至14位的出生日期不正确，请核对。"),
    "id_area": _("身份证号前6位的地区码不存在，请核对。"),
    "id_duplicate": _("身份证号与第%(row)d行重复，同一人只能出现一次。"),
    "gender_invalid": _("性别只能填“男”或“女”。"),
    "gender_mismatch": _("性别与身份证号不符：按身份证号应为“%(expected)s”。请核对性别或身份证号。"),
    "birth_date_invalid": _("出生日期无法识别，请写成2024-01-31这样的日期。"),
    "birth_date_mismatch": _("出生日期与身份证号不符：按身份证号应为%(expected)s。请核对出生日期或身份证号。"),
    "mobile_invalid": _("手机号码不正确，请输入中国大陆11位手机号码。"),
    "ethnicity_invalid": _("民族“%(value)s”不是国家标准中的民族名称，请写全称，如“汉族”“回族”；不属于56个民族的请写“其他”。"),
    "education_invalid": _("学历“%(value)s”无法识别，可填：小学及以下、初中、高中/中专/技校、大专、本科、研究生。"),
    "household_invalid": _("户籍类型“%(value)s”无法识别，可填：城镇、农村。"),
    "migrant_invalid": _("是否农民工“%(value)s”无法识别，请填“是”或“否”。"),
    "joined_invalid": _("入会日期无法识别，请写成2024-01-31这样的日期。"),
    "joined_future": _("入会日期不能晚于今天。"),
    "joined_before_birth": _("入会日期早于出生日期，请核对。"),
    "employer_too_long": _("工作单位超过200个字，请简写。"),
    "member_number_too_long": _("会员号超过32个字符，请核对。"),
    "member_number_duplicate": _("会员号与第%(row)d行重复。"),
    "member_number_taken": _("会员号%(value)s已被其他会员使用，请更正或留空由系统编号。"),
    "conflict_active": _("该身份证号已是其他工会的在册会员，请办理转会。"),
    "conflict_active_named": _("该身份证号已是其他工会（%(union)s）的在册会员，请办理转会。"),
    "conflict_retained": _("该身份证号是其他工会退休保留会籍的会员，不能再导入为在册会员。"),
}
# How the report groups reasons (a code whose message names a row groups under a plain label).
GROUPS = {
    "id_excel_digits_lost": "id_excel_number",
    "conflict_active_named": "conflict_active",
}
GROUP_LABELS = {
    "name_missing": _("姓名为空"),
    "name_too_long": _("姓名过长"),
    "id_missing": _("身份证号为空"),
    "id_15": _("15位旧身份证号"),
    "id_length": _("身份证号位数不对"),
    "id_format": _("身份证号含有非法字符"),
    "id_checksum": _("身份证号校验码不正确"),
    "id_birth_date": _("身份证号中的出生日期不正确"),
    "id_area": _("身份证号地区码不存在"),
    "gender_invalid": _("性别无法识别"),
    "birth_date_invalid": _("出生日期无法识别"),
    "mobile_invalid": _("手机号码不正确"),
    "joined_invalid": _("入会日期无法识别"),
    "joined_future": _("入会日期晚于今天"),
    "joined_before_birth": _("入会日期早于出生日期"),
    "employer_too_long": _("工作单位过长"),
    "member_number_too_long": _("会员号过长"),
    "conflict_retained": _("是其他工会保留会籍的会员"),
    "id_duplicate": _("文件内身份证号重复"),
    "member_number_duplicate": _("文件内会员号重复"),
    "member_number_taken": _("会员号已被使用"),
    "id_excel_number": _("身份证号被Excel转成了数字"),
    "gender_mismatch": _("性别与身份证号不符"),
    "birth_date_mismatch": _("出生日期与身份证号不符"),
    "ethnicity_invalid": _("民族无法识别"),
    "education_invalid": _("学历无法识别"),
    "household_invalid": _("户籍类型无法识别"),
    "migrant_invalid": _("是否农民工无法识别"),
    "conflict_active": _("已是其他工会的在册会员"),
}


def message(code: str, params: dict | None = None) -> str:
    text = str(MESSAGES[code])
    return text % params if params else text


def group_of(code: str) -> str:
    return GROUPS.get(code, code)


def group_label(code: str) -> str:
    code = group_of(code)
    return str(GROUP_LABELS.get(code) or MESSAGES[code])


# ----- ID numbers -----

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
_TRAILING_ZERO_DECIMAL = re.compile(r"^\d+\.0*$")


def check_id_slow(value: str) -> tuple[str | None, str | None]:
    """clean_id_number's own steps (normalised number, or the error code), without messages."""
    value = ric.compact(value or "")
    if len(value) != 18:
        return None, "id_length"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return None, "id_format"
    if value[17] != ric.calc_check_digit(value):
        return None, "id_checksum"
    try:
        ric.get_birth_date(value)
    except stdnum_errors.ValidationError:
        return None, "id_birth_date"
    try:
        ric.get_birth_place(value)
    except (stdnum_errors.ValidationError, KeyError):
        return None, "id_area"
    return value, None


def area_years(area: str):
    """When an area code was valid, read once from python-stdnum's database: True (always), a
    list of (first year, last year) with None for open ends, or None (never). The same rule as
    ric.get_birth_place, which checks the birth year against each county's years."""
    from stdnum import numdb

    results = numdb.get("cn/loc").info(area)
    info = {k: v for _part, props in results for k, v in props.items()}
    if not info or "county" not in info:
        return None
    ranges = []
    for county in info["county"].split(","):
        if not county.startswith("["):
            return True
        startend, _name = county[1:].split("]")
        start, end = startend.split("-")
        ranges.append((int(start) if start else None, int(end) if end else None))
    return ranges


class IdChecker:
    """check(cell) -> (normalised ID, None) or (None, code); caches dates and area codes."""

    def __init__(self):
        self._dates: dict[str, datetime.date | None] = {}
        self._areas: dict[str, tuple | None] = {}

    def check(self, cell) -> tuple[str | None, str | None]:
        if cell is None or cell == "":
            return None, "id_missing"
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return None, "id_excel_number"  # a number cell: Excel keeps only 15 significant digits
        if not isinstance(cell, str):
            cell = str(cell)
        value = cell.strip()
        if not value:
            return None, "id_missing"
        if _SCIENTIFIC.match(value) or _TRAILING_ZERO_DECIMAL.match(value):
            return None, "id_excel_number"
        if len(value) == 18 and value.isascii() and value[:17].isdigit():
            last = value[17]
            if last == "x":
                last = "X"
                value = value[:17] + "X"
            if not (last.isdigit() or last == "X"):
                return None, "id_format"
            check = (1 - 2 * int(value[:17], 13)) % 11
            if last != ("X" if check == 10 else str(check)):
                return None, "id_excel_digits_lost" if value.endswith("000") else "id_checksum"
            birth = self.birth_date(value)
            if birth is None:
                return None, "id_birth_date"
            area = value[:6]
            try:
                years = self._areas[area]
            except KeyError:
                years = self._areas[area] = area_years(area)
            if years is None:
                return None, "id_area"
            if years is True:
                return value, None
            year = birth.year
            for start, end in years:
                if (start is None or year >= start) and (end is None or year <= end):
                    return value, None
            return None, "id_area"
        if len(value) == 15 and value.isascii() and value.isdigit():
            return None, "id_15"
        return check_id_slow(value)

    def birth_date(self, number: str) -> datetime.date | None:
        digits = number[6:14]
        try:
            return self._dates[digits]
        except KeyError:
            try:
                birth = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
            except ValueError:
                birth = None
            self._dates[digits] = birth
            return birth


# ----- mobile numbers -----

_CN = phonenumbers.PhoneMetadata.metadata_for_region("CN")
MOBILE_PATTERN = re.compile(_CN.mobile.national_number_pattern)
_CN_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def check_mobile_slow(value: str) -> str | None:
    """clean_mobile's own steps: the 11 digits, or None when it would refuse the number."""
    raw = (value or "").strip().replace(" ", "").replace("-", "")
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return None
    if (number.country_code != 86 or not phonenumbers.is_valid_number(number)
            or phonenumbers.number_type(number) not in _CN_MOBILE_TYPES):
        return None
    return str(number.national_number)


def check_mobile(value: str) -> str | None:
    raw = value.strip().replace(" ", "").replace("-", "")
    if len(raw) == 14 and raw.startswith("+86"):
        raw = raw[3:]
    # Eleven plain digits that phonenumbers would not strip a carrier or national prefix from
    # (CN strips 0, 1[12]xx and 179xx): the number is the national number; valid exactly when it
    # matches the region's mobile pattern (test_import_rows proves both paths agree).
    if len(raw) == 11 and raw.isascii() and raw.isdigit() and raw[0] == "1" and raw[1] not in "12" \
            and not raw.startswith("179"):
        return raw if MOBILE_PATTERN.fullmatch(raw) else None
    return check_mobile_slow(value)


# ----- dates -----

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's 1900 date system (serial 1 = 1900-01-01)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?()$"),  # a month: its first day
]
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")


def parse_date(cell) -> datetime.date | None:
    """A date from a cell: a date value, an Excel serial number or a written date; None if not."""
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return _from_serial(cell)
    text = str(cell).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = match.groups()
            try:
                return datetime.date(int(year), int(month), int(day or 1))
            except ValueError:
                return None
    if _SERIAL.match(text):
        return _from_serial(float(text))
    return None


def _from_serial(value: float) -> datetime.date | None:
    if not 1 <= value < 2958466:
        return None
    return EXCEL_EPOCH + datetime.timedelta(days=int(value))


# ----- cells -----

def cell_text(cell) -> str:
    """A cell as the text a person sees: numbers without a trailing .0, dates as 2024-01-31."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e16 else repr(cell)
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if not (cell.hour or cell.minute or cell.second) else cell.isoformat(" ")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell).strip()


def mask_id_number(value: str) -> str:
    """The same mask as core.crypto.mask_id_number (320************123)."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


# ----- one row -----

# A prepared row: the values the parent writes, in this order; the first WORKER_VALUES are the
# Worker columns after its id, in importing.WORKER_FIELDS order.
PREPARED = ("name", "name_pinyin", "name_initials", "id_number_encrypted", "id_number_hash", "id_number_masked",
            "gender", "birth_date", "ethnicity", "mobile", "education", "household_type", "migrant_worker",
            "employer", "member_number", "joined_on")
WORKER_VALUES = 14
P_PINYIN = PREPARED.index("name_pinyin")
P_HASH = PREPARED.index("id_number_hash")
P_MEMBER_NUMBER = PREPARED.index("member_number")
P_JOINED = PREPARED.index("joined_on")


class RowChecker:
    """Checks rows given the column of each field; encrypts when ``fernet_key`` is given.

    check_chunk(rows) takes [(row number, cells), …] and returns, per row, a tuple
    (row number, prepared values or None, [(code, params), …], ID key or None); the ID key
    (the 17-digit body as an int) lets the parent find duplicates with little memory.
    Every distinct value of a vocabulary column (education, dates, names' pinyin…) is worked
    out once and cached, since a roster repeats them.
    """

    def __init__(self, columns: dict[str, int], *, today: datetime.date, hash_key: bytes,
                 fernet_key: bytes | None = None, dates_as_text: bool = False):
        self.columns = dict(columns)
        self.dates_as_text = dates_as_text  # SQLite stores dates as ISO text: convert them here
        self.width = max(self.columns.values(), default=-1) + 1
        for field in FIELDS:
            setattr(self, f"i_{field}", self.columns.get(field))
        self.today = today
        self.hash_key = hash_key
        self.fernet = None
        if fernet_key:
            from cryptography.fernet import Fernet

            self.fernet = Fernet(fernet_key)
        self.ids = IdChecker()
        self._dates: dict[str, datetime.date | None] = {}
        self._values: dict[tuple[str, str], object] = {}
        from gonghui.members.pinyin import name_keys

        self._name_keys = name_keys
        self._names: dict[str, tuple[str, str]] = {}
        self._strings: dict[str, str] = {}
        self._date_texts: dict[datetime.date, str] = {}

    def check_chunk(self, rows):
        check = self.check
        return [check(number, cells) for number, cells in rows]

    def _date(self, cell):
        if cell.__class__ is str:
            cached = self._dates.get(cell, False)
            if cached is False:
                cached = self._dates[cell] = parse_date(cell)
            return cached
        return parse_date(cell)

    def _choice(self, kind: str, text: str):
        """Education, household, yes/no, gender and ethnicity, normalised once per distinct text."""
        key = (kind, text)
        try:
            return self._values[key]
        except KeyError:
            norm = normalise_header(text)
            if kind == "education":
                value = EDUCATION_MAP.get(norm)
            elif kind == "household":
                value = HOUSEHOLD_MAP.get(norm)
            elif kind == "yesno":
                value = True if norm in YES_VALUES else False if norm in NO_VALUES else None
            elif kind == "gender":
                value = GENDER_VALUES.get(norm)
            else:  # ethnicity: "汉" is 汉族
                value = text if text in ETHNICITIES else (text + "族" if text + "族" in ETHNICITIES else None)
            self._values[key] = value
            return value

    def check(self, number: int, cells):
        if len(cells) < self.width:
            cells = [*cells, *([""] * (self.width - len(cells)))]
        errors = []
        choice = self._choice

        i = self.i_name
        name = cells[i] if i is not None else ""
        name = name.strip() if name.__class__ is str else cell_text(name)
        if not name:
            errors.append(("name_missing", None))
        elif len(name) > 60:
            errors.append(("name_too_long", None))

        i = self.i_id_number
        id_number, code = self.ids.check(cells[i] if i is not None else None)
        key = None
        gender = ""
        birth = None
        if code:
            errors.append((code, None))
        else:
            key = int(id_number[:17])
            gender = "M" if int(id_number[16]) % 2 else "F"
            birth = self.ids.birth_date(id_number)
            i = self.i_gender
            if i is not None:
                stated = cells[i]
                stated = stated.strip() if stated.__class__ is str else cell_text(stated)
                if stated:
                    value = choice("gender", stated)
                    if value is None:
                        errors.append(("gender_invalid", None))
                    elif value != gender:
                        errors.append(("gender_mismatch", {"expected": "男" if gender == "M" else "女"}))
            i = self.i_birth_date
            if i is not None:
                stated = cells[i]
                if stated is not None and (stated.strip() if stated.__class__ is str else True):
                    value = self._date(stated)
                    if value is None:
                        errors.append(("birth_date_invalid", None))
                    elif value != birth:
                        errors.append(("birth_date_mismatch", {"expected": birth.isoformat()}))

        mobile = ""
        i = self.i_mobile
        if i is not None:
            raw = cells[i]
            raw = raw.strip() if raw.__class__ is str else cell_text(raw)
            if raw:
                mobile = check_mobile(raw)
                if mobile is None:
                    errors.append(("mobile_invalid", None))
                    mobile = ""

        ethnicity = ""
        i = self.i_ethnicity
        if i is not None:
            raw = cells[i]
            raw = raw.strip() if raw.__class__ is str else cell_text(raw)
            if raw:
                ethnicity = choice("ethnicity", raw)
                if ethnicity is None:
                    errors.append(("ethnicity_invalid", {"value": raw[:20]}))
                    ethnicity = ""

        education = ""
        i = self.i_education
        if i is not None:
            raw = cells[i]
            raw = raw.strip() if raw.__class__ is str else cell_text(raw)
            if raw:
                education = choice("education", raw)
                if education is None:
                    errors.append(("education_invalid", {"value": raw[:20]}))
                    education = ""

        household = ""
        i = self.i_household_type
        if i is not None:
            raw = cells[i]
            raw = raw.strip() if raw.__class__ is str else cell_text(raw)
            if raw:
                household = choice("household", raw)
                if household is None:
                    errors.append(("household_invalid", {"value": raw[:20]}))
                    household = ""

        migrant = False
        i = self.i_migrant_worker
        if i is not None:
            raw = cells[i]
            raw = raw.strip() if raw.__class__ is str else cell_text(raw)
            if raw:
                value = choice("yesno", raw)
                if value is None:
                    errors.append(("migrant_invalid", {"value": raw[:20]}))
                migrant = bool(value)

        joined = self.today
        i = self.i_joined_on
        if i is not None:
            raw = cells[i]
            if raw is not None and (raw.strip() if raw.__class__ is str else True):
                joined = self._date(raw.strip() if raw.__class__ is str else raw)
                if joined is None:
                    errors.append(("joined_invalid", None))
                elif joined > self.today:
                    errors.append(("joined_future", None))
                elif birth is not None and joined < birth:
                    errors.append(("joined_before_birth", None))

        employer = ""
        i = self.i_employer
        if i is not None:
            raw = cells[i]
            employer = raw.strip() if raw.__class__ is str else cell_text(raw)
            if len(employer) > 200:
                errors.append(("employer_too_long", None))
            # One object per distinct employer: a roster repeats a few, and the rows sent back to
            # the parent (pickled with their shared objects) stay small.
            employer = self._strings.setdefault(employer, employer) if len(self._strings) < 50_000 else employer

        member_number = ""
        i = self.i_member_number
        if i is not None:
            raw = cells[i]
            member_number = raw.strip() if raw.__class__ is str else cell_text(raw)
            if len(member_number) > 32:
                errors.append(("member_number_too_long", None))

        if errors:
            return number, None, errors, key

        keys = self._names.get(name)
        if keys is None:
            if len(self._names) > 50_000:
                self._names.clear()
            keys = self._names[name] = self._name_keys.__wrapped__(name)
        encoded = id_number.encode()
        digest = hmac.digest(self.hash_key, encoded, "sha256").hex()
        encrypted = self.fernet.encrypt(encoded).decode() if self.fernet else ""
        if self.dates_as_text:
            birth = birth.isoformat()
            text = self._date_texts.get(joined)
            if text is None:
                text = self._date_texts[joined] = joined.isoformat()
            joined = text
        return number, (
            name, keys[0], keys[1], encrypted, digest, id_number[:3] + "************" + id_number[15:], gender,
            birth, ethnicity, mobile, education, household, migrant, employer, member_number, joined,
        ), None, key


# ----- worker processes -----

_worker_checker: RowChecker | None = None


def init_worker(columns, today, hash_key, fernet_key, dates_as_text=False):
    global _worker_checker
    _worker_checker = RowChecker(columns, today=today, hash_key=hash_key, fernet_key=fernet_key,
                                 dates_as_text=dates_as_text)


def check_chunk_in_worker(rows):
    return _worker_checker.check_chunk(rows)


def fernet_key_text(raw_key: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw_key)
