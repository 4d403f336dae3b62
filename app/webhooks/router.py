"""`/v1/webhooks`: subscriptions to the public change feed, delivered per the Standard Webhooks spec."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.core.config import SettingsDep
from app.core.db import SessionDep
from app.core.errors import NotFound, Unauthorized, Unprocessable
from app.core.http import dumps
from app.core.pagination import LimitQuery, Page
from app.core.routing import problem_responses
from app.keys.dependencies import EditorDep
from app.webhooks.schemas import DeliveryOut, WebhookIn, WebhookOut, WebhookPatch
from app.webhooks.service import WebhookService, body

router = APIRouter(prefix="/webhooks", tags=["Webhooks"])
WebhookId = Annotated[uuid.UUID, Path(description="The subscription's id.")]

DELIVERY = (
    "Each change is POSTed as JSON `{type, timestamp, data}` (`type` e.g. `law.updated`; `data` the "
    "change-feed item plus `record`, the record as the public sees it, null once it is not public), "
    "signed per the [Standard Webhooks](https://www.standardwebhooks.com) spec: headers `webhook-id` "
    "(the same on every retry), `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256>`). "
    "Verify with the spec's libraries and the secret. Answer 2xx within 10 s; anything else is retried "
    "with backoff (doubling, at most hourly) for a day, then the subscription is disabled with the "
    "reason. Changes arrive in feed order; drafts are never announced: publishing sends `created`, "
    "unpublishing `deleted`."
)


def _json(data: object, status: int = 200) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json")


@router.post(
    "",
    name="create_webhook",
    summary="Subscribe to changes (editor); the signing secret is shown once",
    description=DELIVERY,
    status_code=201,
    response_model=WebhookOut,
    responses=problem_responses(Unauthorized, Unprocessable),
)
async def create_webhook(
    payload: WebhookIn, session: SessionDep, viewer: EditorDep, settings: SettingsDep
) -> Response:
    hook = await WebhookService(session, viewer, settings).create(payload)
    response = _json(body(hook, secret=True), 201)
    response.headers["Location"] = f"/v1/webhooks/{hook.id}"
    return response


@router.get(
    "",
    name="list_webhooks",
    summary="Your subscriptions (editor; admins see everyone's)",
    response_model=Page[WebhookOut],
    responses=problem_responses(Unauthorized, Unprocessable),
)
async def list_webhooks(
    session: SessionDep,
    viewer: EditorDep,
    settings: SettingsDep,
    limit: LimitQuery = 20,
    cursor: Annotated[uuid.UUID | None, Query(description="`next_cursor` of the page before.")] = None,
) -> Response:
    rows, total = await WebhookService(session, viewer, settings).page(limit, cursor)
    page = {
        "items": [body(h) for h in rows[:limit]],
        "total": total,
        "next_cursor": str(rows[limit - 1].id) if len(rows) > limit else None,
    }
    return _json(page)


@router.get(
    "/{webhook_id}",
    name="get_webhook",
    summary="One subscription (editor)",
    response_model=WebhookOut,
    responses=problem_responses(Unauthorized, NotFound, Unprocessable),
)
async def get_webhook(
    webhook_id: WebhookId, session: SessionDep, viewer: EditorDep, settings: SettingsDep
) -> Response:
    return _json(body(await WebhookService(session, viewer, settings).get(webhook_id)))


@router.patch(
    "/{webhook_id}",
    name="update_webhook",
    summary="Change a subscription, or turn it back on (editor)",
    response_model=WebhookOut,
    responses=problem_responses(Unauthorized, NotFound, Unprocessable),
)
async def update_webhook(
    webhook_id: WebhookId, patch: WebhookPatch, session: SessionDep, viewer: EditorDep, settings: SettingsDep
) -> Response:
    return _json(body(await WebhookService(session, viewer, settings).patch(webhook_id, patch)))


@router.delete(
    "/{webhook_id}",
    name="delete_webhook",
    summary="Unsubscribe (editor)",
    status_code=204,
    responses=problem_responses(Unauthorized, NotFound, Unprocessable),
)
async def delete_webhook(
    webhook_id: WebhookId, session: SessionDep, viewer: EditorDep, settings: SettingsDep
) -> Response:
    await WebhookService(session, viewer, settings).delete(webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    name="list_webhook_deliveries",
    summary="The delivery log: every attempt, newest first (editor)",
    response_model=Page[DeliveryOut],
    responses=problem_responses(Unauthorized, NotFound, Unprocessable),
)
async def list_deliveries(
    webhook_id: WebhookId,
    session: SessionDep,
    viewer: EditorDep,
    settings: SettingsDep,
    limit: LimitQuery = 20,
    cursor: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="`next_cursor` of the page before.")
    ] = None,
) -> Response:
    rows, total = await WebhookService(session, viewer, settings).deliveries(webhook_id, limit, cursor)
    items = [DeliveryOut.model_validate(d, from_attributes=True).model_dump() for d in rows[:limit]]
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return _json({"items": items, "total": total, "next_cursor": next_cursor})


@router.post(
    "/{webhook_id}/replay",
    name="replay_webhook",
    summary="Send again every change after a point in the change feed (editor)",
    status_code=202,
    response_model=WebhookOut,
    responses=problem_responses(Unauthorized, NotFound, Unprocessable),
)
async def replay_webhook(
    webhook_id: WebhookId,
    session: SessionDep,
    viewer: EditorDep,
    settings: SettingsDep,
    since: Annotated[int, Query(ge=0, le=2**62, description="A feed `seq`: changes after it are sent.")],
) -> Response:
    hook = await WebhookService(session, viewer, settings).replay(webhook_id, since)
    return _json(body(hook), 202)
