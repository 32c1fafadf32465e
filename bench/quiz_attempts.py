"""Quiz attempts under real HTTP load: gunicorn with the production settings, many learners at once.

    .venv/bin/python bench/quiz_attempts.py [--clients 100] [--workers 4] [--think 0]
                                            [--backends sqlite,postgres]

Each backend: a fresh database with the demo question bank, ``--clients`` staff with signed-in sessions
(made in the setup: the login form's PBKDF2 is not what is measured) and a 10-question quiz drawn at random;
gunicorn with ``website.settings.production`` on a free port on 127.0.0.1 (HTTPS is simulated with
X-Forwarded-Proto, which production trusts). All clients — threads with their own sessions — start together;
each opens the quiz, starts an attempt, opens it, saves answers three times (JSON autosave, sequence 1..3),
submits, and submits again (must change nothing), waiting a random 0..2×``--think`` seconds after each
request. Afterwards: HTTP errors, attempts graded vs expected, one ledger record per attempt,
``verify_records``. Exits 1 on any error or mismatch. Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import http.cookies
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.httpbench import database, gunicorn, manage, verify_records

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 120
ACTIONS = ("open", "start", "save", "submit", "resubmit")


@dataclass
class Outcome:
    backend: str
    clients: int
    workers: int
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    graded: int = 0
    records: int = 0
    chain: str = "not verified"
    wall: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors and self.graded == self.records == self.clients and self.chain == "intact"

    def p(self, action: str, q: float) -> float:
        values = sorted(self.timings.get(action, []))
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000


class CookieHeader:
    """The production cookies are Secure; on loopback HTTP (the proxy header says HTTPS) send them by hand."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def read(self, response: requests.Response) -> None:
        for header in response.raw.headers.getlist("Set-Cookie"):
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.values[name] = morsel.value

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.values.items())


