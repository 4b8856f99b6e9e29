"""`{{ obj.file_field|file_url }}`: the scoped page URL of a stored file (govmedia.core.files), never MEDIA_URL."""
from django import template

from govmedia.core.files import scoped_url

register = template.Library()


@register.filter
def file_url(fieldfile) -> str:
    return scoped_url(fieldfile) or ""
