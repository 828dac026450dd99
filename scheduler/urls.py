from django.urls import path

from scheduler.views import calendar, insights, posts

urlpatterns = [
    path("", calendar.calendar_week, name="scheduler-week"),
    path("team/", calendar.calendar_team, name="scheduler-team"),
    path("today/", calendar.today, name="scheduler-today"),
    path("insights/", insights.insights_page, name="scheduler-insights"),
    path("plan/", posts.plan_persona_week, name="scheduler-plan"),
    path("team/approve-week/", posts.approve_week, name="scheduler-approve-week"),
    path("posts/new/", posts.post_create_page, name="scheduler-post-create"),
    path("posts/<int:pk>/move/", posts.post_move_page, name="scheduler-post-move"),
    path("posts/<int:pk>/edit/", posts.post_edit_page, name="scheduler-post-edit"),
    path("posts/<int:pk>/<slug:action>/", posts.post_action, name="scheduler-post-action"),
]
