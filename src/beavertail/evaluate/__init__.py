"""Evaluation: run configurations over prompt sets, judge answers, compare runs in a report."""

from beavertail.evaluate.harness import EvalConfig, plan_prompts, run_eval
from beavertail.evaluate.judge import AnswerJudge
from beavertail.evaluate.metrics import bootstrap, summarize
from beavertail.evaluate.prompt_sets import NAMED_SETS, load_prompt_set
from beavertail.evaluate.report import load_runs, write_report
from beavertail.evaluate.runfile import RunFileError, RunWriter, read_run

__all__ = [
    "NAMED_SETS",
    "AnswerJudge",
    "EvalConfig",
    "RunFileError",
    "RunWriter",
    "bootstrap",
    "load_prompt_set",
    "load_runs",
    "plan_prompts",
    "read_run",
    "run_eval",
    "summarize",
    "write_report",
]
