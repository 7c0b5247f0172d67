"""Helpers shared by several test modules: a training run killed mid-way (a TRL trainer
callback, or torch's ``clip_grad_norm_`` for the moderator's own loop), the file suffixes no
saved artifact may carry, and a stand-in OpenAI-compatible endpoint."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import torch
from fastapi import FastAPI, Request
from fastapi.responses import Response
from transformers import TrainerCallback

# what torch.save / pickle would write: no saved model, adapter or checkpoint may hold one
PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".pkl", ".pickle"}


class CrashAt(TrainerCallback):
    """Kills a trainer's run (``KeyboardInterrupt``) at the end of step ``step``, after that
    step's checkpoint; with ``folder``, first records the names of the files under it."""

    def __init__(self, step: int, folder: Path | None = None) -> None:
        self.step, self.folder = step, folder
        self.files: list[str] = []

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            if self.folder is not None:
                self.files = [p.name for p in self.folder.rglob("*") if p.is_file()]
            raise KeyboardInterrupt  # killed mid-run, after a checkpoint


@contextmanager
def killed_at_step(monkeypatch: pytest.MonkeyPatch, step: int) -> Iterator[None]:
    """The training run inside the block is killed (``KeyboardInterrupt``, which the block
    must raise) at its ``step``-th optimizer step: torch's ``clip_grad_norm_``, called once
    a step, raises then; the real one is back on leaving."""
    real_clip = torch.nn.utils.clip_grad_norm_
    steps = itertools.count(1)

    def clip_or_crash(*args, **kwargs):
        if next(steps) == step:
            raise KeyboardInterrupt("simulated crash")
        return real_clip(*args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", clip_or_crash)
    try:
        with pytest.raises(KeyboardInterrupt):
            yield
    finally:
        monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", real_clip)


Answer = Callable[[dict], Awaitable[Any]]


def openai_stub(completion: Answer, chat: Answer | None = None) -> FastAPI:
    """An OpenAI-compatible app serving one model, ``fake``: the JSON body of each request
    to ``/v1/completions`` goes to ``completion`` (to ``/v1/chat/completions``: ``chat``),
    which returns the one choice to answer with, or a whole ``Response`` (an error)."""
    api = FastAPI()

    @api.get("/v1/models")
    async def models():
        return {"data": [{"id": "fake"}]}

    def route(path: str, kind: str, answer: Answer) -> None:
        @api.post(path, name=kind)
        async def respond(request: Request):
            choice = await answer(await request.json())
            if isinstance(choice, Response):
                return choice
            return {"id": "c", "object": kind, "created": 0, "model": "fake", "choices": [choice]}

    route("/v1/completions", "text_completion", completion)
    if chat is not None:
        route("/v1/chat/completions", "chat.completion", chat)
    return api
