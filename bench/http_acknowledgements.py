"""The ledger under real HTTP load: gunicorn workers, many staff acknowledging procedures at once.

    .venv/bin/python bench/http_acknowledgements.py [--clients 50] [--workers 4] [--backends sqlite,postgres]

Each backend: a fresh database with the demo loaded plus ``--clients`` extra staff; gunicorn on a free port
on 127.0.0.1; each client (a thread with its own session) logs in through the login form, then for every
procedure in force opens its page and posts the acknowledge form (read, then write) twice — the second post
must change nothing. Afterwards: HTTP errors, acknowledgements expected vs in the database, one ledger record
per acknowledgement, ``verify_records``. Exits 1 on any error or mismatch. Loopback only; bounded in count
and time.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.httpbench import database, gunicorn, manage, verify_records

PASSWORD = "servewell-demo"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 60


@dataclass
class Outcome:
    backend: str
    clients: int
    workers: int
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    expected_acks: int = 0
    acks_in_db: int = 0
    ack_records: int = 0
    chain: str = "not verified"
    wall: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and self.expected_acks == self.acks_in_db == self.ack_records
            and self.chain == "intact"
        )


def env_for(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "website.settings.dev",
        "SERVEWELL_VAR_DIR": str(Path(tempfile.gettempdir()) / f"servewell-bench-http-{os.getpid()}"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


SETUP = """
import django; django.setup()
from tests.factories import StaffProfileFactory, UserFactory
from people.models import Department, Position
dept, pos = Department.objects.get(code="CSD-PB"), Position.objects.get(code="CSO")
for n in range({clients}):
    user = UserFactory(username=f"bench{{n:03d}}", groups=["Staff"])
    StaffProfileFactory(
        user=user, employee_number=f"B{{n:05d}}", display_name=f"壓測員工{{n}}", department=dept, position=pos
    )
from kb.selectors import in_force_by_page
from kb.models import ProcedurePage
pages = ProcedurePage.objects.live().filter(pk__in=in_force_by_page().keys(), audience_all=True)
print(" ".join(page.url for page in pages))
"""

COUNT = """
import django; django.setup()
from kb.models import Acknowledgement
from ledger.models import Record
bench = {"user__username__startswith": "bench"}
records = Record.objects.filter(kind="acknowledgement", actor_username__startswith="bench")
print(Acknowledgement.objects.filter(**bench).count(), records.count())
"""


def client(base: str, username: str, urls: list[str], outcome: Outcome, lock: threading.Lock) -> None:
    session = requests.Session()
    count = 0
    try:
        login = session.get(f"{base}/accounts/login/", timeout=TIMEOUT)
        token = CSRF.search(login.text).group(1)
        response = session.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"},
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=TIMEOUT,
        )
        count += 2
        if response.status_code != 200 or "登出" not in response.text:
            raise RuntimeError(f"login failed ({response.status_code})")
        for url in urls:
            page = session.get(base + url, timeout=TIMEOUT)
            count += 1
            if page.status_code != 200:
                raise RuntimeError(f"GET {url}: {page.status_code}")
            version = re.search(r'name="version" value="(\d+)"', page.text)
            if version is None:
                continue  # already acknowledged (cannot happen for bench users, but not an error)
            token = CSRF.search(page.text).group(1)
            for _attempt in range(2):  # the second post must change nothing
                ack = session.post(
                    f"{base}{url}acknowledge/",
                    data={"version": version.group(1), "csrfmiddlewaretoken": token},
                    headers={"Referer": base + url},
                    timeout=TIMEOUT,
                    allow_redirects=False,
                )
                count += 1
                if ack.status_code != 302:
                    raise RuntimeError(f"POST {url}acknowledge/: {ack.status_code}")
    except Exception as exc:  # collect, never hide
        with lock:
            outcome.errors.append(f"{username}: {exc}")
    with lock:
        outcome.requests += count


def run(backend: str, clients: int, workers: int) -> Outcome:
    outcome = Outcome(backend, clients, workers)
    tmp = Path(tempfile.mkdtemp(prefix="servewell-http-"))
    with database(backend, f"servewell_http_{os.getpid()}", tmp) as url:
        env = env_for(url)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo")
        urls = manage(env, code=SETUP.format(clients=clients)).split()
        outcome.expected_acks = clients * len(urls)
        with gunicorn(env, workers) as base:
            lock = threading.Lock()
            threads = [
                threading.Thread(target=client, args=(base, f"bench{n:03d}", urls, outcome, lock))
                for n in range(clients)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=600)
            outcome.wall = time.perf_counter() - start
        acks, records = manage(env, code=COUNT).split()
        outcome.acks_in_db, outcome.ack_records = int(acks), int(records)
        outcome.chain = verify_records(env)
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    outcomes = [run(b, args.clients, args.workers) for b in args.backends.split(",")]
    print(
        f"{'backend':9} {'clients':>7} {'workers':>7} {'requests':>8} {'errors':>6} {'acks exp':>8} "
        f"{'acks db':>7} {'records':>7} {'chain':8} {'wall s':>7} {'req/s':>6}"
    )
    for o in outcomes:
        print(
            f"{o.backend:9} {o.clients:>7} {o.workers:>7} {o.requests:>8} {len(o.errors):>6} "
            f"{o.expected_acks:>8} {o.acks_in_db:>7} {o.ack_records:>7} {o.chain[:8]:8} {o.wall:>7.1f} "
            f"{o.requests / o.wall:>6.1f}"
        )
        for error in o.errors[:5]:
            print("   ", error)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
