"""URLs of the 控辍保学 pages, mounted at /dropouts/."""

from django.urls import path

from students import dropout_views as views

app_name = "dropouts"

urlpatterns = [
    path("", views.dropout_index, name="index"),
    path("child/<int:pk>/", views.dropout_case, name="case"),
    path("child/<int:pk>/contact/", views.dropout_contact, name="contact"),
    path("child/<int:pk>/close/", views.dropout_close, name="close"),
]
