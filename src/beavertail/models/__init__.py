"""Model plumbing: sentence encoders, causal LMs, the OpenAI-compatible client, progress."""

from beavertail.models.causal import DEFAULT_LM, LoadedLM, chat_text, load_lm, resolve_lm
from beavertail.models.encoders import DEFAULT_ENCODER, SentenceEncoder, resolve_encoder
from beavertail.models.openai_client import OpenAIEndpoint
from beavertail.models.progress import track

__all__ = [
    "DEFAULT_ENCODER",
    "DEFAULT_LM",
    "LoadedLM",
    "OpenAIEndpoint",
    "SentenceEncoder",
    "chat_text",
    "load_lm",
    "resolve_encoder",
    "resolve_lm",
    "track",
]
