"""The API's JSON parser, in a module of its own: DRF reads DEFAULT_PARSER_CLASSES while rest_framework.views is
being imported, so this module must not import it (api.py does)."""
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """The API's JSON parser (settings' DEFAULT_PARSER_CLASSES): a body is nested at most MAX_DEPTH deep and is a
    JSON object, unless the view checks the body's type itself (`json_body_checked_by_view = True`: the bulk
    endpoints, which take a list). Bad bodies are a 400 here, in one place, before any view or serializer sees
    them (issue 12: `null`, `1` or `true` as a PATCH body, or `'[' * 100000`, were 500s)."""

    MAX_DEPTH = 32

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(f"请求内容嵌套过深（最多 {self.MAX_DEPTH} 层）。") from None
        if _depth_exceeds(data, self.MAX_DEPTH):
            raise exceptions.ParseError(f"请求内容嵌套过深（最多 {self.MAX_DEPTH} 层）。")
        view = (parser_context or {}).get("view")
        if not isinstance(data, dict) and not getattr(view, "json_body_checked_by_view", False):
            raise exceptions.ParseError("请求内容应为 JSON 对象（{…}）。")
        return data


def _depth_exceeds(data, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` deep (without recursion, whatever the depth)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
