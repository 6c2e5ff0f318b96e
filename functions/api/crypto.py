"""Endpoint function `crypto`: /v1/crypto/**. Routing and logic live in coinbox_platform.api."""

from firebase_functions import https_fn
from flask import Request, Response

from deploy import http_options


@https_fn.on_request(**http_options("crypto"))
def crypto(req: Request) -> Response:
    from coinbox_platform.api.app import handle

    return handle(req, "crypto")
