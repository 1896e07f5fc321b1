"""URLs of the notice pages (公示), mounted at /notices/."""

from django.urls import path

from subsidies.views import notices as views

app_name = "notices"

urlpatterns = [
    path("", views.notice_index, name="index"),
    path("new/", views.notice_new, name="new"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
]
