"""The Meilisearch client, without keep-alive.

Measured here: on a kept-alive connection Meilisearch's answer arrives about 40 ms late (its
response leaves in more than one write and waits for the client's delayed ACK), while a fresh
loopback connection costs well under a millisecond; a search took 47 ms at the median on reused
connections and 6 ms on fresh ones (bench/search_latency.py shows the effect end to end). The SDK
takes no pool settings, so its httpx client is replaced by one that opens a connection per request."""

from __future__ import annotations

import httpx2
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk._http_requests import AsyncHttpRequests
from meilisearch_python_sdk.json_handler import OrjsonHandler


def meili_client(url: str, key: str | None, *, timeout: int = 5) -> AsyncClient:
    client = AsyncClient(url, key, timeout=timeout, json_handler=OrjsonHandler())  # batches of 5,000 docs
    sdk_http = client.http_client
    client.http_client = httpx2.AsyncClient(
        base_url=sdk_http.base_url,
        headers=sdk_http.headers,
        timeout=sdk_http.timeout,
        limits=httpx2.Limits(max_keepalive_connections=0),
    )
    client._http_requests = AsyncHttpRequests(client.http_client, json_handler=client.json_handler)
    return client
