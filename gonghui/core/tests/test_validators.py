"""The validators of Chinese identifiers: what they accept, how they normalise, and the exact
Chinese message (and code) for each way a value can be wrong."""

import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc

from gonghui.core.validators import clean_id_number, clean_mobile, clean_uscc
from gonghui.demo.idnumbers import fake_id_number


def with_check_digit(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def make_uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def invalid(func, value, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(value, **kwargs)
    return info.value


# ----- resident ID numbers -----

VALID_ID = fake_id_number(random.Random(2026))


def test_valid_id_number_is_returned_unchanged():
    assert clean_id_number(VALID_ID) == VALID_ID


def test_id_number_is_stripped_and_upper_cased():
    rng = random.Random(1)
    with_x = next(n for n in (fake_id_number(rng) for _ in range(500)) if n.endswith("X"))
    assert clean_id_number("  " + with_x[:-1] + "x ") == with_x


@pytest.mark.parametrize(
    "value, code, message",
    [
        ("", "id_length", "身份证号应为18位，请核对。"),
        (None, "id_length", "身份证号应为18位，请核对。"),
        (VALID_ID[:17], "id_length", "身份证号应为18位，请核对。"),
        (VALID_ID + "1", "id_length", "身份证号应为18位，请核对。"),
        (VALID_ID[:17] + "Y", "id_format", "身份证号只能包含数字，最后一位可以是X，请核对。"),
        ("A" + VALID_ID[1:], "id_format", "身份证号只能包含数字，最后一位可以是X，请核对。"),
    ],
)
def test_id_number_shape_errors(value, code, message):
    error = invalid(clean_id_number, value)
    assert error.code == code
    assert error.messages == [message]


def test_id_number_wrong_check_digit():
    wrong = "0" if VALID_ID[17] != "0" else "1"
    error = invalid(clean_id_number, VALID_ID[:17] + wrong)
    assert error.code == "id_checksum"
    assert error.messages == ["身份证号第18位校验码不正确，请核对。"]


def test_id_number_impossible_birth_date():
    error = invalid(clean_id_number, with_check_digit("32010219901301123"))  # month 13
    assert error.code == "id_birth_date"
    assert error.messages == ["身份证号第7至14位的出生日期不正确，请核对。"]


def test_id_number_unknown_area_code():
    error = invalid(clean_id_number, with_check_digit("99999919900101123"))
    assert error.code == "id_area"
    assert error.messages == ["身份证号前6位的地区码不存在，请核对。"]


# ----- unified social credit codes -----

UNION_USCC = make_uscc("81320100MA1ABCDE0")
COMPANY_USCC = make_uscc("91320100MA1ABCDE0")


def test_valid_uscc_is_returned():
    assert clean_uscc(COMPANY_USCC) == COMPANY_USCC
    assert clean_uscc(UNION_USCC, union=True) == UNION_USCC


def test_uscc_is_compacted_and_upper_cased():
    messy = " " + UNION_USCC[:8].lower() + "-" + UNION_USCC[8:].lower() + " "
    assert clean_uscc(messy, union=True) == UNION_USCC


@pytest.mark.parametrize("value", ["", None, COMPANY_USCC[:17], COMPANY_USCC + "1"])
def test_uscc_length(value):
    error = invalid(clean_uscc, value)
    assert error.code == "uscc_length"
    assert error.messages == ["统一社会信用代码应为18位。"]


def test_uscc_checksum():
    wrong = "1" if COMPANY_USCC[-1] != "1" else "2"
    error = invalid(clean_uscc, COMPANY_USCC[:17] + wrong)
    assert error.code == "uscc_checksum"
    assert error.messages == ["统一社会信用代码最后一位校验码不正确，请核对。"]


@pytest.mark.parametrize("value", ["9132010AMA1ABCDE0C", "91320100MA1ABCDI0C"])
def test_uscc_format(value):
    # a letter among the first 8 characters; a letter (I) the code alphabet does not use
    error = invalid(clean_uscc, value)
    assert error.code == "uscc_invalid"
    assert error.messages == ["统一社会信用代码格式不正确，请核对。"]


def test_a_union_code_must_start_with_81():
    error = invalid(clean_uscc, COMPANY_USCC, union=True)
    assert error.code == "uscc_not_union"
    assert error.messages == ["工会的统一社会信用代码应以81开头。"]
    # The same code is fine for a body that is not a union.
    assert clean_uscc(COMPANY_USCC, union=False) == COMPANY_USCC


# ----- mobile numbers -----

@pytest.mark.parametrize(
    "value", ["13800138000", " 138 0013 8000 ", "138-0013-8000", "+8613800138000", "+86 138 0013 8000"]
)
def test_mobile_is_normalised_to_11_digits(value):
    assert clean_mobile(value) == "13800138000"


@pytest.mark.parametrize("value", ["", None, "abc", "手机"])
def test_mobile_that_is_not_a_number(value):
    error = invalid(clean_mobile, value)
    assert error.code == "mobile_invalid"
    assert error.messages == ["请输入11位手机号码。"]


@pytest.mark.parametrize(
    "value",
    [
        "12345",  # too short
        "1380013800",  # 10 digits
        "01012345678",  # a Beijing landline
        "+85291234567",  # Hong Kong mobile, not mainland
        "+14155550123",  # not China at all
    ],
)
def test_mobile_that_is_not_a_mainland_mobile(value):
    error = invalid(clean_mobile, value)
    assert error.code == "mobile_invalid"
    assert error.messages == ["手机号码不正确，请输入中国大陆11位手机号码。"]
