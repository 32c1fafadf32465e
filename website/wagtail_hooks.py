"""Admin registrations for the site package's own models (screens are defined in people/viewsets.py)."""

from wagtail.snippets.models import register_snippet

from website.people.viewsets import PeopleViewSetGroup

register_snippet(PeopleViewSetGroup)
