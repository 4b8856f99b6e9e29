"""The rectification panel of a finding's page (templates/inspections/_rectification.html): the answers given so far
with the supervisors' decisions, the unit's answer form, the supervisors' accept/return form, and the follow-ups
(逾期未整改) about this finding. The services are in rectification.py."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from govmedia.core.exceptions import DomainConflict
from govmedia.core.forms import apply_errors

from . import rectification, selectors
from .forms import RectifyForm
from .models import Finding


class ReviewForm(forms.Form):
    """The supervisors' decision on an answer: accept (closes the finding) or return it with a comment."""

    # The form's two buttons (name "decision").
    DECISIONS = {"accept": "审核通过", "reject": "退回重新整改"}
    comment = forms.CharField(label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="退回时必填：说明还需如何整改。")


def _decide(request, finding: Finding, form: ReviewForm):
    comment, decision = form.cleaned_data["comment"], request.POST.get("decision")
    if decision == "accept":
        rectification.rectification_accept(finding=finding, user=request.user, comment=comment)
        messages.success(request, "已审核通过，问题已销号。")
    elif decision == "reject":
        rectification.rectification_reject(finding=finding, user=request.user, comment=comment)
        messages.success(request, "已退回责任单位重新整改。")
    else:
        raise ValidationError("请选择“审核通过”或“退回重新整改”。")


def _answer(request, finding: Finding, form: RectifyForm):
    data = form.cleaned_data
    rectification.finding_rectify(
        finding=finding, user=request.user, comment=data["comment"], evidence_url=data["evidence_url"],
        evidence_file=data["evidence_file"],
    )
    messages.success(request, "整改情况已提交，等待主管单位审核；下次检查也将复核。")


def finding_panel(request, finding: Finding):
    """Handle a POST of either form (a redirect when it succeeds) and give the panel's context otherwise."""
    user = request.user
    can_answer, can_review = rectification.can_answer(user, finding), rectification.can_review(user, finding)
    posted = request.method == "POST"
    reviewing = posted and "decision" in request.POST
    answer_form = RectifyForm(request.POST if posted and not reviewing else None,
                              request.FILES if posted and not reviewing else None) if can_answer else None
    review_form = ReviewForm(request.POST if reviewing else None) if can_review else None
    if posted:
        form, act = (review_form, _decide) if reviewing else (answer_form, _answer)
        if form is None:
            raise PermissionDenied("您不能审核该问题的整改情况。" if reviewing else "您不能反馈该问题的整改情况。")
        if form.is_valid():
            try:
                act(request, finding, form)
            except ValidationError as exc:
                apply_errors(form, exc)
            except DomainConflict as exc:
                form.add_error(None, exc.message)
            except PermissionDenied as exc:  # e.g. deciding one's own answer: said on the form, with its reason
                form.add_error(None, str(exc))
            else:
                return redirect("finding-detail", pk=finding.pk)
    follow_ups = rectification.follow_ups_of([finding.pk]).filter(pk__in=selectors.visible_findings(user).values("pk"))
    return {
        "form": answer_form, "review_form": review_form, "decisions": ReviewForm.DECISIONS,
        "rectifications": finding.rectifications.select_related("submitted_by", "reviewed_by"),
        "follow_ups": follow_ups.order_by("-found_on", "-id"),
    }
