"""Loaders that turn rows of any supported source into validated, typed records (streaming)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from beavertail.data.errors import DataValidationError
from beavertail.data.readers import Row, iter_rows
from beavertail.data.records import EvalPrompt, PreferencePair, QAExample, RankedPair
from beavertail.data.taxonomy import (
    BEAVERTAILS_14,
    PKU_SAFERLHF_19,
    get_mapping,
    get_taxonomy,
)

Kind = Literal["beavertails_qa", "pku_pairs", "ranked_pairs", "qa", "prompts"]
PROMPT_FIELDS = (
    "prompt",
    "instruction",
    "goal",
    "Goal",
    "Behavior",
    "forbidden_prompt",
    "question",
)
CATEGORY_FIELDS = ("category", "Category", "SemanticCategory")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


class _Ctx:
    """Where a row came from, so that every error can name file, line and field."""

    def __init__(self, source: str | Path, line: int, row: Row) -> None:
        self.source, self.line, self.row = str(source), line, row

    def fail(self, field: str | None, message: str) -> DataValidationError:
        return DataValidationError(self.source, self.line, field, message)

    def get(self, field: str) -> Any:
        if field not in self.row or self.row[field] is None:
            raise self.fail(field, "missing field")
        return self.row[field]

    def text(self, field: str, allow_empty: bool = False) -> str:
        value = self.get(field)
        if not isinstance(value, str):
            raise self.fail(field, f"expected text, got {type(value).__name__}")
        if not allow_empty and not value.strip():
            raise self.fail(field, "empty text")
        return value

    def boolean(self, field: str) -> bool:
        value = self.get(field)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise self.fail(field, f"expected a boolean, got {value!r}")

    def integer(self, field: str, allowed: Iterable[int] | None = None) -> int:
        value = self.get(field)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail(field, f"expected an integer, got {type(value).__name__}")
        try:
            number = int(value)
        except ValueError:
            raise self.fail(field, f"expected an integer, got {value!r}") from None
        if allowed is not None and number not in set(allowed):
            raise self.fail(field, f"value {number} not in {sorted(set(allowed))}")
        return number

    def category_flags(self, field: str, taxonomy: str) -> tuple[str, ...]:
        """Categories flagged true in a ``{category: bool}`` field, validated against a taxonomy."""
        value = self.get(field)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise self.fail(field, "expected a {category: bool} object") from None
        if not isinstance(value, Mapping):
            raise self.fail(
                field, f"expected a {{category: bool}} object, got {type(value).__name__}"
            )
        known = get_taxonomy(taxonomy)
        flagged = []
        for key, flag in value.items():
            if key not in known:
                raise self.fail(f"{field}.{key}", f"unknown category for taxonomy {taxonomy}")
            if not isinstance(flag, bool):
                raise self.fail(f"{field}.{key}", f"expected a boolean, got {flag!r}")
            if flag:
                flagged.append(key)
        return tuple(c for c in known.categories if c in flagged)


def _source_name(source: str | Path) -> str:
    return Path(source).name if Path(source).exists() else str(source)


# (prompt, response) column pairs that QA files commonly use, in the order they are tried
QA_COLUMN_NAMES = (
    ("prompt", "response"),
    ("question", "answer"),
    ("instruction", "output"),
    ("input", "output"),
    ("prompt", "completion"),
    ("query", "response"),
    ("user", "assistant"),
)


def detect_qa_columns(row: Row) -> dict[str, str] | None:
    """The ``{"prompt": …, "response": …}`` mapping for a row with a known pair of column
    names (prompt/response, question/answer, instruction/output, …), or None."""
    for prompt, response in QA_COLUMN_NAMES:
        if prompt in row and response in row:
            return {"prompt": prompt, "response": response}
    return None


def detect_kind(row: Row) -> Kind:
    """Guess a row's schema from its fields (the same reading everywhere a file is read)."""
    if "response_0" in row and "response_1" in row:
        return "pku_pairs"
    if "chosen" in row and "rejected" in row:
        return "ranked_pairs"
    if "response" in row and isinstance(row.get("category"), Mapping | str) and "is_safe" in row:
        return "beavertails_qa"
    if detect_qa_columns(row) is not None:
        return "qa"
    return "prompts"


def load_beavertails_qa(source: str | Path, split: str | None = None) -> Iterator[QAExample]:
    """BeaverTails QA rows ``{prompt, response, category{14 bools}, is_safe}``."""
    name = _source_name(source)
    for line, row in iter_rows(source, split):
        ctx = _Ctx(source, line, row)
        categories = ctx.category_flags("category", BEAVERTAILS_14)
        yield QAExample(
            prompt=ctx.text("prompt"),
            response=ctx.text("response", allow_empty=True),
            categories=categories,
            is_safe=ctx.boolean("is_safe"),
            source=f"{name}:{line}",
        )


