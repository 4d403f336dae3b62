from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.db import SessionDep
from app.core.errors import Conflict
from app.core.http import json_response
from app.core.i18n import resolve
from app.core.routing import problem_responses
from app.keys.dependencies import AdminDep
from app.models import Topic
from app.records.params import LangDep
from app.reference.repository import ReferenceRepository
from app.reference.schemas import CountryOut, ReferenceList, TopicIn, TopicOut

router = APIRouter(tags=["Reference data"])


@router.get(
    "/countries",
    name="list_countries",
    summary="ISO countries, named in every content language, with record counts",
    response_model=ReferenceList,
)
async def list_countries(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    used: Annotated[
        bool, Query(description="Only countries that published records are about.", examples=[True])
    ] = False,
) -> Response:
    rows, counts = await ReferenceRepository(session).countries()
    items = [
        CountryOut(
            code=c.code,
            name=resolve(c.names, lang, "en")[0] or c.code,
            names=c.names,
            records=counts.get(c.code, 0),
        )
        for c in rows
        if not used or counts.get(c.code)
    ]
    return json_response(request, ReferenceList(items=items, total=len(items)))


def _topic_out(topic: Topic, lang: str, counts: dict[str, int]) -> TopicOut:
    return TopicOut(
        slug=topic.slug,
        label=resolve(topic.labels, lang, "en")[0] or topic.slug,
        labels=topic.labels,
        records=counts.get(topic.slug, 0),
    )


@router.get(
    "/topics",
    name="list_topics",
    summary="The controlled topic vocabulary, with record counts",
    response_model=ReferenceList,
)
async def list_topics(request: Request, session: SessionDep, lang: LangDep) -> Response:
    rows, counts = await ReferenceRepository(session).topics()
    items = [_topic_out(t, lang, counts) for t in rows]
    return json_response(request, ReferenceList(items=items, total=len(items)))


@router.post(
    "/topics",
    name="create_topic",
    summary="Add a topic to the vocabulary (admin)",
    status_code=201,
    response_model=TopicOut,
    responses=problem_responses(Conflict),
)
async def create_topic(
    request: Request, body: TopicIn, session: SessionDep, _admin: AdminDep, lang: LangDep
) -> Response:
    repo = ReferenceRepository(session)
    if await repo.topic(body.slug) is not None:
        raise Conflict(f"Topic {body.slug!r} exists.")
    topic = Topic(slug=body.slug, labels=body.labels, position=await repo.next_position())
    await repo.add_topic(topic)
    return json_response(request, _topic_out(topic, lang, {}), status_code=201)
