"""Rules and writes for the organisation tree: nodes, their audit, and whole-file imports."""

import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as stdnum_uscc

from gonghui.audit.models import AuditEntry
from gonghui.orgs import services
from gonghui.orgs.models import STEP_LEN, UnionNode, decode_step, encode_step

Kind = UnionNode.Kind


def make_uscc(n: int, prefix: str = "81") -> str:
    body = f"{prefix}320100{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def nodes():
    return UnionNode.objects.unscoped()


def audit():
    return AuditEntry.objects.unscoped()


def field_errors(info) -> dict:
    return info.value.message_dict


# ----- paths -----

def test_encode_and_decode_steps():
    assert encode_step(0) == "0000"
    assert encode_step(35) == "000Z"
    assert encode_step(36) == "0010"
    assert decode_step(encode_step(12345)) == 12345
    with pytest.raises(ValueError):
        encode_step(36**STEP_LEN)


def test_create_node_sets_path_and_depth(db):
    city = services.create_node(None, {"name": "市总", "kind": Kind.CITY_FEDERATION}, by=None)
    d1 = services.create_node(city, {"name": "区一", "kind": Kind.DISTRICT_FEDERATION}, by=None)
    d2 = services.create_node(city, {"name": "区二", "kind": Kind.DISTRICT_FEDERATION}, by=None)
    g = services.create_node(d2, {"name": "厂", "kind": Kind.GRASSROOTS_UNION}, by=None)
    other_city = services.create_node(None, {"name": "另一市", "kind": Kind.CITY_FEDERATION}, by=None)

    assert (city.path, city.depth) == ("0000", 1)
    assert (d1.path, d1.depth) == ("00000000", 2)
    assert (d2.path, d2.depth) == ("00000001", 2)
    assert (g.path, g.depth) == ("000000010000", 3)
    assert (other_city.path, other_city.depth) == ("0001", 1)
    assert g.parent == d2
    assert list(g.ancestors()) == [city, d2]
    assert set(city.subtree()) == {city, d1, d2, g}
    assert g.is_in_subtree_of(city) and not g.is_in_subtree_of(d1)


def test_create_node_strips_fields_and_saves_them(db):
    node = services.create_node(None, {
        "name": "  江海市总工会 ", "short_name": " 市总 ", "kind": Kind.CITY_FEDERATION,
        "uscc": " " + make_uscc(1).lower() + " ", "address": "人民路1号", "contact_person": "王", "contact_phone": "0512-1",
    }, by=None)
    node = nodes().get(pk=node.pk)
    assert node.name == "江海市总工会"
    assert node.short_name == "市总"
    assert node.uscc == make_uscc(1)
    assert node.active is True


@pytest.mark.parametrize(
    "kind, parent_kind",
    [
        (Kind.PROVINCE_FEDERATION, None),
        (Kind.CITY_FEDERATION, None),
        (Kind.CITY_FEDERATION, Kind.PROVINCE_FEDERATION),
        (Kind.DISTRICT_FEDERATION, Kind.CITY_FEDERATION),
        (Kind.TOWN_UNION, Kind.DISTRICT_FEDERATION),
        (Kind.GRASSROOTS_UNION, Kind.CITY_FEDERATION),
        (Kind.GRASSROOTS_UNION, Kind.DISTRICT_FEDERATION),
        (Kind.GRASSROOTS_UNION, Kind.TOWN_UNION),
        (Kind.JOINT_GRASSROOTS_UNION, Kind.TOWN_UNION),
        (Kind.DEPARTMENT, Kind.CITY_FEDERATION),
        (Kind.SERVICE_CENTRE, Kind.DISTRICT_FEDERATION),
    ],
)
def test_allowed_parent_kinds(db, kind, parent_kind):
    parent = _chain_to(parent_kind) if parent_kind else None
    node = services.create_node(parent, {"name": "新组织", "kind": kind}, by=None)
    assert node.parent == parent


