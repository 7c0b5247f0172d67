"""``beavertail moderate``: train, evaluate and apply QA moderators."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beavertail.artifacts import atomic_write_text
from beavertail.cli.common import (
    DataDir,
    console,
    ood_policy,
    output_file,
    parse_columns,
    user_errors,
)
from beavertail.data import beavertails_qa, load_qa, load_qa_examples
from beavertail.data.readers import iter_rows

app = typer.Typer(help="Train, evaluate and apply QA moderators.", no_args_is_help=True)


Reference = Annotated[
    str,
    typer.Argument(
        help="default | fast | prompt (shipped), a moderator folder, hf:org/name, or a judge "
        "of the field: llama-guard-3:hf:meta-llama/Llama-Guard-3-1B, wildguard@http://host/v1"
    ),
]


@app.command()
def train(
    out: Annotated[Path, typer.Option(help="Folder for the trained moderator.")] = Path(
        "runs/moderator"
    ),
    recipe: Annotated[
        str | None,
        typer.Option(
            help="Rebuild a shipped judge: default | fast | prompt; or probe (judge v2) | "
            "default-v4 (the unshipped v4 attempt). Other flags unused."
        ),
    ] = None,
    ship: Annotated[
        bool, typer.Option(help="With --recipe: write into the package's judges folder.")
    ] = False,
    backend: Annotated[
        str | None, typer.Option(help="encoder | finetuned | lm-probe \\[default: encoder]")
    ] = None,
    input_mode: Annotated[
        str | None, typer.Option("--input", help="pair | prompt \\[default: pair]")
    ] = None,
    max_length: Annotated[
        int | None, typer.Option(help="Token limit per pair \\[default: 128].")
    ] = None,
    quantize: Annotated[
        bool | None, typer.Option(help="int8 dynamic quantization of the encoder \\[default: on].")
    ] = None,
    num_layers: Annotated[
        int | None, typer.Option(help="Encoder layers kept (MiniLM has 6) \\[default: 3].")
    ] = None,
    threshold_rule: Annotated[
        str | None, typer.Option(help="best-f1 | precision:P (e.g. precision:0.9).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="YAML/TOML/JSON training config; flags override it.")
    ] = None,
    train_file: Annotated[
        list[str] | None, typer.Option("--train", help="Own QA files to train on.")
    ] = None,
    validation_file: Annotated[
        str | None, typer.Option("--validation", help="Own validation file.")
    ] = None,
    max_train: Annotated[
        int | None, typer.Option(help="Use only the first N training pairs.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Train on the moderation mix (BeaverTails + PKU-SafeRLHF + refusals + benign answers,
    split by prompt), on your files, or rebuild a shipped judge with --recipe."""
    import numpy as np

    from beavertail.moderation import ModerationTrainingConfig, train_moderator

    with user_errors():
        if recipe is not None:
            from beavertail.moderation.recipes import train_recipe

            console.print(
                f"rebuilding the {recipe!r} judge" + (" into the package" if ship else "")
            )
            moderator = train_recipe(recipe, out, data_dir, ship=ship)
            figures = moderator.metadata["metrics"]["card"]["sets"]
            for name, f in figures.items():
                if "auc" not in f:  # severity: exact-level accuracy beside the majority level's
                    console.print(
                        f"{name}: accuracy {f['accuracy']:.3f} (majority level "
                        f"{f['majority_accuracy']:.3f}), MAE {f['mae']:.3f}"
                    )
                elif f["auc"] == f["auc"]:  # both classes present
                    console.print(f"{name}: F1 {f['f1']:.3f}, ROC-AUC {f['auc']:.3f}")
                else:  # an all-safe set: what matters is how often it is flagged
                    console.print(f"{name}: false flags {f['false_flag']:.3f}")
            return
        spec_flags = {
            "backend": backend,
            "input": input_mode,
            "max_length": max_length,
            "quantize": quantize,
            "num_layers": num_layers,
        }
        settings = ModerationTrainingConfig.load(
            config, spec=spec_flags, threshold_rule=threshold_rule
        )
        if settings.spec.backend != "encoder" and settings.spec.quantize:
            spec = dataclasses.replace(settings.spec, quantize=False)  # int8 is for encoders
            settings = settings.model_copy(update={"spec": spec})
        weigh = None  # source weights, for the mix
        if train_file:
            train_set = [ex for f in train_file for ex in load_qa_examples(f)]
            if not validation_file:
                raise ValueError("--train needs --validation too (calibration uses it)")
            validation = list(load_qa_examples(validation_file))
            described: dict = {"train": train_file, "validation": validation_file}
        else:
            from beavertail.data.mix import build_moderation_mix

            mix = build_moderation_mix(data_dir)
            train_set, validation = mix.train, mix.validation
            described = mix.describe()
            weigh = mix.weights
        if max_train:
            train_set = train_set[:max_train]
        console.print(f"training {settings.spec.backend} moderator on {len(train_set)} pairs")
        moderator = train_moderator(
            train_set,
            validation,
            settings,
            out,
            data_description=described,
            train_weights=np.array(weigh(train_set)) if weigh else None,
            validation_weights=np.array(weigh(validation)) if weigh else None,
        )
    val = moderator.metadata["metrics"]["validation"]
    console.print(
        f"saved to [bold]{out}[/]; validation flagged F1 {val['flagged']['f1']:.3f}, "
        f"ECE {val['ece']:.3f}, threshold {moderator.threshold:.3f}"
    )


