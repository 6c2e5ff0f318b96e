"""Endpoint function `wallet`: /v1/wallet/**. Routing and logic live in coinbox_platform.api."""

from firebase_functions import https_fn
from flask import Request, Response

from deploy import http_options


@https_fn.on_request(**http_options("wallet"))
def wallet(req: Request) -> Response:
    from coinbox_platform.api.app import handle

    return handle(req, "wallet")
