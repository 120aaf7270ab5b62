"""Load: signed-in users over the six main pages of a real server, on PostgreSQL.

Set-up (skipped with --reuse): drops and recreates the database (jsna_load, or --database),
migrates, loads the default county (`manage.py load_county`: the Worcestershire files and the
illustrative services) and runs the gap analysis (`manage.py run_gap_analysis`), then makes one
user per role. A gunicorn server (4 sync workers, DEBUG off, the Makefile's test settings, the
cache on Redis as in production) is started on --port. For each user count (20, then 50), that
many threads each sign in with their own cookie jar (roles taken in turn) and loop over the six
main pages — home, need, services, spending, need against provision (maps/) and the first
locality's page of the latest run — for --seconds, one request after another, after a warm-up
(4 users, each page 3 times, not measured: a worker's first requests import the app's modules,
seconds each). Printed: requests a second, p50, p95, p99 and errors, per page and overall, the
workers' CPU time a request (steadier than latency on a shared machine), and the load average
before and after (other processes on the machine skew the figures; say so when quoting them).

Run from the repository root: .venv/bin/python bench/load.py [--reuse] [--seconds 30]
"""

import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "load-bench-password-7f3a9c"  # a throwaway database's users only
ROLES = ("analyst", "commissioner", "jsna_manager")
PAGES = {
    "home": "/",
    "need": "/need/",
    "services": "/services/",
    "spending": "/spending/",
    "need against provision": "/maps/",
}  # the locality page is found from the home page once the run exists


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The Makefile's TEST_ENV: DEBUG off, no HTTPS redirect or secure cookies (plain HTTP)."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "jsna.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-only-not-a-deployment-secret-key-0123456789-abcdefghij",
        "JSNA_IGNORE_DOTENV": "1",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "MAP_TILES_URL": "",
        "MEDIA_ROOT": os.environ.get("TMPDIR", "/tmp") + "/jsna-load-media",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def manage(env: dict[str, str], *args: str) -> None:
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    common.show(f"manage.py {args[0]}", time.monotonic() - started)


USERS_SCRIPT = """
from django.contrib.auth.models import Group, User
for role in {roles!r}:
    user, _ = User.objects.get_or_create(username="load-" + role)
    user.set_password({password!r})
    user.save()
    user.groups.set([Group.objects.get(name=role)])
"""


def set_up(database_url: str, env: dict[str, str]) -> None:
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    common.admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    common.admin(database_url, f'CREATE DATABASE "{name}"')
    no_broker = env | {"REDIS_URL": ""}  # the analysis runs in-process
    manage(no_broker, "migrate", "--noinput")
    manage(no_broker, "load_county")
    manage(no_broker, "run_gap_analysis")
    script = USERS_SCRIPT.format(roles=ROLES, password=PASSWORD)
    manage(no_broker, "shell", "-c", script)


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "jsna.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).read()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


class Client:
    """One signed-in user: a cookie jar and no redirects followed silently past the login."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, username: str) -> None:
        _, body = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.decode()}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/"}
        )
        with self.opener.open(request, timeout=120) as response:
            if response.url.rstrip("/").endswith("/accounts/login"):
                raise SystemExit(f"could not sign in as {username}")


def locality_page(base: str) -> str:
    client = Client(base)
    client.sign_in("load-commissioner")
    _, body = client.get("/")
    found = re.search(rb'href="(/runs/\d+/localities/[^/"]+/)"', body)
    if not found:
        raise SystemExit("no locality page linked from the home page: did the analysis run?")
    return found.group(1).decode()


def workers_cpu_seconds(server: subprocess.Popen) -> float:
    """User and system CPU time of the server's worker processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == server.pid:  # ppid: a gunicorn worker
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def warm_up(base: str, pages: dict[str, str], rounds: int) -> None:
    """Each worker imports its modules on its first requests (seconds each): not measured."""
    run_load(base, pages, users=4, seconds=0, rounds=rounds)


def run_load(base: str, pages: dict[str, str], users: int, seconds: float, rounds: int = 0) -> dict:
    """Each user signs in, then requests the pages in turn until the time is up (or, given
    rounds, until it has requested every page that many times)."""
    timings: dict[str, list[float]] = {name: [] for name in pages}
    errors: dict[str, int] = dict.fromkeys(pages, 0)
    lock = threading.Lock()
    signed_in = threading.Barrier(users + 1)
    stop = threading.Event()

    def user(number: int) -> None:
        client = Client(base)
        client.sign_in(f"load-{ROLES[number % len(ROLES)]}")
        signed_in.wait()
        order = list(pages.items())
        first = step = number % len(order)  # users start on different pages
        while not stop.is_set() and not (rounds and step - first >= rounds * len(order)):
            name, path = order[step % len(order)]
            step += 1
            started = time.perf_counter()
            try:
                status, _ = client.get(path)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            if stop.is_set():
                break
            with lock:
                timings[name].append(elapsed)
                errors[name] += status != 200

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    signed_in.wait()
    started = time.monotonic()
    if rounds:
        for thread in threads:
            thread.join()
    time.sleep(seconds)
    stop.set()
    duration = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=130)
    return {"timings": timings, "errors": errors, "duration": duration}


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def report(users: int, result: dict, cpu_seconds: float) -> None:
    duration = result["duration"]
    count = sum(len(values) for values in result["timings"].values())
    print(
        f"\n{users} users, {duration:.0f} s; server CPU {cpu_seconds * 1000 / count:.0f} ms a "
        "request (gunicorn workers' user + system time, PostgreSQL not included)"
    )
    print(f"{'page':<24} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6}")  # fmt: skip
    everything = [t for values in result["timings"].values() for t in values]
    rows = [*result["timings"].items(), ("overall", everything)]
    for name, values in rows:
        errors = (sum(result["errors"].values()) if name == "overall"
                  else result["errors"][name])  # fmt: skip
        print(
            f"{name:<24} {len(values):>8} {len(values) / duration:>7.1f} "
            f"{percentile(values, 0.50) * 1000:>8.0f} {percentile(values, 0.95) * 1000:>8.0f} "
            f"{percentile(values, 0.99) * 1000:>8.0f} {errors:>6}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="jsna_load", help="PostgreSQL database name")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6", help="the server's cache")
    parser.add_argument("--reuse", action="store_true", help="keep the database as it is")
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--users", type=int, nargs="+", default=[20, 50])
    args = parser.parse_args()

    database_url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    env = server_env(database_url, args.redis)
    if not args.reuse:
        set_up(database_url, env)
    subprocess.run([PYTHON, "-c", f"import redis; redis.Redis.from_url({args.redis!r}).flushdb()"],
                   check=True)  # fmt: skip  # nothing cached from an earlier run
    server = start_server(env, args.port, args.workers)
    try:
        base = f"http://127.0.0.1:{args.port}"
        pages = PAGES | {"locality": locality_page(base)}
        print(f"Pages: {', '.join(f'{name} {path}' for name, path in pages.items())}")
        print(f"gunicorn: {args.workers} sync workers; {os.cpu_count()} CPUs on this machine")
        warm_up(base, pages, rounds=3)
        for users in args.users:
            before, cpu = os.getloadavg(), workers_cpu_seconds(server)
            result = run_load(base, pages, users, args.seconds)
            after, cpu = os.getloadavg(), workers_cpu_seconds(server) - cpu
            report(users, result, cpu)
            print("load average (1, 5, 15 min) before: " + " ".join(f"{x:.2f}" for x in before)
                  + "; after: " + " ".join(f"{x:.2f}" for x in after))  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
