"""The evaluation harness: prompt sets -> generator (steered or not) -> judge -> run file.

A run is one configuration (model, steering, system prompt, decoding) over prompt sets. It
appends a record per answer after every batch, so an interrupted run resumes where it
stopped; ``shard="i/n"`` splits the prompts across machines (merge the run files in reports).
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from beavertail.data import EvalPrompt
from beavertail.evaluate.judge import AnswerJudge
from beavertail.evaluate.prompt_sets import load_prompt_set, prompt_id
from beavertail.evaluate.runfile import RunWriter
from beavertail.models import DEFAULT_LM, LoadedLM, load_lm
from beavertail.models.generation import (
    GenerationConfig,
    LocalGenerator,
    OpenAIChatGenerator,
    TextGenerator,
)
from beavertail.models.progress import progress_bar
from beavertail.moderation import default_moderator, resolve_moderator

DEFAULT_PROMPT_SETS = ["bt-eval-test", "harmless-test"]


@dataclass
class EvalConfig:
    """One evaluation run. Loadable from YAML/TOML/JSON; CLI flags override fields."""

    name: str = "unsteered"
    model: str = DEFAULT_LM
    endpoint: str | None = None  # OpenAI-compatible base URL: generate remotely (e.g. vLLM)
    api_key_env: str = "OPENAI_API_KEY"
    prompts: list[str] = field(default_factory=lambda: list(DEFAULT_PROMPT_SETS))
    limit: int | None = None  # per prompt set, category-balanced
    shard: str | None = None  # "i/n": this machine's share of the prompts
    system_prompt: str | None = None
    steer: str | None = None  # steering-vector folder
    steer_layer: int | None = None  # default: the vectors' recommended layer
    coefficient: float | None = None  # default: the vectors' recommended coefficient
    selection: str = "router"  # router | all | categories
    categories: list[str] = field(default_factory=list)
    mode: str = "add"
    max_new_tokens: int = 64
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    batch_size: int = 8
    best_of_n: int = 0  # > 0: safe best-of-N with reward_model and cost_model
    reward_model: str | None = None
    cost_model: str | None = None
    cost_threshold: float = 0.0
    judge: str | None = None  # moderator folder; default: the built-in default moderator
    fluency: bool = True
    data_dir: str | None = None

    def __post_init__(self) -> None:
        if self.shard is not None:
            index, _, total = self.shard.partition("/")
            if not (index.isdigit() and total.isdigit() and 0 <= int(index) < int(total)):
                raise ValueError(f"shard must look like 'i/n' with 0 <= i < n, got {self.shard!r}")
        if self.endpoint and self.steer:
            raise ValueError("steering needs a local model; serve a steered model instead")
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.best_of_n and not (self.reward_model and self.cost_model):
            raise ValueError("best_of_n needs reward_model and cost_model folders")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> EvalConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown eval settings {unknown}; known: {sorted(known)}")
        return cls(**raw)

    def generation(self) -> GenerationConfig:
        return GenerationConfig(
            self.max_new_tokens, self.temperature, self.top_p, self.seed, self.system_prompt
        )

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Every setting's default value (for resuming runs written by older versions)."""
        values = {}
        for f in fields(cls):
            if f.default is not MISSING:
                values[f.name] = f.default
            elif f.default_factory is not MISSING:
                values[f.name] = f.default_factory()
        return values

    def identity(self) -> dict[str, Any]:
        """The settings that define the results (a resumed run must match them)."""
        ignore = {"batch_size", "data_dir", "api_key_env"}
        return {k: v for k, v in asdict(self).items() if k not in ignore}


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
    if not config.best_of_n:
        return generator, steerer, local
    from beavertail.decoding import BestOfNConfig, SafeBestOfN
    from beavertail.preference import load_score_model

    selector = SafeBestOfN(
        generator,
        load_score_model(config.reward_model),  # type: ignore[arg-type]
        load_score_model(config.cost_model),  # type: ignore[arg-type]
        BestOfNConfig(n=config.best_of_n, cost_threshold=config.cost_threshold),
    )
    return selector, selector, local


def _base_generator(
    config: EvalConfig, lm: LoadedLM | None = None
) -> tuple[TextGenerator, Any, LoadedLM | None]:
    if config.endpoint:
        api_key = os.environ.get(config.api_key_env)
        return OpenAIChatGenerator(config.endpoint, config.model, api_key), None, None
    lm = lm or load_lm(config.model)
    if not config.steer:
        return LocalGenerator(lm), None, lm
    from beavertail.steering.apply import load_steerer

    steerer = load_steerer(
        lm,
        config.steer,
        config.steer_layer,
        config.coefficient,
        config.selection,
        list(config.categories),
        config.mode,
    )
    return LocalGenerator(lm, steerer.hooks), steerer, lm


def resolved_identity(steerer: Any, judge: AnswerJudge) -> dict[str, Any]:
    """Values a run resolved at start (the steering actually applied, the judge's content
    digest): a resumed run must resolve the same, so a re-sweep or a retrained judge is
    never mixed into an earlier run."""
    resolved: dict[str, Any] = {"judge_digest": judge.moderator.digest()}
    steering = getattr(steerer, "config", None)
    if steering is not None and hasattr(steering, "layer"):
        resolved["steer_layer"] = steering.layer
        resolved["steer_coefficient"] = steering.coefficient
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
    if output.is_file() and output.stat().st_size > 0:  # nothing left: no models to load
        done = RunWriter(output, asdict(config), config.identity(), EvalConfig.defaults()).done
        if {p.id for p in planned} <= done:
            return output
    generator, steerer, local_lm = build_generator(config, lm)
    if judge is None:
        moderator = (
            resolve_moderator(config.judge)
            if config.judge
            else default_moderator(config.data_dir, progress)
        )
        judge = AnswerJudge(moderator, fluency_lm=local_lm if config.fluency else None)
    writer = RunWriter(
        output,
        asdict(config),
        config.identity(),
        EvalConfig.defaults(),
        resolved=resolved_identity(steerer, judge),
    )
    todo = [p for p in planned if p.id not in writer.done]
    gen_config = config.generation()
    with progress_bar() as bar:
        task = bar.add_task(f"eval {config.name}", total=len(planned), completed=len(writer.done))
        if not progress:
            bar.stop()
        for start in range(0, len(todo), config.batch_size):
            batch = todo[start : start + config.batch_size]
            prompts = [p.prompt.prompt for p in batch]
            began = time.perf_counter()
            generations = generator.generate(prompts, gen_config)
            seconds = time.perf_counter() - began
            routes = list(getattr(steerer, "last_routes", []))
            choices = list(getattr(steerer, "last_choices", []))
            scores = judge.judge(prompts, [g.text for g in generations], config.system_prompt)
            records = []
            for k, (item, gen, score) in enumerate(zip(batch, generations, scores, strict=True)):
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
                if choices:
                    record["best_of_n"] = choices[k].to_dict()
                if routes:
                    route = routes[k]
                    record["route"] = route.to_dict()
                records.append(record)
            writer.append(records)
            bar.advance(task, len(batch))
    return output
