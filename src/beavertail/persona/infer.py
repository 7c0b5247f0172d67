"""Persona inference (PI): who would prefer each side of a preference pair.

After Balepur et al., "Whose Boat Does it Float?" (2025): a chat model sees the prompt and
both answers, is told which one the user preferred, and reasons abductively to a short
description of that user (their situation, needs and values) under which the preferred
answer is the better one. Asked once with the chosen answer preferred and once with the
rejected one, it gives ``persona_chosen`` and ``persona_rejected``.

The prompt structure (written down in :data:`PI_INSTRUCTION`): the question, answer A (the
preferred one), answer B, the statement that the user preferred A, the request for a persona
that explains the preference, and the form of the answer (one or two sentences that begin
"The user is", no mention of the answers). Answers are cut to ``answer_words`` words so a
small model's context holds both. The persona's opening words are given to the model
(``SamplingParams.answer_prefix``), which keeps a 135M model on task.

Personas are written to an append-only JSONL cache keyed by the pair's content, the
generator's name and the settings, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from beavertail.align.pairs import is_conflict, ranked
from beavertail.artifacts import append_rows, appended_rows
from beavertail.data import FILES, PreferencePair, RankedPair, dataset_path, load_records
from beavertail.models.generation import SamplingParams, TextGenerator
from beavertail.models.progress import track
from beavertail.settings import Settings

PI_SYSTEM = "You infer what kind of person a user is from the answers they prefer."
PI_INSTRUCTION = """A user asked an AI assistant a question and was shown two answers.

Question: {prompt}

Answer A: {preferred}

Answer B: {other}

The user preferred Answer A to Answer B. Infer, by abductive reasoning, the persona of this \
user: who they are, what they need and what they value, so that Answer A suits them better \
than Answer B. Describe the persona in one or two sentences beginning with "The user is". \
Do not mention the answers."""
PERSONA_START = "The user is"

Ranking = Literal["better", "safer"]


class PersonaSettings(Settings):
    """How personas are asked for (the cache key includes every field)."""

    answer_words: int = Field(90, ge=10, description="Words of each answer shown to the model.")
    max_sentences: int = Field(2, ge=1, description="Sentences of the reply kept as the persona.")
    sampling: SamplingParams = Field(
        default_factory=lambda: SamplingParams(
            max_new_tokens=48,
            repetition_penalty=1.2,
            system_prompt=PI_SYSTEM,
            answer_prefix=PERSONA_START,
        ),
        description="Decoding settings (greedy, the persona's opening words given).",
    )
    batch_size: int = Field(8, ge=1, description="Pairs sent to the generator at once.")


def from_preference(pair: PreferencePair, ranking: Ranking = "better") -> RankedPair:
    """A PKU-SafeRLHF pair ordered by one ranking, with its safety labels and conflict flag."""
    row = ranked(pair, ranking)
    assert row is not None
    first = pair.better_id if ranking == "better" else pair.safer_id
    return RankedPair(
        prompt=pair.prompt,
        chosen=row.chosen,
        rejected=row.rejected,
        conflict=is_conflict(pair),
        chosen_is_safe=pair.is_safe[first],
        rejected_is_safe=pair.is_safe[1 - first],
        source=pair.source,
    )


def load_pairs(
    source: str | Path,
    ranking: Ranking = "better",
    limit: int | None = None,
    seed: int = 0,
    data_root: str | Path | None = None,
) -> list[RankedPair]:
    """Chosen/rejected pairs from a named set (``pku-train``, ``pku-test``, ``hh-rlhf``), a
    file or a Hub id: PKU-SafeRLHF-style pairs ordered by ``ranking``, chosen/rejected rows as
    they are. ``limit``: the first N in a seeded order that does not depend on the file's."""
    path = dataset_path(str(source), data_root) if str(source) in FILES else source
    rows = []
    for record in load_records(path):
        if isinstance(record, PreferencePair):
            rows.append(from_preference(record, ranking))
        elif isinstance(record, RankedPair):
            rows.append(record)
        else:
            raise ValueError(f"{source}: holds {type(record).__name__} records, not pairs")
    if limit is None:
        return rows

    def order(row: RankedPair) -> str:
        text = f"{seed}\x00{row.prompt}\x00{row.chosen}\x00{row.rejected}"
        return hashlib.sha256(text.encode()).hexdigest()

    return sorted(rows, key=order)[:limit]


def _cut(text: str, words: int) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def pi_prompt(pair: RankedPair, side: Literal["chosen", "rejected"], answer_words: int) -> str:
    """The PI request for the user who preferred ``side``."""
    preferred, other = (
        (pair.chosen, pair.rejected) if side == "chosen" else (pair.rejected, pair.chosen)
    )
    return PI_INSTRUCTION.format(
        prompt=pair.prompt.strip(),
        preferred=_cut(preferred, answer_words),
        other=_cut(other, answer_words),
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def clean_persona(text: str, max_sentences: int) -> str:
    """The reply's first sentences on one line; an unfinished last sentence is dropped when a
    finished one precedes it."""
    text = " ".join(text.split())
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    kept = sentences[:max_sentences]
    if len(kept) > 1 and not kept[-1].endswith((".", "!", "?")):
        kept = kept[:-1]
    return " ".join(kept)


def _key(pair: RankedPair, side: str, generator: str, settings: PersonaSettings) -> str:
    content = json.dumps(
        [pair.prompt, pair.chosen, pair.rejected, side, generator, settings.model_dump()],
        sort_keys=True,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def infer_personas(
    pairs: Sequence[RankedPair],
    generator: TextGenerator,
    cache: str | Path,
    settings: PersonaSettings | None = None,
    progress: bool = True,
) -> list[RankedPair]:
    """``pairs`` with ``persona_chosen`` and ``persona_rejected`` filled in.

    Every persona is appended to ``cache`` (JSONL) as soon as its batch is written, so a rerun
    asks only for the missing ones.
    """
    settings = settings or PersonaSettings()
    cache = Path(cache)
    done = {row["key"]: row["persona"] for row in appended_rows(cache)}
    sides: tuple[Literal["chosen", "rejected"], ...] = ("chosen", "rejected")
    jobs = [
        (i, side, _key(pair, side, generator.name, settings))
        for i, pair in enumerate(pairs)
        for side in sides
    ]
    todo = [job for job in jobs if job[2] not in done]
    batches = [todo[s : s + settings.batch_size] for s in range(0, len(todo), settings.batch_size)]
    for batch in track(batches, len(batches), "inferring personas", show=progress):
        requests = [pi_prompt(pairs[i], side, settings.answer_words) for i, side, _ in batch]
        replies = generator.generate(requests, settings.sampling)
        rows = []
        for (_, _, key), reply in zip(batch, replies, strict=True):
            done[key] = clean_persona(reply.text, settings.max_sentences)
            rows.append({"key": key, "persona": done[key]})
        append_rows(cache, rows)
    out = []
    for pair in pairs:
        chosen = done[_key(pair, "chosen", generator.name, settings)]
        rejected = done[_key(pair, "rejected", generator.name, settings)]
        out.append(replace(pair, persona_chosen=chosen, persona_rejected=rejected))
    return out


def save_persona_dataset(pairs: Iterable[RankedPair], path: str | Path) -> Path:
    """The pairs as a Hub-style table (``prompt, chosen, rejected, persona_chosen,
    persona_rejected, conflict, chosen_is_safe, rejected_is_safe, source``): ``.parquet`` or
    JSONL; :func:`beavertail.data.load_ranked_pairs` reads either back."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = [asdict(pair) for pair in pairs]
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
        return path
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
