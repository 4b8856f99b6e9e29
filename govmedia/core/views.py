"""Uploaded files, served by the application so that only signed-in users see them."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.views.static import serve


@login_required
def media(request, path):
    """Uploaded files (QR codes, attachments) for signed-in users only: they are internal records."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
