"""The obligation table, filled from today's data, shows exactly the acknowledgements that kb's computation
shows (issue #13: compared over the whole demo before kb's pages were switched to the table)."""

import pytest
from django.core.management import call_command

from kb.selectors import acknowledgement_rows
from kb.selectors.owed import owed_rows
from people.models import StaffProfile
from website.demo import load_all


def _key(row):
    return (row.person.pk, row.page.pk, row.version.number)


@pytest.mark.slow
def test_obligation_table_matches_the_old_computation_over_the_demo(db):
    load_all()
    call_command("materialise_obligations")  # what an existing site runs once after migrating
    staff = list(StaffProfile.objects.filter(is_active=True).select_related("department", "position"))
    old = {_key(row): (row.due_date, row.status) for row in acknowledgement_rows(staff)}
    new = {_key(row): (row.due_date, row.status) for row in owed_rows()}
    assert len(old) > 500
    assert {status for _due, status in old.values()} == {"done", "late", "overdue", "pending"}
    assert new == old
