"""A failed email is retried after 1, 4, 16 and 64 minutes, then marked failed (issue 15 item 5).

The tasks go through django-tasks' DATABASE backend (the one `make run` uses with `manage.py db_worker`), so
each retry is a stored task whose ``run_after`` can be read; the worker that runs them is db_worker's own
``Worker`` in batch mode (it runs what is due, then stops). The tests settings' immediate backend cannot
defer, which is how "a failed email is never re-queued" once survived.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from notifications.models import EmailDelivery
from notifications.services import notify
from notifications.tasks import deliver_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections like in life


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("421 mail.bank.example: service not available")


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.notifications.test_retry_schedule.RefusingBackend"
    return settings


def run_worker() -> None:
    """One pass of `manage.py db_worker --batch`: run every task that is due, then return."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def waiting() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status="READY", task_path=deliver_email.module_path))


def test_a_refused_email_is_retried_after_1_4_16_64_minutes_then_failed(database_tasks):
    user = UserFactory(username="amy", email="amy@bank.example")
    notify([user], title="新版程序待確認", body="請閱讀 SOP-CS-003 第 2 版。", url="/kb/sop-cs-003/")
    delivery = EmailDelivery.objects.get(to_address="amy@bank.example")
    [first] = waiting()  # queued on commit, to run at once
    assert first.args_kwargs["args"] == [delivery.pk]

    for attempt, minutes in enumerate([1, 4, 16, 64], start=1):
        before = timezone.now()
        run_worker()
        after = timezone.now()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (EmailDelivery.PENDING, attempt)
        assert "ConnectionRefusedError" in delivery.last_error
        [retry] = waiting()
        assert retry.args_kwargs["args"] == [delivery.pk]
        delay = datetime.timedelta(minutes=minutes)
        assert before + delay <= retry.run_after <= after + delay, (attempt, retry.run_after - before)

        run_worker()  # not due yet: the worker leaves it alone
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert [task.pk for task in waiting()] == [retry.pk]

        # the wait passes
        DBTaskResult.objects.filter(pk=retry.pk).update(
            run_after=timezone.now() - datetime.timedelta(seconds=1)
        )

    run_worker()  # the fifth try
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (EmailDelivery.FAILED, EmailDelivery.MAX_ATTEMPTS)
    assert waiting() == []  # failed for good: nothing more is queued
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == EmailDelivery.MAX_ATTEMPTS


def test_a_sent_email_is_not_retried(database_tasks):
    database_tasks.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(username="ben", email="ben@bank.example")
    notify([user], title="新規例通知", body="金管局樣本通告。", url="/kb/")
    run_worker()
    delivery = EmailDelivery.objects.get(to_address="ben@bank.example")
    assert (delivery.status, delivery.attempts) == (EmailDelivery.SENT, 1)
    assert waiting() == []
