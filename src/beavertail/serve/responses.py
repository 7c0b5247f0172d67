"""Whole (non-streamed) answers: chat completions and text completions as JSON."""

from __future__ import annotations

from typing import Any

from beavertail.models.streaming import TokenLogprob


def usage(result: dict[str, Any]) -> dict[str, int]:
    prompt, completion = int(result["prompt_tokens"]), int(result["completion_tokens"])
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def completion(
    completion_id: str, created: int, model: str, parts: list[str], result: dict[str, Any]
) -> dict[str, Any]:
    """A whole (non-streamed) chat completion from the deltas and the final result."""
    choices = [
        {
            "index": index,
            "message": {"role": "assistant", "content": answer["text"].strip()},
            "finish_reason": answer["finish_reason"],
            "logprobs": chat_logprobs(answer.get("logprobs")),
        }
        for index, answer in enumerate(_answers(parts, result))
    ]
    return _whole("chat.completion", completion_id, created, model, choices, parts, result)


def _whole(
    kind: str,
    completion_id: str,
    created: int,
    model: str,
    choices: list[dict[str, Any]],
    parts: list[str],
    result: dict[str, Any],
) -> dict[str, Any]:
    """The envelope of a whole answer; each choice with its own guard verdict when it has one."""
    answers = _answers(parts, result)
    return {
        "id": completion_id,
        "object": kind,
        "created": created,
        "model": model,
        "choices": [
            choice | ({"beavertail": answer["guard"]} if answer.get("guard") else {})
            for choice, answer in zip(choices, answers, strict=True)
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
    choices = [
        {
            "index": index,
            "text": answer["text"],
            "finish_reason": answer["finish_reason"],
            "logprobs": completion_logprobs(answer.get("logprobs")),
        }
        for index, answer in enumerate(_answers(parts, result))
    ]
    return _whole("text_completion", completion_id, created, model, choices, parts, result)
