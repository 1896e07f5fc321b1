from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from aidsite import views

admin.site.site_header = "乡镇教育资助管理系统"
admin.site.site_title = "教育资助管理"
admin.site.index_title = "工作台"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("exports/", views.export_centre, name="export_centre"),
    path("exports/start/<slug:kind>/", views.export_start, name="export_start"),
    path("exports/<int:pk>/row/", views.export_job_row, name="export_job_row"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("aid/applications/", include("subsidies.urls.applications")),
    path("aid/", include("subsidies.urls.aid")),
    path("ledgers/", include("subsidies.urls.ledgers")),
    path("donors/", include("subsidies.urls.donors")),
    path("notices/", include("subsidies.urls.notices")),
    path("policies/", include("subsidies.urls.policies")),
    path("lists/", include("students.external_pages")),
    path("dropouts/", include("students.dropout_urls")),
    path("admin/", admin.site.urls),
    path("portal/", include("campaigns.urls")),
    # The public notice page (公示), anonymous during its period only (SECURITY A1, D3).
    path("gongshi/", include("subsidies.urls.public")),
]

# Chinese error pages in the look of the area (aidsite/errors.py).
handler400 = "aidsite.errors.bad_request"
handler403 = "aidsite.errors.permission_denied"
handler404 = "aidsite.errors.page_not_found"
handler500 = "aidsite.errors.server_error"
