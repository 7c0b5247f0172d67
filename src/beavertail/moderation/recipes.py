"""The judges that ship with beavertail: their recipes, model cards and references.

Three judges live in ``beavertail/moderation/judges/`` as safetensors + manifest + model card:

* ``default`` — the accurate pair judge: SmolLM2-135M-Instruct cut to its first 18 layers,
  LoRA-tuned on the training mix (v2) with heads for harm, categories and severity, reading the
  pair and a question whether the answer is harmful; long answers are judged in windows.
* ``fast`` — the streaming / serving tier: frozen MiniLM (3 layers, float32 so that a score
  never depends on its batch) with a head distilled from ``default`` (soft labels) over whole
  answers, padded answers, their prefixes and unlabelled hh-rlhf pairs.
* ``prompt`` — input moderation: a head on MiniLM embeddings of the prompt alone, trained
  also on requests wrapped in a benign preamble, a fiction frame or a rules-off preamble.

``beavertail moderate train --recipe NAME`` rebuilds each from the shared data; two more
recipes build judges that do not ship:

* ``probe`` — judge v2: a probe on frozen SmolLM2 features (the baseline in the bench).
* ``default-v4`` — issue 39's last attempt at judge v4: ``default`` continued on answers
  that must be read (prompt-swapped negatives, long safe answers, redirections) with a
  same-prompt margin loss, interpolated halfway back to ``default``, category and severity
  rows refitted. It missed the BeaverTails-test floor, so it does not ship.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from beavertail.artifacts import atomic_write_text
from beavertail.data.catalog import beavertails_qa, canonical_split, data_dir, pku_qa
from beavertail.data.mix import ModerationMix, saferlhf_test
from beavertail.data.padding import harmless_sentences, padded_training_pairs
from beavertail.data.prefixes import DEFAULT_FRACTIONS, cut_words
from beavertail.data.readers import iter_rows
from beavertail.data.records import QAExample
from beavertail.data.wrappers import wrapped_requests
from beavertail.models.causal import DEFAULT_LM
from beavertail.moderation.interpolate import interpolate_judges
from beavertail.moderation.judge import SHIPPED, resolve_judge, shipped_judge_dir
from beavertail.moderation.measure import evaluate_moderator
from beavertail.moderation.metrics import report_headline, severity_metrics
from beavertail.moderation.moderator import (
    OOD_FOLDER,
    Moderator,
    ModeratorSpec,
    build_extractor,
)
from beavertail.moderation.train import (
    ModerationTrainingConfig,
    category_mask,
    label_matrix,
    severity_targets,
    train_moderator,
)

CARD_SAMPLE = 64  # BeaverTails-test pairs whose scores the manifest records for the check

DEFAULT_CONFIG = ModerationTrainingConfig(
    spec=ModeratorSpec(
        backend="lm-lora",
        lm=DEFAULT_LM,
        lm_depth=18,  # 30 layers judge at ~5 pairs/s on 2 cores, 18 at ~9.5 (bench)
        max_length=256,
        quantize=False,
        num_layers=None,
        head_hidden=0,
        lora_rank=16,
        lora_alpha=32,
        lora_first_layer=6,
        severity=True,
    ),
    learning_rate=1e-3,
    finetune_learning_rate=2e-4,
    finetune_epochs=2,
    finetune_batch_size=8,
    category_loss_weight=1.0,
    checkpoint_every=200,
)
PADDED_TRAINING_PAIRS = 1500
PROMPT_WRAPPED = 2100  # wrapped training requests of the prompt judge
# judge v4 continues judge v3 (stage 1, DEFAULT_CONFIG on mix v2) for one epoch on the v4 set:
# in-domain human labels in full, a replay of the rest, the answers that teach it to read the
# answer (prompt-swapped negatives, later windows of long safe answers, hand-written long
# benign answers and redirections), with same-prompt (safe, unsafe) pairs under a margin loss
V4_CONFIG = DEFAULT_CONFIG.model_copy(
    update={
        "finetune_epochs": 1,
        "finetune_learning_rate": 1e-4,
        "learning_rate": 3e-4,
        "contrast_loss_weight": 0.5,
        "contrast_margin": 2.0,
    }
)
V4_CORE_SOURCES = frozenset({"beavertails", "pku-saferlhf-train", "jbeval-saferlhf"})
V4_CORE_SHARE = 0.5  # of the in-domain human-labelled sources' prompts (pairs stay whole)
V4_REPLAY_SHARE = 0.15  # of the other mix v2 sources' rows
V4_SWAPPED = 1000  # harmful requests answered by safe text written for another prompt
V4_PADDING_ONLY = 300
V4_PADDED = 500
V4_LONG_WINDOWS = 900  # later windows of long safe answers
V4_NEW_WEIGHT = 0.5  # loss weight of the constructed safe rows (recall must hold)
# stage 2 ends between v3 and its continuation: the parameters at this weight of the latter
V4_INTERPOLATION = 0.5
# stage 3 refits the category rows and the severity head by logistic regression on the tuned
# judge's frozen features of this many unsafe training pairs; rare categories are named at 0.5
V4_REFIT_ROWS = 6000
V4_RARE_CATEGORY_THRESHOLD = 0.5
# judge v2's default: a probe on frozen SmolLM2 features (kept as the baseline in the bench)
PROBE_CONFIG = ModerationTrainingConfig(
    spec=ModeratorSpec(
        backend="lm-probe",
        lm=DEFAULT_LM,
        lm_layers=[6, 10, 14, 18],
        max_length=192,
        quantize=False,
        num_layers=None,
        lm_pooling="mean+last",
        judge_question=True,
        head_hidden=256,
        head_members=5,
        head_dtype="float16",  # 12 MB instead of 24 in the package; scores within 1e-3
    ),
    learning_rate=5e-4,
    weight_decay=1e-2,
    patience=10,
)
# float32, not int8: dynamic quantisation scales activations per batch, so a pair's score
# would depend on the pairs judged with it
FAST_CONFIG = ModerationTrainingConfig(
    spec=ModeratorSpec(backend="encoder", max_length=128, quantize=False, num_layers=3),
    patience=10,
)
PROMPT_CONFIG = ModerationTrainingConfig(
    spec=ModeratorSpec(
        backend="encoder", input="prompt", max_length=128, num_layers=None, quantize=False
    ),
    patience=10,
)


# -- figures for the model card ------------------------------------------------------------
def card_sets(mix: ModerationMix, root: str | Path | None = None) -> dict[str, list[QAExample]]:
    """The sets a pair judge's card reports: none of them is trained on."""
    return {
        "beavertails_test": list(beavertails_qa("test", root)),
        "saferlhf_test": saferlhf_test(root),
        "benign_heldout": mix.heldout["benign"],
        "refusal_heldout": mix.heldout["refusal"],
    }


