"""Enterprises, visits and problems built through the services (as the system, by=None)."""

import datetime

from stdnum.cn import uscc as stdnum_uscc

from gonghui.enterprise import services


def make_uscc(n: int, prefix: str = "91") -> str:
    body = f"{prefix}320100{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def make_enterprise(node, name="测试机械有限公司", **data):
    return services.create_enterprise({"name": name, "node": node, **data}, by=None)


def make_visit(enterprise, problems=(("wages", "三名职工反映工资推迟发放"),), *, by=None, **data):
    data = {"visited_on": datetime.date.today() - datetime.timedelta(days=1), "other_participants": "区总工会走访组",
            **data}
    rows = [{"kind": kind, "description": description} for kind, description in problems]
    return services.record_visit(enterprise, data, rows, by=by)
