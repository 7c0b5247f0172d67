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
from beavertail.serve.engine import ChatJob, Engine, Guards, QueueFull
from beavertail.serve.server import (
    build_app,
    build_guards,
    serve,
    serve_in_process,
    serve_in_thread,
)

__all__ = [
    "APIError",
    "BestOfNSettings",
    "ChatJob",
    "Engine",
    "Guards",
    "InputModeration",
    "OutputModeration",
    "QueueFull",
    "ServeConfig",
    "SteeringSettings",
    "build_app",
    "build_guards",
    "create_app",
    "load_serve_config",
    "serve",
    "serve_in_process",
    "serve_in_thread",
]