def _chain_to(kind):
    """A valid chain of nodes ending with one of ``kind``."""
    chain = {
        Kind.PROVINCE_FEDERATION: [Kind.PROVINCE_FEDERATION],
        Kind.CITY_FEDERATION: [Kind.CITY_FEDERATION],
        Kind.DISTRICT_FEDERATION: [Kind.CITY_FEDERATION, Kind.DISTRICT_FEDERATION],
        Kind.TOWN_UNION: [Kind.CITY_FEDERATION, Kind.DISTRICT_FEDERATION, Kind.TOWN_UNION],
    }[kind]
    parent = None
    for k in chain:
        parent = services.create_node(parent, {"name": str(k), "kind": k}, by=None)
    return parent


@pytest.mark.parametrize(
    "kind, parent_attr, message",
    [
        (Kind.DISTRICT_FEDERATION, None, "区/县总工会不能设在顶层之下。"),
        (Kind.GRASSROOTS_UNION, None, "基层工会不能设在顶层之下。"),
        (Kind.GRASSROOTS_UNION, "g1", "基层工会不能设在基层工会之下。"),
        (Kind.DISTRICT_FEDERATION, "d1", "区/县总工会不能设在区/县总工会之下。"),
        (Kind.PROVINCE_FEDERATION, "city", "省总工会不能设在市总工会之下。"),
        (Kind.JOINT_GRASSROOTS_UNION, "city", "联合基层工会不能设在市总工会之下。"),
        (Kind.DEPARTMENT, "g1", "部门不能设在基层工会之下。"),
    ],
)
def test_refused_parent_kinds(tree, kind, parent_attr, message):
    before = nodes().count()
    parent = getattr(tree, parent_attr) if parent_attr else None
    with pytest.raises(ValidationError) as info:
        services.create_node(parent, {"name": "新组织", "kind": kind}, by=None)
    assert field_errors(info) == {"parent": [message]}
    assert nodes().count() == before


def test_name_and_kind_are_required(tree):
    with pytest.raises(ValidationError) as info:
        services.create_node(tree.d1, {"name": "  ", "kind": "bank"}, by=None)
    errors = field_errors(info)
    assert errors["name"] == ["请填写名称。"]
    assert errors["kind"] == [
        "类别不正确，可选：省总工会、市总工会、区/县总工会、街道/乡镇工会、基层工会、联合基层工会、部门、服务中心。"
    ]


def test_uscc_is_validated(tree):
    with pytest.raises(ValidationError) as info:
        services.create_node(tree.d1, {"name": "厂", "kind": Kind.GRASSROOTS_UNION, "uscc": "123"}, by=None)
    assert field_errors(info) == {"uscc": ["统一社会信用代码应为18位。"]}
    bad_check = make_uscc(5)[:17] + ("1" if make_uscc(5)[17] != "1" else "2")
    with pytest.raises(ValidationError) as info:
        services.create_node(tree.d1, {"name": "厂", "kind": Kind.GRASSROOTS_UNION, "uscc": bad_check}, by=None)
    assert field_errors(info) == {"uscc": ["统一社会信用代码最后一位校验码不正确，请核对。"]}


PARENT_KIND_FOR = {
    Kind.PROVINCE_FEDERATION: None,
    Kind.CITY_FEDERATION: None,
    Kind.DISTRICT_FEDERATION: Kind.CITY_FEDERATION,
    Kind.TOWN_UNION: Kind.DISTRICT_FEDERATION,
    Kind.GRASSROOTS_UNION: Kind.DISTRICT_FEDERATION,
    Kind.JOINT_GRASSROOTS_UNION: Kind.TOWN_UNION,
}


