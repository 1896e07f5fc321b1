"""URLs of the aid-list pages (资助名单), mounted at /aid/."""

from django.urls import path

from subsidies.views import aid as views

app_name = "aid"

urlpatterns = [
    path("", views.aid_index, name="index"),
    path("compute/", views.aid_compute, name="compute"),
    path("list/", views.aid_list, name="list"),
    path("entitlement/<int:pk>/", views.entitlement_detail, name="entitlement"),
    path("entitlement/<int:pk>/withdraw/", views.override_withdraw, name="withdraw"),
    path("add/", views.override_add, name="add"),
    path("approve/", views.aid_approve, name="approve"),
]
