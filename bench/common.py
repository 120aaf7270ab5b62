"""What the benches share: the throwaway database, and printing figures."""

import os
import resource
from urllib.parse import urlsplit

import psycopg2


def django_setup(default_database: str) -> str:
    """Point Django at the bench's own database (BENCH_DATABASE_URL overrides it), without
    Redis or the local .env, and set it up. Returns the database URL."""
    import django

    database_url = os.environ.get(
        "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_database}"
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="jsna.settings",
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-not-a-deployment-secret-key-0123456789",
        REDIS_URL="",
        JSNA_IGNORE_DOTENV="1",
    )
    django.setup()
    return database_url


def admin(database_url: str, sql: str) -> None:
    """Run one statement on the server's `postgres` database, outside any transaction."""
    conn = psycopg2.connect(urlsplit(database_url)._replace(path="/postgres").geturl())
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def show(label: str, seconds: float, *, width: int = 72) -> None:
    print(f"{label:<{width}} {seconds:7.2f} s")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
