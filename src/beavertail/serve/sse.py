"""Chat completion payloads: whole responses, and server-sent event streams of chunks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from beavertail.models.streaming import TokenLogprob
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


def completion(
    completion_id: str, created: int, model: str, parts: list[str], result: dict[str, Any]
) -> dict[str, Any]:
    """A whole (non-streamed) chat completion from the deltas and the final result."""
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
                "logprobs": chat_logprobs(answer.get("logprobs")),
            }
            | ({"beavertail": answer["guard"]} if answer.get("guard") else {})
            for index, answer in enumerate(_answers(parts, result))
        ],
        "usage": usage(result),
        "beavertail": result["guard"],
    }


def _answers(parts: list[str], result: dict[str, Any]) -> list[dict[str, Any]]:
    if result.get("choices"):
        return result["choices"]
    only = {"text": "".join(parts), "finish_reason": result["finish_reason"]}
    if result.get("logprobs") is not None:
        only["logprobs"] = result["logprobs"]
    return [only]


def chat_logprobs(tokens: list[TokenLogprob] | None) -> dict[str, Any] | None:
    """Chat completions' ``logprobs``: ``{"content": [{token, logprob, top_logprobs}]}``."""
    if tokens is None:
        return None
    return {
        "content": [
            {
                "token": t.token,
                "logprob": t.logprob,
                "bytes": list(t.token.encode("utf-8")),
                "top_logprobs": [
                    {"token": tok, "logprob": lp, "bytes": list(tok.encode("utf-8"))}
                    for tok, lp in t.top
                ],
            }
            for t in tokens
        ]
    }


def completion_logprobs(tokens: list[TokenLogprob] | None) -> dict[str, Any] | None:
    """Completions' ``logprobs``: parallel lists of tokens, their log-probabilities, the top
    alternatives per position and each token's character offset."""
    if tokens is None:
        return None
    offsets, at = [], 0
    for t in tokens:
        offsets.append(at)
        at += len(t.token)
    return {
        "tokens": [t.token for t in tokens],
        "token_logprobs": [t.logprob for t in tokens],
        "top_logprobs": [dict(t.top) for t in tokens],
        "text_offset": offsets,
    }


def text_completion(
    completion_id: str, created: int, model: str, parts: list[str], result: dict[str, Any]
) -> dict[str, Any]:
    """A whole ``/v1/completions`` answer (the text is returned as generated, unstripped)."""
    return {
        "id": completion_id,
        "object": "text_completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": index,
                "text": answer["text"],
                "finish_reason": answer["finish_reason"],
                "logprobs": completion_logprobs(answer.get("logprobs")),
            }
            | ({"beavertail": answer["guard"]} if answer.get("guard") else {})
            for index, answer in enumerate(_answers(parts, result))
        ],
        "usage": usage(result),
        "beavertail": result["guard"],
    }
