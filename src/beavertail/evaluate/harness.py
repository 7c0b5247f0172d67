"""The evaluation harness: prompt sets -> generator (steered or not) -> judge -> run file.

A run is one configuration (model, steering, system prompt, decoding) over prompt sets. It
appends a record per answer after every batch, so an interrupted run resumes where it
stopped; ``shard="i/n"`` splits the prompts across machines (merge the run files in reports).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from rich.console import Console

from beavertail.artifacts import artifact_digest
from beavertail.data import EvalPrompt
from beavertail.decoding.best_of_n import BestOfNSettings
from beavertail.decoding.guided import GuidedConfig
from beavertail.evaluate.honesty import HonestySettings
from beavertail.evaluate.judge import AnswerJudge
from beavertail.evaluate.prompt_sets import load_prompt_set, prompt_id
from beavertail.evaluate.runfile import RunWriter
from beavertail.models import DEFAULT_LM, LoadedLM, load_lm
from beavertail.models.generation import (
    LocalGenerator,
    OpenAIChatGenerator,
    SamplingParams,
    TextGenerator,
)
from beavertail.models.progress import progress_bar
from beavertail.moderation import resolve_judge
from beavertail.moderation.ood.policy import OODPolicy, with_ood_policy
from beavertail.neurons.patch import PatchSettings
from beavertail.settings import DATA_DIR_HELP, Settings
from beavertail.steering.apply import SteeringSettings

DEFAULT_PROMPT_SETS = ["bt-eval-test", "harmless-test"]


class EvalConfig(Settings):
    """One evaluation run. Loadable from YAML/TOML/JSON; CLI flags override the file."""

    name: str = Field("unsteered", description="Configuration name in reports.")
    model: str = Field(DEFAULT_LM, description="Hub id, folder, .gguf or embedded:…")
    adapter: str | None = Field(
        None, description="Policy adapter folder (beavertail align), merged into the model."
    )
    endpoint: str | None = Field(None, description="OpenAI-compatible base URL (e.g. vLLM).")
    api_key_env: str = Field("OPENAI_API_KEY", description="Variable holding the endpoint key.")
    prompts: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PROMPT_SETS),
        description="Prompt sets: a name or file[:harmful|:harmless].",
    )
    limit: int | None = Field(None, ge=1, description="Prompts per set, category-balanced.")
    shard: str | None = Field(None, description="'i/n': this machine's share of the prompts.")
    sampling: SamplingParams = Field(default_factory=SamplingParams)
    steering: SteeringSettings | None = None
    best_of_n: BestOfNSettings | None = None
    guided: GuidedConfig | None = Field(None, description="Guided decoding (DeAL / RAIN).")
    neuron_patch: PatchSettings | None = Field(
        None, description="Patch safety neurons from an aligned twin (beavertail neurons)."
    )
    judge: str | None = Field(None, description="Judge reference; default: the shipped one.")
    ood: OODPolicy = Field(
        default_factory=OODPolicy,
        description="What the judge does with out-of-distribution answers.",
    )
    fluency: bool = Field(True, description="Score the answers' perplexity.")
    honesty: HonestySettings | None = Field(
        None, description="Also score TruthfulQA MC1/MC2 (beside the run file: run.honesty)."
    )
    batch_size: int = Field(8, ge=1, description="Prompts generated and judged per batch.")
    data_dir: str | None = Field(None, description=DATA_DIR_HELP)

    @model_validator(mode="after")
    def _consistent(self) -> EvalConfig:
        if self.shard is not None:
            index, _, total = self.shard.partition("/")
            if not (index.isdigit() and total.isdigit() and 0 <= int(index) < int(total)):
                raise ValueError(f"shard must look like 'i/n' with 0 <= i < n, got {self.shard!r}")
        if self.steering is not None and not self.steering.vectors:
            raise ValueError("steering needs a vectors folder (steering.vectors / --steer)")
        if self.endpoint and self.steering is not None:
            raise ValueError("steering needs a local model; serve a steered model instead")
        if self.endpoint and self.adapter is not None:
            raise ValueError(
                "an adapter needs a local model; serve it from the endpoint instead "
                "(vLLM: --enable-lora --lora-modules NAME=FOLDER/adapter, then --model NAME)"
            )
        if self.neuron_patch is not None and (
            self.endpoint or self.adapter or self.steering or self.guided
        ):
            raise ValueError(
                "neuron patching runs the local base model beside its aligned twin; it does "
                "not combine with an endpoint, an adapter, steering or guided decoding"
            )
        if self.honesty is not None and (
            self.endpoint or self.steering or self.best_of_n or self.guided or self.neuron_patch
        ):
            raise ValueError(
                "honesty (TruthfulQA MC) is scored on a local model's weights (the base or an "
                "adapter); it does not combine with an endpoint, steering, best-of-N, guided "
                "decoding or neuron patching"
            )
        if self.guided is not None:
            if self.endpoint:
                raise ValueError("guided decoding needs a local model (it forks the KV cache)")
            if self.steering is not None or self.best_of_n is not None:
                raise ValueError("guided decoding does not combine with steering or best-of-N")
        return self

    @classmethod
    def upgrade(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """Settings as run files before the nested config stored them (flat sampling,
        steering and best-of-N keys), in today's shape."""
        raw = dict(raw)
        sampling = {k: raw.pop(k) for k in LEGACY_SAMPLING if k in raw}
        if sampling:
            raw["sampling"] = {**raw.get("sampling", {}), **sampling}
        steering = {new: raw.pop(old) for old, new in LEGACY_STEERING.items() if old in raw}
        if "steering" not in raw:
            raw["steering"] = steering if steering.get("vectors") else None
        n = raw.get("best_of_n")
        if n is None or isinstance(n, int):
            best = {k: raw.pop(k) for k in LEGACY_BEST_OF_N if k in raw}
            raw["best_of_n"] = {**best, "n": n} if n else None
        return raw

    def identity(self) -> dict[str, Any]:
        """The settings that define the results (a resumed run must match them)."""
        # honesty is written beside the run file, under its own identity: adding it to a
        # finished run scores it without regenerating the answers
        return self.model_dump(exclude={"batch_size", "data_dir", "api_key_env", "honesty"})

    @classmethod
    def stored_identity(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """A run file's stored identity, upgraded and with today's defaults filled in."""
        return cls.parse(cls.upgrade(raw), "run file identity").identity()


LEGACY_SAMPLING = ("max_new_tokens", "temperature", "top_p", "seed", "system_prompt")
LEGACY_STEERING = {
    "steer": "vectors",
    "steer_layer": "layer",
    "coefficient": "coefficient",
    "selection": "selection",
    "categories": "categories",
    "mode": "mode",
}
LEGACY_BEST_OF_N = ("reward_model", "cost_model", "cost_threshold")


@dataclass
class PlannedPrompt:
    id: str
    set: str
    prompt: EvalPrompt


def plan_prompts(config: EvalConfig) -> list[PlannedPrompt]:
    """Every prompt of the run (after limit and shard), each with its stable id."""
    planned = []
    for spec in config.prompts:
        for p in load_prompt_set(spec, config.data_dir, config.limit):
            planned.append(PlannedPrompt(prompt_id(spec, p), spec, p))
    if config.shard:
        index, total = (int(x) for x in config.shard.split("/"))
        planned = [p for k, p in enumerate(planned) if k % total == index]
    return planned


def build_generator(
    config: EvalConfig, lm: LoadedLM | None = None
) -> tuple[TextGenerator, Any, LoadedLM | None]:
    """(generator, steerer or selector or None, local LM or None) for a configuration."""
    generator, steerer, local = _base_generator(config, lm)
    if config.guided is not None and local is not None:
        from beavertail.decoding import GuidedGenerator, load_heuristic

        guided = GuidedGenerator(local, load_heuristic(config.guided), config.guided)
        return guided, guided, local
    if config.best_of_n is None:
        return generator, steerer, local
    from beavertail.decoding import SafeBestOfN
    from beavertail.preference import load_score_model

    b = config.best_of_n
    selector = SafeBestOfN(
        generator,
        load_score_model(b.reward_model, "reward"),
        load_score_model(b.cost_model, "cost"),
        b,
    )
    return selector, selector, local


def _base_generator(
    config: EvalConfig, lm: LoadedLM | None = None
) -> tuple[TextGenerator, Any, LoadedLM | None]:
    if config.endpoint:
        api_key = os.environ.get(config.api_key_env)
        return OpenAIChatGenerator(config.endpoint, config.model, api_key), None, None
    if config.adapter is not None:  # a shared base model would be the wrong policy
        lm = load_lm(config.model, adapter=config.adapter)
    lm = lm or load_lm(config.model)
    if config.neuron_patch is not None:
        from beavertail.neurons import patched_generator

        return patched_generator(lm, config.neuron_patch), None, lm
    if config.steering is None:
        return LocalGenerator(lm), None, lm
    from beavertail.steering.apply import load_steerer

    steerer = load_steerer(lm, config.steering)
    return LocalGenerator(lm, steerer.hooks), steerer, lm


def resolved_identity(
    config: EvalConfig, judge: AnswerJudge, generator: TextGenerator | None = None
) -> dict[str, Any]:
    """Values a run resolved at start (the steering actually applied, the content digests of
    the judge, the vectors, the score models and a guided search's heuristic, read from the
    built ``generator``): a resumed run must resolve the same, so a re-sweep, re-extraction or
    retrained judge is never mixed into an earlier run."""
    resolved: dict[str, Any] = {"judge_digest": judge.moderator.digest()}
    if config.adapter is not None:
        resolved["adapter_digest"] = artifact_digest(config.adapter)
    if config.steering is not None and config.steering.vectors:
        from beavertail.steering.vectors import SteeringVectors

        vectors = config.steering.vectors
        steering = config.steering.resolved(SteeringVectors.load(vectors))
        resolved["steer_layer"] = steering.layer
        resolved["steer_coefficient"] = steering.coefficient
        resolved["vectors_digest"] = artifact_digest(vectors)
    if config.neuron_patch is not None:
        from beavertail.neurons import patch_identity

        resolved |= patch_identity(config.neuron_patch)
    if config.best_of_n is not None:
        resolved["reward_digest"] = artifact_digest(config.best_of_n.reward_model)
        resolved["cost_digest"] = artifact_digest(config.best_of_n.cost_model)
    heuristic = getattr(generator, "heuristic", None)
    if config.guided is not None and heuristic is not None:
        resolved["heuristic_digest"] = heuristic.digest()
    return resolved


def run_eval(
    config: EvalConfig,
    output: str | Path,
    judge: AnswerJudge | None = None,
    lm: LoadedLM | None = None,
    progress: bool = True,
) -> Path:
    """Generate, judge and append records to ``output``; resumes a partial run there."""
    planned = plan_prompts(config)
    output = Path(output)
    normalize = EvalConfig.stored_identity  # an older run file's identity in today's shape
    if output.is_file() and output.stat().st_size > 0:  # other settings fail before loading
        RunWriter(output, config.model_dump(), config.identity(), normalize)
    status = Console(stderr=True).status(f"eval {config.name}: loading the model and the judge")
    if progress:
        status.start()
    try:
        generator, _, local_lm = build_generator(config, lm)
        if judge is None:
            moderator = with_ood_policy(resolve_judge(config.judge), config.ood)
            judge = AnswerJudge(moderator, fluency_lm=local_lm if config.fluency else None)
    finally:
        status.stop()
    writer = RunWriter(
        output,
        config.model_dump(),
        config.identity(),
        normalize,
        resolved=resolved_identity(config, judge, generator),
    )
    todo = [p for p in planned if p.id not in writer.done]
    if not todo:  # complete, and its judge, vectors and score models checked above
        return _honesty(config, output, local_lm, progress)
    gen_config = config.sampling
    with progress_bar() as bar:
        resumed = f" ({len(writer.done)} resumed)" if writer.done else ""
        task = bar.add_task(
            f"eval {config.name}{resumed}", total=len(planned), completed=len(writer.done)
        )
        if not progress:
            bar.stop()
        for start in range(0, len(todo), config.batch_size):
            batch = todo[start : start + config.batch_size]
            prompts = [p.prompt.prompt for p in batch]
            began = time.perf_counter()
            generations = generator.generate(prompts, gen_config)
            seconds = time.perf_counter() - began
            scores = judge.judge(prompts, [g.text for g in generations], gen_config.system_prompt)
            records = []
            for item, gen, score in zip(batch, generations, scores, strict=True):
                record = {
                    "id": item.id,
                    "set": item.set,
                    "prompt": item.prompt.prompt,
                    "category": item.prompt.category,
                    "harmful": item.prompt.harmful,
                    "answer": gen.text,
                    "num_tokens": gen.num_tokens,
                    "finish_reason": gen.finish_reason,
                    "batch_seconds": round(seconds, 4),
                    "batch_size": len(batch),
                    **score,
                }
                for key, value in gen.details.items():  # route, best_of_n, guided
                    record[key] = value.to_dict()
                records.append(record)
            writer.append(records)
            bar.advance(task, len(batch))
    return _honesty(config, output, local_lm, progress)


def _honesty(config: EvalConfig, output: Path, lm: LoadedLM | None, progress: bool) -> Path:
    """TruthfulQA MC1/MC2 of the run's policy beside its run file, when asked for."""
    if config.honesty is None or lm is None:
        return output
    from beavertail.evaluate.honesty import honesty_path, run_honesty

    settings = config.honesty
    if settings.data_dir is None and config.data_dir is not None:
        settings = settings.updated(data_dir=config.data_dir)
    identity = {"model": config.model, "adapter": config.adapter}
    resolved = {"adapter_digest": artifact_digest(config.adapter)} if config.adapter else {}
    run_honesty(settings, honesty_path(output), lm, identity, resolved, config.shard, progress)
    return output
