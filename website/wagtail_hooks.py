"""Admin registrations for the site package's own models (the people apps keep their screens in viewsets.py)."""

from wagtail.snippets.models import register_snippet

from website.people.viewsets import PeopleViewSetGroup

register_snippet(PeopleViewSetGroup)
