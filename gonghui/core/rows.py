"""Reading model rows through statements composed once, for the few reads every request pays.

The ORM composes a query's SQL on every call — for ``Model.objects.get(pk=…)`` that costs more
than the database takes to answer it. The session, the signed-in user and the release rush's
offering are read on every request they serve, so their statements are written out here once per
model and database vendor, and the row comes back as a model instance exactly as the ORM builds
it (``Model.from_db``, with the backend's and the fields' converters). On PostgreSQL they also run
through ``cursor()``, prepared on the connection, so the database plans each once per connection.
"""

from django.db import connection

_PLANS: dict[tuple[str, type, str], tuple[str, list, list]] = {}


def _plan(model, alias: str) -> tuple[str, list, list]:
    key = (connection.vendor, model, alias)
    plan = _PLANS.get(key)
    if plan is None:
        qn = connection.ops.quote_name
        fields = model._meta.concrete_fields
        columns = ", ".join(f"{alias}.{qn(f.column)}" for f in fields)
        converters = []
        for f in fields:
            col = f.get_col(model._meta.db_table)
            converters.append((connection.ops.get_db_converters(col) + f.get_db_converters(connection), col))
        plan = _PLANS[key] = (columns, [f.attname for f in fields], converters)
    return plan


def columns(model, alias: str) -> tuple[str, int]:
    """The select list of ``model``'s columns from the table aliased ``alias``, and how many there are."""
    sql, attnames, _ = _plan(model, alias)
    return sql, len(attnames)


def instance(model, values, alias: str):
    """The model instance of ``values`` (read in the order of ``columns(model, alias)``)."""
    _, attnames, converters = _plan(model, alias)
    converted = []
    for value, (funcs, col) in zip(values, converters, strict=True):
        for convert in funcs:
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, attnames, converted)


def cursor():
    """A cursor for statements composed once: on PostgreSQL bound on the server and prepared on the
    connection (``gonghui.core.postgresql``), elsewhere Django's own."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


_BY_PK: dict[tuple[str, type], str] = {}


def by_pk(model, pk):
    """The row of ``model`` with primary key ``pk`` as an instance, or None."""
    key = (connection.vendor, model)
    if key not in _BY_PK:
        qn = connection.ops.quote_name
        _BY_PK[key] = (f"SELECT {columns(model, 't')[0]} FROM {qn(model._meta.db_table)} t "
                       f"WHERE t.{qn(model._meta.pk.column)} = %s")
    with cursor() as c:
        c.execute(_BY_PK[key], [model._meta.pk.get_db_prep_value(pk, connection)])
        row = c.fetchone()
    return instance(model, row, "t") if row is not None else None
