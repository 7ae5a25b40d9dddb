"""SQL helpers with no workflow in them: inserts that two workers can race on safely, the
adding upsert of the rollup rows, and the retry of a whole unit of work that collided
with another transaction."""

from __future__ import annotations

import logging
import time
from functools import cache

from sqlalchemy import JSON, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from ...extensions import db
from ...problems import Problem

log = logging.getLogger(__name__)
ATTEMPTS = 4


def _dialect_insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_ignoring_conflict(model, values: dict | None, *, key: list[str]):
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key: one statement, so two
    workers inserting the same row at once store it once. Without `values`, execute it
    with a list of rows: one statement for them all, returning the keys inserted."""
    dialect = db.session.get_bind().dialect.name
    if values is None:
        return _insert_ignoring_conflict(dialect, model, tuple(key))
    table = model.__table__
    return (_dialect_insert(dialect)(table).values(**values)
            .on_conflict_do_nothing(index_elements=key).returning(*(table.c[k] for k in key)))


@cache
def _insert_ignoring_conflict(dialect: str, model, key: tuple[str, ...]):
    table = model.__table__
    return (_dialect_insert(dialect)(table).on_conflict_do_nothing(index_elements=list(key))
            .returning(*(table.c[k] for k in key)))


def inserted_keys(model, rows: list[dict], *, key: str) -> set:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key for `rows` (each naming the
    same columns), in their order: the keys of the rows it stored.

    On PostgreSQL the rows travel as one array per column (INSERT … SELECT … FROM
    unnest(…)): a statement of a few parameters whatever the number of rows, which the
    driver converts once and keeps. A VALUES list of fifty rows is a statement of a
    thousand placeholders, which psycopg converts again for every batch (it keeps only
    statements of up to 4 KB and 50 parameters): a quarter of a batch's profiled CPU.
    JSON columns go as one document each, not as arrays (see _unnest_insert)."""
    columns = _as_arrays(rows)
    if columns is None:
        return set(db.session.scalars(insert_ignoring_conflict(model, None, key=[key]), rows))
    return set(db.session.scalars(_unnest_insert(model, tuple(columns), key), columns))


def insert_rows(model, rows: list[dict]) -> None:
    """INSERT `rows` (each naming the same columns): on PostgreSQL from arrays, as
    inserted_keys does, rather than one statement per row through the driver's pipeline."""
    columns = _as_arrays(rows)
    if columns is None:
        db.session.execute(model.__table__.insert(), rows)
    else:
        db.session.execute(_unnest_insert(model, tuple(columns), None), columns)


def _as_arrays(rows: list[dict]) -> dict[str, list] | None:
    """{column: its values, in the rows' order}, for unnest on PostgreSQL; None for
    SQLite, for a single row, or when the rows do not all name the same columns."""
    if len(rows) < 2 or db.session.get_bind().dialect.name != "postgresql":
        return None
    names = rows[0].keys()
    if any(row.keys() != names for row in rows):
        return None
    return {name: [row[name] for row in rows] for name in names}


def any_of(dialect: str, column, name: str):
    """A condition: `column` is one of the values bound as `name` (a list). On PostgreSQL
    `= ANY(:name)`, one array parameter: the same statement text whatever the number of
    values, which the driver keeps prepared; elsewhere an IN list expanded as it runs."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type,
                                                                     dimensions=1)))
    return column.in_(bindparam(name, expanding=True))


def in_query(dialect: str, column, query):
    """A condition: `column` is one of the values `query` selects. On PostgreSQL
    `= ANY(ARRAY(query))`: the query runs once, and in one arm of an OR its values drive
    an index scan, where `IN (query)` would be a filter tried on every row of the table;
    elsewhere `IN (query)`."""
    if dialect == "postgresql":
        values = func.array(query.scalar_subquery(), type_=postgresql.ARRAY(column.type))
        return column == any_(values)
    return column.in_(query)


def unnest(columns: dict):
    """FROM unnest(:a, :b, …) AS anon(a, b, …), each array bound with the SQL type of
    `columns` (name -> type): psycopg sends $n::uuid[] …, so every value goes through its
    column type's own binding and the statement has one parameter per column."""
    return func.unnest(*[bindparam(name, type_=postgresql.ARRAY(type_, dimensions=1))
                         for name, type_ in columns.items()]
                       ).table_valued(*columns).render_derived()


@cache
def _unnest_insert(model, columns: tuple[str, ...], key: str | None):
    """INSERT … SELECT from arrays, in the rows' order. A JSON column travels instead as
    one JSON document of its values (FROM jsonb_array_elements(…) WITH ORDINALITY,
    joined on the row's position): psycopg quotes and escapes every element of a text
    array in Python, a regular-expression substitution per quote, which made the
    answers' arrays a third of a batch's CPU; one document goes as it is."""
    table = model.__table__
    documents = [n for n in columns if isinstance(table.c[n].type, JSON)]
    plain = [n for n in columns if n not in documents]
    if not plain:  # nothing to number the rows by: every column as an array
        documents, plain = [], list(columns)
    rows = func.unnest(*[bindparam(n, type_=postgresql.ARRAY(table.c[n].type, dimensions=1))
                         for n in plain]
                       ).table_valued(*plain, with_ordinality="n").render_derived()
    source, value = rows, {n: rows.c[n] for n in plain}
    for name in documents:
        elements = func.jsonb_array_elements(bindparam(name, type_=postgresql.JSONB)
                                             ).table_valued("value", with_ordinality="n"
                                                            ).render_derived()
        source = source.join(elements, elements.c.n == rows.c.n)
        value[name] = elements.c.value
    statement = postgresql.insert(table).from_select(
        list(columns), select(*[value[n] for n in columns]).select_from(source)
        .order_by(rows.c.n))
    if key is None:
        return statement
    return statement.on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])


def adding_upsert(model, *, key: str, sums: tuple[str, ...]):
    """INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n, …: execute it with
    rows; each adds its figures to the row of its key (made if missing)."""
    return _adding_upsert(db.session.get_bind().dialect.name, model, key, sums)


@cache
def _adding_upsert(dialect: str, model, key: str, sums: tuple[str, ...]):
    # Built once per dialect: building it costs more than running it with a row.
    table = model.__table__
    statement = _dialect_insert(dialect)(table)
    return statement.on_conflict_do_update(index_elements=[key], set_={
        m: table.c[m] + statement.excluded[m] for m in sums})


def retry_on_contention(work):
    """Run `work` (a whole idempotent unit of work that commits), again when the database
    says it collided with another transaction (a PostgreSQL deadlock or serialization
    failure, SQLite busy); 503 problem+json after the last attempt."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as err:
            db.session.rollback()
            log.warning("database contention (attempt %s): %s", attempt, err.orig)
            if attempt == ATTEMPTS:
                raise Problem("server.unavailable", headers={"Retry-After": "5"}) from None
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")