@pytest.mark.parametrize("kind", UnionNode.UNION_KINDS)
def test_unions_need_an_81_code(db, kind):
    parent = _chain_to(PARENT_KIND_FOR[kind]) if PARENT_KIND_FOR[kind] else None
    company_code = make_uscc(7, prefix="91")
    with pytest.raises(ValidationError) as info:
        services.create_node(parent, {"name": "工会", "kind": kind, "uscc": company_code}, by=None)
    assert field_errors(info) == {"uscc": ["工会的统一社会信用代码应以81开头。"]}
    node = services.create_node(parent, {"name": "工会", "kind": kind, "uscc": make_uscc(7)}, by=None)
    assert node.uscc == make_uscc(7)


@pytest.mark.parametrize("kind", [Kind.DEPARTMENT, Kind.SERVICE_CENTRE])
def test_departments_and_centres_may_carry_another_code(tree, kind):
    code = make_uscc(8, prefix="12")  # e.g. a public institution
    node = services.create_node(tree.city, {"name": "服务", "kind": kind, "uscc": code}, by=None)
    assert node.uscc == code


def test_duplicate_uscc_is_refused(tree):
    services.create_node(tree.d1, {"name": "甲厂", "kind": Kind.GRASSROOTS_UNION, "uscc": make_uscc(9)}, by=None)
    with pytest.raises(ValidationError) as info:
        services.create_node(tree.d2, {"name": "乙厂", "kind": Kind.GRASSROOTS_UNION,
                                       "uscc": make_uscc(9).lower()}, by=None)
    assert field_errors(info) == {"uscc": ["该统一社会信用代码已被其他组织使用。"]}
    assert not nodes().filter(name="乙厂").exists()


def test_blank_uscc_is_not_a_duplicate(tree):
    services.create_node(tree.d1, {"name": "甲厂", "kind": Kind.GRASSROOTS_UNION, "uscc": ""}, by=None)
    services.create_node(tree.d1, {"name": "乙厂", "kind": Kind.GRASSROOTS_UNION, "uscc": ""}, by=None)
    assert nodes().filter(uscc="").count() == 7


