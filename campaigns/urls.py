"""The directors' portal, mounted under /portal/ (aidsite/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from campaigns.views import campaigns, jobs, mentoring, policy_cards, schools, visits

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
    path("", schools.home, name="home"),
    path("coverage/", schools.coverage, name="coverage"),
    path("schools/<int:pk>/", schools.school_home, name="school"),
    path("schools/<int:pk>/activities/", campaigns.activities, name="activities"),
    path("schools/<int:pk>/activities/new/", campaigns.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", campaigns.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/undo/", campaigns.activity_undo_view, name="activity_undo"),
    path("schools/<int:pk>/cards/", policy_cards.cards, name="cards"),
    path("schools/<int:pk>/cards/print/", policy_cards.cards_print, name="cards_print"),
    path("schools/<int:pk>/cards/<int:household_pk>/", policy_cards.card_tick, name="card_tick"),
    path(
        "schools/<int:pk>/cards/<int:household_pk>/undo/",
        policy_cards.card_undo,
        name="card_undo",
    ),
    path("schools/<int:pk>/summary/", schools.term_summary, name="term_summary"),
    path("schools/<int:pk>/summary.pdf", schools.term_summary_pdf, name="term_summary_pdf"),
    path("children/<int:pk>/", schools.child, name="child"),
    path("children/<int:pk>/visit/", visits.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("visits/<int:pk>/close/", visits.visit_close, name="visit_close"),
    path("visits/<int:pk>/edit/", visits.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/undo/", visits.visit_undo_view, name="visit_undo"),
    path("visits/<int:pk>/record.pdf", visits.visit_pdf, name="visit_pdf"),
    path("photos/<str:kind>/<int:pk>/", visits.photo, name="photo"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/report/", campaigns.campaign_report_start, name="campaign_report_start"),
    path(
        "campaigns/<int:pk>/schools/<int:school_pk>/summary/",
        campaigns.summary_edit,
        name="summary_edit",
    ),
    path("mentoring/", mentoring.mentoring_list, name="mentoring"),
    path("mentoring/<int:pk>/", mentoring.mentoring_detail, name="mentoring_detail"),
    path("mentoring/ledger.xlsx", mentoring.mentoring_ledger_xlsx, name="mentoring_ledger"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job_download"),
]