def env_for(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "website.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SERVEWELL_VAR_DIR": str(var_dir),
        "DJANGO_STATIC_ROOT": str(var_dir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_CONN_MAX_AGE": "60",
    }


SETUP = """
import django; django.setup()
from decimal import Decimal
from people.models import Department, Position
from people.roles import sync_roles
from quizzes.demo import load_bank
from quizzes.models import QuestionCategory, Quiz, QuizItem
from tests.factories import StaffProfileFactory, UserFactory
from website.demo import ensure_site
ensure_site()
sync_roles()
dept = Department.objects.create(code="CSD-PB", name="電話理財中心")
pos = Position.objects.create(code="CSO", name="客戶服務主任")
for n in range({clients}):
    user = UserFactory(username=f"bench{{n:03d}}", groups=["Staff"])
    StaffProfileFactory(
        user=user, employee_number=f"B{{n:05d}}", display_name=f"壓測員工{{n}}", department=dept, position=pos
    )
load_bank()
# Signed-in sessions made here, not through the login form: PBKDF2 (about a second of CPU per login, by
# design) would dominate the run and is not what this benchmark measures.
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
keys = []
for user in get_user_model().objects.filter(username__startswith="bench").order_by("username"):
    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    keys.append(store.session_key)
quiz = Quiz(title="壓測：反洗錢與反欺詐", pass_mark=Decimal(80), max_attempts=3, time_limit_minutes=20)
quiz.items.add(QuizItem(category=QuestionCategory.objects.get(path="反洗錢與反欺詐"), count=10))
quiz.save()
print(quiz.pk, *keys)
"""

COUNT = """
import django; django.setup()
from ledger.models import Record
from quizzes.models import Attempt
graded = Attempt.objects.filter(user__username__startswith="bench", state="graded")
records = Record.objects.filter(kind="quiz_attempt", actor_username__startswith="bench")
linked = graded.filter(record__isnull=False).count()
print(graded.count(), records.count(), linked)
"""


INPUT = re.compile(r'<input type="(radio|checkbox|text)"[^>]*?name="q(\d+)" value="([^"]*)"')
SELECT = re.compile(r'<select id="q(\d+)-(\d+)"')


def answers_from(page: str, round_: int) -> dict[str, object]:
    """Plausible answers for the questions on the page; later rounds change some of them."""
    answers: dict[str, object] = {}
    for kind, number, value in INPUT.findall(page):
        if kind == "text":
            answers[number] = ["JFIU", "聯合財富情報組", "不知道"][round_ % 3]
        elif kind == "checkbox":
            answers.setdefault(number, [])
            if len(answers[number]) < 2:
                answers[number].append(value)
        elif number not in answers or round_ == 2:
            answers[number] = value
    for number, place in SELECT.findall(page):
        answers.setdefault(number, {})[place] = str(1 + (int(place) + round_) % 2)
    return answers


def client(
    base: str,
    session_key: str,
    quiz_id: int,
    outcome: Outcome,
    lock: threading.Lock,
    ready: threading.Barrier,
    think: float,
) -> None:
    session = requests.Session()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    cookies = CookieHeader()
    cookies.values["sessionid"] = session_key
    rng = random.Random(session_key)
    username = session_key[:8]
    session.headers["X-Forwarded-Proto"] = "https"
    secure_base = base.replace("http://", "https://")
    times: dict[str, list[float]] = defaultdict(list)
    count = 0

    def timed(action: str, method: str, path: str, **kwargs):
        nonlocal count
        headers = {"Referer": secure_base + path, "Cookie": cookies.header(), **kwargs.pop("headers", {})}
        start = time.perf_counter()
        response = session.request(
            method, base + path, headers=headers, timeout=TIMEOUT, allow_redirects=False, **kwargs
        )
        times[action].append(time.perf_counter() - start)
        cookies.read(response)
        count += 1
        if think:  # a learner reads and answers between requests
            time.sleep(rng.uniform(0, 2 * think))
        return response

    try:
        ready.wait(timeout=600)
        start_page = timed("open", "GET", f"/quizzes/{quiz_id}/")
        token = CSRF.search(start_page.text).group(1)
        started = timed("start", "POST", f"/quizzes/{quiz_id}/", data={"csrfmiddlewaretoken": token})
        if started.status_code != 302 or "/quizzes/attempts/" not in started.headers.get("Location", ""):
            raise RuntimeError(f"start: {started.status_code}")
        attempt_path = started.headers["Location"]
        page = timed("open", "GET", attempt_path)
        if page.status_code != 200:
            raise RuntimeError(f"attempt page: {page.status_code}")
        token = CSRF.search(page.text).group(1)
        for seq in (1, 2, 3):
            saved = timed(
                "save",
                "POST",
                attempt_path + "answers/",
                data=json.dumps({"seq": seq, "answers": answers_from(page.text, seq)}),
                headers={"Content-Type": "application/json", "X-CSRFToken": token},
            )
            if saved.status_code != 200 or saved.json().get("seq") != seq:
                raise RuntimeError(f"save {seq}: {saved.status_code} {saved.text[:200]}")
        form = {"csrfmiddlewaretoken": token, "seq": "4", "shown": "", "action": "submit"}
        for action in ("submit", "resubmit"):
            done = timed(action, "POST", attempt_path, data=form)
            if done.status_code != 302 or not done.headers.get("Location", "").endswith("/result/"):
                raise RuntimeError(f"{action}: {done.status_code}")
    except Exception as exc:  # collect, never hide
        with lock:
            outcome.errors.append(f"{username}: {exc}")
    with lock:
        outcome.requests += count
        for action, values in times.items():
            outcome.timings[action].extend(values)


def run(backend: str, clients: int, workers: int, think: float) -> Outcome:
    outcome = Outcome(backend, clients, workers)
    tmp = Path(tempfile.mkdtemp(prefix="servewell-quiz-bench-"))
    with database(backend, f"servewell_quiz_bench_{os.getpid()}", tmp) as url:
        env = env_for(url, tmp)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        quiz_id, *keys = manage(env, code=SETUP.format(clients=clients)).split()[-(clients + 1) :]
        with gunicorn(env, workers, headers={"X-Forwarded-Proto": "https"}) as base:
            lock = threading.Lock()
            marks: list[float] = []
            ready = threading.Barrier(clients, action=lambda: marks.append(time.perf_counter()))
            threads = [
                threading.Thread(target=client, args=(base, key, int(quiz_id), outcome, lock, ready, think))
                for key in keys
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=900)
            outcome.wall = time.perf_counter() - (marks[0] if marks else start)
        graded, records, linked = (int(x) for x in manage(env, code=COUNT).split())
        outcome.graded, outcome.records = graded, min(records, linked)
        outcome.chain = verify_records(env)
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a learner waits between requests"
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 500:
        parser.error("--clients must be between 1 and 500")
    outcomes = [run(b, args.clients, args.workers, args.think) for b in args.backends.split(",")]
    print(
        f"{'backend':9} {'clients':>7} {'workers':>7} {'requests':>8} {'req/s':>6} {'errors':>6} "
        f"{'graded':>6} {'records':>7} {'chain':8} {'wall s':>6}"
    )
    for o in outcomes:
        print(
            f"{o.backend:9} {o.clients:>7} {o.workers:>7} {o.requests:>8} {o.requests / o.wall:>6.1f} "
            f"{len(o.errors):>6} {o.graded:>6} {o.records:>7} {o.chain[:8]:8} {o.wall:>6.1f}"
        )
    print(f"\n{'backend':9} {'action':9} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for o in outcomes:
        for action in ACTIONS:
            values = o.timings.get(action, [])
            if values:
                print(
                    f"{o.backend:9} {action:9} {len(values):>6} {o.p(action, 0.5):>8.0f} "
                    f"{o.p(action, 0.95):>8.0f} {max(values) * 1000:>8.0f}"
                )
        for error in o.errors[:5]:
            print("   ", error)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
