"""Background jobs: close an attempt the person abandoned, once its deadline and grace have passed."""

from __future__ import annotations

from django_tasks import task


@task()
def close_overdue_attempt(attempt_id: int) -> str:
    from .models import Attempt
    from .services import attempt_close_if_overdue

    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        return "missing"
    return "closed" if attempt_close_if_overdue(attempt) else "nothing to do"
