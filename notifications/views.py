from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import EmailPreference
from .services import mark_all_read, preference_set, preferences_of


def notification_list(request):
    notifications = request.user.notifications.all()
    page_obj = Paginator(notifications, 30).get_page(request.GET.get("page"))
    unread_ids = {n.pk for n in page_obj.object_list if n.read_at is None}
    mark_all_read(request.user)
    context = {
        "page_obj": page_obj,
        "notifications": page_obj.object_list,
        "unread_ids": unread_ids,
        "email_choices": EmailPreference.choices,
        "email_preference": preferences_of([request.user])[request.user.pk],
    }
    return TemplateResponse(request, "notifications/list.html", context)


@require_POST
def preference_update(request):
    choice = request.POST.get("email", "")
    if choice not in EmailPreference.values:
        messages.error(request, _("Choose how you want to receive emails."))
        return redirect("notifications")
    preference_set(request.user, choice)
    messages.success(request, _("Your email preference has been saved."))
    return redirect("notifications")
