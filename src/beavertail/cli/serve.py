"""``beavertail serve``: the guarded OpenAI-compatible chat server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beavertail.cli.common import console, user_errors


def serve(
    config: Annotated[
        Path | None, typer.Option(help="YAML/TOML/JSON server config (see examples/serve.yaml).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Overrides the config's host.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides the config's port.")] = None,
    upstream: Annotated[
        str | None,
        typer.Option(help="Guard this OpenAI-compatible server (base URL ending in /v1)."),
    ] = None,
) -> None:
    """Serve /v1/chat/completions (streaming), /v1/moderations, /v1/models and /healthz."""
    from beavertail.serve import ServeConfig
    from beavertail.serve import serve as run_server
    from beavertail.serve.guard import redact_url

    with user_errors():
        flags = {"upstream": {"url": upstream}} if upstream else {}
        settings = ServeConfig.load(config, host=host, port=port, **flags)
        settings.resolved_api_key()  # a missing key variable fails here, not on first request
    # the upstream URL may carry a password or a token in its query: never printed
    behind = f" (guarding {redact_url(settings.upstream.url)})" if settings.upstream else ""
    console.print(
        f"serving {settings.model_name}{behind} on http://{settings.host}:{settings.port}/v1"
    )
    with user_errors():
        run_server(settings)
