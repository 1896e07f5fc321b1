"""URLs of the aid-list pages (资助名单), mounted at /aid/."""

from django.urls import path

from subsidies.views import aid, aid_actions, funds, loans, omissions

app_name = "aid"

urlpatterns = [
    path("", aid.aid_index, name="index"),
    path("compute/", aid_actions.aid_compute, name="compute"),
    path("list/", aid.aid_list, name="list"),
    path("entitlement/<int:pk>/", aid_actions.entitlement_detail, name="entitlement"),
    path("entitlement/<int:pk>/withdraw/", aid_actions.override_withdraw, name="withdraw"),
    path("add/", aid_actions.override_add, name="add"),
    path("approve/", aid_actions.aid_approve, name="approve"),
    path("unaided/", omissions.unaided, name="unaided"),
    path("loans/", loans.loans, name="loans"),
    path("loans/must-lend/", loans.must_lend, name="must_lend"),
    path("loans/<int:pk>/", loans.loan_detail, name="loan"),
    path("loans/<int:pk>/print/", loans.loan_print, name="loan_print"),
    path("funds/", funds.funds_report, name="funds"),
]
