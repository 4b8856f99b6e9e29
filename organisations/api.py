"""REST endpoints for organisations, users and memberships (API.md)."""
import django_filters
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.core.exceptions import ValidationError as DjangoValidationError
from django_otp import devices_for_user, match_token
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govmedia.core.api import AuditedViewMixin, CalledField, IdFilter, ReadOnlyOrManager, ScopedPrimaryKeyField
from govmedia.core.audit import record_security_event
from organisations import access, lockout, services
from organisations.models import ApiToken, Membership, Organisation, OrganisationKind, Role, User


class OrganisationSerializer(serializers.ModelSerializer):
    parent = ScopedPrimaryKeyField(access.visible_organisations, allow_null=True, required=False)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    kind_display = CalledField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "parent", "kind", "kind_display", "credit_code", "contact_phone", "path"]
        read_only_fields = ["path"]
        validators = []  # uniqueness of the name under a parent is checked by the model's full_clean

    def validate_parent(self, parent):
        user = self.context["request"].user
        if parent is None and not access.is_system_admin(user):
            raise serializers.ValidationError("只有系统管理员可以创建顶级单位。")
        if parent is not None and not access.can_manage_organisation(user, parent):
            raise PermissionDenied("您不是该上级单位的主管人员，不能在其下创建或移入单位。")
        return parent

    def validate(self, attrs):
        if self.instance is None and "parent" not in attrs:
            # No parent given is a top-level unit, with the same question as `"parent": null` (a 500 before).
            try:
                attrs["parent"] = self.validate_parent(None)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"parent": exc.detail}) from None
        return attrs

    def create(self, validated_data):
        return services.organisation_create(**validated_data)

    def update(self, instance, validated_data):
        return services.organisation_update(organisation=instance, **validated_data)


class OrganisationFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    within = IdFilter(method="filter_within", label="某单位及其下级")

    class Meta:
        model = Organisation
        fields = ["parent", "kind", "name"]

    def filter_within(self, queryset, name, value):
        root = queryset.filter(pk=value).first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


class OrganisationViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    permission_classes = [ReadOnlyOrManager]
    ordering_fields = ["name", "path", "id"]

    def get_queryset(self):
        return access.visible_organisations(self.request.user)

    def can_manage(self, user, obj):
        return access.can_manage_organisation(user, obj)

    def perform_destroy(self, instance):
        services.organisation_delete(organisation=instance)


class MembershipBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "organisation", "role"]


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    home_organisation = ScopedPrimaryKeyField(access.visible_organisations, allow_null=True, required=False)
    memberships = MembershipBriefSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "password", "display_name", "email", "phone", "is_active", "is_service",
                  "admin_role", "home_organisation", "memberships"]

    def validate_home_organisation(self, organisation):
        user = self.context["request"].user
        if organisation is None and not access.is_system_admin(user):
            raise serializers.ValidationError("请指定人员所在单位。")
        if organisation is not None and not access.can_manage_organisation(user, organisation):
            raise PermissionDenied("您不是该单位的主管人员，不能为其添加人员。")
        return organisation

    def validate(self, attrs):
        user = self.context["request"].user
        if self.instance is None:
            if attrs.get("is_service"):
                # A service account (API.md "Service accounts"): administrators of its region only, no password.
                if not access.can_place_service_account(user, attrs.get("home_organisation")):
                    raise PermissionDenied("只有系统管理员和顶级单位的主管人员可以为本地区创建接口账号。")
                if attrs.get("password"):
                    raise serializers.ValidationError({"password": services.SERVICE_PASSWORD_MESSAGE})
            elif not attrs.get("password"):
                raise serializers.ValidationError({"password": "请设置初始密码。"})
            if "home_organisation" not in attrs and not access.is_system_admin(user):
                raise serializers.ValidationError({"home_organisation": "请指定人员所在单位。"})
        elif "is_service" in attrs and attrs["is_service"] != self.instance.is_service:
            raise serializers.ValidationError({"is_service": "账号创建后不能改变是否为接口账号。"})
        if self.instance is not None and attrs.get("password") and self.instance.is_service:
            raise serializers.ValidationError({"password": services.SERVICE_PASSWORD_MESSAGE})
        if self.instance is not None and attrs.get("password"):
            # Someone else's password is reset by the security administrator only; one's own is changed with
            # the old one (`auth/password/`, or the change page).
            if self.instance.pk == user.pk:
                raise serializers.ValidationError({"password": "修改自己的密码须提供原密码，请使用“修改密码”。"})
            if not access.can_reset_password(user, self.instance):
                raise PermissionDenied(services.RESET_FORBIDDEN_MESSAGE)
        if attrs.get("admin_role") and self.instance is None:
            raise serializers.ValidationError({"admin_role": "请先创建人员，再由安全管理员指定管理员职责。"})
        return attrs

    def create(self, validated_data):
        return services.user_create(**validated_data)

    def update(self, instance, validated_data):
        request = self.context["request"]
        return services.user_update(user=instance, actor=request.user, request=request._request, **validated_data)


class PasswordResetSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(write_only=True, style={"input_type": "password"})
    new_password = serializers.CharField(write_only=True, style={"input_type": "password"})


class UserViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [ReadOnlyOrManager]
    filterset_fields = ["home_organisation", "is_active", "is_service", "memberships__organisation", "memberships__role"]
    ordering_fields = ["username", "id"]

    def get_queryset(self):
        return (
            access.visible_users(self.request.user)
            .select_related("home_organisation")
            .prefetch_related("memberships")
            .order_by("username")
        )

    # What the security administrator may change on anyone (a reset password, an administrative duty); the
    # rest of a person is the system administrator's and their supervisors'.
    SECURITY_FIELDS = {"password", "admin_role"}

    def can_manage(self, user, obj):
        if access.can_manage_user(user, obj):
            return True
        data = self.request.data
        return (self.request.method == "PATCH" and isinstance(data, dict) and bool(data)
                and set(data) <= self.SECURITY_FIELDS and access.is_security_admin(user))

    def perform_destroy(self, instance):
        # People are never deleted: their decisions stay in the register and the audit log.
        services.user_update(user=instance, is_active=False, actor=self.request.user, request=self.request._request)

    @extend_schema(request=PasswordResetSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="reset-password", permission_classes=[IsAuthenticated])
    def reset_password(self, request, pk=None):
        """The security administrator sets a new password, which the person must change at the next sign-in;
        their tokens end."""
        target = self.get_object()
        if not access.can_reset_password(request.user, target):
            raise PermissionDenied(services.RESET_FORBIDDEN_MESSAGE)
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset(user=target, password=serializer.validated_data["password"], actor=request.user,
                                request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: inline_serializer("Unlocked", {"unlocked": serializers.IntegerField()})})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def unlock(self, request, pk=None):
        """The security administrator lifts every sign-in lock of the person."""
        target = self.get_object()
        if not access.can_unlock(request.user):
            raise PermissionDenied("只有安全管理员可以解除锁定。")
        return Response({"unlocked": services.user_unlock(user=target, actor=request.user, request=request._request)})


class MembershipSerializer(serializers.ModelSerializer):
    user = ScopedPrimaryKeyField(access.visible_users)
    organisation = ScopedPrimaryKeyField(access.visible_organisations)
    role = serializers.ChoiceField(choices=Role.choices)
    role_display = CalledField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "organisation", "role", "role_display"]
        validators = []  # the service names the existing role in its message

    def validate_organisation(self, organisation):
        if not access.can_grant_roles(self.context["request"].user, organisation):
            raise PermissionDenied("您不是该单位的主管人员，不能分配角色。")
        return organisation

    def create(self, validated_data):
        request = self.context["request"]
        return services.membership_grant(actor=request.user, request=request._request, **validated_data)


