"""What the benches share: the throwaway database, and printing figures."""

import resource
from urllib.parse import urlsplit

import psycopg2


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
