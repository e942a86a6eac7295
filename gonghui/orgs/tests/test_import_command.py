"""manage.py import_orgs: the command-line way into orgs.services.import_tree."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from stdnum.cn import uscc as stdnum_uscc

from gonghui.audit.models import AuditEntry
from gonghui.orgs.models import UnionNode


def make_uscc(n: int, prefix: str = "81") -> str:
    body = f"{prefix}320100{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["名称", "类别", "统一社会信用代码", "上级统一社会信用代码"])
        writer.writerows(rows)
    return path


def run(*args):
    out = StringIO()
    call_command("import_orgs", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_import_under_a_node_as_a_user(tree, staff, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["东城甲厂工会", "基层工会", make_uscc(2), make_uscc(1)],
        ["东城街道总工会", "街道/乡镇工会", make_uscc(1), ""],
    ])
    output = run(path, "--under", tree.d1.pk, "--by", staff.d1_admin.username)
    assert output.strip() == "已导入 2 个组织。"
    town = UnionNode.objects.unscoped().get(uscc=make_uscc(1))
    factory = UnionNode.objects.unscoped().get(uscc=make_uscc(2))
    assert town.parent == tree.d1
    assert factory.parent == town
    entry = AuditEntry.objects.unscoped().get(event="org.imported")
    assert entry.actor == staff.d1_admin
    assert entry.node == tree.d1
    assert entry.extra["file"] == "orgs.csv"
    assert entry.extra["created"] == 2


def test_import_roots_without_under_or_user(db, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["江海区总工会", "区/县总工会", make_uscc(4), make_uscc(3)],
        ["江海市总工会", "市总工会", make_uscc(3), ""],
    ])
    assert run(path).strip() == "已导入 2 个组织。"
    city = UnionNode.objects.unscoped().get(uscc=make_uscc(3))
    assert city.parent is None and city.depth == 1
    entry = AuditEntry.objects.unscoped().get(event="org.imported")
    assert entry.actor is None and entry.node is None


def test_bad_rows_refuse_the_file_with_row_numbers(tree, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["东城甲厂工会", "基层工会", make_uscc(5), ""],
        ["东城乙厂工会", "基层工会", "913201000000000050", ""],
        ["东城丙厂工会", "工厂", "", ""],
    ])
    with pytest.raises(CommandError) as info:
        run(path, "--under", tree.d1.pk)
    message = str(info.value)
    assert message.startswith("文件未导入，请修改后重试：\n")
    assert "第3行：统一社会信用代码" in message
    assert "第4行：类别不正确" in message
    assert "第2行" not in message
    assert not UnionNode.objects.unscoped().filter(name__startswith="东城甲").exists()
    assert not AuditEntry.objects.unscoped().filter(event="org.imported").exists()


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="找不到文件："):
        run(tmp_path / "nope.csv")


def test_unknown_user(db, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [["江海市总工会", "市总工会", "", ""]])
    with pytest.raises(CommandError, match="找不到用户：ghost"):
        run(path, "--by", "ghost")
    assert UnionNode.objects.unscoped().count() == 0


def test_unknown_under(db, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [["江海市总工会", "市总工会", "", ""]])
    with pytest.raises(CommandError, match="找不到上级组织：999999"):
        run(path, "--under", 999999)
    assert UnionNode.objects.unscoped().count() == 0
