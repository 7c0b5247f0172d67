"""One client configuration for every OpenAI-compatible server beavertail talks to (vLLM, TGI,
llama.cpp's server, a hosted API, another ``beavertail serve``): the remote generator, the
endpoint judges and the guard proxy.

An :class:`OpenAIEndpoint` holds what they all set the same way (the base URL, the key, the
timeout, how often to retry) and builds the clients:

- :meth:`OpenAIEndpoint.client`: the ``openai`` SDK's client. It retries connection failures,
  timeouts, 408/409/429 and 5xx answers ``max_retries`` times with exponential backoff,
  honouring the server's ``Retry-After``; each try is bounded by ``timeout`` seconds.
- :meth:`OpenAIEndpoint.async_http`: an ``httpx.AsyncClient`` with the same key and timeout,
  for a caller that reads the bytes itself (the proxy judges a stream chunk by chunk, parsed
  by ``httpx-sse``, and maps each failure to its own status); it never retries.

A key is given as a value or read from a named environment variable
(:meth:`OpenAIEndpoint.from_env`); without one no ``Authorization`` header is sent by the
``httpx`` client, and the SDK (which needs some key) sends a placeholder rather than reading
``OPENAI_API_KEY`` on its own, nor the headers, organisation and project that the SDK reads from
the environment, so a key only ever goes where the caller sent it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    from openai import OpenAI

NO_KEY = "unused"
"""What the SDK sends when the endpoint needs no key (it refuses to run without one)."""


@dataclass(frozen=True)
class OpenAIEndpoint:
    """An OpenAI-compatible server: ``url`` is its API base (``http://host:8000/v1``)."""

    url: str
    api_key: str | None = field(default=None, repr=False)  # never printed
    timeout: float = 60.0
    max_retries: int = 2

    @classmethod
    def from_env(cls, url: str, api_key_env: str | None, **options: Any) -> OpenAIEndpoint:
        """The endpoint with its key read from the variable ``api_key_env`` (None: no key)."""
        key = os.environ.get(api_key_env) if api_key_env else None
        return cls(url, key or None, **options)

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")

    def url_for(self, path: str) -> str:
        """The full URL of an API path (``chat/completions``, ``models``)."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def headers(self) -> dict[str, str]:
        """The bearer key, when there is one."""
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def client(self) -> OpenAI:
        """The SDK's client: retries with backoff (``max_retries``), ``timeout`` per try."""
        from openai import OpenAI

        client = OpenAI(
            base_url=self.base_url,
            api_key=self.api_key or NO_KEY,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )
        # The SDK adds headers from the environment on its own (OPENAI_CUSTOM_HEADERS, which may
        # hold an Authorization line, OPENAI_ORG_ID, OPENAI_PROJECT_ID): none of them may go to
        # a server the caller did not name them for. Checked by a loopback test.
        client._custom_headers = {}
        client.organization = None
        client.project = None
        return client

    def async_http(self) -> httpx.AsyncClient:
        """An ``httpx`` client with the key and ``timeout`` (to connect and between reads)."""
        import httpx

        return httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), headers=self.headers())
