"""Bulk writes of large frames: PostgreSQL's binary COPY, or batched inserts elsewhere.

`copy_frame` writes a frame's columns into a model's table inside the caller's transaction. On
PostgreSQL the rows are packed with numpy into COPY's binary format (one contiguous buffer, no
per-row Python). For large loads (REBUILD_FROM rows or more) the table's secondary indexes,
unique constraints and foreign keys are dropped before the COPY and re-created after it, in the
same transaction: building an index once over sorted data is several times faster than
maintaining it row by row, and re-adding a foreign key checks every row in one join. Either
the whole load commits with every constraint in place, or nothing changes. The DDL locks the
table for the length of the load, so other readers of it wait until the import commits.

Other databases (SQLite in development) get bulk_create in batches.
"""

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from django.db import connection, models

PGCOPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
PGCOPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
BATCH = 5000
CHUNK_ROWS = 500_000
REBUILD_FROM = 200_000
# Django field classes → numpy big-endian dtype of the value, most specific first (the first
# the field is an instance of wins: BigAutoField is a BigIntegerField).
_BINARY = {
    models.BigIntegerField: ">i8",
    models.PositiveSmallIntegerField: ">i2",
    models.SmallIntegerField: ">i2",
    models.PositiveIntegerField: ">i4",
    models.IntegerField: ">i4",
    models.FloatField: ">f8",
    models.BooleanField: "?",
}

Progress = Callable[[float], None]


def _binary_dtype(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey):  # stored as the key it points to
        return _binary_dtype(field.target_field)
    if isinstance(field, models.CharField):
        if field.max_length != 1:
            raise TypeError(f"{field.name}: only one-character text can be copied in binary.")
        return "S1"
    for kind, dtype in _BINARY.items():
        if isinstance(field, kind):
            return dtype
    raise TypeError(f"{field.name}: no binary COPY type for {type(field).__name__}.")


def pack_binary(fields: list[models.Field], frame: pd.DataFrame) -> bytes:
    """The frame's rows in PostgreSQL's binary COPY format (values must not be null)."""
    layout = [("columns", ">i2")]
    for field in fields:
        layout += [(f"{field.column}_length", ">i4"), (field.column, _binary_dtype(field))]
    rows = np.empty(len(frame), dtype=np.dtype(layout))
    rows["columns"] = len(fields)
    for field in fields:
        dtype = rows.dtype[field.column]
        rows[f"{field.column}_length"] = dtype.itemsize
        values = frame[field.attname].to_numpy()
        rows[field.column] = values.astype("S1") if dtype.kind == "S" else values
    return rows.tobytes()


def copy_frame(
    model: type[models.Model], frame: pd.DataFrame, *, progress: Progress | None = None
) -> int:
    """Insert the frame's rows (columns named by the fields' attnames, e.g. area_id) into the
    model's table. Returns the number of rows. Runs in the caller's transaction."""
    fields = [model._meta.get_field(name) for name in frame.columns]
    if connection.vendor == "postgresql":
        _copy_postgres(model, fields, frame, progress)
    else:
        _insert_batches(model, frame, progress)
    return len(frame)


def _copy_postgres(
    model: type[models.Model],
    fields: list[models.Field],
    frame: pd.DataFrame,
    progress: Progress | None,
) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    large = len(frame) >= REBUILD_FROM
    with connection.cursor() as cursor, _without_indexes(cursor, model, large):
        if large:
            # Ids sent with the rows, not drawn from the sequence one row at a time, and more
            # memory for the index builds that follow (this transaction only).
            frame = _with_reserved_ids(cursor, model, frame)
            fields = [model._meta.pk, *fields]
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            chunk = frame.iloc[start : start + CHUNK_ROWS]
            buffer = io.BytesIO(PGCOPY_HEADER + pack_binary(fields, chunk) + PGCOPY_TRAILER)
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT binary)", buffer)
            if progress:
                progress(min(1.0, (start + len(chunk)) / max(len(frame), 1)))


def _with_reserved_ids(
    cursor: object, model: type[models.Model], frame: pd.DataFrame
) -> pd.DataFrame:
    """Take a block of ids from the table's sequence. The table is locked (its constraints were
    just dropped in this transaction), so no other insert can draw ids meanwhile."""
    cursor.execute(
        "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
    )
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT nextval(%s)", [sequence])
    (first,) = cursor.fetchone()
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + len(frame) - 1])
    return frame.assign(**{model._meta.pk.attname: np.arange(first, first + len(frame))})


def _insert_batches(
    model: type[models.Model], frame: pd.DataFrame, progress: Progress | None
) -> None:
    names = list(frame.columns)
    for start in range(0, len(frame), BATCH):
        chunk = frame.iloc[start : start + BATCH]
        model.objects.bulk_create(
            [
                model(**dict(zip(names, values, strict=True)))
                for values in chunk.itertuples(index=False)
            ]
        )
        if progress:
            progress(min(1.0, (start + len(chunk)) / len(frame)))


@contextmanager
def _without_indexes(cursor: object, model: type[models.Model], drop: bool) -> Iterator[None]:
    """Drop the table's foreign keys, unique constraints, indexes and (unless another table
    refers to it) its primary key, then re-create them exactly as they were (definitions read
    from PostgreSQL's catalogue)."""
    if not drop:
        yield
        return
    table = model._meta.db_table
    quoted = connection.ops.quote_name(table)
    cursor.execute("SELECT 1 FROM pg_constraint WHERE confrelid = %s::regclass", [table])
    kinds = ("f", "u") if cursor.fetchone() else ("f", "p", "u")  # keep a referenced primary key
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY contype",
        [table, list(kinds)],
    )
    constraints = cursor.fetchall()  # foreign keys ('f') first, then primary ('p'), unique ('u')
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _, _ in constraints:
        cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition, _ in reversed(constraints):  # unique, primary, foreign keys last
        cursor.execute(
            f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
        )
