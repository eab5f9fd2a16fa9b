"""A thin DynamoDB client CloudSync is handed (the boto3 client itself comes from
:func:`ghela.core.awsclient.aws_client`).

Everything else speaks in plain items (DynamoDB's typed JSON) and gets back plain results
or project errors: :class:`~ghela.core.errors.TransientError` for anything a retry may fix
(no network, throttling, a table not there yet), :class:`ConditionFailed` when a
conditional write found a newer item in the way, :class:`~ghela.core.errors.PermanentError`
when DynamoDB refuses the request itself (a retry of the same request gets the same answer).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from ghela.core.awsclient import aws_client
from ghela.core.errors import GhelaError, PermanentError, TransientError

Item = dict[str, Any]
"""An item or key in DynamoDB's typed JSON: ``{"device": {"S": "pi"}, ...}``."""


REFUSED_REQUESTS = frozenset({"ValidationException", "SerializationException"})
"""DynamoDB's answers about the request itself (too big, a wrong key or type), as 400s.
AccessDenied stays transient: an admin can fix a role, and the entry must then go out."""


class ConditionFailed(GhelaError):
    """A conditional write was refused because the stored item is newer."""


def dynamodb_client(endpoint_url: str = "") -> Any:
    """CloudSync's DynamoDB client; ``endpoint_url`` empty means real AWS. A batch of 25
    conditional writes may take a while to answer: 15 s to read, 5 s to connect."""
    return aws_client("dynamodb", endpoint_url, timeout_seconds=5.0, read_timeout_seconds=15.0, attempts=2)


class DynamoDb:
    """The few DynamoDB operations CloudSync uses, with errors made into project errors."""

    def __init__(self, client: Any) -> None:
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
        self._call("put_item", TableName=table, Item=item, **_condition(condition, values, names))

    def delete(
        self,
        table: str,
        key: Item,
        condition: str | None = None,
        values: Item | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        self._call("delete_item", TableName=table, Key=key, **_condition(condition, values, names))

    def update(self, table: str, key: Item, expression: str, values: Item, names: dict[str, str]) -> None:
        self._call(
            "update_item",
            TableName=table,
            Key=key,
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
            ExpressionAttributeNames=names,
        )

    def transact(self, operations: list[dict[str, Any]]) -> None:
        """TransactWriteItems: all or nothing; :class:`ConditionFailed` if any condition fails."""
        self._call("transact_write_items", TransactItems=operations)

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
            page = self._call("query", **request)
            keys.extend(item["sk"]["S"] for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return keys
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return getattr(self._client, operation)(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise ConditionFailed(f"{operation}: a newer item is stored") from None
            if code == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons", [])
                if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or (
                    "ConditionalCheckFailed" in error.get("Message", "")
                ):
                    raise ConditionFailed(f"{operation}: a newer item is stored") from None
            message = f"DynamoDB {operation} failed: {code}: {error.get('Message', '')}"
            if code in REFUSED_REQUESTS:
                raise PermanentError(message) from exc
            raise TransientError(message) from exc
        except ParamValidationError as exc:  # refused before it was sent
            raise PermanentError(f"DynamoDB {operation} refused: {exc}") from exc
        except BotoCoreError as exc:
            raise TransientError(f"DynamoDB {operation} failed: {exc}") from exc


def _condition(condition: str | None, values: Item | None, names: dict[str, str] | None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if condition:
        extra["ConditionExpression"] = condition
    if values:
        extra["ExpressionAttributeValues"] = values
    if names:
        extra["ExpressionAttributeNames"] = names
    return extra