class MembershipViewSet(AuditedViewMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MembershipSerializer
    permission_classes = [ReadOnlyOrManager]
    filterset_fields = ["user", "organisation", "role"]

    def get_queryset(self):
        return access.visible_memberships(self.request.user).select_related("user", "organisation")

    def can_manage(self, user, obj):
        return access.can_grant_roles(user, obj.organisation)

    def perform_destroy(self, instance):
        services.membership_withdraw(membership=instance, actor=self.request.user, request=self.request._request)


class TokenView(APIView):
    """`POST auth/token/` → the caller's API token. Failed attempts count towards the lockout. Administrators
    and supervisors add `otp` (a TOTP code or a recovery code); an expired password is changed first."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=inline_serializer("SignIn", {"username": serializers.CharField(), "password": serializers.CharField(),
                                             "otp": serializers.CharField(required=False)}),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            # 400: a field missing or wrong (incl. `otp`); 401: a wrong code; 403: the password must be changed
            # first; 429: locked or throttled. Each with a Chinese reason.
            400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request):
        username = request.data.get("username") if isinstance(request.data, dict) else None
        password = request.data.get("password") if isinstance(request.data, dict) else None
        errors = {}
        if not username:
            errors["username"] = ["请输入用户名。"]
        elif not isinstance(username, str):
            errors["username"] = ["用户名应为文本。"]
        if not password:
            errors["password"] = ["请输入密码。"]
        elif not isinstance(password, str):
            # Django's hashers raise TypeError on anything but text (a JSON number used to answer 500).
            errors["password"] = ["密码应为文本。"]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        django_request = request._request
        user = authenticate(request=django_request, username=username, password=password)
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": lockout.message_for(django_request)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"non_field_errors": ["用户名或密码不正确。"]}, status=status.HTTP_400_BAD_REQUEST)
        if user.is_service:  # its tokens come from an administrator
            return Response({"non_field_errors": [services.SERVICE_PASSWORD_MESSAGE]}, status=status.HTTP_400_BAD_REQUEST)
        if settings.SECOND_FACTOR_REQUIRED and access.needs_second_factor(user):
            otp = request.data.get("otp")
            if not any(True for _ in devices_for_user(user, confirmed=True)):
                return Response({"otp": ["您须先在页面登录并绑定双因素认证（动态口令），再获取令牌。"]},
                                status=status.HTTP_400_BAD_REQUEST)
            if not otp:
                return Response({"otp": ["请输入动态口令（管理员和主管单位工作人员须使用双因素认证）。"]},
                                status=status.HTTP_400_BAD_REQUEST)
            if not isinstance(otp, str) or match_token(user, otp.strip()) is None:
                record_security_event("login_failed", actor=user, request=django_request,
                                      detail={"via": "token", "comment": "动态口令错误"})
                return Response({"detail": "动态口令或恢复码不正确。"}, status=status.HTTP_401_UNAUTHORIZED)
        if user.password_expired():
            return Response({"detail": "密码已过期或已被重置，请先在页面修改密码，再获取令牌。"},
                            status=status.HTTP_403_FORBIDDEN)
        try:
            _token, key = services.token_sign_in(user=user)
        except DjangoValidationError as exc:
            return Response({"non_field_errors": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        record_security_event("login", actor=user, request=django_request, detail={"via": "token"})
        return Response({"token": key})


class PasswordChangeView(APIView):
    """`POST auth/password/ {"old_password", "new_password"}` → 204: the caller changes their own password; every
    token of theirs ends (sign in again)."""

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_change(user=request.user, request=request._request, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """`POST auth/logout/` → 204: the token the request was made with is revoked (a session is ended)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.token_sign_out(token=request.auth, request=request._request)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "user", "username", "created_at", "last_used_at", "expires_at",
                  "revoked_at"]
        read_only_fields = fields


class ApiTokenIssueSerializer(serializers.Serializer):
    user = ScopedPrimaryKeyField(access.managed_service_accounts)
    name = serializers.CharField(max_length=100)


class ApiTokenWithKeySerializer(ApiTokenSerializer):
    """A token as it is issued or rotated: with its key, which is never shown again."""

    key = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = ApiTokenSerializer.Meta.fields + ["key"]
        read_only_fields = fields


class ApiTokenFilter(django_filters.FilterSet):
    # A plain number: an id outside the caller's scope filters to nothing, exactly like a missing one.
    user = IdFilter(field_name="user_id", label="用户")
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label="未撤销")

    class Meta:
        model = ApiToken
        fields = ["user", "active"]


class ApiTokenViewSet(AuditedViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """`tokens/`: the caller's own tokens and, for administrators, those of the service accounts of their region.
    `POST` issues a token to a service account; `rotate/` and `revoke/` end one (API.md "Service accounts")."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter
    permission_classes = [IsAuthenticated]
    ordering_fields = ["created_at", "last_used_at", "id"]

    def get_queryset(self):
        return access.visible_tokens(self.request.user).select_related("user")

    def _with_key(self, token, key):
        token.key = key
        return Response(ApiTokenWithKeySerializer(token).data, status=status.HTTP_201_CREATED,
                        headers={"Cache-Control": "no-store"})

    def _managed(self) -> ApiToken:
        token = self.get_object()
        if not access.can_manage_token(self.request.user, token):
            raise PermissionDenied("您不能管理该令牌。")
        return token

    @extend_schema(request=ApiTokenIssueSerializer, responses={201: ApiTokenWithKeySerializer})
    def create(self, request, *args, **kwargs):
        if not access.can_manage_service_accounts(request.user):
            raise PermissionDenied("只有系统管理员和顶级单位的主管人员可以为接口账号签发令牌。")
        serializer = ApiTokenIssueSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        token, key = services.token_issue(actor=request.user, **serializer.validated_data)
        return self._with_key(token, key)

    @extend_schema(request=None, responses={201: ApiTokenWithKeySerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        """Revoke the token and issue its successor; the new key is in the answer, once."""
        token, key = services.token_rotate(token=self._managed(), actor=request.user)
        return self._with_key(token, key)

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.token_revoke(token=self._managed(), actor=request.user)
        return Response(ApiTokenSerializer(token).data)
