from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from cityhall.core.errors import DomainError

from .models import ApiToken, Membership, Organisation, User, VerifiedIdentity
from .services import issue_enrolment_code, note_identity_read


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "kind", "email", "phone", "is_active")
    list_filter = ("kind", "is_active", "is_superuser")
    search_fields = ("username", "last_name", "first_name", "email", "phone")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("City hall"), {"fields": ("kind", "middle_name", "phone", "preferred_language")}),
    )
    inlines = [MembershipInline]
    actions = ["issue_enrolment_code"]

    @admin.action(description=_("Issue an authenticator enrolment code"))
    def issue_enrolment_code(self, request, queryset):
        for user in queryset[:20]:
            try:
                code = issue_enrolment_code(actor=request.user, user=user)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                return
            self.message_user(
                request,
                _("Enrolment code for %(person)s: %(code)s (once, for 24 hours).")
                % {"person": user.username, "code": code},
                messages.WARNING,
            )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "parent", "inn", "is_active")
    list_filter = ("type", "is_active")
    search_fields = ("name", "short_name", "inn")
    autocomplete_fields = ("parent", "head")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators list everyone's tokens and revoke them (audited, ``tokens.revoke``)."""

    list_display = (
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        from .tokens import revoke_api_token

        for token in queryset:
            revoke_api_token(actor=request.user, token=token)
        self.message_user(request, _("The tokens are revoked."))


@admin.register(VerifiedIdentity)
class VerifiedIdentityAdmin(admin.ModelAdmin):
    # The document is shown only on one identity's page, where each read is audited.
    list_display = ("user", "method", "last_name", "first_name", "verified_at")
    list_filter = ("method",)
    search_fields = ("last_name", "first_name", "user__username")
    readonly_fields = [f.name for f in VerifiedIdentity._meta.fields]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        identity = VerifiedIdentity.objects.filter(pk=object_id).select_related("user").first()
        if identity is not None and getattr(response, "status_code", 0) == 200:
            note_identity_read(
                actor=request.user, person=identity.user, page="admin:verifiedidentity"
            )
        return response

    def has_add_permission(self, request):
        return False
