"""Signals other apps listen to (people never imports them: assignments reacts here)."""

from django.dispatch import Signal

# Sent inside the saving transaction after a person is created or changed (department, position, supervisor,
# hire date, active flag — any save, and every supervisor move), and when one person's groups change (people.
# signal_handlers). Arguments: profile (StaffProfile), created.
staff_changed = Signal()

# Sent inside the transaction of a bulk write that bypassed save() (the HR import), and when a group's members
# change (group.user_set). Arguments: profile_ids.
staff_changed_many = Signal()