def test_create_node_writes_an_audit_entry(tree, staff):
    before = audit().count()
    node = services.create_node(tree.d1, {"name": "东城电子厂工会", "kind": Kind.GRASSROOTS_UNION,
                                          "uscc": make_uscc(11)}, by=staff.d1_admin)
    assert audit().count() == before + 1
    entry = audit().get(event="org.created", object_id=str(node.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == staff.d1_admin
    assert entry.actor_name == str(staff.d1_admin)
    assert entry.object_type == "orgs.unionnode"
    assert entry.object_repr == "东城电子厂工会"
    assert entry.node == node
    assert entry.changes == {
        "name": [None, "东城电子厂工会"], "kind": [None, "grassroots_union"], "uscc": [None, make_uscc(11)],
    }


def test_refused_create_writes_no_audit(tree, staff):
    before = audit().count()
    with pytest.raises(ValidationError):
        services.create_node(tree.g1, {"name": "x", "kind": Kind.GRASSROOTS_UNION}, by=staff.city_admin)
    assert audit().count() == before


# ----- update -----

def test_update_node_audits_only_the_changed_fields(tree, staff):
    before = audit().count()
    services.update_node(tree.g1, {"short_name": "东机", "address": "东城路8号", "name": "东城机械厂工会"},
                         by=staff.d1_admin)
    node = nodes().get(pk=tree.g1.pk)
    assert (node.short_name, node.address) == ("东机", "东城路8号")
    assert audit().count() == before + 1
    entry = audit().get(event="org.changed")
    assert entry.action == AuditEntry.Action.CHANGE
    assert entry.actor == staff.d1_admin
    assert entry.node == tree.g1
    assert entry.changes == {"short_name": ["", "东机"], "address": ["", "东城路8号"]}


def test_update_without_changes_writes_no_audit(tree, staff):
    before = audit().count()
    services.update_node(tree.g1, {"name": tree.g1.name}, by=staff.d1_admin)
    assert audit().count() == before


def test_update_keeps_the_place_in_the_tree(tree, staff):
    services.update_node(tree.g1, {"name": "改名", "path": "9999", "depth": 7, "parent": tree.d2}, by=staff.city_admin)
    node = nodes().get(pk=tree.g1.pk)
    assert (node.name, node.parent_id, node.path, node.depth) == ("改名", tree.d1.pk, tree.g1.path, 3)


def test_update_validates_like_create(tree, staff):
    services.create_node(tree.d2, {"name": "乙厂", "kind": Kind.GRASSROOTS_UNION, "uscc": make_uscc(12)}, by=None)
    with pytest.raises(ValidationError) as info:
        services.update_node(tree.g1, {"uscc": make_uscc(12)}, by=staff.d1_admin)
    assert field_errors(info) == {"uscc": ["该统一社会信用代码已被其他组织使用。"]}
    with pytest.raises(ValidationError) as info:
        services.update_node(tree.g1, {"kind": Kind.DISTRICT_FEDERATION}, by=staff.d1_admin)
    assert field_errors(info) == {"parent": ["区/县总工会不能设在区/县总工会之下。"]}
    assert nodes().get(pk=tree.g1.pk).uscc == ""
    # Its own code is not a duplicate of itself.
    services.update_node(tree.g1, {"uscc": make_uscc(13)}, by=staff.d1_admin)
    services.update_node(tree.g1, {"uscc": make_uscc(13), "short_name": "东机"}, by=staff.d1_admin)
    assert nodes().get(pk=tree.g1.pk).short_name == "东机"


# ----- import -----

HEADER = ["名称", "类别", "统一社会信用代码", "上级统一社会信用代码", "联系电话"]


def write_csv(path: Path, rows, header=HEADER, encoding="utf-8-sig") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows, header=HEADER) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# Children before parents on purpose: the file need not be in tree order.
GOOD_ROWS = [
    ["江海纺织厂工会", "基层工会", make_uscc(103), make_uscc(102), "13800138000"],
    ["东城街道总工会", "街道/乡镇工会", make_uscc(102), make_uscc(101), ""],
    ["东城二区总工会", "district_federation", make_uscc(101), "", ""],
    ["东城联合工会", "联合基层工会", make_uscc(104), make_uscc(102), ""],
    ["市总办公室", "部门", "", "", ""],
]


def check_good_import(tree, result, by, file_name):
    d = nodes().get(uscc=make_uscc(101))
    town = nodes().get(uscc=make_uscc(102))
    factory = nodes().get(uscc=make_uscc(103))
    joint = nodes().get(uscc=make_uscc(104))
    office = nodes().get(name="市总办公室")
    assert d.parent == tree.city and d.kind == Kind.DISTRICT_FEDERATION
    assert town.parent == d and town.kind == Kind.TOWN_UNION
    assert factory.parent == town and factory.kind == Kind.GRASSROOTS_UNION and factory.depth == 4
    assert factory.path.startswith(town.path)
    assert factory.contact_phone == "13800138000"
    assert joint.parent == town and joint.kind == Kind.JOINT_GRASSROOTS_UNION
    assert office.parent == tree.city and office.kind == Kind.DEPARTMENT
    assert sorted(result.created_ids) == sorted(n.pk for n in (d, town, factory, joint, office))

    entry = audit().get(event="org.imported")
    assert result.audit_entry_id == entry.pk
    assert entry.action == AuditEntry.Action.IMPORT
    assert entry.actor == by
    assert entry.node == tree.city
    assert entry.extra == {"file": file_name, "rows": 5, "created": 5, "ids": result.created_ids}


def test_import_csv_in_any_row_order(tree, staff, tmp_path):
    before = audit().count()
    path = write_csv(tmp_path / "orgs.csv", GOOD_ROWS)
    result = services.import_tree(path, by=staff.city_admin, under=tree.city)
    check_good_import(tree, result, staff.city_admin, "orgs.csv")
    assert audit().count() == before + 1  # one entry for the whole file, none per node


def test_import_xlsx_in_any_row_order(tree, staff, tmp_path):
    before = audit().count()
    rows = [r[:4] + [int(r[4]) if r[4] else None] for r in GOOD_ROWS]  # a phone typed as a number
    path = write_xlsx(tmp_path / "组织.xlsx", rows)
    result = services.import_tree(path, by=staff.city_admin, under=tree.city)
    check_good_import(tree, result, staff.city_admin, "组织.xlsx")
    assert audit().count() == before + 1


def test_import_gbk_csv_with_english_headers(tree, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [["东城五金厂工会", "基层工会", make_uscc(120), ""]],
                     header=["name", "kind", "uscc", "parent_uscc"], encoding="gb18030")
    result = services.import_tree(path, by=None, under=tree.d1)
    node = nodes().get(pk=result.created_ids[0])
    assert (node.name, node.parent) == ("东城五金厂工会", tree.d1)


def test_import_parent_may_be_an_existing_node(tree, staff, tmp_path):
    services.update_node(tree.d1, {"uscc": make_uscc(130)}, by=None)
    path = write_csv(tmp_path / "orgs.csv", [["东城新厂工会", "基层工会", "", make_uscc(130), ""]])
    result = services.import_tree(path, by=staff.city_admin, under=tree.city)
    assert nodes().get(pk=result.created_ids[0]).parent == tree.d1


def test_import_skips_blank_rows_and_keeps_row_numbers(tree, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["甲厂工会", "基层工会", make_uscc(140), "", ""],
        ["", "", "", "", ""],
        ["乙厂工会", "基层工会", "bad", "", ""],
    ])
    with pytest.raises(services.ImportRejected) as info:
        services.import_tree(path, by=None, under=tree.d1)
    assert info.value.errors == [(4, "统一社会信用代码应为18位。")]