def load_pku_pairs(source: str | Path, split: str | None = None) -> Iterator[PreferencePair]:
    """PKU-SafeRLHF v1.0 preference pairs; categories mapped onto BeaverTails-14."""
    name = _source_name(source)
    mapping = get_mapping(PKU_SAFERLHF_19, BEAVERTAILS_14)
    for line, row in iter_rows(source, split):
        ctx = _Ctx(source, line, row)
        pku = tuple(
            ctx.category_flags(f"response_{i}_harm_category", PKU_SAFERLHF_19) for i in (0, 1)
        )
        yield PreferencePair(
            prompt=ctx.text("prompt"),
            response_0=ctx.text("response_0", allow_empty=True),
            response_1=ctx.text("response_1", allow_empty=True),
            better_id=ctx.integer("better_response_id", (0, 1)),
            safer_id=ctx.integer("safer_response_id", (0, 1)),
            is_safe=(ctx.boolean("is_response_0_safe"), ctx.boolean("is_response_1_safe")),
            categories=(tuple(mapping.map(pku[0])), tuple(mapping.map(pku[1]))),
            severity=tuple(  # type: ignore[arg-type]
                ctx.integer(f"response_{i}_severity_level", range(4))
                if f"response_{i}_severity_level" in row
                else None
                for i in (0, 1)
            ),
            source=f"{name}:{line}",
            source_categories=pku,  # type: ignore[arg-type]
        )


HH_ASSISTANT = "\n\nAssistant:"


def _split_transcripts(ctx: _Ctx) -> tuple[str, str, str]:
    """hh-rlhf's two transcripts as (dialogue, chosen answer, rejected answer): the dialogue
    runs to the last assistant turn the two share (where they start to differ)."""
    chosen, rejected = ctx.text("chosen"), ctx.text("rejected")
    pairs = zip(chosen, rejected, strict=False)
    shared = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(chosen), len(rejected)))
    cut = chosen.rfind(HH_ASSISTANT, 0, shared + len(HH_ASSISTANT))
    if cut < 0:
        raise ctx.fail("chosen", "no prompt field, and no shared '\\n\\nAssistant:' turn")
    start = cut + len(HH_ASSISTANT)
    return chosen[:cut].strip(), chosen[start:].strip(), rejected[start:].strip()


def _optional(ctx: _Ctx, field: str, kind: str) -> Any:
    if ctx.row.get(field) is None:
        return None
    return ctx.text(field) if kind == "text" else ctx.boolean(field)


def load_ranked_pairs(source: str | Path, split: str | None = None) -> Iterator[RankedPair]:
    """Chosen/rejected pairs: rows of ``prompt, chosen, rejected`` (the Hub / TRL preference
    schema; optional ``persona_chosen``, ``persona_rejected``, ``conflict``,
    ``chosen_is_safe``, ``rejected_is_safe``), or hh-rlhf rows whose ``chosen`` and ``rejected``
    are whole transcripts: the prompt is the dialogue up to the last assistant turn both share."""
    name = _source_name(source)
    for line, row in iter_rows(source, split):
        ctx = _Ctx(source, line, row)
        if row.get("prompt") is not None:
            prompt = ctx.text("prompt")
            chosen = ctx.text("chosen", allow_empty=True)
            rejected = ctx.text("rejected", allow_empty=True)
        else:
            prompt, chosen, rejected = _split_transcripts(ctx)
        yield RankedPair(
            prompt=prompt,
            chosen=chosen,
            rejected=rejected,
            persona_chosen=_optional(ctx, "persona_chosen", "text"),
            persona_rejected=_optional(ctx, "persona_rejected", "text"),
            conflict=_optional(ctx, "conflict", "bool"),
            chosen_is_safe=_optional(ctx, "chosen_is_safe", "bool"),
            rejected_is_safe=_optional(ctx, "rejected_is_safe", "bool"),
            source=row.get("source") or f"{name}:{line}",
        )


def qa_from_pairs(pairs: Iterable[PreferencePair]) -> Iterator[QAExample]:
    """Each preference pair as its two QA examples."""
    for pair in pairs:
        yield from pair.qa_examples()


def _parse_category_list(ctx: _Ctx, field: str, taxonomy: str) -> tuple[str, ...]:
    value = ctx.row.get(field)
    if value is None or value == "":
        return ()
    if isinstance(value, Mapping):
        return ctx.category_flags(field, taxonomy)
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith(("[", "{")):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                raise ctx.fail(field, "invalid JSON list of categories") from None
            if isinstance(value, Mapping):
                return ctx.category_flags(field, taxonomy)
        else:  # BeaverTails keys contain commas, so lists in text are split on ';' or '|'
            value = [v.strip() for v in stripped.replace("|", ";").split(";") if v.strip()]
    if not isinstance(value, list | tuple):
        raise ctx.fail(field, f"expected a list of categories, got {type(value).__name__}")
    known = get_taxonomy(taxonomy)
    for category in value:
        if category not in known:
            raise ctx.fail(field, f"unknown category {category!r} for taxonomy {taxonomy}")
    return tuple(c for c in known.categories if c in value)