def _summary(report: dict) -> dict:
    return {"n": report["n"], **report_headline(report)}


def measure_card(
    moderator: Moderator, sets: dict[str, list[QAExample]], progress: bool = True
) -> dict:
    """Figures per set, and (for pair judges) the scores of a fixed BeaverTails-test sample
    for the check."""
    figures = {
        name: _summary(evaluate_moderator(moderator, items, progress=progress, cache=True))
        for name, items in sets.items()
    }
    if "beavertails_test" not in sets:
        return {"sets": figures, "sample": {}}
    if moderator.severity_head is not None:
        unsafe = [x for x in pku_qa("test") if not x.is_safe and x.severity]
        _, levels = moderator.judge([x.prompt for x in unsafe], [x.response for x in unsafe],
                                    progress)  # fmt: skip
        assert levels is not None
        figures["pku_test_severity"] = severity_metrics(severity_targets(unsafe), levels)
    sample = sets["beavertails_test"][:CARD_SAMPLE]
    probs = moderator.probabilities([x.prompt for x in sample], [x.response for x in sample])
    return {
        "sets": figures,
        "sample": {"set": "beavertails_test[:64]", "unsafe_scores": probs[:, 0].round(6).tolist()},
    }


# what each recipe's judge is, from the list in this module's docstring
RECIPE_ABOUT = {
    part.split("``")[1]: part.split("\n\n")[0].strip() for part in (__doc__ or "").split("* ")[1:]
}


