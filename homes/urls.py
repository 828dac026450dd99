from django.urls import path

from homes import views

urlpatterns = [
    path("", views.home, name="home"),
]
