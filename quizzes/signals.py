"""Signals the layers above listen to (quizzes never imports them: kb and courses react here)."""

from django.dispatch import Signal

# Sent synchronously INSIDE the grading transaction, after the attempt and its ledger record are saved.
# Arguments: attempt (a graded Attempt: passed, score, for_page_id). A receiver may write its own records
# (e.g. kb acknowledges the page the quiz was taken for); if it raises, the grading rolls back with it.
attempt_graded = Signal()