def write_model_card(folder: Path, name: str, moderator: Moderator, card: dict) -> None:
    """MODEL_CARD.md: what the judge is, its data, recipe and measured figures."""
    training = moderator.metadata.get("training", {})
    data = training.get("data", {})
    rows = "\n".join(
        f"| {s} | {f['n']} | {f['f1']:.3f} | {f['precision']:.3f} | {f['recall']:.3f} | "
        f"{f['auc']:.3f} | {f['ece']:.3f} | {f['false_flag']:.3f} |"
        for s, f in card["sets"].items()
        if "f1" in f
    )
    severity = card["sets"].get("pku_test_severity")
    severity_line = (
        f"Severity (levels 1-3) on {severity['n']} unsafe PKU-SafeRLHF test answers: exact "
        f"accuracy {severity['accuracy']:.3f} (majority level {severity['majority_level']}: "
        f"{severity['majority_accuracy']:.3f}), mean absolute error {severity['mae']:.3f}."
        if severity
        else ""
    )
    weights = data.get("weights", {})
    sources = "\n".join(
        f"- {src}: {c.get('train', 0)} train / {c.get('validation', 0)} validation"
        + (f" (loss weight {weights[src]})" if src in weights else "")
        for src, c in data.get("sources", {}).items()
    )
    if data.get("padded_training_pairs"):
        sources += (
            f"\n- padded copies of training pairs (harmless sentences around the answer, "
            f"label kept): {data['padded_training_pairs']}"
        )
    if data.get("caps"):
        sources += f"\n- caps: `{json.dumps(data['caps'])}`"
    macro = card["sets"].get("beavertails_test", {}).get("category_macro_f1")
    about = RECIPE_ABOUT.get(name, "")
    text = f"""# beavertail judge `{name}`

{about.strip()}

- Spec: `{json.dumps(dataclasses.asdict(moderator.spec))}`
- Threshold {moderator.threshold:.4f} ({training.get("config", {}).get("threshold_rule", "best-f1")}
  on validation); temperatures fitted on validation.
- Rebuild: `beavertail moderate train --recipe {name} --ship`
- Checksums of the weight files: `files` in `manifest.json` (verified on every load).

## Data
{sources or json.dumps(data, indent=1)[:2000]}

Split rule: {data.get("split_rule", "see manifest")}. Rows whose prompt is in a test set were
removed: {json.dumps(data.get("removed_test_overlap", {}))}.

## Figures (never trained on)
| set | n | F1 | precision | recall | ROC-AUC | ECE | false flags |
|---|---|---|---|---|---|---|---|
{rows}

Category macro-F1 on BeaverTails test: {"-" if macro is None else f"{macro:.3f}"}.
{severity_line}
Data licences: BeaverTails, PKU-SafeRLHF and AlpacaEval are CC BY-NC 4.0.
"""
    atomic_write_text(folder / "MODEL_CARD.md", text)


# -- recipes ---------------------------------------------------------------------------------
def _finish(
    name: str,
    moderator: Moderator,
    out: Path,
    sets: dict[str, list[QAExample]],
    progress: bool,
) -> Moderator:
    """Save, reload, measure the card on ``sets`` (never trained on), save with the card."""
    moderator.metadata["name"] = name
    stale = out / OOD_FOLDER
    if stale.is_dir():  # fitted on the judge this one replaces: `moderate ood-fit` refits it
        shutil.rmtree(stale)
    moderator.save(out)
    moderator = Moderator.load(out)  # the card measures exactly what ships (stored weights)
    card = measure_card(moderator, sets, progress)
    moderator.metadata.setdefault("metrics", {})["card"] = card
    moderator.save(out)
    write_model_card(out, name, moderator, card)
    return moderator


