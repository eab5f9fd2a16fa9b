"""Each delivery is sent once: a conditional put of its key claims it before sending.

A failed send releases its claim, so the retry (Lambda's, or the schedule's) sends it; a
second delivery of the same change finds the claim and sends nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

SENT_KEY = "key"
SENT_TTL_ATTRIBUTE = "expires_at"
KEEP = timedelta(days=30)


class Ledger:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._ddb = dynamodb
        self._table = table

    def claim(self, key: str, now: datetime) -> bool:
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item={
                    SENT_KEY: {"S": key},
                    "at": {"S": now.isoformat()},
                    SENT_TTL_ATTRIBUTE: {"N": str(int((now + KEEP).timestamp()))},
                },
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": SENT_KEY},
            )
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, key: str) -> None:
        self._ddb.delete_item(TableName=self._table, Key={SENT_KEY: {"S": key}})
