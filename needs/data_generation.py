"""What pages compute from the data is computed once per change of the data, not per view.

Every table of the watched apps (need and provision data: areas, population, rates, localities,
services, funding, sites, catchments, dataset versions) and the norms has a database trigger
that gives the single `DataGeneration` row a new random token whenever a statement writes to it
(PostgreSQL: once per statement, COPY and TRUNCATE included; SQLite: once per row). A page's
figures are cached under a key holding that token, so any write by any path (uploads, commands,
the admin, the service form, raw SQL) changes the key: nothing stale is ever served, and no code
has to remember to invalidate. The token is random, so a rolled-back write never brings back a key
used for other data. Triggers are (re)installed after every `migrate`, on the tables of every
model of these apps, so a new model is covered without a migration of its own.
"""

import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import IntegrityError, connections, transaction

from needs.models import DataGeneration

WATCHED_APPS = ("needs", "provision", "recorded")
WATCHED_MODELS = ("gapanalysis.Norm",)  # read beside a run's stored results on its pages
TRIGGER = "needs_data_changed"
CACHE_FORMAT = 2  # raise when the shape of a cached value changes (a deployment of new code)
CACHE_SECONDS = 24 * 60 * 60  # keys of earlier data are never read again; let them expire
_MISSING = object()
T = TypeVar("T")

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE needs_datageneration SET token = md5(random()::text || clock_timestamp()::text);
    RETURN NULL;
END $$"""


def watched_tables(*, using: str = "default") -> list[str]:
    """The tables of every model of the watched apps (many-to-many tables included) that exist."""
    existing = set(connections[using].introspection.table_names())
    tables = {
        model._meta.db_table
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model is not DataGeneration
    } | {apps.get_model(label)._meta.db_table for label in WATCHED_MODELS}
    return sorted(tables & existing)


def triggers_install(*, using: str = "default") -> None:
    """Create or replace the trigger on every watched table (safe to repeat)."""
    connection = connections[using]
    if DataGeneration._meta.db_table not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_FUNCTION)
        for table in watched_tables(using=using):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR "
                    f"TRUNCATE ON {quoted} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
                )
                continue
            for event in ("INSERT", "UPDATE", "DELETE"):
                name = connection.ops.quote_name(f"{TRIGGER}_{table}_{event.lower()}")
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {quoted} BEGIN "
                    "UPDATE needs_datageneration SET token = lower(hex(randomblob(16))); END"
                )


def triggers_install_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    triggers_install(using=using)


def current() -> str:
    """The token of the data as this connection sees it now."""
    token = DataGeneration.objects.values_list("token", flat=True).first()
    if token is not None:
        return token
    try:  # the row is made by the migration; a test database's flush removes it
        with transaction.atomic():
            return DataGeneration.objects.create(pk=1, token=secrets.token_hex(16)).token
    except IntegrityError:  # made meanwhile by another process
        return DataGeneration.objects.values_list("token", flat=True).get()


def cached(name: str, parts: object, compute: Callable[[], T], *, token: str = "") -> T:
    """compute(), or what it returned for the same name and parts on the same data.

    `parts` is everything else the result depends on (the page's query), by its repr. The
    result is stored only if the data did not change while it was computed (a write committed
    between our reads would otherwise be stored under the earlier token). `token`: current(),
    if the caller has just read it."""
    token = token or current()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"page:{CACHE_FORMAT}:{name}:{token}:{digest}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    if current() == token:
        cache.set(key, value, CACHE_SECONDS)
    return value
