"""Signals other layers listen to (kb never imports them: courses and notifications react here)."""

from django.dispatch import Signal

# Sent after a regulation update's version is committed. Arguments: page (RegulationUpdatePage), version.
regulation_published = Signal()
