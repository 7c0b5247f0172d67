"""Persona inference and tailoring on PKU-SafeRLHF with the embedded models (issue 32).

    python bench/persona.py                 # PI, judges, PT (SFT), win rate, harness safety
    python bench/persona.py --stage judge   # PI and the persona quality check only
    python bench/persona.py --method dpo    # persona tailoring by DPO instead of SFT

Pairs: PKU-SafeRLHF ordered by the "better" ranking. Held out: every "better ≠ safer" pair of
the test subset (198) and non-conflict test pairs up to 320; training: 600 train-subset pairs
(a seeded sample). PI: the embedded SmolLM2-135M-Instruct writes both personas of each pair
(answers cut to 70 words). Judges: the project's reward model (frozen MiniLM features + MLP
head) trained with the persona in front of the prompt, and without. PT: LoRA SFT of SmolLM2
(top 8 layers) on both sides' safe answers with the persona as system prompt, and a control
trained on the same rows without personas; win rate of the tailored answers over the
untailored base model's and over the control's on 100 held-out pairs × 2 personas (persona-
conditioned judge); unsafe rate on 56 BeaverTails-Evaluation test prompts under no persona and
three cluster representatives (harness, default judge).

Every stage is cached under ``runs/persona`` and resumes; ends with ``key=value`` lines.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from beavertail.align.pairs import is_conflict, shuffled
from beavertail.data import RankedPair, pku_pairs
from beavertail.models import load_lm
from beavertail.models.generation import LocalGenerator
from beavertail.persona import (
    PersonaEvalSettings,
    PersonaSettings,
    TailoringSettings,
    evaluate_personas,
    from_preference,
    infer_personas,
    save_persona_dataset,
    train_tailored_policy,
)

ROOT = Path("runs/persona")
PI_SETTINGS = PersonaSettings(answer_words=70)
console = Console()


def held_out_and_training() -> tuple[list[RankedPair], list[RankedPair]]:
    test = shuffled(list(pku_pairs("test")), 0)
    conflicts = [p for p in test if is_conflict(p)]
    agreeing = [p for p in test if not is_conflict(p)]
    chosen_test = conflicts + agreeing[: max(0, 320 - len(conflicts))]
    train = shuffled(list(pku_pairs("train")), 0)[:600]
    return [from_preference(p) for p in chosen_test], [from_preference(p) for p in train]


def with_personas() -> tuple[list[RankedPair], list[RankedPair]]:
    test, train = held_out_and_training()
    generator = LocalGenerator(load_lm())
    cache = ROOT / "pi-cache.jsonl"
    test = infer_personas(test, generator, cache, PI_SETTINGS)
    train = infer_personas(train, generator, cache, PI_SETTINGS)
    save_persona_dataset(test, ROOT / "test.jsonl")
    save_persona_dataset(train, ROOT / "train.jsonl")
    return test, train


def figures(results: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group, block in results["accuracy"].items():
        out[f"{group}_pairs"] = block["conditioned"]["pairs"]
        out[f"{group}_with_personas"] = block["conditioned"]["both_sides"]["value"]
        out[f"{group}_without_personas"] = block["unconditioned"]["both_sides"]["value"]
        out[f"{group}_gain_points"] = block["gain_points"]
    out["identical_personas"] = results["identical_personas"]["value"]
    out["embedding_match_both_sides"] = results["embedding_match"]["both_sides"]["value"]
    if "win_rate" in results:
        out["win_rate"] = results["win_rate"]["all"]["value"]
        out["win_n"] = results["win_rate"]["all"]["n"]
        if "win_rate_control" in results:
            out["win_rate_control"] = results["win_rate_control"]["all"]["value"]
        for index, row in enumerate(results["safety"]):
            out[f"unsafe_tailored_{index}"] = row["tailored"]["value"]
            out[f"unsafe_untailored_{index}"] = row["untailored"]["value"]
            out[f"unsafe_bound_{index}"] = row["untailored"]["high"]
            out[f"unsafe_within_bound_{index}"] = row["within_bound"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=("judge", "all"), default="all")
    parser.add_argument("--method", choices=("sft", "dpo"), default="sft")
    args = parser.parse_args()
    test, train = with_personas()
    policy = control = None
    if args.stage == "all":
        settings = TailoringSettings(method=args.method)
        policy = train_tailored_policy(train, ROOT / f"policy-{args.method}", settings)
        plain = settings.updated(personas=False)
        control = train_tailored_policy(train, ROOT / f"control-{args.method}", plain)
    folder = ROOT / ("eval" if args.method == "sft" else f"eval-{args.method}")
    results = evaluate_personas(
        train, test, folder, policy, PersonaEvalSettings(), control_policy=control
    )
    values = figures(results)
    table = Table(title="Persona inference and tailoring (PKU-SafeRLHF, embedded models)")
    table.add_column("figure")
    table.add_column("value")
    for key, value in values.items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    console.print(table)
    console.print(f"report: {folder / 'report.html'}")
    for key, value in values.items():
        print(f"{key}={value:.4f}" if isinstance(value, float) else f"{key}={value}")


if __name__ == "__main__":
    main()