def default_training_set(
    mix: ModerationMix, root: str | Path | None = None
) -> tuple[list[QAExample], np.ndarray]:
    """The mix's training pairs plus padded copies of some (harmless sentences around the
    answer, label kept), and their loss weights."""
    padded = padded_training_pairs(mix.train, root, count=PADDED_TRAINING_PAIRS)
    train = mix.train + padded
    return train, np.array(mix.weights(mix.train) + mix.weights(padded))


def _share(key: str, share: float) -> bool:
    """Whether ``key`` falls in a fixed pseudo-random ``share`` of keys."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 1000 < share * 1000


def later_windows(
    examples: list[QAExample], windows: WindowCutter, count: int, tag: str = "window"
) -> list[QAExample]:
    """The windows after the first of long safe answers (what a window judge reads in the
    middle of an answer), each labelled safe; at most ``count``, spread over the answers."""
    safe = [x for x in examples if x.is_safe and len(x.response) > 600]
    if not safe:
        return []
    prompts, responses, owner = windows([x.prompt for x in safe], [x.response for x in safe])
    assert responses is not None
    rows, first = [], set()
    for p, r, o in zip(prompts, responses, owner.tolist(), strict=True):
        if o not in first:  # the first window is the answer's training row already
            first.add(o)
            continue
        rows.append(QAExample(p, r, (), True, None, f"{tag}:{safe[o].source}"))
    rows.sort(key=lambda x: hashlib.sha256(f"{x.source}\0{x.response}".encode()).digest())
    return rows[:count]


WindowCutter = Callable[[list[str], list[str]], tuple[list[str], list[str] | None, np.ndarray]]


def v4_extra_rows(
    mix: ModerationMix, windows: WindowCutter, root: str | Path | None = None
) -> tuple[list[QAExample], list[float], dict]:
    """The rows judge v4 adds to mix v2, with loss weights and counts: prompt-swapped
    negatives, padding-only answers and later windows of long safe answers (constructed, so
    weighted ``V4_NEW_WEIGHT``), then the hand-written long benign answers and redirections."""
    from beavertail.data.augment import prompt_swapped_negatives
    from beavertail.data.judge_sets import hand_written
    from beavertail.data.mix import _source_of
    from beavertail.data.padding import padding_only_pairs

    long_benign = hand_written("long-benign-train")
    redirections = hand_written("redirections-train")
    benign_sources = {"alpaca-eval", "generated-benign", "alarming-benign"}
    off_topic = [x for x in mix.train if _source_of(x) in benign_sources] + long_benign
    off_topic += [x for x in mix.train if _source_of(x) == "safety-tuned-llamas"][:300]
    swapped = prompt_swapped_negatives(mix.train, off_topic, V4_SWAPPED, tag="swapped")
    padding_only = padding_only_pairs(mix.train, root, count=V4_PADDING_ONLY)
    long_sources = [x for x in mix.train if x.is_safe] + long_benign
    windows_rows = later_windows(long_sources, windows, V4_LONG_WINDOWS)
    constructed = swapped + padding_only + windows_rows
    rows = constructed + long_benign + redirections
    weights = [V4_NEW_WEIGHT] * len(constructed) + [1.0] * (len(long_benign) + len(redirections))
    counts = {
        "prompt_swapped_negatives": len(swapped),
        "padding_only_answers": len(padding_only),
        "later_windows_of_long_safe_answers": len(windows_rows),
        "long_benign_train": len(long_benign),
        "redirections_train": len(redirections),
        "constructed_row_weight": V4_NEW_WEIGHT,
    }
    return rows, weights, counts


def v4_training_set(
    mix: ModerationMix,
    windows: WindowCutter,
    root: str | Path | None = None,
) -> tuple[list[QAExample], np.ndarray, list[tuple[int, int]], dict]:
    """Judge v4's stage-2 rows, loss weights, same-prompt contrast pairs and a description
    (see ``V4_CONFIG``): in-domain sources in full, a replay of the rest, padded copies and
    :func:`v4_extra_rows`."""
    from beavertail.data.augment import same_prompt_contrasts
    from beavertail.data.mix import _source_of

    replay = [
        x
        for x in mix.train
        if (_source_of(x) in V4_CORE_SOURCES and _share(f"prompt\0{x.prompt}", V4_CORE_SHARE))
        or (
            _source_of(x) not in V4_CORE_SOURCES
            and _share(f"{x.source}\0{x.prompt}\0{x.response}", V4_REPLAY_SHARE)
        )
    ]
    padded = padded_training_pairs(replay, root, count=V4_PADDED)
    extra, extra_weights, counts = v4_extra_rows(mix, windows, root)
    train = replay + padded + extra
    weights = mix.weights(replay) + mix.weights(padded) + extra_weights
    pairs = same_prompt_contrasts(train)
    described = {
        "stage": "v4 stage 2 (continues stage 1: the v3 recipe on mix v2)",
        "replay": {
            "core_sources": sorted(V4_CORE_SOURCES),
            "core_prompt_share": V4_CORE_SHARE,
            "other_share": V4_REPLAY_SHARE,
            "rows": len(replay),
        },
        "padded_training_pairs": len(padded),
        **counts,
        "contrast_pairs": len(pairs),
    }
    return train, np.array(weights, dtype=np.float32), pairs, described


def v4_validation_set(
    mix: ModerationMix, windows: WindowCutter, root: str | Path | None = None
) -> tuple[list[QAExample], np.ndarray]:
    """Mix validation plus a few of the constructed safe rows from validation prompts, so
    that temperatures and thresholds see them too."""
    from beavertail.data.augment import prompt_swapped_negatives
    from beavertail.data.mix import _source_of

    benign = [x for x in mix.validation if _source_of(x) in {"alpaca-eval", "alarming-benign"}]
    swapped = prompt_swapped_negatives(mix.validation, benign, 150, seed=1, tag="swapped")
    windows_rows = later_windows(mix.validation, windows, 150)
    rows = mix.validation + swapped + windows_rows
    weights = mix.weights(mix.validation) + [V4_NEW_WEIGHT] * (len(swapped) + len(windows_rows))
    return rows, np.array(weights, dtype=np.float32)


def train_default_judge(
    out: Path,
    root: str | Path | None = None,
    progress: bool = True,
    work_dir: Path | None = None,
    **_: object,
) -> Moderator:
    """Judge v3, the shipped ``default``: LoRA-tune the cut LM on mix v2 and its padded
    copies (checkpoints in ``work_dir``: hours on 2 cores)."""
    from beavertail.moderation.training_mix import moderation_mix

    mix = moderation_mix(root, progress=progress)
    moderator = _train_stage1(mix, root, work_dir or out, progress)
    return _finish("default", moderator, out, card_sets(mix, root), progress)


def _train_stage1(
    mix: ModerationMix, root: str | Path | None, folder: Path, progress: bool
) -> Moderator:
    train, weights = default_training_set(mix, root)
    described = mix.describe()
    described["padded_training_pairs"] = len(train) - len(mix.train)
    return train_moderator(
        train,
        mix.validation,
        DEFAULT_CONFIG,
        folder,
        progress,
        {"data_dir": str(data_dir(root)), **described},
        weights,
        np.array(mix.weights(mix.validation)),
    )


def train_default_judge_v4(
    out: Path,
    root: str | Path | None = None,
    progress: bool = True,
    work_dir: Path | None = None,
    stage1: Path | None = None,
    **_: object,
) -> Moderator:
    """Judge v4 (issue 39's attempt "v4b", not shipped: it missed the BeaverTails-test F1
    floor): stage 1 is the v3 recipe (or ``stage1``, a judge folder it already wrote), stage 2
    continues it on the v4 set (``v4_training_set``) and takes the parameters
    ``V4_INTERPOLATION`` of the way from stage 1 to that continuation
    (:mod:`beavertail.moderation.interpolate`), stage 3 refits the category and severity
    outputs and recalibrates (:func:`refit_output_heads_v4`). Checkpoints in ``work_dir``;
    hours on 2 cores."""
    from beavertail.moderation.train import tuning_state_from_judge
    from beavertail.moderation.training_mix import moderation_mix

    work = work_dir or out
    mix = moderation_mix(root, progress=progress)
    first = stage1 or work / "stage1"
    if not (first / "adapter.safetensors").is_file():
        _train_stage1(mix, root, first, progress)
    start = tuning_state_from_judge(first, work / "stage2" / "start.safetensors")
    cutter = Moderator.load(first).extractor.windows
    train, weights, pairs, described = v4_training_set(mix, cutter, root)
    validation, validation_weights = v4_validation_set(mix, cutter, root)
    train_moderator(
        train,
        validation,
        V4_CONFIG,
        work / "stage2",
        progress,
        {"data_dir": str(data_dir(root)), **mix.describe(), "v4": described},
        weights,
        validation_weights,
        start_from=start,
        contrast_pairs=pairs,
    )
    moderator = interpolate_judges(first, work / "stage2", V4_INTERPOLATION)
    refit_output_heads_v4(moderator, mix, validation, progress)  # also recalibrates
    return _finish("default-v4", moderator, out, card_sets(mix, root), progress)


def refit_output_heads_v4(
    moderator: Moderator, mix: ModerationMix, validation: list[QAExample], progress: bool = True
) -> dict:
    """Judge v4's stage 3 (:func:`refit_output_heads`) on up to ``V4_REFIT_ROWS`` unsafe
    training pairs with categories or a severity level; recorded in the manifest."""
    from beavertail.moderation.train import refit_output_heads

    known = [x for x in mix.train if not x.is_safe and (x.categories or x.severity)]
    known.sort(key=lambda x: hashlib.sha256(f"{x.prompt}\0{x.response}".encode()).digest())
    chosen = refit_output_heads(
        moderator,
        known[:V4_REFIT_ROWS],
        validation,
        V4_CONFIG,
        progress,
        rare_category_threshold=V4_RARE_CATEGORY_THRESHOLD,
    )
    chosen["rows"] = min(len(known), V4_REFIT_ROWS)
    moderator.metadata.setdefault("training", {})["stage3_refit"] = chosen
    return chosen


def train_probe_judge(
    out: Path, root: str | Path | None = None, progress: bool = True, **_: object
) -> Moderator:
    """Judge v2's recipe (a probe on frozen SmolLM2 features) on the current mix: the
    baseline the tuned default is compared with."""
    from beavertail.moderation.training_mix import moderation_mix

    mix = moderation_mix(root, progress=progress)
    moderator = train_moderator(
        mix.train,
        mix.validation,
        PROBE_CONFIG,
        None,
        progress,
        {"data_dir": str(data_dir(root)), **mix.describe()},
        np.array(mix.weights(mix.train)),
        np.array(mix.weights(mix.validation)),
    )
    moderator.metadata["name"] = "probe"
    moderator.save(out)
    return moderator


def hh_rlhf_pairs(root: str | Path | None = None) -> list[QAExample]:
    """First (human, assistant) exchange of each hh-rlhf harmless-base dialogue: unlabelled."""
    path = data_dir(root) / "hh-rlhf" / "harmless-base_test.jsonl.gz"
    seen: dict[tuple[str, str], QAExample] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            row = json.loads(line)
            for side in ("chosen", "rejected"):
                turns = row[side].split("\n\nHuman: ")[1:2]
                if not turns or "\n\nAssistant: " not in turns[0]:
                    continue
                prompt, answer = turns[0].split("\n\nAssistant: ", 1)
                key = (prompt.strip(), answer.strip())
                if all(key) and key not in seen:
                    seen[key] = QAExample(*key, source=f"hh-rlhf:{line_no}:{side}")
    return list(seen.values())


def _prefixes(examples: list[QAExample]) -> list[tuple[int, QAExample]]:
    out = []
    for i, x in enumerate(examples):
        for fraction in DEFAULT_FRACTIONS:
            cut = cut_words(x.response, fraction)
            if len(cut.split()) >= 3 and cut != x.response.strip():
                out.append((i, dataclasses.replace(x, response=cut)))
    return out


def train_fast_judge(
    out: Path,
    root: str | Path | None = None,
    progress: bool = True,
    teacher: str = "default",
    **_: object,
) -> Moderator:
    """Distil the teacher into MiniLM: target = mean of label and teacher score on labelled
    pairs, the teacher's score alone on unlabelled ones; prefixes keep their answer's target."""
    from beavertail.moderation.training_mix import moderation_mix

    mix = moderation_mix(root, progress=progress)
    judge = resolve_judge(teacher)
    labelled, labelled_weights = default_training_set(mix, root)
    extra, extra_weights, extra_counts = v4_extra_rows(
        mix, build_extractor(FAST_CONFIG.spec).windows, root
    )
    labelled = labelled + extra
    labelled_weights = np.concatenate([labelled_weights, extra_weights])
    unlabelled = [x for x in hh_rlhf_pairs(root) if canonical_split(x.prompt) != "test"]
    whole = labelled + unlabelled
    soft = np.concatenate(  # separate calls: the labelled pairs' features may be cached
        [
            judge.probabilities([x.prompt for x in s], [x.response for x in s], progress, True)
            for s in (labelled, unlabelled)
        ]
    )
    n = len(labelled)
    labels = label_matrix(labelled, judge.spec.taxonomy)
    targets = soft.copy()  # the teacher's categories are given that the answer is unsafe
    targets[:n, 0] = 0.5 * (labels[:, 0] + soft[:n, 0])
    known = np.flatnonzero(category_mask(labelled))
    targets[known, 1:] = 0.5 * (labels[known, 1:] + soft[known, 1:])
    weights = np.concatenate([labelled_weights, np.full(len(unlabelled), 0.5)])
    prefixes = _prefixes(whole)
    train = whole + [x for _, x in prefixes]
    idx = [i for i, _ in prefixes]
    all_targets = np.concatenate([targets, targets[idx]])
    all_weights = np.concatenate([weights, weights[idx]])
    val_prefixes = [x for _, x in _prefixes(mix.validation)]
    validation = mix.validation + val_prefixes
    val_weights = np.array(mix.weights(validation))
    moderator = train_moderator(
        train,
        validation,
        FAST_CONFIG,
        None,
        progress,
        {
            "data_dir": str(data_dir(root)),
            **mix.describe(),
            "teacher": teacher,
            "v4": extra_counts,
            "unlabelled_pairs": {"hh-rlhf harmless-base (first exchange)": len(unlabelled)},
            "prefix_fractions": list(DEFAULT_FRACTIONS),
        },
        all_weights,
        val_weights,
        all_targets,
    )
    return _finish("fast", moderator, out, card_sets(mix, root), progress)


PROMPT_TEST_SETS = {
    "openai_moderation": "prompt-moderation/openai_moderation_1680.jsonl",
    "aegis1_test": "prompt-moderation/aegis1_test_prompts_359.jsonl",
    "toxicchat_test": "prompt-moderation/toxicchat_test_5083.jsonl",
}


def prompt_examples(path: Path, source: str) -> list[QAExample]:
    """Prompt-only labelled rows (``is_harmful`` or ToxicChat's ``toxicity``) as QA examples."""
    out = []
    for line, row in iter_rows(path):
        harmful = row["is_harmful"] if "is_harmful" in row else bool(row["toxicity"])
        out.append(QAExample(row["prompt"], "", (), not harmful, None, f"{source}:{line}"))
    return out


def prompt_test_sets(root: str | Path | None = None) -> dict[str, list[QAExample]]:
    return {
        name: prompt_examples(data_dir(root) / rel, name) for name, rel in PROMPT_TEST_SETS.items()
    }


def train_prompt_judge(
    out: Path, root: str | Path | None = None, progress: bool = True, **_: object
) -> Moderator:
    """Prompt moderation on GuardReasoner-train prompts plus the harmful / harmless
    instruction splits, split by prompt; measured on the three prompt test sets."""
    from beavertail.data.catalog import dataset_path
    from beavertail.data.loaders import load_prompts

    rows = prompt_examples(
        data_dir(root) / "prompt-moderation" / "guardreasonertrain_prompts_5000.jsonl",
        "guardreasoner-train",
    )
    for name, harmful in (("harmful-train", True), ("harmless-train", False)):
        items = list(load_prompts(dataset_path(name, root), harmful=harmful))[:1500]
        rows += [
            QAExample(p.prompt, "", (), not harmful, None, f"{name}:{i}")
            for i, p in enumerate(items)
        ]
    test_prompts = {x.prompt for s in prompt_test_sets(root).values() for x in s}
    rows = [x for x in rows if x.prompt not in test_prompts]
    train = [x for x in rows if canonical_split(x.prompt) == "train"]
    validation = [x for x in rows if canonical_split(x.prompt) == "validation"]
    # the same requests in a benign preamble, a fiction frame or a rules-off preamble
    filler = harmless_sentences("train", root)
    train += wrapped_requests(train, filler, PROMPT_WRAPPED)
    validation += wrapped_requests(validation, filler, PROMPT_WRAPPED // 7, seed=1)
    moderator = train_moderator(
        train,
        validation,
        PROMPT_CONFIG,
        None,
        progress,
        {
            "data_dir": str(data_dir(root)),
            "sources": {
                "guardreasoner-train + harmful/harmless-train": {
                    "train": len(train),
                    "validation": len(validation),
                }
            },
            "split_rule": "sha256(prompt) % 10: 0-6 train, 7 validation",
            "wrapped_requests": {"train": PROMPT_WRAPPED, "validation": PROMPT_WRAPPED // 7},
        },
    )
    return _finish("prompt", moderator, out, prompt_test_sets(root), progress)


RECIPES: dict[str, Callable[..., Moderator]] = {
    "default": train_default_judge,
    "default-v4": train_default_judge_v4,
    "probe": train_probe_judge,
    "fast": train_fast_judge,
    "prompt": train_prompt_judge,
}


def train_recipe(
    name: str,
    out: str | Path | None = None,
    root: str | Path | None = None,
    progress: bool = True,
    ship: bool = False,
) -> Moderator:
    """Rebuild a shipped judge; ``ship`` writes it into the package's ``judges`` folder."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; known: {sorted(RECIPES)}")
    if ship and name not in SHIPPED:
        raise ValueError(f"only {SHIPPED} ship with the package, not {name!r}")
    folder = shipped_judge_dir(name) if ship else Path(out or f"runs/judge-{name}")
    folder.mkdir(parents=True, exist_ok=True)
    # checkpoints of long runs never go into the package folder
    work = Path(out or f"runs/judge-{name}") if ship else folder
    work.mkdir(parents=True, exist_ok=True)
    if ship and finished_by_recipe(work, name):  # hours of training are not redone to ship
        from beavertail.moderation.training_mix import moderation_mix

        mix = moderation_mix(root, progress=progress)
        sets = prompt_test_sets(root) if name == "prompt" else card_sets(mix, root)
        return _finish(name, Moderator.load(work), folder, sets, progress)
    return RECIPES[name](folder, root, progress, work_dir=work)


RECIPE_CONFIGS = {"default": DEFAULT_CONFIG, "fast": FAST_CONFIG, "prompt": PROMPT_CONFIG}


def finished_by_recipe(folder: Path, name: str) -> bool:
    """Whether ``folder`` holds a moderator this recipe trained with today's settings."""
    if not (folder / "manifest.json").is_file() or name not in RECIPE_CONFIGS:
        return False
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    trained = manifest.get("training", {}).get("config")
    return trained == json.loads(RECIPE_CONFIGS[name].model_dump_json())
