from django.urls import path

from scheduler import views

urlpatterns = [
    path("", views.calendar_week, name="scheduler-week"),
    path("team/", views.calendar_team, name="scheduler-team"),
    path("today/", views.today, name="scheduler-today"),
    path("plan/", views.plan_persona_week, name="scheduler-plan"),
    path("team/approve-week/", views.approve_week, name="scheduler-approve-week"),
    path("posts/<int:pk>/<slug:action>/", views.post_action, name="scheduler-post-action"),
]
