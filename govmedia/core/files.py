"""Uploaded and stored files, in one place: the kinds we accept (checked by their content, never by their name),
the limits of each kind, random storage names, the one way a file is sent back, and who is asking.

A file is served only by a view of the room that owns its object, after that room's scope check
(`scoped_file_view`): the storage's own URL is never handed out, and nothing serves MEDIA_ROOT directly.
"""
from __future__ import annotations

import posixpath
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.urls import get_resolver, path
from django.utils.crypto import salted_hmac
from django.utils.deconstruct import deconstructible
from django.views.decorators.http import require_safe
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

MB = 1024 * 1024

# Every type we may store, by the extension we give it, with the Content-Type it is sent with.
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "wps": "application/vnd.ms-works",
    "et": "application/vnd.ms-excel",
    "dps": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
}
# What a browser may show in the page instead of downloading: raster images and PDF (they run no script of ours).
INLINE_SAFE = {"png", "jpg", "gif", "webp", "bmp", "pdf"}

IMAGES = ("png", "jpg", "gif", "webp")
OFFICE = ("doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps")
# Old Office and WPS files share one container (OLE compound file); the name only picks among them.
OLE_TYPES = {"doc", "xls", "ppt", "wps", "et", "dps"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALIASES = {"jpeg": "jpg"}
LABELS = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP", "bmp": "BMP", "pdf": "PDF", "txt": "文本",
          "zip": "ZIP", "ofd": "OFD"}


@dataclass(frozen=True)
class FileKind:
    """One kind of upload: what it is called, which types it takes and how big it may be. The lists of the
    post attachment come from settings (the form's help text says the same)."""

    code: str
    label: str
    types: tuple[str, ...] = ()
    max_mb: int = 0
    types_setting: str = ""
    max_mb_setting: str = ""

    def allowed(self) -> tuple[str, ...]:
        if self.types_setting:
            raw = getattr(settings, self.types_setting)
            return tuple(dict.fromkeys(ALIASES.get(t.lower(), t.lower()) for t in raw))
        return self.types

    def max_bytes(self) -> int:
        return int(getattr(settings, self.max_mb_setting, self.max_mb) if self.max_mb_setting else self.max_mb) * MB


KINDS = {
    "qr": FileKind("qr", "二维码图片", IMAGES, 2),
    "evidence": FileKind("evidence", "佐证材料", IMAGES + ("pdf",) + OFFICE, 20, max_mb_setting="EVIDENCE_MAX_MB"),
    "attachment": FileKind("attachment", "附件", types_setting="POST_ATTACHMENT_EXTENSIONS",
                           max_mb_setting="POST_ATTACHMENT_MAX_MB"),
}


def _describe(types) -> str:
    return "、".join(dict.fromkeys(LABELS.get(t, t.upper()) for t in types))


