"""Endpoint function `webhooks`: /v1/webhooks/**. Routing and logic live in coinbox_platform.api."""

from firebase_functions import https_fn
from flask import Request, Response

from api.options import HTTP_OPTIONS


@https_fn.on_request(**HTTP_OPTIONS)
def webhooks(req: Request) -> Response:
    from coinbox_platform.api.app import handle

    return handle(req, "webhooks")
