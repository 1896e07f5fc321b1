"""URLs of the ledger pages, mounted at /ledgers/."""

from django.urls import path

from subsidies.views import ledgers as views

app_name = "ledgers"

urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("prepare/", views.batch_prepare, name="prepare"),
    path("batch/<int:pk>/", views.batch_detail, name="batch"),
    path("batch/<int:pk>/approve/", views.batch_approve, name="approve"),
    path("batch/<int:pk>/discard/", views.batch_discard, name="discard"),
    path("batch/<int:pk>/bank/", views.bank_upload, name="bank_upload"),
    path("entry/<int:pk>/reverse/", views.entry_reverse, name="reverse"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("funds/", views.funds, name="funds"),
    path("funds/<int:year>/village/<int:pk>/", views.funds_village, name="funds_village"),
    path("funds/<int:year>/household/<int:pk>/", views.funds_household, name="funds_household"),
]
