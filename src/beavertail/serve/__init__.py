"""A guarded OpenAI-compatible chat server: steering, input/output moderation, best-of-N."""

from beavertail.serve.app import APIError, create_app
from beavertail.serve.config import (
    BestOfNSettings,
    InputModeration,
    OutputModeration,
    ServeConfig,
    SteeringSettings,
    load_serve_config,
)
from beavertail.serve.engine import Engine
from beavertail.serve.guard import GuardStack
from beavertail.serve.harness import serve_in_process, serve_in_thread
from beavertail.serve.jobs import ChatJob, QueueFull
from beavertail.serve.server import build_app, build_guard_stack, serve

__all__ = [
    "APIError",
    "BestOfNSettings",
    "ChatJob",
    "Engine",
    "GuardStack",
    "InputModeration",
    "OutputModeration",
    "QueueFull",
    "ServeConfig",
    "SteeringSettings",
    "build_app",
    "build_guard_stack",
    "create_app",
    "load_serve_config",
    "serve",
    "serve_in_process",
    "serve_in_thread",
]
