"""Server-sent events: a streamed answer's events as OpenAI's chunks, then ``[DONE]``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from beavertail.serve.errors import failure
from beavertail.serve.responses import usage

Event = tuple[str, Any]  # ("delta", text) | ("done", result) | ("error", failure)


def chunk(
    completion_id: str,
    created: int,
    model: str,
    delta: dict,
    finish: str | None,
    raw: bool = False,
) -> dict[str, Any]:
    """A stream chunk: a chat delta, or (``raw``) a text completion's piece of text."""
    choice: dict[str, Any] = {"index": 0, "finish_reason": finish}
    if raw:
        choice["text"] = delta.get("content", "")
    else:
        choice["delta"] = delta
    return {
        "id": completion_id,
        "object": "text_completion" if raw else "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [choice],
    }


def sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


async def event_stream(
    take: Callable[[], Awaitable[Event]],
    completion_id: str,
    created: int,
    model: str,
    include_usage: bool,
    raw: bool = False,
) -> AsyncIterator[str]:
    """The SSE lines of one streamed answer: a role chunk (chat), content chunks, the final
    chunk with the finish reason and the guards' report (an error event instead when the
    answer failed), optionally usage, then ``[DONE]`` - always."""
    if not raw:
        yield sse(chunk(completion_id, created, model, {"role": "assistant", "content": ""}, None))
    while True:
        kind, value = await take()
        if kind == "delta":
            yield sse(chunk(completion_id, created, model, {"content": value}, None, raw))
        elif kind == "error":
            error = failure(value)
            yield sse({"error": {"message": error.message, "type": error.kind,
                                 "code": error.code}})  # fmt: skip
            break
        else:
            final = chunk(completion_id, created, model, {}, value["finish_reason"], raw)
            final["beavertail"] = value["guard"]
            yield sse(final)
            if include_usage:
                tail = chunk(completion_id, created, model, {}, None)
                tail["choices"] = []
                tail["usage"] = usage(value)
                yield sse(tail)
            break
    yield "data: [DONE]\n\n"
