"""Users, their role and scope, and the access log, in the back office; the admin site's hooks."""

from __future__ import annotations

from types import MethodType
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset
from aidsite.admin_index import grouped_app_list, index_with_panels
from aidsite.models import AccessLog, StaffProfile
from aidsite.scoped_admin import ScopedAdminMixin, ScopedModelAdmin

User = get_user_model()


@admin.register(StaffProfile)
class StaffProfileAdmin(ScopedModelAdmin):
    list_display = ("user", "role", "township", "school")
    list_filter = ("role", "township")
    list_select_related = ("user", "township", "school")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user", "township", "school")


@admin.register(AccessLog)
class AccessLogAdmin(ScopedModelAdmin):
    """Append-only: nobody adds, changes or deletes entries here, the county admin included."""

    list_display = ("at", "user", "action", "what", "row_count")
    list_filter = ("action",)
    list_select_related = ("user",)
    search_fields = ("user__username", "what")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StaffProfileInline(ScopedAdminMixin, admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fk_name = "user"
    verbose_name = _("角色与范围")
    verbose_name_plural = _("角色与范围")


if admin.site.is_registered(User):
    admin.site.unregister(User)


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django's form, with the one help text its Chinese catalogue leaves in English."""

    usable_password_help_text = _(
        "是否允许此用户以密码登录。选择“禁用”后，此用户当前的密码将失效。"
    )


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    change_password_form = PasswordChangeForm
    list_display = ("username", "last_name", "first_name", "role", "is_active", "last_login")
    list_filter = ("is_active", "staff_profile__role", "groups")
    list_select_related = ("staff_profile",)
    inlines = (StaffProfileInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        readonly = list(super().get_readonly_fields(request, obj))
        # Only a superuser hands out superuser status or single permissions; roles are groups.
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    @admin.display(description=_("角色"), ordering="staff_profile__role")
    def role(self, obj: Any) -> str:
        profile = getattr(obj, "staff_profile", None)
        return str(profile.get_role_display()) if profile else "—"


# --- "view on site" ------------------------------------------------------------------------


def _scoped_shortcut(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """Django's `/admin/r/<content type>/<pk>/`, for objects in the user's scope only.

    Django's own view answers 500 for a malformed key of a UUID-keyed model (it lets the
    ValidationError through) and redirects to any object, in scope or not.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None:
        raise Http404
    model_admin = admin.site._registry.get(model)
    if model_admin is not None:
        if not model_admin.has_view_or_change_permission(request):
            raise Http404
        queryset = model_admin.get_queryset(request)
    else:
        queryset = scope_queryset(request.user, model._default_manager.all())
    try:
        found = queryset.filter(pk=object_id).exists()
    except (ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    if not found:
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)


def _scoped_site_urls(self: admin.AdminSite) -> list[Any]:
    urls = admin.AdminSite.get_urls(self)
    return [
        path(str(url.pattern), self.admin_view(_scoped_shortcut), name=url.name)
        if isinstance(url, URLPattern) and url.name == "view_on_site"
        else url
        for url in urls
    ]


# --- autocomplete -------------------------------------------------------------------------


class PostedAutocompleteJsonView(AutocompleteJsonView):
    """Django's autocomplete, answering a POST as well: the project's admin/js/autocomplete.js
    posts what is typed into a picker, so an ID number looked up there is in no URL (D4)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.GET = request.POST
        return self.get(request, *args, **kwargs)


def _posted_autocomplete_view(self: admin.AdminSite, request: HttpRequest) -> HttpResponse:
    return PostedAutocompleteJsonView.as_view(admin_site=self)(request)


# The default site stays the default site (every app registers on it); only its index is
# regrouped (with the panels apps register), its "view on site" shortcut scoped and its
# autocomplete also taken by POST.
admin.site.get_app_list = MethodType(grouped_app_list, admin.site)  # type: ignore[method-assign]
admin.site.index = MethodType(index_with_panels, admin.site)  # type: ignore[method-assign]
admin.site.get_urls = MethodType(_scoped_site_urls, admin.site)  # type: ignore[method-assign]
admin.site.autocomplete_view = MethodType(_posted_autocomplete_view, admin.site)  # type: ignore[method-assign]
