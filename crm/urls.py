import os

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crm import views

urlpatterns = [
    path("", include("homes.urls")),
    path("healthz", views.healthz, name="healthz"),
    # Browsers and crawlers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("team/", views.team_mine, name="team-mine"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("contacts/", include("contacts.urls")),
    path("content/", include("content.urls")),
    path("schedule/", include("scheduler.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("crm.api.urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG or os.environ.get("BENCH_FLOOR") == "1":
    # The web benchmark's framework floor: a view that does nothing (crm/bench_views.py).
    from crm.bench_views import bench_floor

    urlpatterns.append(path("bench-floor", bench_floor, name="bench-floor"))

if settings.DEBUG:
    # Uploaded images in the demo; production serves MEDIA_ROOT from the web server.
    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
