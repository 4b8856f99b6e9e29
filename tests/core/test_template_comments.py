"""A Django `{# … #}` comment ends on its own line; one that runs on is shown to the user as text (English, in
a Chinese page). Every template's one-line comments are closed where they open."""
from pathlib import Path

from django.conf import settings


def test_no_template_comment_runs_past_its_line():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [p / "templates" for p in Path(settings.BASE_DIR).iterdir() if (p / "templates").is_dir()]
    open_comments = []
    for root in roots:
        for template in root.rglob("*.html"):
            for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), start=1):
                if line.count("{#") > line.count("#}"):
                    open_comments.append(f"{template.relative_to(settings.BASE_DIR)}:{number}")
    assert roots and not open_comments, open_comments
