import pytest

from gonghui.ledger import kinds


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(kinds, "_LABELS", {})


def test_registered_kinds_have_labels_and_unknown_ones_show_their_code(clean_registry):
    kinds.register("hardship.aid_paid", "困难帮扶救助金")
    kinds.register("legal.case_won", "法律援助胜诉")
    assert kinds.label("hardship.aid_paid") == "困难帮扶救助金"
    assert kinds.label("old.removed_kind") == "old.removed_kind"
    assert kinds.choices() == [("hardship.aid_paid", "困难帮扶救助金"), ("legal.case_won", "法律援助胜诉")]
    assert kinds.is_registered("legal.case_won") and not kinds.is_registered("x")


def test_a_kind_must_fit_the_column(clean_registry):
    with pytest.raises(ValueError):
        kinds.register("", "空")
    with pytest.raises(ValueError):
        kinds.register("k" * 41, "太长")


def test_a_lazy_label_is_read_in_the_current_language(clean_registry):
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    kinds.register("test.org", gettext_lazy("组织架构"))
    with translation.override("en"):
        assert kinds.label("test.org") != "组织架构"
    assert kinds.label("test.org") == "组织架构"
