"""manage.py import_members: the same import from the command line, dry run by default."""

import base64

import pytest
from django.core.management import CommandError, call_command

from gonghui.members.models import ImportBatch, Membership
from gonghui.members.tests.importing_fixtures import HEADER, people, roster_csv

pytestmark = pytest.mark.django_db


def _run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_members", *[str(a) for a in args], stdout=out, stderr=err)
    except SystemExit as e:
        code = e.code
    return code, out.getvalue(), err.getvalue()


def test_dry_run_then_commit(tree, staff, tmp_path):
    persons = people(3)
    persons[2]["手机号"] = "999"
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(persons))
    code, out, _err = _run(path, "--union", tree.g1.pk)
    assert code == 0
    assert "总行数 3，可导入 2，已在册 0，有错误 1" in out
    assert "第4行" in out and "手机号码不正确" in out and "试运行" in out
    assert not Membership.objects.unscoped().exists()

    tree.g1.uscc = "81320100MC0000001C"
    tree.g1.save()
    code, out, _err = _run(path, "--union", "81320100MC0000001C", "--commit", "--user", staff.g1_handler.username)
    assert code == 0 and "已导入 2" in out
    assert Membership.objects.unscoped().filter(union=tree.g1).count() == 2
    assert ImportBatch.objects.unscoped().filter(status="committed").get().committed_by == staff.g1_handler


def test_bad_file_exits_1(tree, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="))
    code, _out, err = _run(path, "--union", tree.g1.pk)
    assert code == 1 and "不是表格" in err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _run(empty, "--union", tree.g1.pk)[0] == 1
    header_only = tmp_path / "header.csv"
    header_only.write_bytes(roster_csv([]))
    code, _out, err = _run(header_only, "--union", tree.g1.pk)
    assert code == 1 and "只有表头" in err


def test_unknown_columns_need_map_or_ignore(tree, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv([{**p, "血型": "A"} for p in people(2)], header=HEADER + ["血型"]))
    code, _out, err = _run(path, "--union", tree.g1.pk)
    assert code == 1 and "血型" in err and "--map" in err
    code, out, _err = _run(path, "--union", tree.g1.pk, "--ignore-unknown")
    assert code == 0 and "可导入 2" in out
    code, out, _err = _run(path, "--union", tree.g1.pk, "--map", "血型=")
    assert code == 0


def test_wrong_arguments(tree, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(people(1)))
    with pytest.raises(CommandError, match="找不到基层工会"):
        call_command("import_members", str(path), "--union", str(tree.d1.pk))
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("import_members", str(path), "--union", str(tree.g1.pk), "--user", "nobody")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_members", str(tmp_path / "missing.csv"), "--union", str(tree.g1.pk))
