"""De-personalising a question before it becomes a public FAQ (a plain function)."""

import pytest

from gonghui.kb.depersonalise import (
    CARD,
    EMAIL,
    EMPLOYER,
    ID_NUMBER,
    PHONE,
    WORKER,
    depersonalise,
)


def test_known_names_and_the_ways_of_addressing_them_are_replaced():
    text = "我是刘建国，在工地干活。刘师傅说老刘和小刘都没拿到钱，建国很着急。"
    out = depersonalise(text, names=["刘建国"])
    assert "刘建国" not in out and "刘师傅" not in out and "老刘" not in out and "小刘" not in out
    assert "建国" not in out
    assert out.count(WORKER) == 5


@pytest.mark.parametrize("number", ["13812345678", "138-1234-5678", "138 1234 5678", "+86 13812345678",
                                    "8613812345678"])
def test_mobile_numbers_are_replaced(number):
    out = depersonalise(f"有事请打{number}找我。")
    assert out == f"有事请打{PHONE}找我。"


def test_a_labelled_number_goes_with_its_label():
    assert depersonalise("单位欠我三个月工资，电话13912345678。怎么办？") == "单位欠我三个月工资。怎么办？"
    assert depersonalise("联系方式：0571-88886666") == ""


def test_landline_numbers_are_replaced():
    assert depersonalise("打0571-88886666找人事") == f"打{PHONE}找人事"


@pytest.mark.parametrize("number", ["11010519491231002X", "110105194912310029", "11010519491231002x",
                                    "110105491231002"])
def test_id_numbers_are_replaced_whole(number):
    out = depersonalise(f"身份证号{number}，请核实")
    assert out == f"身份证号{ID_NUMBER}，请核实"


def test_bank_cards_and_emails_are_replaced():
    out = depersonalise("工资卡6222 0212 3456 7890 123，邮箱liu.jg@example.com")
    assert CARD in out and EMAIL in out
    assert "6222" not in out and "example" not in out


def test_employer_names_are_replaced_with_and_without_the_union_suffix():
    out = depersonalise("东城机械厂拖欠工资，东城机械厂工会不管。江海宏达建设有限公司也欠。",
                        employers=["东城机械厂工会", "江海宏达建设有限公司"])
    assert "东城机械厂" not in out and "宏达" not in out
    assert out.count(EMPLOYER) == 3


def test_a_self_introduction_hides_an_unknown_name_but_keeps_words_that_are_not_names():
    assert depersonalise("你好，我叫张小明，想问加班费。") == f"你好，我叫{WORKER}，想问加班费。"
    assert depersonalise("我是农民工，老板不给钱。") == "我是农民工，老板不给钱。"


def test_text_without_personal_facts_is_unchanged_and_empty_is_empty():
    text = "单位不签劳动合同，可以要求二倍工资吗？依据《劳动合同法》第八十二条。"
    assert depersonalise(text, names=["王芳"], employers=["东城机械厂工会"]) == text
    assert depersonalise("") == ""
    # Amounts and dates are not phone numbers.
    assert depersonalise("欠了24000元，从2024年3月到2024年6月") == "欠了24000元，从2024年3月到2024年6月"


def test_one_character_names_are_ignored():
    # A one-character "name" would wipe that character everywhere.
    assert depersonalise("工资没有发", names=["工", ""]) == "工资没有发"
