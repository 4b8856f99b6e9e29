"""Check an answer against the served OpenAPI 3.0 schema, as a client generator or a fuzzer reads it.

OpenAPI 3.0's `nullable` becomes JSON Schema's `null` type; `format` is checked strictly for what generated
clients parse: `uri` (absolute, as `format: uri` promises), `date` and `date-time` (RFC 3339: an offset of
whole minutes, which Python's, TypeScript's and Java's parsers all accept)."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import jsonschema

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in {"mailto", "urn", "tel"})


@FORMATS.checks("date")
def _date(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def as_json_schema(node):
    """OpenAPI 3.0 schema object → JSON Schema (draft 7): `nullable: true` admits null."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key not in ("nullable", "example")}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


class Schema:
    """The served schema; `check(method, path, status, body)` lists what in `body` breaks the declaration."""

    def __init__(self, document: dict):
        self.document = document
        self.components = as_json_schema(document.get("components", {}))

    def operation(self, method: str, path: str) -> dict:
        return self.document["paths"][path][method.lower()]

    def response_schema(self, method: str, path: str, status: int) -> dict | None:
        responses = self.operation(method, path)["responses"]
        response = responses.get(str(status)) or responses.get("default")
        assert response is not None, f"{method} {path}: status {status} is not documented ({sorted(responses)})"
        content = response.get("content")
        if not content:
            return None
        assert "application/json" in content, f"{method} {path} {status}: declares {sorted(content)}"
        return content["application/json"].get("schema")

    def errors(self, method: str, path: str, status: int, body) -> list[str]:
        declared = self.response_schema(method, path, status)
        if declared is None:
            return []
        root = {**as_json_schema(declared), "components": self.components}
        validator = jsonschema.Draft7Validator(root, format_checker=FORMATS)
        out = []
        for error in validator.iter_errors(body):
            where = "/".join(str(p) for p in error.absolute_path)
            out.append(f"{method} {path} {status} at /{where}: {error.message[:200]}")
        return out
