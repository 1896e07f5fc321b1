"""URLs of the donor pages, mounted at /donors/."""

from django.urls import path

from subsidies.views import donors as views

app_name = "donors"

urlpatterns = [
    path("pairings/new/", views.pairing_new, name="pairing_new"),
    path("batches/prepare/", views.donation_batch_prepare, name="batch_prepare"),
]
