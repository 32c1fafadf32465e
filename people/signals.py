"""Signals other apps listen to (people never imports them: assignments reacts here)."""

from django.dispatch import Signal

# Sent inside the saving transaction after a person is created or changed (department, position, supervisor,
# hire date, active flag — any save, and every supervisor move). Arguments: profile (StaffProfile), created.
staff_changed = Signal()

# Sent inside the HR import's write transaction, once, after its bulk writes (which send no save signals).
# Arguments: profile_ids (the people created or changed by the import).
staff_changed_many = Signal()
