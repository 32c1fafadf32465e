"""Admin registrations for the site package's own models (screens are defined in people/viewsets.py)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from website.people.viewsets import PeopleViewSetGroup

register_snippet(PeopleViewSetGroup)


@hooks.register("before_delete_user")
def keep_staff_logins(request, user):
    """A member of staff is deactivated, never deleted: their evidence must stay attributable."""
    from website.people.models import StaffProfile

    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    messages.error(
        request,
        _("%(name)s is a member of staff: mark them inactive in People → Staff instead. Their records stay.")
        % {"name": profile.display_name},
    )
    return redirect("wagtailsnippets_people_staffprofile:edit", profile.pk)
