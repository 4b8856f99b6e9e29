"""The third-party builds under static/vendor are the upstream files, unedited: each matches its checksum in
static/vendor/SHA256SUMS (which also says where each comes from). Our own changes to how they look or read go in
our own files (static/css/editor.css, static/js/editor.js), never into the vendored ones."""
import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def listed() -> dict[str, str]:
    sums = {}
    for line in (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            sums[name] = digest
    return sums


def test_every_vendored_build_is_the_upstream_file():
    sums = listed()
    assert {"quill/quill.min.js", "quill/quill.snow.css", "echarts/echarts.min.js"} <= set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, f"{name} was edited"


def test_no_vendored_script_or_style_is_missing_from_the_list():
    shipped = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.suffix in (".js", ".css")}
    assert shipped == set(listed())
