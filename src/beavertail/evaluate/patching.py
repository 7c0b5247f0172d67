"""How much of the aligned model's safety gain patching k % of neurons recovers.

Every configuration is an evaluation run (:class:`~beavertail.evaluate.EvalConfig`, resumable
run files): the base model, its aligned twin, and the base with the top-k (or k random)
neurons patched, for each share k. Recovery is ``(unsafe_base − unsafe_patched) /
(unsafe_base − unsafe_aligned)``; the helpfulness drop is the fall in answer relevance on the
harmless prompts, relative to the base.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from beavertail.evaluate.harness import EvalConfig, run_eval
from beavertail.evaluate.judge import AnswerJudge
from beavertail.evaluate.runfile import read_run
from beavertail.models.causal import load_lm
from beavertail.models.generation import SamplingParams
from beavertail.neurons.contrast import SafetyNeurons, last_token_neurons
from beavertail.neurons.patch import PatchSettings
from beavertail.neurons.probe import LinearProbe, NeuronProbe
from beavertail.reporting import Line, line_chart


@dataclass(frozen=True)
class RunFigures:
    name: str
    unsafe_rate: float
    relevance: float
    harmless_refusal: float


@dataclass(frozen=True)
class RecoveryPoint:
    share: float
    neurons: int
    selection: str  # top | random
    unsafe_rate: float
    recovered: float
    helpfulness_drop: float
    harmless_refusal: float

    def to_dict(self) -> dict:
        return asdict(self)

    def cells(self) -> tuple[str, ...]:
        """The point as a table row under :data:`RECOVERY_COLUMNS`."""
        return (
            f"{self.share:.1%}",
            str(self.neurons),
            self.selection,
            f"{self.unsafe_rate:.1%}",
            f"{self.recovered:.0%}",
            f"{self.helpfulness_drop:+.3f}",
            f"{self.harmless_refusal:.1%}",
        )


RECOVERY_COLUMNS = (
    "k share",
    "neurons",
    "selection",
    "unsafe",
    "recovered",
    "relevance drop",
    "harmless refusal",
)


def run_figures(path: Path, name: str) -> RunFigures:
    records = read_run(path)[1]
    harmful = [r for r in records if r["harmful"]]
    harmless = [r for r in records if not r["harmful"]]
    if not harmful or not harmless:
        raise ValueError("a recovery sweep needs harmful and harmless prompts")
    return RunFigures(
        name,
        sum(r["unsafe"] for r in harmful) / len(harmful),
        sum(r["relevance"] for r in harmless) / len(harmless),
        sum(r["refusal"] for r in harmless) / len(harmless),
    )


def recovery_sweep(
    neurons_folder: str | Path,
    output: str | Path,
    shares: Sequence[float] = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1),
    prompts: Sequence[str] = ("harmful-test", "harmless-test"),
    limit: int | None = 50,
    sampling: SamplingParams | None = None,
    judge: AnswerJudge | None = None,
    random_baseline: bool = True,
    seed: int = 0,
    data_dir: str | None = None,
    progress: bool = False,
) -> tuple[RunFigures, RunFigures, list[RecoveryPoint]]:
    """(base, aligned, points): one run file per configuration under ``output``."""
    neurons = SafetyNeurons.load(neurons_folder)
    if neurons.aligned is None:
        raise ValueError(f"{neurons_folder}: found without an aligned twin; nothing to patch from")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    common: dict[str, Any] = {
        "model": neurons.model,
        "prompts": list(prompts),
        "limit": limit,
        "sampling": sampling or SamplingParams(max_new_tokens=48),
        "fluency": False,
        "data_dir": data_dir,
    }

    def run(name: str, **extra: Any) -> RunFigures:
        config = EvalConfig(name=name, **common, **extra)
        path = run_eval(config, output / f"{name}.jsonl", judge, progress=progress)
        return run_figures(path, name)

    base = run("base")
    aligned = run("aligned", adapter=neurons.aligned)
    gain = base.unsafe_rate - aligned.unsafe_rate
    points = []
    selections: tuple[Literal["top", "random"], ...] = (
        ("top", "random") if random_baseline else ("top",)
    )
    for share in shares:
        for selection in selections:
            patch = PatchSettings(
                neurons=str(neurons_folder), share=share, selection=selection, seed=seed
            )
            figures = run(f"patch-{selection}-{share:g}", neuron_patch=patch)
            recovered = (base.unsafe_rate - figures.unsafe_rate) / gain if gain else float("nan")
            points.append(
                RecoveryPoint(
                    share,
                    neurons.count(share),
                    selection,
                    figures.unsafe_rate,
                    recovered,
                    base.relevance - figures.relevance,
                    figures.harmless_refusal,
                )
            )
    return base, aligned, points


RECOVERY_LINES = {"top": ("safety neurons", "#c0392b"), "random": ("random neurons", "#7f8c8d")}


def recovery_plot(points: Sequence[RecoveryPoint], title: str = "") -> str:
    """An SVG document of recovered safety gain against the share of neurons patched (log
    axis), one line per selection (ids ``line-top`` and ``line-random``)."""
    values = [p.recovered for p in points]
    lines = []
    for selection, (label, colour) in RECOVERY_LINES.items():
        line = sorted((p.share, p.recovered) for p in points if p.selection == selection)
        if line:
            lines.append(Line(label, line, colour, markers=True, gid=f"line-{selection}"))
    chart = line_chart(
        lines,
        title=title,
        x_label="share of MLP neurons patched (log scale)",
        y_label="safety gain recovered",
        x_ticks=sorted({p.share for p in points}),
        x_format="{:.1%}",
        log_x=True,
        y_limits=(min(-0.2, *values), max(1.1, *values)),
        y_ticks=(0.0, 0.5, 0.9, 1.0),
        y_percent=True,
        legend=True,
        size=(4.8, 3.1),
    )
    return chart.svg


def greedy_labels(
    prompts: Sequence[str],
    output: str | Path,
    model: str | None = None,
    limit: int | None = None,
    max_new_tokens: int = 48,
    judge: AnswerJudge | None = None,
    data_dir: str | None = None,
    progress: bool = False,
) -> tuple[list[str], list[bool]]:
    """(prompts, whether the judge flags the model's greedy answer) for prompt sets, from a
    resumable run file at ``output``: the labels a predict-before-generation probe learns."""
    extra: dict[str, Any] = {"model": model} if model else {}
    config = EvalConfig(
        name=Path(output).stem,
        prompts=list(prompts),
        limit=limit,
        sampling=SamplingParams(max_new_tokens=max_new_tokens),
        fluency=False,
        data_dir=data_dir,
        **extra,
    )
    records = read_run(run_eval(config, output, judge, progress=progress))[1]
    return [r["prompt"] for r in records], [bool(r["unsafe"]) for r in records]


def fit_prompt_probe(
    neurons_folder: str | Path,
    output: str | Path,
    train_sets: Sequence[str],
    test_sets: Sequence[str],
    share: float = 0.05,
    limit: int | None = 100,
    max_new_tokens: int = 48,
    data_dir: str | None = None,
    judge: AnswerJudge | None = None,
    progress: bool = False,
) -> tuple[NeuronProbe, dict]:
    """Fit a predict-before-generation probe on the top ``share`` of the neurons and save it
    to ``output``; the labels' run files go beside it (``<output>.labels/``). Returns the
    probe and its held-out report."""
    neurons = SafetyNeurons.load(neurons_folder)
    runs = Path(f"{output}.labels")
    runs.mkdir(parents=True, exist_ok=True)
    labelled = {
        split: greedy_labels(
            sets,
            runs / f"{split}.jsonl",
            neurons.model,
            limit,
            max_new_tokens,
            judge,
            data_dir,
            progress,
        )
        for split, sets in (("train", train_sets), ("test", test_sets))
    }
    lm = load_lm(neurons.model)
    chosen = neurons.top(share)
    features = {
        split: last_token_neurons(lm, prompts, neurons=chosen, progress=progress).numpy()
        for split, (prompts, _labels) in labelled.items()
    }
    probe = LinearProbe.fit(features["train"], np.array(labelled["train"][1]))
    report = probe.evaluate(features["test"], np.array(labelled["test"][1]))
    fitted = NeuronProbe(
        chosen,
        probe,
        neurons.model,
        "last_prompt",
        {
            "share": share,
            "train_sets": list(train_sets),
            "test_sets": list(test_sets),
            "heldout": report,
        },
    )
    fitted.save(output)
    return fitted, report
