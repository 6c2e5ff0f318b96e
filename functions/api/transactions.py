"""Endpoint function `transactions`: /v1/transactions/**. Routing and logic live in coinbox_platform.api."""

from firebase_functions import https_fn
from flask import Request, Response

from deploy import http_options


@https_fn.on_request(**http_options("transactions"))
def transactions(req: Request) -> Response:
    from coinbox_platform.api.app import handle

    return handle(req, "transactions")
