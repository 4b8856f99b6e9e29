"""Bulk writes through the API (API.md "Other systems"): a JSON list of up to 1,000 records, checked in full, then
written all together or not at all. The answer is always {"created", "ignored", "errors": [{"index", "field",
"message"}]}: 201 (200 when nothing was new) or, with any error, 400 and nothing written.

A room subclasses `BulkRecordsView` with its item serializer, one query saying which subjects the caller may
write to, and the service that writes."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import AuditedViewMixin, JSONParser

MAX_ITEMS = 1000
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


class BulkErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="出错记录在列表中的位置（从 0 起）；整个请求的问题为 null")
    field = serializers.CharField(help_text="出错的字段；整条记录的问题为 non_field_errors")
    message = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="新写入的记录数")
    ignored = serializers.IntegerField(help_text="已存在或在本次列表中重复（同一对象、同一链接）而忽略的记录数")
    errors = BulkErrorSerializer(many=True)


class BulkRecordsView(AuditedViewMixin, APIView):
    """POST a list of records. Subclasses set `item_serializer_class`, `subject_field` and the two messages, and
    implement `permitted_subjects` and `write`."""

    parser_classes = [JSONParser]
    json_body_checked_by_view = True  # a list of records, not an object: post() says so in the answer's shape
    item_serializer_class: type[serializers.Serializer]
    subject_field: str
    # Out of scope answers exactly as an unknown id does (API.md "Errors": not a leak), in the words DRF uses for
    # an unknown id in any other request.
    missing_message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    refused_message: str

    def permitted_subjects(self, ids: set[int]) -> dict[int, bool]:
        """{id: whether the caller may write records for it} for the ids in the caller's scope; one query."""
        raise TypeError(f"{type(self).__name__} must say which subjects the caller may write to")

    def write(self, items: list[dict]) -> tuple[int, int]:
        """Write the checked items; returns (created, ignored)."""
        raise TypeError(f"{type(self).__name__} must say how its records are written")

    def post(self, request, *args, **kwargs):
        try:
            data = request.data
        except ParseError:
            # Even a body that is not JSON gets the answer's one shape, as the schema declares for a 400.
            return self._refused([_error(None, "non_field_errors", "请求内容不是有效的 JSON。")])
        if not isinstance(data, list):
            return self._refused([_error(None, "non_field_errors", "请提交记录的列表（JSON 数组）。")])
        if len(data) > MAX_ITEMS:
            return self._refused(
                [_error(None, "non_field_errors", f"一次最多提交 {MAX_ITEMS} 条记录，本次为 {len(data)} 条，请分批提交。")]
            )
        errors, items = [], []
        # One serializer checks every item, as DRF's ListSerializer does (building its fields per item would cost
        # more than the writes), but each item's errors are kept with its index.
        checker = self.item_serializer_class(context={"request": request, "view": self})
        for index, item in enumerate(data):
            try:
                items.append((index, checker.run_validation(item)))
            except serializers.ValidationError as exc:
                errors.extend(_flatten(index, exc.detail))
        # An id no database column can hold is simply unknown (a database would refuse to compare it).
        ids = {item[self.subject_field] for _, item in items if ID_MIN <= item[self.subject_field] <= ID_MAX}
        permitted = self.permitted_subjects(ids) if ids else {}
        for index, item in items:
            subject = item[self.subject_field]
            if subject not in permitted:
                errors.append(_error(index, self.subject_field, str(self.missing_message).format(pk_value=subject)))
            elif not permitted[subject]:
                errors.append(_error(index, self.subject_field, self.refused_message))
        if errors:
            return self._refused(sorted(errors, key=lambda e: e["index"]))
        created, ignored = self.write([item for _, item in items])
        return Response(
            {"created": created, "ignored": ignored, "errors": []},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _refused(self, errors):
        return Response({"created": 0, "ignored": 0, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def bulk_schema(item_serializer, description: str):
    """The OpenAPI description of a bulk endpoint: a JSON array of items in, the result out."""
    return extend_schema(
        request=item_serializer(many=True),
        responses={201: BulkResultSerializer, 200: BulkResultSerializer, 400: BulkResultSerializer},
        description=description,
    )


def _error(index: int | None, field: str, message: str) -> dict:
    return {"index": index, "field": field, "message": str(message)}


def _flatten(index: int, errors) -> list[dict]:
    """DRF's {"field": ["message", …]} (nested for nested fields) as one entry per message."""
    if isinstance(errors, list):
        return [_error(index, "non_field_errors", message) for message in errors]
    flat = []
    for field, messages in errors.items():
        if isinstance(messages, dict):
            flat.extend({**e, "field": f"{field}.{e['field']}"} for e in _flatten(index, messages))
        else:
            flat.extend(_error(index, field, message) for message in messages)
    return flat
