"""Run one deployed function's code path as production would, up to its first network call.

    python tests/production_harness.py FUNCTION        (cwd: functions/)

The test (tests/unit/test_production_mode.py) starts this in a subprocess whose environment
holds only what Cloud Functions gives that function: the project id, K_SERVICE and
FUNCTION_TARGET, the secrets the function declares, a service-account credential file, and no
emulator variable. The harness then

1. replaces the network with a boundary that raises NetworkReached at the first connection
   attempt (DNS, a socket, a gRPC channel): Google's services cannot be reached from here, and
   getting that far means settings, credentials, clients and imports all worked;
2. builds the input the platform would send (an HTTP request with an API key through the
   function's own route family, a Cloud Tasks body, a Firestore CloudEvent in protobuf, a
   Cloud Scheduler call) and calls the function the Firebase SDK discovered;
3. prints one JSON line: how the run ended, the HTTP status if any, every exception that was
   logged, and the secrets the code read (coinbox_platform.config.secrets_read).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import traceback
from datetime import UTC, datetime
from typing import Any


class NetworkReached(BaseException):
    """The code path asked for the network. BaseException, so that no `except Exception` in
    the code under test turns it into something else."""


REACHED: list[str] = []  # every connection attempt, in order


def _refuse(*args: Any, **kwargs: Any) -> Any:
    target = repr(args[:2])[:200]
    REACHED.append(target)
    raise NetworkReached(target)


def install_network_boundary() -> None:
    socket.getaddrinfo = _refuse
    socket.create_connection = _refuse
    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
    import grpc
    from google.api_core import grpc_helpers

    grpc.secure_channel = _refuse
    grpc.insecure_channel = _refuse
    grpc_helpers.create_channel = _refuse


class LoggedErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # What fails once the network was asked for is the network's absence here (a client
        # library's rollback of a transaction that never began, say): only errors before it
        # are the code's own.
        if record.levelno >= logging.ERROR and not REACHED:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += " | " + "".join(traceback.format_exception(record.exc_info[1]))[-800:]
            self.errors.append(text)


# Payloads the enqueuers send (coinbox_platform.tasks.enqueue callers).
TASK_PAYLOADS: dict[str, dict[str, Any]] = {
    "deliverwebhook": {"deliveryId": "whd_" + "A" * 24},
    "runexport": {"exportId": "exp_" + "A" * 24},
    "fanoutmessages": {"batchId": "bat_" + "A" * 24, "chunk": 0, "cursor": None},
    "settlewithdrawal": {"transactionId": "txn_" + "A" * 24},
}
# Path parameters by name: well-formed ids of the right kind.
PARAM_IDS = {
    "loanId": "loan",
    "investmentId": "inv",
    "transactionId": "txn",
    "orderId": "ord",
    "messageId": "msg",
    "webhookId": "whk",
    "deliveryId": "whd",
    "eventId": "evt",
    "batchId": "bat",
    "exportId": "exp",
    "keyId": "key",
}


def _path(template: str) -> str:
    import re

    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in PARAM_IDS:
            return f"{PARAM_IDS[name]}_" + "A" * 24
        return {"asset": "BTC", "kind": "loans", "uid": "u" * 28}.get(name, "x")

    return re.sub(r"\{(\w+)\}", fill, template)


def call_http(fn: Any, family: str) -> dict[str, Any]:
    import flask

    from coinbox_platform.access.apikeys import generate_key
    from coinbox_platform.api.routes import load_all
    from coinbox_platform.api.routing import TABLE

    load_all()
    routes = [r for r in TABLE.routes if r.family == family]
    # The route that needs the most: its own secrets first, then an authenticated one.
    route = max(routes, key=lambda r: (len(r.secrets), r.auth != "none", r.method == "GET"))
    app = flask.Flask("production-harness")
    headers = {
        "X-API-Key": generate_key(),
        "User-Agent": "production-harness",
        "X-Cloud-Trace-Context": "0af7651916cd43dd8448eb211c80319c/1;o=1",
    }
    body = None if route.method == "GET" else {}
    with app.test_request_context(
        _path(route.template), method=route.method, headers=headers, json=body
    ):
        resp = fn(flask.request)
    return {"route": f"{route.method} {route.template}", "status": resp.status_code}


def call_task(fn: Any, name: str) -> dict[str, Any]:
    import flask

    app = flask.Flask("production-harness")
    data = {"data": TASK_PAYLOADS.get(name, {})}
    headers = {"X-CloudTasks-TaskName": f"harness-{name}", "X-CloudTasks-QueueName": name}
    with app.test_request_context("/", method="POST", json=data, headers=headers):
        resp = fn(flask.request)
    return {"status": resp.status_code}


def call_schedule(fn: Any, name: str) -> dict[str, Any]:
    import flask

    app = flask.Flask("production-harness")
    headers = {
        "X-CloudScheduler-JobName": f"firebase-schedule-{name}-us-central1",
        "X-CloudScheduler-ScheduleTime": datetime.now(UTC).isoformat(),
    }
    with app.test_request_context("/", method="POST", headers=headers):
        resp = fn(flask.request)
    return {"status": resp.status_code}


def _value(v: Any) -> Any:
    from google.events.cloud.firestore import ArrayValue, MapValue, Value

    if v is None:
        return Value(null_value=0)
    if isinstance(v, bool):
        return Value(boolean_value=v)
    if isinstance(v, int):
        return Value(integer_value=v)
    if isinstance(v, float):
        return Value(double_value=v)
    if isinstance(v, dict):
        return Value(map_value=MapValue(fields={k: _value(x) for k, x in v.items()}))
    if isinstance(v, list):
        return Value(array_value=ArrayValue(values=[_value(x) for x in v]))
    return Value(string_value=str(v))


def _stored_example(collection: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(document id, before, after) of a status change, from the catalog's example objects."""
    from coinbox_platform.webhooks import catalog

    event = {
        "loans": "loan.approved",
        "investments": "investment.completed",
        "transactions": "transaction.completed",
        "cryptoOrders": "crypto.order_filled",
        "users": "user.kyc_completed",
    }[collection]
    obj = dict(catalog.example_event(event)["data"]["object"])
    doc_id = str(obj.pop("id"))
    obj.pop("object", None)
    after = {k: v for k, v in obj.items() if v is not None}
    if collection == "cryptoOrders":  # stored as atoms, with its volume day
        from coinbox_platform.domain.models import Asset
        from coinbox_platform.money import parse_quantity

        after["quantity"] = parse_quantity(after["quantity"], Asset(after["asset"]))
        after["volumeDay"] = str(after["createdAt"])[:10]
    before = dict(after)
    before["status"] = "pending" if collection != "users" else None
    if collection == "users":
        before["kycStatus"] = "pending"
    return doc_id, before, after


