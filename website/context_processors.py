from website.navigation import nav_for


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    return {
        "nav_items": nav_for(request),
        "can_access_admin": request.user.has_perm("wagtailadmin.access_admin"),
    }
