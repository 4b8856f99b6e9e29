"""Organisations, people and their roles (SPEC "Roles"). The scope each role gives is in `access`."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "政府部门"
    TOWNSHIP = "township", "乡镇（街道）"
    INSTITUTION = "institution", "事业单位"
    INTERNAL = "internal", "内设机构"
    CONTRACTOR = "contractor", "承办企业"


class Role(models.TextChoices):
    EDITOR = "editor", "信息员"
    SECTION_HEAD = "section_head", "股室负责人"
    DEPUTY_HEAD = "deputy_head", "分管负责人"
    PRINCIPAL = "principal", "主要负责人"
    SUPERVISOR = "supervisor", "主管单位工作人员"
    OPERATOR = "operator", "承办单位工作人员"
    AUDITOR = "auditor", "协同监管"


class Organisation(models.Model):
    name = models.CharField("单位名称", max_length=200)
    short_name = models.CharField("简称", max_length=60, blank=True)
    kind = models.CharField("单位类型", max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级单位"
    )
    # Materialised path of ids ("/1/5/23/"): scope is one indexed prefix match, at any depth.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = "单位"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name_in_parent"),
        ]
        indexes = [models.Index(fields=["kind"], name="organisation_kind_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path is this row's own denormalised position; it needs the id, hence the second write.
        super().save(*args, **kwargs)
        expected = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if self.path != expected:
            self.path = expected
            type(self).objects.filter(pk=self.pk).update(path=expected)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestor_ids(self) -> list[int]:
        """This organisation and every one above it."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def descendants(self, include_self: bool = True):
        qs = Organisation.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def get_additional_data(self):
        return {"organisation": self.pk}


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True)
    home_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所在单位",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.display_name or self.username

    def get_additional_data(self):
        return {"organisation": self.home_organisation_id}

    def supervises(self, organisation) -> bool:
        """Whether this user holds the supervisor role on `organisation` or on any unit above it."""
        if self.is_superuser:
            return True
        return self.memberships.filter(role=Role.SUPERVISOR, organisation_id__in=organisation.ancestor_ids()).exists()

    @property
    def is_supervisor(self) -> bool:
        return self.is_superuser or self.memberships.filter(role=Role.SUPERVISOR).exists()




class Membership(models.Model):
    """One role of one person in one organisation. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name="人员")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name="单位"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__path", "role"]
        verbose_name = "角色分配"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["organisation", "role"], name="membership_org_role_idx")]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}
