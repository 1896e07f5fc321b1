"""URLs of the policy pages (开设学年), mounted at /policies/."""

from django.urls import path

from subsidies.views import policies as views

app_name = "policies"

urlpatterns = [
    path("open-year/", views.open_year, name="open_year"),
]
