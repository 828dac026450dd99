from django.urls import path

from scheduler import views, views_insights

urlpatterns = [
    path("", views.calendar_week, name="scheduler-week"),
    path("team/", views.calendar_team, name="scheduler-team"),
    path("today/", views.today, name="scheduler-today"),
    path("insights/", views_insights.insights_page, name="scheduler-insights"),
    path("plan/", views.plan_persona_week, name="scheduler-plan"),
    path("team/approve-week/", views.approve_week, name="scheduler-approve-week"),
    path("posts/new/", views.post_create_page, name="scheduler-post-create"),
    path("posts/<int:pk>/move/", views.post_move_page, name="scheduler-post-move"),
    path("posts/<int:pk>/edit/", views.post_edit_page, name="scheduler-post-edit"),
    path("posts/<int:pk>/<slug:action>/", views.post_action, name="scheduler-post-action"),
]
