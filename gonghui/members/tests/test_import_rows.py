"""The row checks of the roster import: the fast ID and mobile checks give exactly the answers of
core.validators, and every field's value rules (importing_rows)."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from gonghui.core import crypto
from gonghui.core.validators import clean_id_number, clean_mobile
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import importing
from gonghui.members.importing_rows import (
    ETHNICITIES,
    MESSAGES,
    IdChecker,
    RowChecker,
    check_mobile,
    field_for_header,
    message,
    parse_date,
)

# Codes the import refines; core.validators answers the plainer code for the same input.
REFINED = {"id_excel_digits_lost": "id_checksum", "id_15": "id_length", "id_missing": "id_length",
           "id_excel_number": "id_length"}


def _validator_code(value):
    try:
        return clean_id_number(value), None
    except ValidationError as e:
        return None, e.error_list[0].code


def _id_inputs():
    rng = random.Random(20260101)
    valid = [fake_id_number(rng) for _ in range(3000)]
    inputs = list(valid)
    for number in valid[:1500]:
        body, last = number[:17], number[17]
        inputs.append(body + rng.choice([d for d in "0123456789X" if d != last]))  # wrong check digit
        pos = rng.randrange(17)
        inputs.append(number[:pos] + str((int(number[pos]) + 1) % 10) + number[pos + 1:])  # one digit wrong
        inputs.append(number.lower())
        inputs.append(f"  {number} ")
        inputs.append(number[:10] + "1332" + number[14:])  # 13th month
        inputs.append(number[:10] + "0230" + number[14:])  # 30 February
        inputs.append(number[:16])
        inputs.append(number + "1")
        inputs.append(number[:8] + number[10:17])  # 15 digits
        inputs.append(number[:15] + "000")
        inputs.append(number[:6] + " " + number[6:])
        inputs.append(number.translate(str.maketrans("0123456789", "０１２３４５６７８９")))  # full-width
        inputs.append("A" + number[1:])
    # Areas that never existed, province- and city-level codes, areas valid only in some years.
    for area in ("000000", "999999", "110000", "320100", "320000", "110101", "320102", "510181", "469027"):
        for year in (1950, 1975, 1984, 2001, 2020):
            body = f"{area}{year}0615123"
            inputs.append(body + ric.calc_check_digit(body + "0"))
    inputs += ["", " ", "X" * 18, "12345678901234567X", "1" * 18, "320102199001011234", "3.20102E+17"]
    return inputs


def test_fast_id_check_agrees_with_clean_id_number():
    checker = IdChecker()
    disagreements = []
    for value in _id_inputs():
        fast_value, fast_code = checker.check(value)
        slow_value, slow_code = _validator_code(value)
        if REFINED.get(fast_code, fast_code) != slow_code or fast_value != slow_value:
            disagreements.append((value, fast_value, fast_code, slow_value, slow_code))
    assert not disagreements, disagreements[:10]


def test_fast_id_check_is_cached_per_area_and_date():
    checker = IdChecker()
    rng = random.Random(3)
    numbers = [fake_id_number(rng) for _ in range(200)]
    for number in numbers:
        assert checker.check(number) == (number, None)
    assert len(checker._areas) <= len({n[:6] for n in numbers})
    assert len(checker._dates) == len({n[6:14] for n in numbers})


def _mobile_inputs():
    rng = random.Random(11)
    inputs = []
    for prefix in range(1000, 2000):  # every 4-digit start of an 11-digit number beginning with 1
        for _ in range(8):
            inputs.append(f"{prefix}{rng.randrange(10**7):07d}")
    for prefix in range(100, 200):
        number = f"{prefix}{rng.randrange(10**8):08d}"
        inputs += [f"+86{number}", f"+86 {number[:3]} {number[3:7]} {number[7:]}", f"0086{number}",
                   f"86{number}", f"{number[:3]}-{number[3:7]}-{number[7:]}", f"({number[:3]}){number[3:]}",
                   number[:10], number + "0", f"17951{number}", f"12593{number}",
                   number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))]
    inputs += ["01012345678", "010-12345678", "02112345678", "85291234567", "+85291234567", "+1 202 555 0101",
               "abc", "1380013800a", "11111111111", "12345678901", "19912345678", "14012345678"]
    return inputs


def test_fast_mobile_check_agrees_with_clean_mobile():
    disagreements = []
    for value in _mobile_inputs():
        try:
            expected = clean_mobile(value)
        except ValidationError:
            expected = None
        got = check_mobile(value)
        if got != expected:
            disagreements.append((value, got, expected))
    assert not disagreements, disagreements[:10]


@pytest.mark.parametrize(("text", "expected"), [
    ("2020-01-05", datetime.date(2020, 1, 5)),
    ("2020/1/5", datetime.date(2020, 1, 5)),
    ("2020.01.05", datetime.date(2020, 1, 5)),
    ("2020年1月5日", datetime.date(2020, 1, 5)),
    ("20200105", datetime.date(2020, 1, 5)),
    ("2020-01", datetime.date(2020, 1, 1)),
    ("2020年3月", datetime.date(2020, 3, 1)),
    ("2020-01-05 00:00:00", datetime.date(2020, 1, 5)),
    ("43835", datetime.date(2020, 1, 5)),
    (43835.0, datetime.date(2020, 1, 5)),
    (datetime.datetime(2020, 1, 5, 8, 0), datetime.date(2020, 1, 5)),
    (datetime.date(2020, 1, 5), datetime.date(2020, 1, 5)),
    ("2020-02-30", None),
    ("去年", None),
    ("5/1/2020", None),
])
def test_dates_in_common_forms_and_excel_serials(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("header", "field"), [
    ("姓名", "name"), (" 姓 名 ", "name"), ("*姓名", "name"), ("身份证号码", "id_number"),
    ("公民身份号码", "id_number"), ("身份证号（必填）", "id_number"), ("手机号码", "mobile"), ("联系电话", "mobile"),
    ("文化程度", "education"), ("户口性质", "household_type"), ("户籍类型", "household_type"),
    ("是否农民工", "migrant_worker"), ("入会日期", "joined_on"), ("会员号", "member_number"),
    ("工作单位", "employer"), ("序号", ""), ("错误原因", ""), ("血型", None), ("", None),
])
def test_headers_and_their_synonyms(header, field):
    assert field_for_header(header) == field


COLUMNS = {"name": 0, "id_number": 1, "gender": 2, "birth_date": 3, "mobile": 4, "ethnicity": 5,
           "education": 6, "household_type": 7, "migrant_worker": 8, "joined_on": 9, "employer": 10,
           "member_number": 11}


@pytest.fixture
def checker(settings):
    return RowChecker(COLUMNS, today=datetime.date(2026, 6, 1),
                      hash_key=crypto._hash_key(settings.GONGHUI_DATA_KEY), fernet_key=importing._fernet_key())


@pytest.fixture
def man():
    number = fake_id_number(random.Random(5), female=False)
    birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return number, birth


def _row(number, **cells):
    row = ["张三", number, "", "", "13800138000", "汉族", "本科", "城镇", "否", "2020-01-05", "东城机械厂", ""]
    for field, value in cells.items():
        row[COLUMNS[field]] = value
    return row


def _codes(result):
    return [code for code, _params in (result[2] or [])]


def test_a_good_row_is_prepared_for_the_database(checker, man):
    number, birth = man
    _n, prepared, errors, key = checker.check(7, _row(number, gender="男", birth_date=birth.isoformat(),
                                                      ethnicity="汉", education="大学本科", household_type="农业户口",
                                                      migrant_worker="是"))
    assert errors is None
    assert key == int(number[:17])
    name, pinyin, initials, encrypted, digest, masked, gender, birth_date, ethnicity, mobile, education, household, \
        migrant, employer, member_number, joined = prepared
    assert (name, pinyin, initials, gender, birth_date) == ("张三", "zhangsan", "zs", "M", birth)
    assert (ethnicity, mobile, education, household, migrant) == ("汉族", "13800138000", "bachelor", "rural", True)
    assert joined == datetime.date(2020, 1, 5) and member_number == "" and employer == "东城机械厂"
    # The same keyed hash, mask and cipher as core.crypto, so look-ups and reveals work.
    assert digest == crypto.keyed_hash(number)
    assert masked == crypto.mask_id_number(number)
    assert crypto.decrypt(encrypted) == number


def test_gender_and_birth_date_must_match_the_id_number(checker, man):
    number, birth = man
    result = checker.check(3, _row(number, gender="女", birth_date=(birth + datetime.timedelta(days=1)).isoformat()))
    assert _codes(result) == ["gender_mismatch", "birth_date_mismatch"]
    texts = [message(c, p) for c, p in result[2]]
    assert texts[0] == "性别与身份证号不符：按身份证号应为“男”。请核对性别或身份证号。"
    assert birth.isoformat() in texts[1]
    assert _codes(checker.check(3, _row(number, gender="未知"))) == ["gender_invalid"]


@pytest.mark.parametrize(("cell", "code"), [
    (3.201021990010113e+17, "id_excel_number"),
    (320102199001011234, "id_excel_number"),
    ("3.20102E+17", "id_excel_number"),
    ("3.20102199001011E+17", "id_excel_number"),
    ("320102199001011234.0", "id_excel_number"),
    ("320102199001011000", "id_excel_digits_lost"),
    ("320102900101123", "id_15"),
    ("", "id_missing"),
])
def test_id_numbers_excel_turned_into_numbers_are_reported_not_fixed(checker, cell, code):
    result = checker.check(9, _row(cell))
    assert result[1] is None
    assert _codes(result) == [code]
    if code.startswith("id_excel"):
        assert "Excel" in message(code) and "文本" in message(code)


def test_mobile_must_be_mainland(checker, man):
    result = checker.check(4, _row(man[0], mobile="85291234567"))
    assert _codes(result) == ["mobile_invalid"]
    assert message("mobile_invalid") == "手机号码不正确，请输入中国大陆11位手机号码。"
    assert checker.check(4, _row(man[0], mobile=13800138000.0))[1][9] == "13800138000"  # a number cell


def test_vocabularies(checker, man):
    number = man[0]
    assert len(ETHNICITIES) == 58  # the 56 groups and GB/T 3304's two codes, the same list as the forms
    assert _codes(checker.check(2, _row(number, ethnicity="其他"))) == []
    assert _codes(checker.check(2, _row(number, ethnicity="火星族"))) == ["ethnicity_invalid"]
    assert _codes(checker.check(2, _row(number, education="幼儿园"))) == ["education_invalid"]
    assert _codes(checker.check(2, _row(number, household_type="火星"))) == ["household_invalid"]
    assert _codes(checker.check(2, _row(number, migrant_worker="也许"))) == ["migrant_invalid"]
    assert checker.check(2, _row(number, education="中专", household_type="非农业户口", migrant_worker="√"))[1][10:13] \
        == ("senior", "urban", True)


def test_join_date_rules(checker, man):
    number, birth = man
    assert _codes(checker.check(2, _row(number, joined_on="2027-01-01"))) == ["joined_future"]
    assert _codes(checker.check(2, _row(number, joined_on=(birth - datetime.timedelta(days=1)).isoformat()))) \
        == ["joined_before_birth"]
    assert _codes(checker.check(2, _row(number, joined_on="某年某月"))) == ["joined_invalid"]
    assert checker.check(2, _row(number, joined_on=""))[1][15] == datetime.date(2026, 6, 1)  # today
    assert checker.check(2, _row(number, joined_on=43835.0))[1][15] == datetime.date(2020, 1, 5)


def test_short_rows_and_missing_name(checker, man):
    result = checker.check(2, ["", man[0]])
    assert _codes(result) == ["name_missing"]


def test_every_message_is_a_chinese_sentence():
    for code in MESSAGES:
        text = message(code, {"row": 2, "expected": "男", "value": "x", "union": "某工会"})
        assert text.endswith("。") and any("\u4e00" <= ch <= "\u9fff" for ch in text), code
