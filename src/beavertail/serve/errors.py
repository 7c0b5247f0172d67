"""OpenAI-shaped errors ``{"error": {"message", "type", "param", "code"}}`` and request
validation that names the bad field."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

RequestModel = TypeVar("RequestModel", bound=BaseModel)


class APIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind
        self.param, self.code = param, code

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self) -> JSONResponse:
        headers = {"Retry-After": "1"} if self.status == 429 else None
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


def failure(value: str | dict[str, Any]) -> APIError:
    """An engine's error event as the client's error (a local failure is a 500; the proxy
    and the deadline say which status they deserve)."""
    if isinstance(value, str):
        return APIError(500, value, "server_error")
    return APIError(value["status"], value["message"], value["type"], code=value.get("code"))


def validated(model: type[RequestModel], body: Any) -> RequestModel:
    """The request as ``model``; a 400 naming the bad field (``messages[0].role``) otherwise."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = [(field_path(p["loc"]), p["msg"]) for p in error.errors()]
        where, message = max(problems, key=lambda problem: len(problem[0] or ""))
        raise APIError(400, f"{where}: {message}" if where else message, param=where) from None


def field_path(loc: tuple[Any, ...]) -> str | None:
    """``("messages", 0, "content", "str")`` -> ``messages[0].content`` (union tags dropped)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier() and part.islower() and part not in ("str", "int", "float"):
            path += f".{part}" if path else part
    return path or None
