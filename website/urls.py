from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.views import serve as wagtail_serve

from assignments.feeds import due_dates_calendar
from dashboards import views as people_views
from notifications import views as notification_views
from website.search import views as search_views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("team/", people_views.TeamView.as_view(), name="team"),
    path("people/<id:pk>/", people_views.ProfileView.as_view(), name="profile"),
    path("people/<id:pk>/assign/", people_views.assign_training, name="assign_training"),
    path("me/", people_views.MyProfileView.as_view(), name="my_profile"),
    path("me/feed-token/", people_views.regenerate_feed_token, name="regenerate_feed_token"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/preference/", notification_views.preference_update, name="notification_preference"),
    path(
        "feeds/due-dates/<str:token>/calendar.ics",
        login_not_required(due_dates_calendar),
        name="due_dates_calendar",
    ),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("", include("quizzes.urls")),
    path("", include("kb.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", wagtail_serve, {"path": ""}, name="home"),
    path("", include(wagtail_urls)),
]
