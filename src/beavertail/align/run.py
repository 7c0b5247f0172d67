"""``train_policy``: one entry point for DPO, MODPO and SIPO; an adapter folder comes out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from beavertail.align.config import AlignConfig
from beavertail.align.pairs import PolicyPair, is_conflict, policy_pairs, shuffled
from beavertail.align.sipo import sample_answers, select_pareto, selection_records
from beavertail.align.trainer import TrainResult, finish_run, saved_by, train_adapter
from beavertail.artifacts import atomic_write_text
from beavertail.data import PreferencePair
from beavertail.models.adapters import save_adapter
from beavertail.models.causal import load_lm


def training_pairs(config: AlignConfig) -> list[PreferencePair]:
    """The preference pairs a run draws from: ``train_file``, else PKU-SafeRLHF train."""
    from beavertail.data import load_pku_pairs
    from beavertail.data.catalog import pku_pairs

    if config.train_file:
        return list(load_pku_pairs(config.train_file))
    return list(pku_pairs("train", config.data_dir))


def margins(config: AlignConfig, rows: list[PolicyPair]) -> list[float] | None:
    """MODPO's margins: the other objective's score of chosen minus rejected (None for DPO)."""
    from beavertail.preference import load_score_model

    if config.method != "modpo" or config.weight in (0.0, 1.0):
        return None
    helpful_primary = config.primary() == "better"
    folder = config.cost_model if helpful_primary else config.reward_model
    assert folder is not None  # the config's validator requires it
    scorer = load_score_model(folder, "cost" if helpful_primary else "reward")
    prompts = [r.prompt for r in rows]
    chosen = scorer.scores(prompts, [r.chosen for r in rows])
    rejected = scorer.scores(prompts, [r.rejected for r in rows])
    sign = -1.0 if helpful_primary else 1.0  # harmlessness is the cost's negative
    return [float(x) for x in sign * (np.asarray(chosen) - np.asarray(rejected))]


def save_dpo_adapter(
    model: Any,
    output: Path,
    config: AlignConfig,
    result: TrainResult,
    extra: dict[str, Any],
    parent: str | None = None,
) -> Path:
    """Save a DPO-trained adapter as a policy-adapter folder and drop its resume state."""
    manifest = {
        "base_model": config.model,
        "method": config.method,
        "config": config.model_dump(),
        "training": {**result.to_dict(), "trainer": "trl.DPOTrainer + peft LoRA"},
        **extra,
    }
    save_adapter(model, output, manifest, parent)
    finish_run(output)
    return output


def _train_ranked(config: AlignConfig, output: Path, progress: bool) -> Path:
    ranking = config.primary()
    chosen = policy_pairs(
        training_pairs(config), ranking, config.pair_filter, config.pairs, config.seed
    )
    rows = [row for _, row in chosen]
    lm = load_lm(config.model)
    model, result = train_adapter(lm, rows, config, output, margins(config, rows), progress)
    data = {"ranking": ranking, "pair_filter": config.pair_filter, "pairs": len(rows)}
    return save_dpo_adapter(model, output, config, result, {"data": data})


def _train_sipo(config: AlignConfig, output: Path, progress: bool) -> Path:
    from beavertail.moderation import resolve_judge
    from beavertail.preference import load_score_model

    settings = config.sipo
    assert config.reward_model is not None and config.cost_model is not None
    reward = load_score_model(config.reward_model, "reward")
    cost = load_score_model(config.cost_model, "cost")
    judge = resolve_judge(settings.judge)
    verifiers = None
    if settings.verify_reward_model and settings.verify_cost_model:
        verifiers = (
            load_score_model(settings.verify_reward_model, "reward"),
            load_score_model(settings.verify_cost_model, "cost"),
        )
    conflicts = [p for p in shuffled(training_pairs(config), config.seed) if is_conflict(p)]
    conflicts = conflicts[: settings.conflicts]
    parent = settings.init_adapter
    for round_index in range(settings.rounds):
        last = round_index == settings.rounds - 1
        folder = output if last else output.with_name(f"{output.name}-round-{round_index + 1}")
        if saved_by(folder, config):  # an earlier round of an interrupted run: not redone
            parent = str(folder)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        lm = load_lm(config.model, adapter=parent)
        store = folder / "sipo-samples.jsonl"
        prompts = [p.prompt for p in conflicts]
        samples = sample_answers(lm, prompts, settings, config.seed + round_index, store, progress)
        selection = select_pareto(conflicts, samples, reward, cost, judge, verifiers, progress)
        records = "\n".join(json.dumps(r) for r in selection_records(selection)) + "\n"
        atomic_write_text(folder / "sipo-selection.jsonl", records)
        rows = selection.training_pairs()
        if not rows:
            raise ValueError(
                f"SIPO round {round_index + 1}: no sampled answer beat both originals on "
                f"{len(conflicts)} conflicting pairs; raise sipo.conflicts or sipo.samples"
            )
        model, result = train_adapter(lm, rows, config, folder, None, progress)
        extra = {"sipo": {"round": round_index + 1, **selection.summary()}}
        save_dpo_adapter(model, folder, config, result, extra, parent)
        parent = str(folder)
    return output


TRAINERS: dict[str, Callable[[AlignConfig, Path, bool], Path]] = {
    "dpo": _train_ranked,
    "modpo": _train_ranked,
    "sipo": _train_sipo,
}


def train_policy(config: AlignConfig, output: str | Path, progress: bool = True) -> Path:
    """Train a LoRA adapter as ``config.method`` says and save it in ``output``.

    Resumable: a finished folder with the same settings is returned as is, an interrupted one
    resumes from its last checkpoint (and SIPO keeps the samples it drew).
    """
    output = Path(output)
    if saved_by(output, config):
        return output
    output.mkdir(parents=True, exist_ok=True)
    return TRAINERS[config.method](config, output, progress)
