from django.urls import path

from subsidies import public_views

urlpatterns = [
    path("<str:token>/", public_views.public_notice, name="public_notice"),
]
