"""A thin DynamoDB client CloudSync is handed (the device's own AWS JSON client,
:mod:`ghela.core.awsjson`: no botocore in this process).

Everything else speaks in plain items (DynamoDB's typed JSON) and gets back plain results
or project errors: :class:`~ghela.core.errors.TransientError` for anything a retry may fix
(no network, throttling, a table not there yet), :class:`ConditionFailed` when a
conditional write found a newer item in the way, :class:`~ghela.core.errors.PermanentError`
when DynamoDB refuses the request itself (a retry of the same request gets the same answer).
"""

from __future__ import annotations

from typing import Any

from ghela.core.awsjson import DYNAMODB, AwsErrorAnswer, AwsJsonClient, AwsUnreadableAnswer, aws_json_client
from ghela.core.errors import GhelaError, PermanentError, TransientError

Item = dict[str, Any]
"""An item or key in DynamoDB's typed JSON: ``{"device": {"S": "pi"}, ...}``."""


REFUSED_REQUESTS = frozenset({"ValidationException", "SerializationException"})
"""DynamoDB's answers about the request itself (too big, a wrong key or type), as 400s.
AccessDenied stays transient: an admin can fix a role, and the entry must then go out."""


class ConditionFailed(GhelaError):
    """A conditional write was refused because the stored item is newer."""


def dynamodb_client(endpoint_url: str = "") -> AwsJsonClient:
    """CloudSync's DynamoDB client; ``endpoint_url`` empty means real AWS. A batch of 25
    conditional writes may take a while to answer: 15 s to read, 5 s to connect."""
    return aws_json_client(DYNAMODB, endpoint_url, connect_timeout=5.0, read_timeout=15.0)


class DynamoDb:
    """The few DynamoDB operations CloudSync uses, with errors made into project errors."""

    def __init__(self, client: AwsJsonClient) -> None:
        self._client = client

    def put(
        self,
        table: str,
        item: Item,
        condition: str | None = None,
        values: Item | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        """PutItem; :class:`ConditionFailed` when ``condition`` does not hold."""
        self._call("PutItem", TableName=table, Item=item, **_condition(condition, values, names))

    def delete(
        self,
        table: str,
        key: Item,
        condition: str | None = None,
        values: Item | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        self._call("DeleteItem", TableName=table, Key=key, **_condition(condition, values, names))

    def update(self, table: str, key: Item, expression: str, values: Item, names: dict[str, str]) -> None:
        self._call(
            "UpdateItem",
            TableName=table,
            Key=key,
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
            ExpressionAttributeNames=names,
        )

    def transact(self, operations: list[dict[str, Any]]) -> None:
        """TransactWriteItems: all or nothing; :class:`ConditionFailed` if any condition fails."""
        self._call("TransactWriteItems", TransactItems=operations)

    def query_sort_keys(self, table: str, device: str, prefix: str) -> list[str]:
        """Every ``sk`` under ``device`` that starts with ``prefix`` (all pages)."""
        keys: list[str] = []
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "#d = :d AND begins_with(sk, :p)",
            "ExpressionAttributeNames": {"#d": "device"},
            "ExpressionAttributeValues": {":d": {"S": device}, ":p": {"S": prefix}},
            "ProjectionExpression": "sk",
        }
        while True:
            page = self._call("Query", **request)
            keys.extend(_sort_keys(page))
            if "LastEvaluatedKey" not in page:
                return keys
            last = page["LastEvaluatedKey"]
            if not isinstance(last, dict) or not last:
                raise AwsUnreadableAnswer(f"DynamoDB Query: LastEvaluatedKey is not a key: {str(last)[:80]}")
            request["ExclusiveStartKey"] = last

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            return self._client.call(operation, request)
        except AwsErrorAnswer as exc:
            if exc.code == "ConditionalCheckFailedException":
                raise ConditionFailed(f"{operation}: a newer item is stored") from None
            if exc.code == "TransactionCanceledException" and _a_condition_failed(exc):
                raise ConditionFailed(f"{operation}: a newer item is stored") from None
            message = f"DynamoDB {operation} failed: {exc.code}: {exc.message}"
            if exc.code in REFUSED_REQUESTS and exc.status < 500:
                raise PermanentError(message) from exc
            raise TransientError(message) from exc
        except ValueError as exc:  # refused before it was sent (not JSON)
            raise PermanentError(f"DynamoDB {operation} refused: {exc}") from exc


def _sort_keys(page: dict[str, Any]) -> list[str]:
    """The ``sk`` of each item of a Query page; an answer of another shape names what is wrong."""
    items = page.get("Items", [])
    if not isinstance(items, list):
        raise AwsUnreadableAnswer(f"DynamoDB Query: Items is a {type(items).__name__}, not a list")
    keys: list[str] = []
    for index, item in enumerate(items):
        sort_key = item.get("sk") if isinstance(item, dict) else None
        value = sort_key.get("S") if isinstance(sort_key, dict) else None
        if not isinstance(value, str):
            raise AwsUnreadableAnswer(f"DynamoDB Query: Items[{index}].sk is not a string attribute")
        keys.append(value)
    return keys


def _a_condition_failed(exc: AwsErrorAnswer) -> bool:
    reasons = exc.body.get("CancellationReasons")
    if isinstance(reasons, list) and any(
        isinstance(reason, dict) and reason.get("Code") == "ConditionalCheckFailed" for reason in reasons
    ):
        return True
    return "ConditionalCheckFailed" in exc.message


def _condition(condition: str | None, values: Item | None, names: dict[str, str] | None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if condition:
        extra["ConditionExpression"] = condition
    if values:
        extra["ExpressionAttributeValues"] = values
    if names:
        extra["ExpressionAttributeNames"] = names
    return extra
