"""What several bench scripts share: the command-line start and the first columns of their
held-out tables (the scripts run as ``python bench/<script>.py`` and import this as ``common``).
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

HEADLINE_COLUMNS = ("config", "unsafe [95% CI]", "rel. drop", "refusal harmful", "refusal harmless")


def bench_args(
    parser: argparse.ArgumentParser, name: str, full: dict, quick: dict, make_out: bool = True
) -> tuple[argparse.Namespace, dict, Path]:
    """The parsed command line (warnings silenced from here on), the settings (``quick`` under
    --quick, else ``full``) and the output folder: --out, else runs/bench-<name>[-quick],
    created unless ``make_out`` is false."""
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    out = Path(args.out or f"runs/bench-{name}{'-quick' if args.quick else ''}")
    if make_out:
        out.mkdir(parents=True, exist_ok=True)
    return args, quick if args.quick else full, out


def headline_cells(h: dict, base: dict) -> tuple[float, float, list[str]]:
    """A run's unsafe rate, its drop relative to ``base``'s (both summary headlines; 0 when the
    base's is 0), and its cells under HEADLINE_COLUMNS after the config's name."""
    unsafe = h["unsafe_rate"]["value"]
    drop = 1 - unsafe / base["unsafe_rate"]["value"] if base["unsafe_rate"]["value"] else 0.0
    cells = [
        f"{unsafe:.3f} [{h['unsafe_rate']['low']:.3f}, {h['unsafe_rate']['high']:.3f}]",
        f"{drop:.1%}",
        f"{h['harmful_refusal']['value']:.3f}",
        f"{h['harmless_refusal']['value']:.3f}",
    ]
    return unsafe, drop, cells