def call_trigger(fn: Any, endpoint: dict[str, Any]) -> dict[str, Any]:
    from cloudevents.http import CloudEvent
    from google.events.cloud.firestore import Document, DocumentEventData

    pattern = endpoint["eventTrigger"]["eventFilterPathPatterns"]["document"]
    collection = pattern.split("/", 1)[0]
    doc_id, before, after = _stored_example(collection)
    project = os.environ["GCLOUD_PROJECT"]
    name = f"projects/{project}/databases/(default)/documents/{collection}/{doc_id}"
    data = DocumentEventData(
        value=Document(name=name, fields={k: _value(v) for k, v in after.items()}),
        old_value=Document(name=name, fields={k: _value(v) for k, v in before.items()}),
    )
    event = CloudEvent(
        {
            "specversion": "1.0",
            "id": "harness-1",
            "source": f"//firestore.googleapis.com/projects/{project}/databases/(default)",
            "type": endpoint["eventTrigger"]["eventType"],
            "datacontenttype": "application/protobuf",
            "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "location": "us-central1",
            "project": project,
            "namespace": "(default)",
            "database": "(default)",
            "document": f"{collection}/{doc_id}",
            "subject": f"documents/{collection}/{doc_id}",
        },
        DocumentEventData.serialize(data),
    )
    fn(event)
    return {"document": f"{collection}/{doc_id}"}


def main(name: str) -> dict[str, Any]:
    install_network_boundary()
    errors = LoggedErrors()
    sys.path.insert(0, os.getcwd())
    out: dict[str, Any] = {"function": name}
    try:
        import main as functions_main  # noqa: F401 (the deployed index)
        from firebase_functions.private import serving

        logging.getLogger().addHandler(errors)
        fn = serving.get_functions()[name]
        endpoint = dict(fn.__firebase_endpoint__.__dict__)
        if endpoint.get("httpsTrigger") is not None:
            out |= call_http(fn, name)
        elif endpoint.get("taskQueueTrigger") is not None:
            out |= call_task(fn, name)
        elif endpoint.get("scheduleTrigger") is not None:
            out |= call_schedule(fn, name)
        elif endpoint.get("eventTrigger") is not None:
            out |= call_trigger(fn, endpoint)
        else:
            raise RuntimeError(f"no way to call {name}: {sorted(endpoint)}")
        out["ended"] = "network" if REACHED else "returned"
        if REACHED:
            out["network"] = REACHED[0]
    except NetworkReached as reached:
        out["ended"] = "network"
        out["network"] = str(reached)
    except BaseException as exc:
        out["ended"] = "network" if REACHED else "raised"
        out["network"] = REACHED[0] if REACHED else None
        out["exception"] = "".join(traceback.format_exception(exc))[-2000:]
    from coinbox_platform.config import secrets_read

    out["errors"] = errors.errors
    out["secretsRead"] = sorted(s.value for s in secrets_read())
    return out


if __name__ == "__main__":
    result = main(sys.argv[1])
    sys.stdout.write("HARNESS " + json.dumps(result) + "\n")
