from django.urls import path

from content import views

urlpatterns = [
    path("", views.library, name="content-library"),
    path("<int:pk>/", views.item_detail, name="content-detail"),
    path("check/", views.check_draft, name="content-check"),
]
