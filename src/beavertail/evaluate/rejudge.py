"""Re-score a run's answers with another judge, without generating them again.

The new run file keeps every answer (and its relevance and perplexity) with the other
judge's verdicts; its header records the judge, the source run and the judge's digest, so a
rerun resumes (appending, fsynced per batch) and a changed judge is refused. The report puts
two judges of the same answers side by side: agreement, Cohen's kappa, the disagreements.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from beavertail.evaluate.judge import verdict_fields
from beavertail.evaluate.runfile import RunWriter, read_run
from beavertail.models.progress import progress_bar
from beavertail.moderation.judge import resolve_judge
from beavertail.moderation.ood.policy import OODPolicy, with_ood_policy

KEEP = ("id", "set", "prompt", "category", "harmful", "answer", "num_tokens", "finish_reason",
        "relevance", "perplexity", "route", "best_of_n", "guided")  # fmt: skip


def rejudge_run(
    source: str | Path,
    judge: str,
    output: str | Path,
    batch_size: int = 16,
    progress: bool = True,
    ood: OODPolicy | None = None,
) -> Path:
    """Judge ``source``'s answers with ``judge`` into ``output`` (resumable). ``ood``: the
    policy for answers out of the new judge's distribution; by default the source run's
    when the new judge has an OOD detector, else ``keep``. The header records the policy
    the verdicts were made with."""
    header, records = read_run(source)
    config = dict(header.get("config") or {})
    moderator = resolve_judge(judge)
    if ood is None:
        stored = OODPolicy.parse(config.get("ood") or {}, f"{source}: config.ood")
        ood = stored if moderator.ood is not None else OODPolicy()
    name = f"{config.get('name', Path(source).stem)} [{judge}]"
    config |= {"name": name, "judge": judge, "ood": ood.model_dump()}
    identity = dict(header.get("identity") or {}) | {
        "judge": judge,
        "rejudged": True,
        "ood": ood.model_dump(),
    }
    judged = with_ood_policy(moderator, ood)
    resolved = dict(header.get("resolved") or {}) | {
        "judge_digest": moderator.digest(),
        "rejudged_from": str(Path(source).resolve()),
        "source_judge": (header.get("config") or {}).get("judge", "default"),
    }
    writer = RunWriter(output, config, identity, resolved=resolved)
    todo = [r for r in records if r["id"] not in writer.done]
    with progress_bar() as bar:
        task = bar.add_task(f"rejudge with {judge}", total=len(records),
                            completed=len(records) - len(todo), visible=progress)  # fmt: skip
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            verdicts = judged.predict([r["prompt"] for r in batch], [r["answer"] for r in batch])
            rows: list[dict[str, Any]] = []
            for record, verdict in zip(batch, verdicts, strict=True):
                kept = {k: record[k] for k in KEEP if k in record}
                kept["previous_verdict"] = {
                    "unsafe": record.get("unsafe"),
                    "unsafe_score": record.get("unsafe_score"),
                }
                rows.append(kept | verdict_fields(verdict, record["answer"]))
            writer.append(rows)
            bar.advance(task, len(batch))
    return Path(output)