def assert_refused(path, under, expected_errors):
    before_nodes, before_audit = nodes().count(), audit().count()
    with pytest.raises(services.ImportRejected) as info:
        services.import_tree(path, by=None, under=under)
    assert info.value.errors == expected_errors
    assert nodes().count() == before_nodes, "a refused file must create nothing"
    assert audit().count() == before_audit
    return info.value


def test_import_refuses_the_whole_file_for_one_bad_uscc(tree, tmp_path):
    rows = [
        ["甲厂工会", "基层工会", make_uscc(150), "", ""],
        ["乙厂工会", "基层工会", make_uscc(151)[:17] + "?", "", ""],
        ["丙厂工会", "基层工会", make_uscc(152, prefix="91"), "", ""],
        ["丁厂工会", "基层工会", make_uscc(153), "", ""],
    ]
    error = assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [
        (3, "统一社会信用代码格式不正确，请核对。"),
        (4, "工会的统一社会信用代码应以81开头。"),
    ])
    assert "第3行：统一社会信用代码格式不正确，请核对。" in str(error)


def test_import_refuses_an_unknown_parent(tree, tmp_path):
    rows = [
        ["甲厂工会", "基层工会", "", make_uscc(160), ""],
        ["乙厂工会", "基层工会", "", "", ""],
    ]
    assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [
        (2, f"找不到上级组织（统一社会信用代码 {make_uscc(160)}）。"),
    ])


def test_import_refuses_a_parent_outside_the_target_subtree(tree, tmp_path):
    # Rows go under d1; naming d2 (a sibling district) as parent must not place nodes there.
    services.update_node(tree.d2, {"uscc": make_uscc(161)}, by=None)
    rows = [["西城新厂工会", "基层工会", "", make_uscc(161), ""]]
    assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [
        (2, f"找不到上级组织（统一社会信用代码 {make_uscc(161)}）。"),
    ])
    assert not nodes().filter(parent=tree.d2, name="西城新厂工会").exists()


