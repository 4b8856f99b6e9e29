"""REST endpoints for organisations, users and memberships (API.md)."""
import django_filters
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govmedia.core.api import AuditedViewMixin, ReadOnlyOrManager, ScopedPrimaryKeyField
from organisations import access, lockout, services
from organisations.models import Membership, Organisation, OrganisationKind, Role, User


class OrganisationSerializer(serializers.ModelSerializer):
    parent = ScopedPrimaryKeyField(access.visible_organisations, allow_null=True, required=False)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "parent", "kind", "kind_display", "credit_code", "contact_phone", "path"]
        read_only_fields = ["path"]
        validators = []  # uniqueness of the name under a parent is checked by the model's full_clean

    def validate_parent(self, parent):
        user = self.context["request"].user
        if parent is None and not user.is_superuser:
            raise serializers.ValidationError("只有系统管理员可以创建顶级单位。")
        if parent is not None and not access.can_manage_organisation(user, parent):
            raise PermissionDenied("您不是该上级单位的主管人员，不能在其下创建或移入单位。")
        return parent

    def create(self, validated_data):
        return services.organisation_create(**validated_data)

    def update(self, instance, validated_data):
        return services.organisation_update(organisation=instance, **validated_data)


class OrganisationFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    within = django_filters.NumberFilter(method="filter_within", label="某单位及其下级")

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
        fields = ["id", "username", "password", "display_name", "email", "phone", "is_active",
                  "home_organisation", "memberships"]

    def validate_home_organisation(self, organisation):
        user = self.context["request"].user
        if organisation is None and not user.is_superuser:
            raise serializers.ValidationError("请指定人员所在单位。")
        if organisation is not None and not access.can_manage_organisation(user, organisation):
            raise PermissionDenied("您不是该单位的主管人员，不能为其添加人员。")
        return organisation

    def validate(self, attrs):
        if self.instance is None:
            if not attrs.get("password"):
                raise serializers.ValidationError({"password": "请设置初始密码。"})
            if "home_organisation" not in attrs and not self.context["request"].user.is_superuser:
                raise serializers.ValidationError({"home_organisation": "请指定人员所在单位。"})
        return attrs

    def create(self, validated_data):
        return services.user_create(**validated_data)

    def update(self, instance, validated_data):
        return services.user_update(user=instance, **validated_data)


class UserViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [ReadOnlyOrManager]
    filterset_fields = ["home_organisation", "is_active", "memberships__organisation", "memberships__role"]
    ordering_fields = ["username", "id"]

    def get_queryset(self):
        return (
            access.visible_users(self.request.user)
            .select_related("home_organisation")
            .prefetch_related("memberships")
            .order_by("username")
        )

    def can_manage(self, user, obj):
        return access.can_manage_user(user, obj)

    def perform_destroy(self, instance):
        # People are never deleted: their decisions stay in the register and the audit log.
        services.user_update(user=instance, is_active=False)


class MembershipSerializer(serializers.ModelSerializer):
    user = ScopedPrimaryKeyField(access.visible_users)
    organisation = ScopedPrimaryKeyField(access.visible_organisations)
    role = serializers.ChoiceField(choices=Role.choices)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "organisation", "role", "role_display"]
        validators = []  # the service names the existing role in its message

    def validate_organisation(self, organisation):
        if not access.can_manage_organisation(self.context["request"].user, organisation):
            raise PermissionDenied("您不是该单位的主管人员，不能分配角色。")
        return organisation

    def create(self, validated_data):
        return services.membership_grant(actor=self.context["request"].user, **validated_data)


class MembershipViewSet(AuditedViewMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MembershipSerializer
    permission_classes = [ReadOnlyOrManager]
    filterset_fields = ["user", "organisation", "role"]

    def get_queryset(self):
        return access.visible_memberships(self.request.user).select_related("user", "organisation")

    def can_manage(self, user, obj):
        return access.can_manage_organisation(user, obj.organisation)

    def perform_destroy(self, instance):
        services.membership_withdraw(membership=instance, actor=self.request.user)


class TokenView(APIView):
    """`POST auth/token/` → the caller's API token. Failed attempts count towards the lockout."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
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
            return Response({"detail": lockout.MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"non_field_errors": ["用户名或密码不正确。"]}, status=status.HTTP_400_BAD_REQUEST)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
