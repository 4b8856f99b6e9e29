"""Rectification evidence, to those who may see the finding (govmedia.core.files)."""
from django.shortcuts import get_object_or_404

from govmedia.core.files import download_name

from .models import Finding, Rectification


def evidence(user, pk):
    item = get_object_or_404(Rectification.objects.filter(finding__in=Finding.objects.for_user(user).values("pk")), pk=pk)
    return item.evidence_file, download_name(f"整改佐证材料-问题{item.finding_id}-{item.pk}", item.evidence_file)


FILES = {"evidence": ("inspections.rectification", "evidence_file", evidence)}
