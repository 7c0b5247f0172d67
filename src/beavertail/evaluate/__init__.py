"""Evaluation: run configurations over prompt sets, judge answers, compare runs in a report."""

from beavertail.evaluate.attack import AttackConfig, run_attack, summarize_attack
from beavertail.evaluate.certify import SafetyTest, safety_test, upper_bound
from beavertail.evaluate.harness import EvalConfig, plan_prompts, run_eval
from beavertail.evaluate.honesty import (
    HonestySettings,
    mc_scores,
    read_honesty,
    run_honesty,
    truthfulqa_pairs,
    truthfulqa_questions,
)
from beavertail.evaluate.judge import AnswerJudge
from beavertail.evaluate.metrics import bootstrap, summarize
from beavertail.evaluate.prompt_sets import NAMED_SETS, load_prompt_set
from beavertail.evaluate.report import load_runs, write_report
from beavertail.evaluate.runfile import RunFileError, RunWriter, read_run

__all__ = [
    "NAMED_SETS",
    "AnswerJudge",
    "AttackConfig",
    "EvalConfig",
    "HonestySettings",
    "RunFileError",
    "RunWriter",
    "SafetyTest",
    "bootstrap",
    "load_prompt_set",
    "load_runs",
    "mc_scores",
    "plan_prompts",
    "read_honesty",
    "read_run",
    "run_attack",
    "run_eval",
    "run_honesty",
    "safety_test",
    "summarize",
    "summarize_attack",
    "truthfulqa_pairs",
    "truthfulqa_questions",
    "upper_bound",
    "write_report",
]
