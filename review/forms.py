from django import forms

from govmedia.core.forms import DateInput
from govmedia.core.listing import ListFilterForm
from organisations.models import Organisation


class RegisterFilterForm(forms.Form):
    start = forms.DateField(label="自", widget=DateInput())
    end = forms.DateField(label="至", widget=DateInput())
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="单位", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class QueueFilterForm(ListFilterForm):
    """The review queue's date filters (the select filters are built from what waits, see `review.views`)."""

    opened_from = forms.DateField(label="送达日期自", required=False, widget=DateInput())
    opened_to = forms.DateField(label="送达日期至", required=False, widget=DateInput())
