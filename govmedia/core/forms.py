"""Shared help for the server-rendered page forms."""
from django import forms
from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on a page form: each message under its field when the form has that
    field, else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class DateInput(forms.DateInput):
    """A browser date picker (`<input type=date>`). Its value is always ISO 8601 ("2024-10-08"), the only form
    the browser accepts: Django would otherwise write the locale's first input format (zh-hans: "2024/10/08"),
    which the browser shows as empty and posts back empty, wiping the date on an unchanged save."""
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker (`<input type=datetime-local>`), its value always "2024-10-08T09:30"."""
    input_type = "datetime-local"

    def __init__(self, attrs=None, format="%Y-%m-%dT%H:%M"):
        super().__init__(attrs=attrs, format=format)