def load_qa(
    source: str | Path,
    columns: Mapping[str, str] | None = None,
    taxonomy: str = BEAVERTAILS_14,
    split: str | None = None,
) -> Iterator[QAExample]:
    """The user's own QA pairs in any format, with an optional column mapping.

    ``columns`` maps record fields (``prompt``, ``response``, ``is_safe`` or ``is_unsafe``,
    ``categories``, ``severity``) onto the file's column names. Categories of another
    taxonomy are mapped onto BeaverTails-14. Without a safety column, a pair is safe
    exactly when it has no category.
    """
    cols = {"prompt": "prompt", "response": "response", "categories": "category"}
    given = dict(columns or {})
    name = _source_name(source)
    mapping = None if taxonomy == BEAVERTAILS_14 else get_mapping(taxonomy, BEAVERTAILS_14)
    rows = iter_rows(source, split)
    first = next(rows, None)
    if first is None:
        return
    if "prompt" not in given and "response" not in given:
        detected = detect_qa_columns(first[1])
        if detected is None:
            found = ", ".join(sorted(first[1])) or "none"
            raise DataValidationError(
                str(source), first[0], None,
                f"no (prompt, response) columns found (columns: {found}); pass "
                "--column prompt=<column> --column response=<column>",
            )  # fmt: skip
        cols |= detected
    cols |= given
    for line, row in itertools.chain([first], rows):
        ctx = _Ctx(source, line, row)
        categories = _parse_category_list(ctx, cols["categories"], taxonomy)
        if mapping is not None:
            categories = tuple(mapping.map(categories))
        if "is_unsafe" in cols:
            is_safe = not ctx.boolean(cols["is_unsafe"])
        elif cols.get("is_safe", "is_safe") in row:
            is_safe = ctx.boolean(cols.get("is_safe", "is_safe"))
        else:
            is_safe = not categories
        severity_col = cols.get("severity", "severity")
        yield QAExample(
            prompt=ctx.text(cols["prompt"]),
            response=ctx.text(cols["response"], allow_empty=True),
            categories=categories,
            is_safe=is_safe,
            severity=ctx.integer(severity_col) if row.get(severity_col) not in (None, "") else None,
            source=f"{name}:{line}",
        )


def load_prompts(
    source: str | Path,
    harmful: bool = True,
    prompt_field: str | None = None,
    category_field: str | None = None,
    split: str | None = None,
) -> Iterator[EvalPrompt]:
    """Prompt lists: BeaverTails-Evaluation, harmful/harmless instruction sets, benchmark CSVs.

    The prompt column is found among common names (prompt, instruction, goal, Behavior,
    forbidden_prompt) unless ``prompt_field`` names it; categories keep the source's names.
    """
    name = _source_name(source)
    for line, row in iter_rows(source, split):
        ctx = _Ctx(source, line, row)
        field = prompt_field or next((f for f in PROMPT_FIELDS if f in row), None)
        if field is None:
            raise ctx.fail(None, f"no prompt column; expected one of {PROMPT_FIELDS}")
        cat_field = category_field or next((f for f in CATEGORY_FIELDS if f in row), None)
        category = row.get(cat_field) if cat_field else None
        if category is not None and not isinstance(category, str):
            raise ctx.fail(cat_field, f"expected text, got {type(category).__name__}")
        yield EvalPrompt(
            prompt=ctx.text(field),
            category=category or None,
            harmful=harmful,
            source=f"{name}:{line}",
        )


def load_qa_examples(source: str | Path, split: str | None = None) -> Iterator[QAExample]:
    """QA examples from any QA or preference-pair source (two examples per pair)."""
    for record in load_records(source, split):
        if isinstance(record, PreferencePair):
            yield from record.qa_examples()
        elif isinstance(record, QAExample):
            yield record
        else:
            held = "prompts only" if isinstance(record, EvalPrompt) else "unlabelled answer pairs"
            raise ValueError(
                f"{source}: holds {held}; this needs labelled (prompt, response) pairs"
            )


def load_records(source: str | Path, split: str | None = None) -> Iterator[Any]:
    """Typed records of any known schema, detected from the first row."""
    rows = iter_rows(source, split)
    try:
        _, first = next(rows)
    except StopIteration:
        return
    kind = detect_kind(first)
    loaders = {
        "beavertails_qa": load_beavertails_qa,
        "pku_pairs": load_pku_pairs,
        "ranked_pairs": load_ranked_pairs,
        "qa": load_qa,
        "prompts": load_prompts,
    }
    yield from loaders[kind](source, split=split)  # type: ignore[operator]