def _zip_type(upload) -> str | None:
    """Which zipped format a ZIP holds: OOXML by its part folders, OFD by its root file, else a plain ZIP."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names:
        for folder, ext in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(name.startswith(folder) for name in names):
                return ext
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


MARKUP = (b"<", b"\xef\xbb\xbf<")


def _text_type(head: bytes) -> str | None:
    """Plain text: decodable, no NUL, and not markup a browser would run if it ever guessed."""
    if b"\x00" in head:
        return None
    stripped = head.lstrip()
    if stripped.startswith(MARKUP) or b"<script" in head.lower() or b"<svg" in head.lower():
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return "txt"
        except UnicodeDecodeError:
            # The head may cut a multibyte character: retry without the last three bytes.
            try:
                head[:-3].decode(encoding)
                return "txt"
            except UnicodeDecodeError:
                continue
    return None


def detect(upload, original_name: str = "") -> str | None:
    """The type of an upload from its bytes (`filetype`'s signatures, ZIP and OLE containers opened), as one of
    CONTENT_TYPES' extensions, or None. HTML, SVG, XML and scripts have no signature and are never recognised."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not head:
        return None
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    if head.startswith(OLE_MAGIC):
        named = posixpath.splitext(original_name)[1].lower().lstrip(".")
        if named in OLE_TYPES:
            return named
        guessed = filetype.guess(head)
        return guessed.extension if guessed and guessed.extension in OLE_TYPES else "doc"
    guessed = filetype.guess(head)
    if guessed is not None:
        ext = ALIASES.get(guessed.extension, guessed.extension)
        return ext if ext in CONTENT_TYPES else None
    return _text_type(head)


def check_upload(kind_code: str, upload, *, field: str | None = None) -> str:
    """Refuse an upload (ValidationError, in Chinese, under `field` if given) that is too big or whose content is
    not one of the kind's types; else rename it to a random name with the detected extension and return that
    extension. The caller keeps the original name if it wants to show it."""
    kind = KINDS[kind_code]

    def refuse(message):
        raise ValidationError({field: message} if field else message)

    limit = kind.max_bytes()
    if upload.size is not None and upload.size > limit:
        refuse(f"{kind.label}不能超过 {limit // MB} MB。")
    if not upload.size:
        refuse(f"{kind.label}是空文件。")
    original = getattr(upload, "name", "") or ""
    ext = detect(upload, original)
    allowed = kind.allowed()
    if ext not in allowed:
        refuse(f"{kind.label}的文件内容不是允许的类型（按内容识别，不看扩展名）；允许：{_describe(allowed)}。")
    upload.name = f"{secrets.token_hex(4)}.{ext}"
    return ext


@deconstructible
class RandomName:
    """`upload_to` for every stored upload: `<folder>/<32 random hex>.<ext>`, never derived from ids or from the
    uploader's file name (only its extension, which `check_upload` has set from the content)."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename):
        ext = posixpath.splitext(filename)[1].lower().lstrip(".")
        ext = ext if ext in CONTENT_TYPES else "bin"
        return f"{self.folder}/{secrets.token_hex(16)}.{ext}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self):
        return hash((RandomName, self.folder))


def file_response(file, *, filename: str, inline: bool = True) -> FileResponse:
    """Send a stored file (a FieldFile or anything with `.name` and `.open()`/a file object) safely: the
    Content-Type of its stored extension only, `nosniff`, and `attachment` (RFC 5987 filename, Chinese kept)
    unless it is an image or PDF known safe to show."""
    name = getattr(file, "name", "") or ""
    ext = posixpath.splitext(name)[1].lower().lstrip(".")
    content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
    show = inline and ext in INLINE_SAFE
    handle = file.open("rb") if hasattr(file, "open") else file
    response = FileResponse(handle, as_attachment=not show, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were tricked into rendering it, a file runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def download_name(stem: str, file) -> str:
    ext = posixpath.splitext(getattr(file, "name", "") or "")[1].lower()
    return f"{stem}{ext}"


def request_user(request):
    """The caller with the API's authentication (an `Authorization: Token` header or the session), or None.
    A bad or expired token is anonymous, like no token."""
    drf_request = Request(request, authenticators=[cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES])
    try:
        user = drf_request.user
    except drf_exceptions.APIException:
        return None
    return user if user is not None and user.is_authenticated else None


def scoped_file_view(resolve, *, api: bool):
    """A download view around `resolve(user, pk) -> (file, filename)`, which raises Http404 for anything out of
    the user's scope or without a file. Anonymous callers get 401 under /api/, a redirect to sign-in on pages."""

    @require_safe
    def view(request, pk: int):
        user = request_user(request)
        if user is None:
            if api:
                response = JsonResponse({"detail": "身份认证信息未提供或已失效。"}, status=401)
                response["WWW-Authenticate"] = "Token"
                return response
            return redirect_to_login(request.get_full_path())
        request.user = user
        file, filename = resolve(user, pk)
        if not file:
            raise Http404("文件不存在。")
        try:
            return file_response(file, filename=filename)
        except (FileNotFoundError, OSError):
            raise Http404("文件不存在。") from None

    return view


class ScopedFileField(serializers.FileField):
    """A file field whose value in API answers is the scoped download URL of its object (`scoped_url`), never the
    storage's URL. Read only: uploads go through the room's upload action."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return scoped_url(value, api=True, request=self.context.get("request"))


# (model label, field name) → the code of its download URLs; filled by file_urlpatterns when the URLs load.
_CODES: dict[tuple[str, str], str] = {}


def file_urlpatterns(resolvers: dict) -> list:
    """For each `code: (model label, field name, resolve(user, pk))`, a page URL `files/<code>/<pk>/` (anonymous
    → sign-in) named `file-<code>` and an API URL `api/v1/files/<code>/<pk>/` (anonymous → 401) named
    `api-file-<code>`."""
    patterns = []
    for code, (label, field, resolve) in resolvers.items():
        _CODES[(label, field)] = code
        patterns.append(path(f"files/{code}/<int:pk>/", scoped_file_view(resolve, api=False), name=f"file-{code}"))
        patterns.append(path(f"api/v1/files/{code}/<int:pk>/", scoped_file_view(resolve, api=True),
                             name=f"api-file-{code}"))
    return patterns


def scoped_url(fieldfile, *, api: bool = False, request=None) -> str | None:
    """The scoped download URL of a stored file (a model's FieldFile), for pages (`file-…`) or the API."""
    if not fieldfile:
        return None
    if not _CODES:
        get_resolver().url_patterns  # noqa: B018 - loading the URLconf registers the file URLs
    code = _CODES[(fieldfile.instance._meta.label_lower, fieldfile.field.name)]
    name = f"api-file-{code}" if api else f"file-{code}"
    return reverse(name, args=[fieldfile.instance.pk], request=request)


class Stored:
    """A document we generate and keep (reports), by its name in the default storage (disk or S3), with the few
    `pathlib.Path` methods its callers use. On disk a write is atomic (temporary file, then rename); an S3 PUT is
    atomic by itself."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"Stored({self.name!r})"

    def __str__(self):
        return self.name

    @property
    def storage(self):
        return default_storage

    def is_file(self) -> bool:
        return self.storage.exists(self.name)

    def open(self, mode: str = "rb"):
        return self.storage.open(self.name, mode)

    def read_bytes(self) -> bytes:
        with self.open("rb") as handle:
            return handle.read()

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def write_bytes(self, content: bytes) -> None:
        """Write the whole document under its name, replacing an earlier one; a reader never sees half of it."""
        if isinstance(self.storage, FileSystemStorage):
            # On disk: written beside, then renamed over the old file (a rename is atomic).
            local = Path(self.storage.path(self.name))
            local.parent.mkdir(parents=True, exist_ok=True)
            tmp = local.with_name(f".{local.name}.{secrets.token_hex(8)}.tmp")
            tmp.write_bytes(content)
            tmp.replace(local)
            return
        # An object store (S3): one PUT is atomic already. The old object goes first, because a storage saving
        # over a name it already holds would pick another name instead of replacing it.
        if self.storage.exists(self.name):
            self.storage.delete(self.name)
        self.storage.save(self.name, ContentFile(content))

    def unlink(self, missing_ok: bool = True) -> None:
        if self.storage.exists(self.name):
            self.storage.delete(self.name)


def secret_name(*parts) -> str:
    """A name nobody can derive from ids (a keyed hash of `parts`), yet the same every time for the same parts:
    where a document is found again by what it is (a region's monthly report) without a table to remember it."""
    return salted_hmac("govmedia.core.files.secret_name", "|".join(str(p) for p in parts)).hexdigest()[:40]


def secret_name_candidates(*parts) -> list[str]:
    """`secret_name` under SECRET_KEY, then under each SECRET_KEY_FALLBACKS (names written before a key rotation)."""
    names = [secret_name(*parts)]
    for key in getattr(settings, "SECRET_KEY_FALLBACKS", []):
        names.append(salted_hmac("govmedia.core.files.secret_name", "|".join(str(p) for p in parts),
                                 secret=key).hexdigest()[:40])
    return names
