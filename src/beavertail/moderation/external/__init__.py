"""The field's judges (Llama Guard, WildGuard, ShieldGemma, Qwen3Guard, BeaverDam, MD-Judge,
GuardReasoner, the HarmBench classifier, StrongREJECT's and a BeaverTails-14 rubric) as
beavertail judges, locally or behind any OpenAI-compatible endpoint.

A judge reference (accepted wherever a judge is: ``eval run --judge``, ``moderate predict``,
``moderate bench``, ``eval rejudge``, the server's moderators, the monitor's confirmer, guided
decoding's heuristic) is one of:

* ``FAMILY`` - the family's published model on the Hub, run locally;
* ``FAMILY:hf:ORG/NAME[@REVISION]``, ``FAMILY:PATH``, ``FAMILY:embedded:NAME`` - that model,
  run locally (transformers, CUDA when present);
* ``FAMILY@URL[#OPTIONS]`` - an OpenAI-compatible endpoint, e.g.
  ``wildguard@http://gpu-box:8000/v1#model=allenai/wildguard&concurrency=16&timeout=30``
  (options: ``model``, ``concurrency``, ``retries``, ``timeout``, ``api_key_env``).

``qwen3guard`` counts Qwen3Guard's "Controversial" as unsafe (strict), ``qwen3guard-loose`` as
safe. Every family's module names its sources and its deliberate differences from them.

``api_key_env=NAME`` sends the variable ``NAME``'s value to the URL as its API key, so only
variables the operator allows can be named: ``BEAVERTAIL_JUDGE_API_KEY``, the names listed
(comma-separated) in ``$BEAVERTAIL_JUDGE_API_KEY_VARS``, and those a caller passes as
``key_vars``; any other name is refused - a judge reference (from a config file, a
request, a shared run) cannot read arbitrary secrets out of the environment.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlsplit

from beavertail.moderation.external.base import (
    Completion,
    ExternalJudge,
    JudgeFormat,
    Parsed,
)
from beavertail.moderation.external.guardreasoner import GuardReasoner
from beavertail.moderation.external.harmbench import HarmBench
from beavertail.moderation.external.llama_guard import LlamaGuard3, LlamaGuard4
from beavertail.moderation.external.md_judge import MDJudge
from beavertail.moderation.external.qwen3guard import Qwen3Guard, Qwen3GuardLoose
from beavertail.moderation.external.rubric import BeaverTailsRubric, StrongReject
from beavertail.moderation.external.shieldgemma import ShieldGemma
from beavertail.moderation.external.wildguard import WildGuard
from beavertail.moderation.judge import Judge

FORMATS: dict[str, type[JudgeFormat]] = {
    f.family: f
    for f in (
        LlamaGuard3,
        LlamaGuard4,
        WildGuard,
        ShieldGemma,
        Qwen3Guard,
        Qwen3GuardLoose,
        MDJudge,
        GuardReasoner,
        HarmBench,
        StrongReject,
        BeaverTailsRubric,
    )
}
FAMILIES = (*FORMATS, "beaverdam")
_REFERENCE = re.compile(r"(?P<family>[a-z0-9-]+)(?:(?P<at>@)(?P<url>.+)|:(?P<model>.+))?")
DEFAULT_KEY_VAR = "BEAVERTAIL_JUDGE_API_KEY"
KEY_VARS_VAR = "BEAVERTAIL_JUDGE_API_KEY_VARS"  # more names the operator allows


def allowed_key_vars(extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The environment variables a reference's ``api_key_env`` may name."""
    listed = os.environ.get(KEY_VARS_VAR, "")
    return frozenset(
        {DEFAULT_KEY_VAR, *extra, *(name.strip() for name in listed.split(",") if name.strip())}
    )


def _api_key(reference: str, name: str | None, extra: tuple[str, ...]) -> str | None:
    if name is None:
        return None
    allowed = allowed_key_vars(extra)
    if name not in allowed:
        raise ValueError(
            f"{reference}: api_key_env={name} is not an allowed key variable (allowed: "
            f"{', '.join(sorted(allowed))}; list more in ${KEY_VARS_VAR})"
        )
    return os.environ.get(name)


def is_external_reference(reference: str) -> bool:
    found = _REFERENCE.fullmatch(reference)
    return bool(found) and found.group("family") in FAMILIES  # type: ignore[union-attr]


def resolve_external(
    reference: str, threshold: float | None = None, key_vars: tuple[str, ...] = ()
) -> Judge:
    """The judge a reference names (see the module docstring)."""
    from beavertail.moderation.external.backends import Backend, EndpointBackend, LocalBackend

    found = _REFERENCE.fullmatch(reference)
    if found is None or found.group("family") not in FAMILIES:
        raise ValueError(f"{reference}: not a judge reference; families: {', '.join(FAMILIES)}")
    family = found.group("family")
    model = found.group("model")
    if model is not None and model.startswith("hf:"):
        repo, _, revision = model[3:].partition("@")
        model = repo if not revision else _hub_snapshot(repo, revision)
    if family == "beaverdam":
        if found.group("at"):
            raise ValueError("beaverdam is a classifier: it runs locally (beaverdam:hf:ORG/NAME)")
        from beavertail.moderation.external.beaverdam import DEFAULT_MODEL, BeaverDamJudge

        judge: ExternalJudge | BeaverDamJudge = BeaverDamJudge(model or DEFAULT_MODEL, reference)
    else:
        fmt = FORMATS[family]()
        if found.group("at"):
            url = urlsplit(found.group("url"))
            options = dict(parse_qsl(url.fragment))
            unknown = set(options) - {"model", "concurrency", "retries", "timeout", "api_key_env"}
            if unknown:
                raise ValueError(f"{reference}: unknown endpoint options {sorted(unknown)}")
            key = _api_key(reference, options.get("api_key_env"), key_vars)
            served = options.get("model") or fmt.default_model
            fmt.bind(served)
            backend: Backend = EndpointBackend(
                url._replace(fragment="").geturl(),
                served,
                int(options.get("concurrency", 8)),
                int(options.get("retries", 3)),
                float(options.get("timeout", 60)),
                key,
                vllm_fields=fmt.model_specific,
            )
        else:
            if model is None and fmt.default_model is None:
                raise ValueError(f"{family} is a rubric over any chat model: name one")
            name = model or fmt.default_model
            local = LocalBackend(name, use_fast_tokenizer=fmt.use_fast_tokenizer)  # type: ignore[arg-type]
            fmt.bind(name, local.chat_template)
            backend = local
        judge = ExternalJudge(fmt, backend, reference)
    if threshold is not None:
        judge.threshold = threshold
    return judge


def _hub_snapshot(repo: str, revision: str) -> str:
    from huggingface_hub import snapshot_download

    return snapshot_download(repo, revision=revision)


__all__ = [
    "FAMILIES",
    "FORMATS",
    "Completion",
    "ExternalJudge",
    "JudgeFormat",
    "Parsed",
    "allowed_key_vars",
    "is_external_reference",
    "resolve_external",
]
