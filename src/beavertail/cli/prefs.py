"""``beavertail prefs``: train, evaluate and apply reward / cost models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.artifacts import atomic_write_text
from beavertail.cli.common import DataDir, console, user_errors

app = typer.Typer(help="Reward (helpfulness) and cost (harmlessness) models.", no_args_is_help=True)


def _pairs(source: str | None, split: str, data_dir: str | None):
    from beavertail.data import load_pku_pairs
    from beavertail.data.catalog import pku_pairs

    return list(load_pku_pairs(source) if source else pku_pairs(split, data_dir))  # type: ignore[arg-type]


@app.command()
def train(
    kind: Annotated[str, typer.Argument(help="reward | cost")],
    out: Annotated[Path, typer.Option(help="Folder for the model.")],
    pairs: Annotated[
        str | None, typer.Option(help="PKU-SafeRLHF-style pairs (default: PKU train subset).")
    ] = None,
    backbone: Annotated[
        str | None,
        typer.Option(help="encoder | lm-probe (frozen head) | lm (tuned SmolLM2) [encoder]"),
    ] = None,
    tuning: Annotated[
        str | None,
        typer.Option(help="head (frozen backbone) | lora | full (TRL RewardTrainer) [head]"),
    ] = None,
    objective: Annotated[
        str | None, typer.Option(help="reward | cost | safer-bt (baseline)")
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Epochs of head training [60].")] = None,
    tune_epochs: Annotated[
        int | None, typer.Option(help="Epochs when tuning the backbone [1].")
    ] = None,
    signal: Annotated[
        list[str] | None,
        typer.Option(help="Answer signals beside the features: length, judge:REFERENCE."),
    ] = None,
    config: Annotated[Path | None, typer.Option(help="YAML/TOML/JSON training config.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Train a reward or cost model on preference pairs."""
    from beavertail.preference import PreferenceTrainingConfig, train_score_model

    with user_errors():
        settings = PreferenceTrainingConfig.load(
            config,
            spec={"kind": kind, "backbone": backbone, "tuning": tuning, "signals": signal},
            objective=objective,
            epochs=epochs,
            tune_epochs=tune_epochs,
        )
        model = train_score_model(_pairs(pairs, "train", data_dir), settings, out)
    _print_metrics("train", model.metadata["metrics"]["train"])
    console.print(f"model written to {out}")


def _print_metrics(name: str, metrics: dict) -> None:
    table = Table(title=f"{name} ({metrics['pairs']} pairs)")
    columns = ("better acc.", "safer acc.", "safer acc. (safe vs unsafe)", "sign acc.",
               "mean safe", "mean unsafe")  # fmt: skip
    for column in columns:
        table.add_column(column)
    table.add_row(
        *(
            f"{metrics[k]:.3f}" if metrics.get(k) is not None else "—"
            for k in (
                "better_accuracy",
                "safer_accuracy",
                "safer_accuracy_mixed",
                "sign_accuracy",
                "mean_score_safe",
                "mean_score_unsafe",
            )
        )
    )
    console.print(table)


@app.command("eval")
def evaluate(
    model: Annotated[Path, typer.Argument(help="Model folder.")],
    pairs: Annotated[str | None, typer.Option(help="Pairs (default: PKU test subset).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write metrics here.")] = None,
    report: Annotated[
        Path | None, typer.Option(help="HTML page with score histograms, safe vs unsafe.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Pairwise and sign accuracy on held-out pairs."""
    from beavertail.preference import evaluate_score_model, load_score_model, write_score_report
    from beavertail.preference.ood import ood_report

    with user_errors():
        loaded = load_score_model(model)
        test = _pairs(pairs, "test", data_dir)
        metrics = evaluate_score_model(loaded, test)
        ood = ood_report(loaded, test) if getattr(loaded, "ood", None) is not None else None  # type: ignore[arg-type]
    if ood is not None:
        metrics["ood"] = ood
    _print_metrics(str(model), metrics)
    if ood is not None:
        console.print(
            f"OOD ({ood['detector']}): {ood['answers_out_of_distribution']:.1%} of test answers "
            "out of distribution; better accuracy "
            f"{_share(ood['better_accuracy_in_distribution'])} on the "
            f"{ood['pairs_both_in_distribution']} pairs with both answers in, "
            f"{_share(ood['better_accuracy_out_of_distribution'])} on the rest"
        )
    if json_out:
        atomic_write_text(json_out, json.dumps(metrics, indent=2) + "\n")
    if report:
        write_score_report({model.name: metrics}, report, f"Score model {model.name}")
        console.print(f"report written to {report}")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@app.command("ood-fit")
def ood_fit(
    model: Annotated[Path, typer.Argument(help="Reward or cost model folder (frozen head).")],
    pairs: Annotated[
        str | None, typer.Option(help="Its training pairs (default: PKU train).")
    ] = None,
    detector: Annotated[
        str, typer.Option(help="proxy-trained | knn | mahalanobis")
    ] = "proxy-trained",
    data_dir: DataDir = None,
) -> None:
    """Fit an OOD detector on the model's features (its training answers vs synthetic
    proxies); written to MODEL/ood and used by `prefs eval` and best-of-N's skip_ood."""
    from beavertail.data import QAExample
    from beavertail.moderation.ood.fit import synthetic_proxies
    from beavertail.preference import ScoreModel, load_score_model
    from beavertail.preference.ood import fit_score_ood

    with user_errors():
        loaded = load_score_model(model)
        if not isinstance(loaded, ScoreModel):
            raise ValueError(f"{model}: OOD detection reads a frozen-feature model's features")
        train = _pairs(pairs, "train", data_dir)
        cut = max(1, len(train) // 10)  # the last tenth sets the threshold
        fit_pairs, held = train[:-cut], train[-cut:]
        proxies: list[QAExample] = []
        if detector == "proxy-trained":
            seeds = [QAExample(p.prompt, p.response_0) for p in fit_pairs]
            proxies, _ = synthetic_proxies(seeds)
        guard = fit_score_ood(loaded, model, fit_pairs, held, proxies, detector)
    console.print(
        f"{guard.name} detector written to {model / 'ood'} (threshold {guard.threshold:.4f})"
    )


@app.command()
def score(
    model: Annotated[Path, typer.Argument(help="Model folder.")],
    prompt: Annotated[str, typer.Option(help="The prompt.")],
    response: Annotated[list[str], typer.Option(help="One or more responses to score.")],
) -> None:
    """Score responses to a prompt (reward: higher is more helpful; cost: > 0 is unsafe)."""
    from beavertail.preference import load_score_model

    with user_errors():
        loaded = load_score_model(model)
        values = loaded.scores([prompt] * len(response), list(response))
    kind = loaded.metadata.get("objective", loaded.spec.kind)
    for text, value in zip(response, values, strict=True):
        verdict = (" (unsafe)" if value > 0 else " (safe)") if kind == "cost" else ""
        console.print(f"{kind} {value:+.3f}{verdict}  {text[:100]}")
