from django import forms

from organisations.models import Organisation


class RegisterFilterForm(forms.Form):
    start = forms.DateField(label="自", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="单位", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