def _print_report(name: str, report: dict) -> None:
    flagged = report["flagged"]
    table = Table("metric", "value", title=f"{name} ({report['n']} pairs)")
    for key in ("accuracy", "precision", "recall", "f1"):
        table.add_row(f"flagged {key}", f"{flagged[key]:.3f}")
    table.add_row("ROC-AUC", f"{report['roc_auc']:.3f}")
    table.add_row("ECE", f"{report['ece']:.3f}")
    if "category_macro_f1" in report:
        table.add_row("category macro F1", f"{report['category_macro_f1']:.3f}")
    table.add_row("pairs/s", f"{report['pairs_per_s']:.1f}")
    console.print(table)
    confusion = Table("", "predicted unsafe", "predicted safe", title="confusion")
    confusion.add_row("unsafe", str(flagged["tp"]), str(flagged["fn"]))
    confusion.add_row("safe", str(flagged["fp"]), str(flagged["tn"]))
    console.print(confusion)
    if "per_category" in report:
        cats = Table("category", "support", "F1", title="per category")
        for cat, values in report["per_category"].items():
            cats.add_row(cat, str(values["support"]), f"{values['f1']:.3f}")
        console.print(cats)


@app.command("eval")
def evaluate(
    model: Reference = "default",
    data: Annotated[
        list[str] | None, typer.Option(help="Labelled QA files (default: the test splits).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--json", help="Write the metrics as JSON here.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Flagged accuracy/precision/recall/F1, ROC-AUC, per-category F1, ECE and confusion."""
    from beavertail.data.mix import saferlhf_test
    from beavertail.moderation import evaluate_moderator
    from beavertail.moderation.judge import resolve_judge
    from beavertail.moderation.recipes import prompt_test_sets

    with user_errors():
        moderator = resolve_judge(model)
        if data:
            sets = {Path(f).name: list(load_qa_examples(f)) for f in data}
        elif moderator.spec.input == "prompt":
            sets = prompt_test_sets(data_dir)
        else:
            sets = {
                "beavertails_test": list(beavertails_qa("test", data_dir)),
                "saferlhf_test": saferlhf_test(data_dir),
            }
        reports = {}
        for name, examples in sets.items():
            reports[name] = evaluate_moderator(moderator, examples, progress=True)
            _print_report(name, reports[name])
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(output, json.dumps(reports, indent=2) + "\n")
        console.print(f"metrics written to {output}")


@app.command()
def bench(
    judges: Annotated[
        list[str], typer.Argument(help="Judges: default, fast, a folder, wildguard@URL, …")
    ],
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="beavertails_test | saferlhf_test | benign_heldout | "
            "refusal_heldout | a labelled file (default: the first four).",
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="HTML page.")] = Path("runs/judge-bench.html"),
    output: Annotated[Path | None, typer.Option("--json", help="Rows as JSON here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Benchmark judges side by side: F1, precision, recall, ROC-AUC, ECE, false flags on
    all-safe sets, pairs/s, unparsed verdicts; published anchors beside each set."""
    from rich.table import Table

    from beavertail.moderation.bench import bench_judges, row_line, write_bench_page
    from beavertail.moderation.judge import resolve_judge
    from beavertail.moderation.recipes import card_sets
    from beavertail.moderation.training_mix import moderation_mix

    with user_errors():
        resolved = {name: resolve_judge(name) for name in judges}
        wanted = sets or ["beavertails_test", "saferlhf_test", "benign_heldout", "refusal_heldout"]
        named: dict = {}
        if any(not Path(s).exists() for s in wanted):
            named = card_sets(moderation_mix(data_dir), data_dir)
        chosen = {}
        for s in wanted:
            if Path(s).exists():
                chosen[Path(s).name] = list(load_qa_examples(s))
            elif s in named:
                chosen[s] = named[s]
            else:
                raise ValueError(f"unknown set {s!r}: one of {sorted(named)} or a file")
        rows = bench_judges(resolved, chosen, next(iter(chosen)), progress=True)
    table = Table(
        "judge",
        "set",
        "n",
        "F1",
        "precision",
        "recall",
        "ROC-AUC",
        "ECE",
        "false flags",
        "unparsed",
        "pairs/s",
        title="judge benchmark",
    )
    for r in rows:
        print(row_line(r))
        table.add_row(
            r["judge"],
            r["set"],
            str(r["n"]),
            f"{r['f1']:.3f}",
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['auc']:.3f}",
            f"{r['ece']:.3f}",
            f"{r['false_flag']:.1%}",
            str(r["unparsed"]),
            f"{r['pairs_per_s']:.1f}",
        )
    console.print(table)
    console.print(f"page: {write_bench_page(rows, out)}")
    if output:
        atomic_write_text(output, json.dumps(rows, indent=2) + "\n")


@app.command()
def predict(
    model: Reference = "default",
    path: Annotated[
        str | None, typer.Argument(help="File of pairs (prompt/response columns).")
    ] = None,
    prompt: Annotated[str | None, typer.Option(help="Judge one pair: the prompt.")] = None,
    response: Annotated[str | None, typer.Option(help="Judge one pair: the response.")] = None,
    output: Annotated[Path | None, typer.Option(help="Write verdicts as JSONL here.")] = None,
    column: Annotated[list[str] | None, typer.Option(help="field=column mapping.")] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="Flag at this calibrated score instead of the judge's own threshold."),
    ] = None,
    on_ood: Annotated[
        str, typer.Option(help="Out-of-distribution pairs: keep | defer | flag_uncertain.")
    ] = "keep",
    ood_judge: Annotated[
        str | None, typer.Option(help="The judge that decides deferred pairs (on_ood defer).")
    ] = None,
) -> None:
    """Judge pairs from a file (or one pair from --prompt/--response)."""
    from beavertail.moderation.judge import resolve_judge
    from beavertail.moderation.ood.policy import with_ood_policy

    with user_errors():
        policy = ood_policy(on_ood, ood_judge)  # bad options fail before any model loads
        output_file(output)
        moderator = resolve_judge(model)
        if threshold is not None:
            if not 0 < threshold < 1:
                raise ValueError(f"--threshold must lie in (0, 1), got {threshold}")
            moderator.threshold = threshold
        judge = with_ood_policy(moderator, policy)
        extras: list[dict] = []
        expected: list[bool | None] = []
        if path:
            examples = list(load_qa(path, parse_columns(column)))
            pairs = [(x.prompt, x.response) for x in examples]
            # the input's other columns (an id, …) are kept in the output
            used = {"prompt", "response", "is_safe", "categories", "category", "severity"}
            used |= set(dict(parse_columns(column) or {}).values())
            extras = [{k: v for k, v in row.items() if k not in used} for _, row in iter_rows(path)]
            labelled = {k for _, row in iter_rows(path) for k in row} & {"is_safe", "is_unsafe"}
            expected = [x.is_safe for x in examples] if labelled else []
        elif prompt is not None:
            if response is None and moderator.spec.input == "pair":
                raise ValueError(
                    "this judge judges (prompt, response) pairs: pass --response too "
                    "(or use the prompt judge: `moderate predict prompt --prompt ...`)"
                )
            pairs = [(prompt, response or "")]
        else:
            raise ValueError("give a file of pairs, or --prompt (and --response)")
        verdicts = judge.predict(
            [p for p, _ in pairs], [r for _, r in pairs], progress=len(pairs) > 256
        )
    columns = ["prompt", "response", "flagged", "score", "categories"]
    severity = any(v.severity is not None for v in verdicts)
    columns += ["severity"] if severity else []
    ood = any(v.ood_score is not None for v in verdicts)
    columns += ["OOD score"] if ood else []
    columns += ["expected"] if expected else []
    table = Table(*columns, title="verdicts")
    for i, ((p, r), v) in enumerate(zip(pairs, verdicts, strict=True)):
        flag = "[red]unsafe[/]" if v.flagged else "[green]safe[/]"
        if v.unparsed:
            flag = "[yellow]unparsed[/]"
        if v.uncertain:
            flag = "[yellow]uncertain[/]"
        score = "-" if v.score is None else f"{v.score:.2f}"
        # one category a line: names such as "financial_crime,property_crime,theft" hold commas
        named = "\n".join(v.flagged_categories) or ("unspecified" if v.flagged else "")
        cells = [p[:60], r[:60], flag, score, named]
        if severity:
            cells.append("-" if not v.flagged else str(v.severity))
        if ood:
            outside = " [yellow]out of distribution[/]" if v.in_distribution is False else ""
            cells.append("-" if v.ood_score is None else f"{v.ood_score:.2f}{outside}")
        if expected:
            right = v.flagged != expected[i]
            cells.append(("safe" if expected[i] else "unsafe") + (" ✓" if right else " [red]✗[/]"))
        table.add_row(*cells)
    console.print(table)
    if expected:
        matching = sum(v.flagged != e for v, e in zip(verdicts, expected, strict=True))
        console.print(f"{matching} of {len(expected)} verdicts match the file's labels")
    if ood:
        n_outside = sum(v.in_distribution is False for v in verdicts)
        console.print(f"{n_outside} of {len(verdicts)} pairs out of the judge's distribution")
    if output:
        lines = [
            json.dumps({**(extras[i] if extras else {}), "prompt": p, "response": r} | v.to_dict())
            for i, ((p, r), v) in enumerate(zip(pairs, verdicts, strict=True))
        ]
        atomic_write_text(output, "".join(line + "\n" for line in lines))
        console.print(f"verdicts written to {output}")


@app.command("ood-fit")
def ood_fit(
    model: Reference = "default",
    out: Annotated[
        Path | None,
        typer.Option(help="Judge folder to write ood/ into (default: the judge's own folder)."),
    ] = None,
    detector: Annotated[
        str, typer.Option(help="proxy-trained | knn | mahalanobis | energy | msp")
    ] = "proxy-trained",
    endpoint: Annotated[
        str | None, typer.Option(help="OpenAI-compatible URL that writes the proxies.")
    ] = None,
    endpoint_model: Annotated[str | None, typer.Option(help="Model name at the endpoint.")] = None,
    train_size: Annotated[int, typer.Option(help="In-distribution reference pairs.")] = 3000,
    validation_size: Annotated[int, typer.Option(help="Pairs that set the threshold.")] = 1500,
    data_dir: DataDir = None,
) -> None:
    """Fit the judge's OOD detector on its training mix and synthetic proxies (Abbas et
    al.); the threshold lets 95 % of in-distribution validation pairs pass."""
    from beavertail.moderation.judge import SHIPPED, resolve_trained_judge, shipped_judge_dir
    from beavertail.moderation.ood.fit import fit_judge_ood

    with user_errors():
        moderator = resolve_trained_judge(model)
        folder = out or (shipped_judge_dir(model) if model in SHIPPED else Path(model))
        if not (folder / "manifest.json").is_file():
            raise ValueError(f"{folder}: not a judge folder; pass --out with the judge's folder")
        generator = None
        if endpoint:
            from beavertail.models.generation import OpenAIChatGenerator

            generator = OpenAIChatGenerator(endpoint, endpoint_model or "default")
        moderator.ood = None
        guard = fit_judge_ood(
            moderator,
            detector,
            generator,
            train_size,
            validation_size,
            data_dir,
            save_to=folder,
        )
    console.print(
        f"{guard.name} detector written to {folder / 'ood'}: threshold {guard.threshold:.4f} "
        f"(95 % of {guard.metadata['fitted_on']['validation']} validation pairs pass)"
    )


def quickstart(
    pairs: Annotated[
        str | None, typer.Option(help="Pairs to moderate \\[default: the packaged examples].")
    ] = None,
    judge: Annotated[str, typer.Option(help="The judge: default, fast or a folder.")] = "default",
) -> None:
    """Moderate example pairs (shipped with the package) with the shipped default judge; no
    training needed, from any folder."""
    from beavertail.moderation.judge import resolve_judge

    with user_errors():
        moderator = resolve_judge(judge)
    card = moderator.metadata.get("metrics", {}).get("card", {}).get("sets", {})
    if "beavertails_test" in card:
        f = card["beavertails_test"]
        console.print(
            f"judge [bold]{judge}[/]: BeaverTails test F1 {f['f1']:.3f}, ROC-AUC {f['auc']:.3f} "
            "(see its MODEL_CARD.md)"
        )
    from beavertail.data.judge_sets import QUICKSTART_PAIRS

    predict(model=judge, path=pairs or str(QUICKSTART_PAIRS), prompt=None, response=None,
            output=None, column=None)  # fmt: skip
