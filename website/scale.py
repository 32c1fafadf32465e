"""A synthetic bank for benchmarks: ``manage.py generate_scale_data`` (default 5,000 staff in a 6-level org,
60 courses, 250,000 obligations, quiz attempts and acknowledgements), written with bulk inserts in minutes.

What is real and what is synthetic (docs/dashboards.md):
- People, the org chart's closure table, role groups: as HR import would leave them (``org_rebuild``).
- Courses are real course pages (no lessons); procedures, regulation updates and quizzes come from the demo.
- Obligations are rows of the one obligation table with statuses a real year would leave (completed on time or
  late, overdue, in progress, not started, expired, withdrawn), written directly rather than by rules.
- Acknowledgements and quiz attempts are real ledger records, appended in order by
  ``ledger.services.records_append_bulk`` (one unbroken chain: ``verify_records`` passes), each with its kb
  ``Acknowledgement`` row or quiz ``Attempt`` (and the first attempt's answered slots).
- Course completions are obligation rows only: no ``CourseCompletion`` rows, no completion records, no
  certificates (the dashboards read the obligation table; courses' own tables are not exercised here).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from assignments.models import Obligation, SentReminder, Source, Status
from courses.models import CoursePage, CoursesIndexPage
from kb.models import Acknowledgement, ProcedurePage, RegulationUpdatePage
from kb.selectors import in_force_by_page
from ledger.models import Outcome, RecordKind
from ledger.services import records_append_bulk
from people.models import Department, Position, StaffProfile
from people.roles import STAFF, SUPERVISOR, sync_roles
from people.services import org_rebuild
from quizzes.models import Attempt, AttemptSlot, AttemptState, Quiz, QuizItem
from website.demo import ensure_site

PREFIX = "SB"  # employee numbers SB00001…, usernames sb00001…
PASSWORD = "servewell-demo"
BRANCHES = [
    "中環",
    "金鐘",
    "灣仔",
    "銅鑼灣",
    "北角",
    "鰂魚涌",
    "香港仔",
    "尖沙咀",
    "油麻地",
    "旺角",
    "深水埗",
    "長沙灣",
    "九龍灣",
    "觀塘",
    "將軍澳",
    "黃大仙",
    "沙田",
    "大埔",
    "上水",
    "荃灣",
    "葵涌",
    "屯門",
    "元朗",
    "天水圍",
    "東涌",
]
TEAMS = ["分行客戶服務組", "電話理財中心", "客戶關係及投訴處理組", "卡務支援組", "網上理財支援組"]
TOPICS = [
    ("反洗錢與反欺詐年度培訓", 90, 12),
    ("資訊保安意識", 45, 12),
    ("個人資料私隱", 60, 12),
    ("客戶投訴處理", 60, None),
    ("公平待客原則", 45, 24),
    ("弱勢客戶服務", 45, None),
    ("異常交易跟進", 60, None),
    ("爭議調解技巧", 90, None),
    ("系統故障應急預案", 30, 12),
    ("數據外洩應變", 30, 12),
    ("產品適合性評估", 120, 24),
    ("電話禮儀與溝通", 45, None),
    ("客戶心理與情緒管理", 60, None),
    ("服務補救", 45, None),
    ("新員工入職培訓", 120, None),
    ("記錄與檔案管理", 45, 24),
    ("跨部門協作", 30, None),
    ("網上理財與智能客服", 60, None),
    ("信用卡爭議交易", 60, None),
    ("滿意度調查與分析", 45, None),
]
LEVEL_SHAPE = [1, 10, 50, 250, 1000]  # the first levels; the last level takes the rest


def level_sizes(staff: int, levels: int) -> list[int]:
    """How many people at each level: a head, then each level about five times the one above."""
    sizes = [1]
    while len(sizes) < levels - 1:
        sizes.append(LEVEL_SHAPE[len(sizes)] if len(sizes) < len(LEVEL_SHAPE) else sizes[-1] * 4)
    while sum(sizes) >= staff and len(sizes) > 1:  # small banks: shrink the upper levels
        sizes = [max(1, size // 5) for size in sizes]
    return [*sizes, max(0, staff - sum(sizes))]


class Generator:
    def __init__(
        self,
        *,
        staff: int,
        levels: int,
        courses: int,
        obligations: int,
        attempts: int,
        seed: int,
        log: Callable[[str], None] = print,
    ):
        self.staff, self.levels, self.courses = staff, levels, courses
        self.obligations, self.attempts_per_person = obligations, attempts
        self.rng = random.Random(seed)
        self.log = log
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    # --- people ----------------------------------------------------------------------------------------

    def people(self) -> list[StaffProfile]:
        sync_roles()
        rng = self.rng
        positions = {
            code: Position.objects.get_or_create(code=code, defaults={"name": name, "is_supervisory": sup})[0]
            for code, name, sup in [
                ("MGR", "客戶服務部經理", True),
                ("TL", "組長", True),
                ("SCSO", "高級客戶服務主任", False),
                ("CSO", "客戶服務主任", False),
                ("CSA", "客戶服務助理", False),
            ]
        }
        head_office = Department.objects.get_or_create(
            code=f"{PREFIX}-HQ", defaults={"name": "客戶服務總部（模擬）"}
        )[0]
        sizes = level_sizes(self.staff, self.levels)
        team_count = sizes[2] if len(sizes) > 2 else 1
        names = [f"{b}{t}" for t in TEAMS for b in BRANCHES]
        departments = Department.objects.bulk_create(
            [
                Department(code=f"{PREFIX}-D{n:03d}", name=f"{names[n % len(names)]}（模擬{n + 1}）")
                for n in range(team_count)
            ]
        )
        User = get_user_model()
        password = make_password(PASSWORD)
        users = User.objects.bulk_create(
            [User(username=f"{PREFIX.lower()}{n:05d}", password=password) for n in range(1, self.staff + 1)],
            batch_size=2000,
        )
        surnames, given = (
            "陳李張黃何林吳劉蔡楊鄭梁謝郭曾羅馮鄧葉朱",
            "嘉欣志明淑儀偉強美玲家豪詠詩俊傑曉彤子健雅婷浩然",
        )
        made: list[StaffProfile] = []
        parents: list[StaffProfile] = []
        number = 0
        for level, size in enumerate(sizes):
            batch = []
            for i in range(size):
                parent = parents[i % len(parents)] if parents else None
                if level < 2:
                    department = head_office
                elif level == 2:
                    department = departments[i % len(departments)]
                else:
                    department = parent.department
                position = (
                    "MGR"
                    if level < 2
                    else "TL"
                    if level < self.levels - 1
                    else rng.choice(["SCSO", "CSO", "CSO", "CSA"])
                )
                name = rng.choice(surnames) + "".join(rng.sample(given, 2))
                batch.append(
                    StaffProfile(
                        user=users[number],
                        employee_number=f"{PREFIX}{number + 1:05d}",
                        display_name=name,
                        department=department,
                        position=positions[position],
                        supervisor=parent,
                        hire_date=self.today - datetime.timedelta(days=rng.randint(20, 365 * 20)),
                    )
                )
                number += 1
            parents = StaffProfile.objects.bulk_create(batch, batch_size=2000)
            made += parents
        rows = org_rebuild()
        staff_group, supervisor_group = Group.objects.get(name=STAFF), Group.objects.get(name=SUPERVISOR)
        through = User.groups.through
        with_reports = {p.supervisor_id for p in made if p.supervisor_id}
        through.objects.bulk_create(
            [through(user_id=p.user_id, group_id=staff_group.pk) for p in made]
            + [
                through(user_id=p.user_id, group_id=supervisor_group.pk) for p in made if p.pk in with_reports
            ],
            batch_size=5000,
        )
        self.log(
            f"{len(made)} staff in {len(sizes)} levels {sizes}, {len(departments)} teams, {rows} org paths"
        )
        return made

    # --- targets ---------------------------------------------------------------------------------------

    def course_pages(self) -> list[CoursePage]:
        index = CoursesIndexPage.objects.first()
        if index is None:
            index = ensure_site().add_child(instance=CoursesIndexPage(title="培訓課程", slug="courses"))
        have = list(CoursePage.objects.all())
        for n in range(len(have), self.courses):
            title, minutes, validity = TOPICS[n % len(TOPICS)]
            round_ = n // len(TOPICS)
            page = CoursePage(
                title=f"{title}（{2024 + round_}）" if round_ else title,
                slug=f"scale-course-{n + 1:03d}",
                summary=f"{title}：模擬課程，供效能測試使用。",
                estimated_minutes=minutes,
                validity_months=validity,
                duty_area=(n % 10) + 1,
            )
            index.add_child(instance=page)
            have.append(page)
        self.log(f"{len(have)} courses")
        return have[: self.courses]

    def acknowledgement_pages(self):
        pages = list(ProcedurePage.objects.live()) + list(RegulationUpdatePage.objects.live())
        versions = in_force_by_page([p.pk for p in pages], today=self.today)
        result = [(page, versions[page.pk]) for page in pages if page.pk in versions]
        self.log(f"{len(result)} procedures and regulation updates in force to acknowledge")
        return result

    # --- obligations, acknowledgements, attempts ------------------------------------------------------

    def _status(self, due: datetime.date) -> tuple[str, datetime.datetime | None]:
        rng, today = self.rng, self.today
        roll = rng.random()

        def at(day: datetime.date) -> datetime.datetime:
            moment = datetime.datetime.combine(day, datetime.time(rng.randint(8, 19), rng.randint(0, 59)))
            return min(timezone.make_aware(moment), self.now - datetime.timedelta(minutes=1))

        if roll < 0.02:
            return Status.WITHDRAWN, None
        if due >= today:  # not due yet
            if roll < 0.35:
                return Status.COMPLETED_ON_TIME, at(today - datetime.timedelta(days=rng.randint(0, 20)))
            return (Status.IN_PROGRESS if roll < 0.6 else Status.NOT_STARTED), None
        if roll < 0.80:
            return Status.COMPLETED_ON_TIME, at(due - datetime.timedelta(days=rng.randint(0, 25)))
        if roll < 0.91:
            late = min(due + datetime.timedelta(days=rng.randint(1, 40)), today)
            return Status.COMPLETED_LATE, at(late)
        if roll < 0.93:
            return Status.EXPIRED, at(due - datetime.timedelta(days=rng.randint(0, 25)))
        return Status.OVERDUE, None

    def duties(self, people, courses, acks) -> None:
        rng = self.rng
        per_person = max(1, self.obligations // max(1, len(people)))
        course_ct = ContentType.objects.get_for_model(CoursePage)
        ack_share = min(len(acks), per_person // 4)
        rows, ack_entries, ack_rows, reminders = [], [], [], []
        for person in people:
            picked_acks = rng.sample(acks, ack_share)
            picked_courses = [rng.choice(courses) for _n in range(per_person - ack_share)]
            seen_courses: dict[int, int] = defaultdict(int)
            for page, version in picked_acks:
                due = self.today + datetime.timedelta(days=rng.randint(-450, 60))
                status, completed = self._status(due)
                rows.append(self._obligation(person, page, version.number, "ack", status, due, completed))
                if completed:
                    on_time = timezone.localdate(completed) <= due
                    ack_entries.append(
                        {
                            "kind": RecordKind.ACKNOWLEDGEMENT,
                            "actor": person.user,
                            "subject_type": page._meta.label_lower,
                            "page_id": page.pk,
                            "revision_id": version.revision_id,
                            "title": f"{page.reference} {page.title}"[:255],
                            "outcome": Outcome.ACKNOWLEDGED,
                            "occurred_at": completed,
                            "data": {"version": version.label, "due": due.isoformat(), "on_time": on_time},
                        }
                    )
                    ack_rows.append(
                        Acknowledgement(
                            user_id=person.user_id,
                            page_id=page.pk,
                            version_number=version.number,
                            revision_id=version.revision_id,
                            acknowledged_at=completed,
                            due_date=due,
                            on_time=on_time,
                        )
                    )
            for course in picked_courses:
                seen_courses[course.pk] += 1
                due = self.today + datetime.timedelta(days=rng.randint(-450, 90))
                status, completed = self._status(due)
                ob = self._obligation(
                    person, course, seen_courses[course.pk], "course", status, due, completed
                )
                ob.target_type = course_ct
                if completed:
                    ob.score = Decimal(rng.randint(60, 100))
                rows.append(ob)
        for start in range(0, len(rows), 20000):
            Obligation.objects.bulk_create(rows[start : start + 20000])
        overdue = [ob for ob in rows if ob.status == Status.OVERDUE]
        for ob in overdue:
            for kind in (SentReminder.REMINDER_7, SentReminder.REMINDER_1, SentReminder.OVERDUE):
                reminders.append(SentReminder(obligation=ob, kind=kind, due_date=ob.due_date))
        reminders = SentReminder.objects.bulk_create(reminders, batch_size=5000)
        offsets = {SentReminder.REMINDER_7: -7, SentReminder.REMINDER_1: -1, SentReminder.OVERDUE: 1}
        for reminder in reminders:  # sent_at is auto_now_add: set when each would have gone out
            day = reminder.due_date + datetime.timedelta(days=offsets[reminder.kind])
            sent = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8)))
            reminder.sent_at = min(sent, self.now)
        SentReminder.objects.bulk_update(reminders, ["sent_at"], batch_size=2000)
        SentReminder.objects.filter(
            obligation__person__employee_number__startswith=PREFIX
        )  # (sent_at is auto)
        self.log(f"{len(rows)} obligations, {len(reminders)} reminders sent")
        ack_entries.sort(key=lambda e: e["occurred_at"])
        ack_rows.sort(key=lambda a: a.acknowledged_at)
        for start in range(0, len(ack_entries), 20000):
            records = records_append_bulk(ack_entries[start : start + 20000])
            chunk = ack_rows[start : start + 20000]
            for row, record in zip(chunk, records, strict=True):
                row.record_id = record.pk
            Acknowledgement.objects.bulk_create(chunk, batch_size=5000)
        self.log(f"{len(ack_entries)} acknowledgements with their ledger records")

    def _obligation(self, person, target, cycle, kind, status, due, completed) -> Obligation:
        key = (
            ("kb.procedure" if isinstance(target, ProcedurePage) else "kb.regulation")
            if kind == "ack"
            else ("courses.course")
        )
        return Obligation(
            person=person,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            target_key=key,
            title=(f"{target.reference} {target.title}" if kind == "ack" else target.title)[:255],
            cycle=cycle,
            source=Source.AUDIENCE if kind == "ack" else Source.RULE,
            source_key="audience" if kind == "ack" else f"scale:{target.pk}",
            status=status,
            due_date=due,
            assigned_at=min(
                timezone.make_aware(
                    datetime.datetime.combine(due - datetime.timedelta(days=30), datetime.time(9))
                ),
                self.now - datetime.timedelta(days=1),
            ),
            started_at=completed,
            completed_at=completed if status != Status.WITHDRAWN else None,
            withdrawn_at=self.now if status == Status.WITHDRAWN else None,
            withdrawn_reason="模擬：調職" if status == Status.WITHDRAWN else "",
        )

    def attempts(self, people) -> None:
        rng = self.rng
        quizzes = list(Quiz.objects.all())
        if not quizzes:
            self.log("no quizzes: no attempts")
            return
        versions_of = {}
        for quiz in quizzes:
            versions = [
                item.question.versions.order_by("-number").first()
                for item in QuizItem.objects.filter(quiz=quiz, question__isnull=False).select_related(
                    "question"
                )
            ]
            versions_of[quiz.pk] = [v for v in versions if v is not None]
        attempts, numbers = [], defaultdict(int)
        for person in people:
            for _n in range(self.attempts_per_person):
                quiz = rng.choice(quizzes)
                numbers[(quiz.pk, person.user_id)] += 1
                graded = self.now - datetime.timedelta(days=rng.randint(0, 450), minutes=rng.randint(1, 600))
                score = Decimal(max(20, min(100, round(rng.gauss(78, 13)))))
                attempts.append(
                    Attempt(
                        quiz=quiz,
                        user_id=person.user_id,
                        number=numbers[(quiz.pk, person.user_id)],
                        state=AttemptState.GRADED,
                        rules={"title": quiz.title, "quiz_version": quiz.version},
                        started_at=graded - datetime.timedelta(minutes=rng.randint(5, 30)),
                        submitted_at=graded,
                        graded_at=graded,
                        points=score,
                        max_points=Decimal(100),
                        score=score,
                        passed=score >= quiz.pass_mark,
                    )
                )
        users = {p.user_id: p.user for p in people}
        attempts.sort(key=lambda a: a.graded_at)
        for start in range(0, len(attempts), 20000):
            chunk = Attempt.objects.bulk_create(attempts[start : start + 20000])
            records = records_append_bulk(
                [
                    {
                        "kind": RecordKind.QUIZ_ATTEMPT,
                        "actor": users[a.user_id],
                        "subject_type": "quizzes.quiz",
                        "title": a.quiz.title[:255],
                        "outcome": Outcome.PASSED if a.passed else Outcome.FAILED,
                        "score": a.score,
                        "occurred_at": a.graded_at,
                        "data": {
                            "quiz_id": a.quiz_id,
                            "quiz_version": a.quiz.version,
                            "attempt_id": a.pk,
                            "number": a.number,
                            "synthetic": True,
                        },
                    }
                    for a in chunk
                ]
            )
            for attempt, record in zip(chunk, records, strict=True):
                attempt.record_id = record.pk
            Attempt.objects.bulk_update(chunk, ["record"], batch_size=2000)
            slots = []
            for attempt in chunk:
                if attempt.number != 1:
                    continue
                for position, version in enumerate(versions_of[attempt.quiz_id][:8], start=1):
                    right = rng.random() < float(attempt.score) / 100
                    slots.append(
                        AttemptSlot(
                            attempt=attempt,
                            position=position,
                            version=version,
                            points=Decimal(1),
                            fraction=Decimal(1 if right else 0),
                        )
                    )
            AttemptSlot.objects.bulk_create(slots, batch_size=5000)
        self.log(f"{len(attempts)} graded quiz attempts with their ledger records")

    def run(self) -> None:
        if StaffProfile.objects.filter(employee_number=f"{PREFIX}00001").exists():
            raise ValueError("The synthetic bank is already here (employee SB00001); use a fresh database.")
        courses = self.course_pages()
        acks = self.acknowledgement_pages()
        with transaction.atomic():
            people = self.people()
        with transaction.atomic():
            self.duties(people, courses, acks)
        with transaction.atomic():
            self.attempts(people)
