"""The directors' portal, mounted under /portal/ (aidsite/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html",
            redirect_authenticated_user=True,
            next_page="campaigns:home",
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="campaigns:login"), name="logout"),
    path("", views.home, name="home"),
    path("coverage/", views.coverage, name="coverage"),
    path("schools/<int:pk>/", views.school_home, name="school"),
    path("schools/<int:pk>/activities/", views.activities, name="activities"),
    path("schools/<int:pk>/activities/new/", views.activity_new, name="activity_new"),
    path("schools/<int:pk>/cards/", views.cards, name="cards"),
    path("schools/<int:pk>/cards/print/", views.cards_print, name="cards_print"),
    path("schools/<int:pk>/cards/<int:household_pk>/", views.card_tick, name="card_tick"),
    path("schools/<int:pk>/summary/", views.term_summary, name="term_summary"),
    path("schools/<int:pk>/summary.pdf", views.term_summary_pdf, name="term_summary_pdf"),
    path("children/<int:pk>/", views.child, name="child"),
    path("children/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/close/", views.visit_close, name="visit_close"),
    path("visits/<int:pk>/record.pdf", views.visit_pdf, name="visit_pdf"),
    path("photos/<str:kind>/<int:pk>/", views.photo, name="photo"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/report/", views.campaign_report_start, name="campaign_report_start"),
    path(
        "campaigns/<int:pk>/schools/<int:school_pk>/summary/",
        views.summary_edit,
        name="summary_edit",
    ),
    path("mentoring/", views.mentoring_list, name="mentoring"),
    path("mentoring/<int:pk>/", views.mentoring_detail, name="mentoring_detail"),
    path("mentoring/ledger.xlsx", views.mentoring_ledger_xlsx, name="mentoring_ledger"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
