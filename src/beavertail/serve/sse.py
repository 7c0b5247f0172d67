"""Chat completion payloads: whole responses, and server-sent event streams of chunks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from beavertail.serve.errors import failure

Event = tuple[str, Any]  # ("delta", text) | ("done", result) | ("error", failure)


def usage(result: dict[str, Any]) -> dict[str, int]:
    prompt, completion = int(result["prompt_tokens"]), int(result["completion_tokens"])
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def chunk(
    completion_id: str, created: int, model: str, delta: dict, finish: str | None
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


async def event_stream(
    take: Callable[[], Awaitable[Event]],
    completion_id: str,
    created: int,
    model: str,
    include_usage: bool,
) -> AsyncIterator[str]:
    """The SSE lines of one streamed answer: a role chunk, content chunks, the final chunk
    with the finish reason and the guards' report (an error event instead when the answer
    failed), optionally usage, then ``[DONE]`` - always."""
    yield sse(chunk(completion_id, created, model, {"role": "assistant", "content": ""}, None))
    while True:
        kind, value = await take()
        if kind == "delta":
            yield sse(chunk(completion_id, created, model, {"content": value}, None))
        elif kind == "error":
            error = failure(value)
            yield sse({"error": {"message": error.message, "type": error.kind,
                                 "code": error.code}})  # fmt: skip
            break
        else:
            final = chunk(completion_id, created, model, {}, value["finish_reason"])
            final["beavertail"] = value["guard"]
            yield sse(final)
            if include_usage:
                tail = chunk(completion_id, created, model, {}, None)
                tail["choices"] = []
                tail["usage"] = usage(value)
                yield sse(tail)
            break
    yield "data: [DONE]\n\n"


def completion(
    completion_id: str, created: int, model: str, parts: list[str], result: dict[str, Any]
) -> dict[str, Any]:
    """A whole (non-streamed) chat completion from the deltas and the final result."""
    answers = result.get("choices") or [
        {"text": "".join(parts), "finish_reason": result["finish_reason"]}
    ]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": index,
                "message": {"role": "assistant", "content": answer["text"].strip()},
                "finish_reason": answer["finish_reason"],
            }
            | ({"beavertail": answer["guard"]} if answer.get("guard") else {})
            for index, answer in enumerate(answers)
        ],
        "usage": usage(result),
        "beavertail": result["guard"],
    }
