"""Signals other apps listen to (people never imports them: assignments reacts here)."""

from django.dispatch import Signal

# Sent inside the saving transaction after a person is created or changed (department, position, supervisor,
# hire date, active flag — any save, and every supervisor move). Arguments: profile (StaffProfile), created.
staff_changed = Signal()

# Sent inside the transaction of a bulk write that bypassed save() (the HR import). Arguments: profile_ids.
staff_changed_many = Signal()
