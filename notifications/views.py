from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from .services import mark_all_read


def notification_list(request):
    notifications = request.user.notifications.all()
    page_obj = Paginator(notifications, 30).get_page(request.GET.get("page"))
    unread_ids = {n.pk for n in page_obj.object_list if n.read_at is None}
    mark_all_read(request.user)
    context = {"page_obj": page_obj, "notifications": page_obj.object_list, "unread_ids": unread_ids}
    return TemplateResponse(request, "notifications/list.html", context)
