"""A post's attachments, to those who may see the post (govmedia.core.files)."""
import posixpath

from django.shortcuts import get_object_or_404

from govmedia.core.files import download_name

from .models import Post, PostAttachment


def attachment(user, pk):
    item = get_object_or_404(PostAttachment.objects.filter(post__in=Post.objects.for_user(user).values("pk")), pk=pk)
    # The name the uploader gave, with the extension of what the file really is.
    return item.file, download_name(posixpath.splitext(item.name)[0] or "附件", item.file)


FILES = {"attachment": ("publishing.postattachment", "file", attachment)}
