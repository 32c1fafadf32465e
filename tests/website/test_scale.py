"""generate_scale_data on a small bank: the org has its levels, obligations their statuses, and the ledger
records it appends chain and agree with their derived rows."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assignments.models import Obligation, Status
from ledger.verification import ledger_verify
from people.models import OrgPath, StaffProfile
from quizzes.models import Attempt, Quiz
from website.demo import ensure_site
from website.scale import level_sizes

pytestmark = pytest.mark.django_db


def test_level_sizes():
    assert level_sizes(5000, 6) == [1, 10, 50, 250, 1000, 3689]
    assert sum(level_sizes(300, 6)) == 300


def test_small_bank(settings):
    settings.DEMO_DATA_ALLOWED = True
    ensure_site()
    Quiz.objects.create(title="反洗錢測驗")
    call_command("generate_scale_data", "--no-demo", staff=120, courses=5, obligations=1200, attempts=2)
    staff = StaffProfile.objects.filter(employee_number__startswith="SB")
    assert staff.count() == 120
    assert staff.filter(supervisor__isnull=True).count() == 1
    head = staff.get(supervisor__isnull=True)
    assert OrgPath.objects.filter(ancestor=head, depth__gte=1).count() == 119
    statuses = set(Obligation.objects.values_list("status", flat=True))
    assert {Status.COMPLETED_ON_TIME, Status.OVERDUE, Status.NOT_STARTED} <= statuses
    assert Obligation.objects.count() == 1200
    assert Attempt.objects.filter(record__isnull=False).count() == 240
    assert ledger_verify().ok
    with pytest.raises(CommandError):
        call_command("generate_scale_data", "--no-demo", staff=10)
