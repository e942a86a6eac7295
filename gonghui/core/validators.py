"""Validation of Chinese identifiers, with messages that tell the person what to fix."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


def clean_id_number(value: str) -> str:
    """A resident ID number (GB 11643), normalised; raises ValidationError in Chinese."""
    value = ric.compact(value or "")
    if len(value) != 18:
        raise ValidationError(_("身份证号应为18位，请核对。"), code="id_length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号只能包含数字，最后一位可以是X，请核对。"), code="id_format")
    if value[17] != ric.calc_check_digit(value):
        raise ValidationError(_("身份证号第18位校验码不正确，请核对。"), code="id_checksum")
    try:
        ric.get_birth_date(value)
    except stdnum_errors.ValidationError:
        raise ValidationError(_("身份证号第7至14位的出生日期不正确，请核对。"), code="id_birth_date") from None
    try:
        ric.get_birth_place(value)
    except (stdnum_errors.ValidationError, KeyError):  # stdnum 2.2 raises KeyError for some codes
        raise ValidationError(_("身份证号前6位的地区码不存在，请核对。"), code="id_area") from None
    return value


def clean_uscc(value: str, *, union: bool = False) -> str:
    """A unified social credit code; unions' own codes start with 81."""
    value = uscc.compact(value or "")
    try:
        uscc.validate(value)
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="uscc_length") from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_("统一社会信用代码最后一位校验码不正确，请核对。"), code="uscc_checksum") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(_("统一社会信用代码格式不正确，请核对。"), code="uscc_invalid") from None
    if union and not value.startswith("81"):
        raise ValidationError(_("工会的统一社会信用代码应以81开头。"), code="uscc_not_union")
    return value


def clean_mobile(value: str) -> str:
    """A mainland mobile number as 11 digits."""
    raw = (value or "").strip().replace(" ", "").replace("-", "")
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("请输入11位手机号码。"), code="mobile_invalid") from None
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    ):
        raise ValidationError(_("手机号码不正确，请输入中国大陆11位手机号码。"), code="mobile_invalid")
    return str(number.national_number)
