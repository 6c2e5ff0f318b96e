"""Endpoint function `webhooks`: /v1/webhooks/**. Routing and logic live in coinbox_platform.api."""

from firebase_functions import https_fn
from flask import Request, Response

from deploy import http_options


@https_fn.on_request(**http_options("webhooks"))
def webhooks(req: Request) -> Response:
    from coinbox_platform.api.app import handle

    return handle(req, "webhooks")
