"""Endpoint function `admin`: /v1/admin/**. Routing and logic live in coinbox_platform.api."""

from firebase_functions import https_fn
from flask import Request, Response

from deploy import http_options


@https_fn.on_request(**http_options("admin"))
def admin(req: Request) -> Response:
    from coinbox_platform.api.app import handle

    return handle(req, "admin")
