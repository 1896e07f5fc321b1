from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "乡镇教育资助管理系统"
admin.site.site_title = "教育资助管理"
admin.site.index_title = "工作台"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