def test_import_refuses_a_wrong_kind_and_a_misplaced_kind(tree, tmp_path):
    rows = [
        ["甲厂工会", "银行", "", "", ""],
        ["乙区总工会", "区/县总工会", "", "", ""],
    ]
    assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [
        (2, "类别不正确，可选：省总工会、市总工会、区/县总工会、街道/乡镇工会、基层工会、联合基层工会、部门、服务中心。"),
        (3, "区/县总工会不能设在区/县总工会之下。"),
    ])


def test_import_refuses_missing_columns(tree, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [["甲厂工会", make_uscc(170)]], header=["名称", "统一社会信用代码"])
    assert_refused(path, tree.d1, [(1, "缺少必填列：名称、类别。")])


def test_import_refuses_duplicate_codes_in_the_file(tree, tmp_path):
    rows = [
        ["甲厂工会", "基层工会", make_uscc(180), "", ""],
        ["乙厂工会", "基层工会", make_uscc(181), "", ""],
        ["丙厂工会", "基层工会", make_uscc(180), "", ""],
    ]
    assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [(4, "统一社会信用代码与第2行重复。")])


def test_import_refuses_a_code_already_in_the_database(tree, tmp_path):
    services.update_node(tree.g2, {"uscc": make_uscc(190)}, by=None)
    rows = [["甲厂工会", "基层工会", make_uscc(190), "", ""]]
    assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [(2, "该统一社会信用代码已被其他组织使用。")])


def test_import_refuses_rows_under_a_bad_parent_row(tree, tmp_path):
    rows = [
        ["甲街道工会", "街道/乡镇工会", make_uscc(200), make_uscc(201), ""],
        ["乙街道工会", "街道/乡镇工会", make_uscc(201), make_uscc(200), ""],  # a loop
    ]
    assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [
        (2, "上级组织的关系有循环或上级行有错误。"),
        (3, "上级组织的关系有循环或上级行有错误。"),
    ])


def test_import_refuses_corrupt_xlsx(tree, tmp_path):
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    assert_refused(path, tree.d1, [(0, "文件已损坏或不是有效的表格文件。")])


def test_import_refuses_other_extensions(tree, tmp_path):
    path = write_csv(tmp_path / "orgs.txt", GOOD_ROWS)
    assert_refused(path, tree.d1, [(0, "只支持 .xlsx 或 .csv 文件。")])


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_import_refuses_an_empty_file(tree, tmp_path, content):
    path = tmp_path / "orgs.csv"
    path.write_bytes(content)
    if content:
        # Blank lines only: there is no header with the required columns.
        assert_refused(path, tree.d1, [(1, "缺少必填列：名称、类别。")])
    else:
        assert_refused(path, tree.d1, [(0, "文件是空的。")])


def test_import_refuses_an_oversized_file(tree, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 10)
    path = write_csv(tmp_path / "orgs.csv", GOOD_ROWS)
    assert_refused(path, tree.d1, [(0, "文件超过20MB，请拆分后再导入。")])


def test_import_refuses_undecodable_csv(tree, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(b"\x81\x30\xff\xff\xff")  # neither UTF-8 nor GB18030
    assert_refused(path, tree.d1, [(0, "无法识别文件编码，请另存为UTF-8编码的CSV。")])


def test_refused_import_lists_every_bad_row_in_order(tree, tmp_path):
    rows = [
        ["", "基层工会", "", "", ""],
        ["甲厂工会", "基层工会", "", make_uscc(210), ""],
        ["乙厂工会", "基层工会", "123", "", ""],
    ]
    error = assert_refused(write_csv(tmp_path / "orgs.csv", rows), tree.d1, [
        (2, "请填写名称。"),
        (3, f"找不到上级组织（统一社会信用代码 {make_uscc(210)}）。"),
        (4, "统一社会信用代码应为18位。"),
    ])
    assert str(error).startswith("第2行：请填写名称。; 第3行：")
