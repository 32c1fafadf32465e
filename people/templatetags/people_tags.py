from django import template

register = template.Library()


@register.filter
def person_name(user) -> str:
    """A user's staff name, else their username, else an em dash (for deleted users)."""
    if user is None:
        return "—"
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()
