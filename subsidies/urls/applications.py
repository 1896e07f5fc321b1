"""URLs of the application pages (资助申请), mounted at /aid/applications/."""

from django.urls import path

from subsidies.views import application_review as review
from subsidies.views import applications as views

app_name = "applications"

urlpatterns = [
    path("", views.application_index, name="index"),
    path("new/", views.application_new, name="new"),
    path("<int:pk>/", review.application_detail, name="detail"),
    path("<int:pk>/check/", review.application_check_view, name="check"),
    path("<int:pk>/decide/", review.application_decide_view, name="decide"),
    path("<int:pk>/evidence/", review.application_evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", review.evidence_file, name="evidence"),
]
