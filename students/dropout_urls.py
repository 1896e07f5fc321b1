"""URLs of the 控辍保学 pages, mounted at /dropouts/."""

from django.urls import path

from students import dropout_views as views
from students import two_after_views

app_name = "dropouts"

urlpatterns = [
    path("", views.dropout_index, name="index"),
    path("child/<int:pk>/", views.dropout_case, name="case"),
    path("child/<int:pk>/contact/", views.dropout_contact, name="contact"),
    path("child/<int:pk>/close/", views.dropout_close, name="close"),
    path("two-after/", two_after_views.two_after_index, name="two_after"),
    path("two-after/<int:pk>/", two_after_views.two_after_student, name="two_after_student"),
    path("two-after/<int:pk>/offer/", two_after_views.two_after_offer, name="two_after_offer"),
]
