from django.urls import path

from subsidies.views import public as public_views

urlpatterns = [
    path("<str:token>/", public_views.public_notice, name="public_notice"),
]
