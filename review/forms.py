from django import forms

from govmedia.core.forms import DateInput
from organisations.models import Organisation


class RegisterFilterForm(forms.Form):
    start = forms.DateField(label="自", widget=DateInput())
    end = forms.DateField(label="至", widget=DateInput())
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="单位", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
