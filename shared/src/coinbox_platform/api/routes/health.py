"""GET /v1/health: the floor of the stack (one Firestore read)."""

from __future__ import annotations

from coinbox_platform import __version__, store
from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import Health
from coinbox_platform.errors import ServiceUnavailable


@TABLE.route(
    "GET",
    "/v1/health",
    "health",
    summary="Service health",
    auth="none",
    response=Health,
    errors=(503,),
    tags=("Meta",),
    description="Checks Firestore with one document read.",
)
def health(call: Call) -> Reply:
    try:
        store.db().collection(store.HEALTH).document("ping").get(timeout=5)
    except Exception as exc:
        raise ServiceUnavailable("Firestore is unreachable.", headers={"Retry-After": "5"}) from exc
    return Reply(Health(status="ok", version=__version__).model_dump())
