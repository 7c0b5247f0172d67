"""Safe RLHF (Dai et al., 2023): online LoRA training of the policy to maximise the reward
model's score while the cost model's expected cost stays under a limit, with a learned Lagrange
multiplier. TRL's ``GRPOTrainer`` samples the answers and takes the policy-gradient steps.

Our reading of the paper (and of PKU's ``safe-rlhf`` PPO-Lagrangian), and where we depart:

* **Objective**: ``max_θ min_{λ ≥ 0} J_R(θ) − λ·(J_C(θ) − d)`` with ``J_R = E[reward]`` and
  ``J_C = E[cost]`` over answers the policy samples for the training prompts; cost > 0 is
  unsafe, so ``d = 0`` (``cost_limit``) asks for answers that are safe on average.
* **Advantage**: the paper estimates a reward advantage ``A_r`` and a cost advantage ``A_c``
  separately (a reward critic and a cost critic) and trains on
  ``A = (A_r − λ·A_c) / (1 + λ)``: dividing by ``1 + λ`` keeps the advantage's scale bounded
  as λ grows (a large λ makes the policy follow ``−A_c``, not λ times it). There is no critic
  here: every prompt is answered ``samples`` times and the group's mean is the baseline
  (GRPO's), ``A_r = r − mean_group(r)``, ``A_c = c − mean_group(c)``, combined the same way.
  The group mean being linear, that is TRL's advantage for the weighted reward
  ``(r − λ·c) / (1 + λ)`` without scaling, so the trainer sets TRL's reward weights to
  ``(1/(1+λ), −λ/(1+λ))`` before every scoring. No further whitening by default
  (``advantage_scale: none``); ``group`` / ``batch`` divide by that standard deviation as
  GRPO does (an option, not the paper). Reward and cost are one scalar per whole answer.
* **KL**: PKU adds the per-token penalty ``−β·KL`` to the reward and ``+β·KL`` to the cost,
  so that after ``(·)/(1 + λ)`` it weighs ``β`` whatever λ is; here it is GRPO's KL term in
  the loss, at weight ``beta`` whatever λ is too (against the base policy: the adapter
  disabled, so no second copy of the model).
* **Policy loss**: PPO's clipped surrogate with one update per sampled batch (on-policy), token
  losses averaged over the batch's answer tokens (TRL's ``dapo``; PKU's masked mean).
* **λ**: ``ln λ`` is the dual variable; after every step
  ``ln λ ← clip(ln λ + α·λ·(Ê[cost] − d), ln λ_min, ln λ_max)``, the gradient step on
  ``−λ·(J_C − d)`` with respect to ``ln λ`` (the paper's update; PKU's SGD on ``log_lambda``).
  ``Ê[cost]`` is the mean cost of the step's answers to PKU-SafeRLHF prompts, or of the last
  ``cost_window`` such answers (PKU's episode-cost window); a step without one leaves λ as it
  is. Only those answers: the paper's prompts were PKU-SafeRLHF's, and counting the harmless
  instructions added here would let safe answers to them pull the mean under ``d`` while
  answers to harmful prompts stay unsafe (``constraint_on: all`` counts them too). λ rises
  while answers cost more than ``d`` and falls once they cost less. ``lambda_mode: fixed``
  keeps ``λ = lambda_init``: the reward-shaping baseline the paper compares with (the same
  advantage, λ constant).
* **Prompts**: distinct PKU-SafeRLHF train prompts and harmless instructions (refusal-direction's
  ``harmless_train``), so that helpfulness is rewarded where nothing is unsafe to answer.

Checkpoints (``output/trainer/checkpoint-N``, every ``checkpoint_steps`` steps and at least every
``checkpoint_minutes``) hold the adapter (PEFT safetensors), the AdamW moments and scheduler
(``optimizer.safetensors``), the RNG states (``rng_state.safetensors``), the trainer state
(step, epoch; JSON) and ``dual.safetensors`` (ln λ, the cost window, the sampler's seed and
epoch). The sampler's order depends on seed and epoch alone, so a resumed run sees the prompts
and draws the answers an uninterrupted one would. One row per step goes to ``steps.jsonl``
beside the adapter (λ, reward, cost, KL, seconds).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from beavertail.align.config import LambdaMode, SafeRLHFConfig
from beavertail.align.trainer import TRAINER_FOLDER, finish_run, lora_trainer, saved_by
from beavertail.artifacts import append_rows, appended_rows, artifact_digest, atomic_write_text
from beavertail.data import EvalPrompt
from beavertail.models.adapters import save_adapter
from beavertail.models.causal import LoadedLM, chat_text, load_lm
from beavertail.models.progress import progress_bar
from beavertail.models.training import SafetensorsCheckpoints, resumable_checkpoint
from beavertail.preference.spec import Scorer

if TYPE_CHECKING:
    from transformers import TrainerCallback

METHOD = "safe-rlhf"
DUAL_FILE = "dual.safetensors"  # in every checkpoint folder
STEPS_FILE = "steps.jsonl"  # beside the adapter: one row per optimiser step


# -- the Lagrange multiplier -----------------------------------------------------------------
@dataclass
class Lagrangian:
    """λ = exp(ln λ) and its dual ascent on ``Ê[cost] − d`` (see the module's docstring)."""

    mode: LambdaMode
    log_lambda: float
    lr: float
    cost_limit: float
    log_min: float
    log_max: float
    delay_steps: int = 0
    window: int = 0
    recent: list[float] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: SafeRLHFConfig) -> Lagrangian:
        return cls(
            mode=config.lambda_mode,
            log_lambda=math.log(config.lambda_init),
            lr=config.lambda_lr,
            cost_limit=config.cost_limit,
            log_min=math.log(config.lambda_min),
            log_max=math.log(config.lambda_max),
            delay_steps=config.lambda_delay_steps,
            window=config.cost_window,
        )

    @property
    def value(self) -> float:
        return math.exp(self.log_lambda)

    def weights(self) -> tuple[float, float]:
        """TRL's reward weights (reward, cost): the advantage is ``(A_r − λ·A_c) / (1 + λ)``."""
        lam = self.value
        return 1.0 / (1.0 + lam), -lam / (1.0 + lam)

    def update(self, costs: Sequence[float], step: int) -> float | None:
        """Take a step's answer costs, move ln λ (learned mode, after ``delay_steps``) and
        return the Ê[cost] it moved on (None, and λ unmoved, for a step without costs)."""
        costs = [float(c) for c in costs]
        if not costs:
            return None
        self.recent = [*self.recent, *costs][-self.window :] if self.window else costs
        estimate = float(np.mean(self.recent))
        if self.mode == "learned" and step > self.delay_steps:
            moved = self.log_lambda + self.lr * self.value * (estimate - self.cost_limit)
            self.log_lambda = min(self.log_max, max(self.log_min, moved))
        return estimate

    def save(self, path: Path, metadata: dict[str, str]) -> None:
        tensors = {
            "log_lambda": torch.tensor([self.log_lambda], dtype=torch.float64),
            "recent_costs": torch.tensor(self.recent, dtype=torch.float64),
        }
        save_file(tensors, path, metadata={"mode": self.mode, **metadata})

    def load(self, path: Path) -> None:
        with safe_open(path, "pt") as handle:
            self.log_lambda = float(handle.get_tensor("log_lambda")[0])
            self.recent = [float(x) for x in handle.get_tensor("recent_costs").tolist()]


# -- prompts and scores ----------------------------------------------------------------------
def _seeded(items: Sequence[str], seed: int) -> list[str]:
    """A seeded order that depends on the texts, not on the file's order."""
    return sorted(items, key=lambda t: hashlib.sha256(f"{seed}\x00{t}".encode()).hexdigest())


def training_prompts(config: SafeRLHFConfig) -> list[EvalPrompt]:
    """The run's prompts: distinct PKU-SafeRLHF prompts (``train_file`` or PKU train) and
    harmless instructions (``harmless_file`` or refusal-direction's harmless_train), each a
    seeded pick of at most ``harmful_prompts`` / ``harmless_prompts``."""
    from beavertail.data import load_pku_pairs, load_prompts
    from beavertail.data.catalog import dataset_path, pku_pairs

    pairs = load_pku_pairs(config.train_file) if config.train_file else None
    harmful = {p.prompt.strip() for p in (pairs or pku_pairs("train", config.data_dir))}
    harmless_source = config.harmless_file or dataset_path("harmless-train", config.data_dir)
    harmless = {p.prompt.strip() for p in load_prompts(harmless_source, harmful=False)}
    harmless -= harmful
    picked = [
        EvalPrompt(text, None, True, "pku-saferlhf")
        for text in _seeded(sorted(t for t in harmful if t), config.seed)[: config.harmful_prompts]
    ]
    picked += [
        EvalPrompt(text, None, False, "harmless")
        for text in _seeded(sorted(t for t in harmless if t), config.seed)[
            : config.harmless_prompts
        ]
    ]
    if len(picked) < config.prompts_per_step:
        raise ValueError(
            f"{len(picked)} training prompts, fewer than prompts_per_step "
            f"({config.prompts_per_step}): raise harmful_prompts or harmless_prompts"
        )
    return picked


def prompt_rows(lm: LoadedLM, prompts: Sequence[EvalPrompt]) -> Any:
    """TRL's prompt dataset: the chat-rendered prompt, the raw question for the scorers."""
    from datasets import Dataset

    return Dataset.from_dict(
        {
            "prompt": [chat_text(lm.tokenizer, p.prompt) for p in prompts],
            "question": [p.prompt for p in prompts],
            "harmful": [p.harmful for p in prompts],
        }
    )


def score_functions(reward: Scorer, cost: Scorer) -> list[Callable[..., list[float]]]:
    """TRL reward functions named ``reward`` and ``cost`` (TRL logs them under those names)."""

    def scorer_function(model: Scorer, name: str) -> Callable[..., list[float]]:
        def score(completions: list[str], question: list[str], **_: Any) -> list[float]:
            answers = [c.strip() for c in completions]
            return [float(x) for x in model.scores(list(question), answers)]

        score.__name__ = name
        return score

    return [scorer_function(reward, "reward"), scorer_function(cost, "cost")]


# -- the trainer -----------------------------------------------------------------------------
def _trainer_class() -> type:
    """Built on first use: importing TRL takes seconds and is only needed for training."""
    from trl import GRPOTrainer
    from trl.trainer.utils import RepeatSampler

    class EpochRepeatSampler(RepeatSampler):
        """TRL's sampler (each prompt ``samples`` times in a row), its order fixed by seed and
        epoch alone, so a resume in any epoch replays the same order."""

        epoch = 0

        def set_epoch(self, epoch: int) -> None:
            self.epoch = epoch

        def __iter__(self) -> Any:
            if self.shuffle:
                self.generator.manual_seed((self.seed or 0) * 1000 + self.epoch)
            return super().__iter__()

    class SafeRLHFTrainer(SafetensorsCheckpoints, GRPOTrainer):
        """GRPOTrainer whose reward is ``(r − λ·c) / (1 + λ)`` at the current λ, with
        safetensors checkpoints that carry the dual state."""

        def __init__(self, *args: Any, dual: Lagrangian, **kwargs: Any) -> None:
            self.dual = dual
            self.step_scores: list[np.ndarray] = []  # [reward, cost, harmful] per answer
            super().__init__(*args, **kwargs)

        def _get_train_sampler(self, dataset: Any = None) -> Any:
            assert self.num_generations is not None  # GRPOConfig checks it (at least 2)
            return EpochRepeatSampler(
                data_source=dataset if dataset is not None else self.train_dataset,
                mini_repeat_count=self.num_generations,
                batch_size=self.args.generation_batch_size // self.num_generations,
                repeat_count=self.num_iterations * self.args.steps_per_generation,
                shuffle=bool(self.shuffle_dataset),  # the sampler only tests its truth
                seed=self.args.seed,
            )

        def _calculate_rewards(self, inputs: Any, *args: Any, **kwargs: Any) -> torch.Tensor:
            # TRL weighs its reward functions' outputs with ``reward_weights`` right after
            # this call and centres them per group: setting them here makes every advantage
            # use the λ of the step that sampled it (a test pins the resulting advantages).
            self.reward_weights = torch.tensor(self.dual.weights(), dtype=torch.float32)
            scores = super()._calculate_rewards(inputs, *args, **kwargs)
            harmful = np.array([[float(row["harmful"])] for row in inputs], dtype=np.float32)
            self.step_scores.append(np.hstack([scores.detach().float().cpu().numpy(), harmful]))
            return scores

        def _save_optimizer_and_scheduler(self, output_dir: str) -> None:
            super()._save_optimizer_and_scheduler(output_dir)
            sampler = {"sampler_seed": str(self.args.seed), "epoch": str(self.state.epoch)}
            self.dual.save(Path(output_dir) / DUAL_FILE, sampler)

    return SafeRLHFTrainer


def _step_log_callback() -> type:
    from transformers import TrainerCallback

    class StepLog(TrainerCallback):
        """After each step: λ's dual update, a row in ``steps.jsonl``, the progress bar, and a
        checkpoint when ``minutes`` passed since the last one."""

        def __init__(
            self, trainer: Any, path: Path, config: SafeRLHFConfig, progress: bool
        ) -> None:
            self.trainer, self.path = trainer, path
            self.minutes, self.all = config.checkpoint_minutes, config.constraint_on == "all"
            self.bar = progress_bar() if progress else None
            self.task: Any = None
            self.pending: dict[str, Any] | None = None
            self.last_save = self.last_step = time.monotonic()

        def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            self.last_save = self.last_step = time.monotonic()
            if self.bar is not None:
                self.bar.start()
                self.task = self.bar.add_task(
                    METHOD, total=state.max_steps, completed=state.global_step
                )

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            dual = self.trainer.dual
            scores = np.concatenate(self.trainer.step_scores).astype(np.float64)
            self.trainer.step_scores.clear()
            reward, cost, harmful = scores[:, 0], scores[:, 1], scores[:, 2] > 0.5
            used = dual.value
            estimate = dual.update(
                (cost if self.all else cost[harmful]).tolist(), state.global_step
            )

            def mean(values: np.ndarray) -> float | None:
                return float(values.mean()) if len(values) else None

            now = time.monotonic()
            self.pending = {
                "step": state.global_step,
                "lambda": used,
                "lambda_next": dual.value,
                "reward": float(reward.mean()),
                "cost": float(cost.mean()),
                "cost_estimate": estimate,  # what λ moved on
                "harmful_answers": int(harmful.sum()),
                "cost_harmful": mean(cost[harmful]),
                "unsafe_share_harmful": mean(cost[harmful] > 0),
                "reward_harmless": mean(reward[~harmful]),
                "seconds": round(now - self.last_step, 3),
            }
            self.last_step = now
            if now - self.last_save >= self.minutes * 60:
                control.should_save = True

        def on_save(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            self.last_save = time.monotonic()

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> None:
            if self.pending is None:
                return
            row, self.pending = self.pending, None
            logs = logs or {}
            row["kl"] = logs.get("kl")
            row["answer_tokens"] = logs.get("completions/mean_length")
            append_rows(self.path, [row])
            if self.bar is not None:
                kl = f"{row['kl']:.4f}" if row["kl"] is not None else "—"
                self.bar.update(
                    self.task,
                    completed=row["step"],
                    description=f"{METHOD}: reward {row['reward']:+.3f} cost {row['cost']:+.3f} "
                    f"λ {row['lambda']:.3f} KL {kl}",
                )

        def on_train_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            if self.bar is not None:
                self.bar.stop()

    return StepLog


def _keep_rows_until(path: Path, step: int) -> None:
    """Drop the step rows a resume will redo (after its checkpoint's step)."""
    if not path.is_file():
        return
    kept = [row for row in appended_rows(path) if row["step"] <= step]
    atomic_write_text(path, "".join(json.dumps(row) + "\n" for row in kept))


def step_rows(folder: str | Path) -> list[dict[str, Any]]:
    """The per-step rows of a run (finished or in progress) in ``folder``."""
    path = Path(folder) / STEPS_FILE
    return appended_rows(path) if path.is_file() else []


def _scorer_identity(folder: str | None, scorer: Scorer) -> str:
    if folder is not None:
        return artifact_digest(folder)
    return json.dumps(getattr(scorer, "metadata", None), sort_keys=True, default=repr)


def _load_scorers(
    config: SafeRLHFConfig, reward: Scorer | None, cost: Scorer | None
) -> tuple[Scorer, Scorer]:
    from beavertail.preference import load_score_model

    if reward is None:
        if config.reward_model is None:
            raise ValueError("Safe RLHF needs reward_model (a reward model folder)")
        reward = load_score_model(config.reward_model, "reward")
    if cost is None:
        if config.cost_model is None:
            raise ValueError("Safe RLHF needs cost_model (a cost model folder)")
        cost = load_score_model(config.cost_model, "cost")
    return reward, cost


def grpo_arguments(config: SafeRLHFConfig, run_dir: Path, dual: Lagrangian) -> Any:
    """TRL's settings for the run: one generation and one update per step, constant LR."""
    from trl import GRPOConfig

    return GRPOConfig(
        output_dir=str(run_dir),
        max_steps=config.steps,
        per_device_train_batch_size=config.prompts_per_step * config.samples,
        gradient_accumulation_steps=1,
        steps_per_generation=1,
        num_iterations=1,
        num_generations=config.samples,
        max_completion_length=config.max_new_tokens,
        temperature=config.temperature,
        top_p=config.top_p,
        learning_rate=config.learning_rate,
        lr_scheduler_type="constant",
        beta=config.beta,
        loss_type="dapo",
        scale_rewards=config.advantage_scale,
        multi_objective_aggregation="sum_then_normalize",
        reward_weights=list(dual.weights()),
        save_strategy="steps",
        save_steps=config.checkpoint_steps,
        save_total_limit=2,
        logging_steps=1,
        report_to="none",
        disable_tqdm=True,
        seed=config.seed,
        data_seed=config.seed,
        dataloader_num_workers=0,
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
        gradient_checkpointing=False,  # as trainer_arguments: memory to spare, no recompute
    )


def train_safe_rlhf(
    config: SafeRLHFConfig,
    output: str | Path,
    reward: Scorer | None = None,
    cost: Scorer | None = None,
    progress: bool = True,
    callbacks: list[TrainerCallback] | None = None,
) -> Path:
    """Train a LoRA policy adapter with Safe RLHF and save it in ``output``.

    ``reward`` / ``cost``: score models (default: loaded from ``config.reward_model`` /
    ``config.cost_model``). Resumable: a finished folder with the same settings is returned as
    is; an interrupted one resumes from its last checkpoint, λ and step rows included.
    """
    output = Path(output)
    if saved_by(output, config):
        return output
    output.mkdir(parents=True, exist_ok=True)
    reward, cost = _load_scorers(config, reward, cost)
    prompts = training_prompts(config)
    lm = load_lm(config.model)
    dataset = prompt_rows(lm, prompts)
    run_dir = output / TRAINER_FOLDER
    content = json.dumps(dataset.to_dict(), sort_keys=True)
    settings = {
        "config": config.model_dump(),
        "prompts": hashlib.sha256(content.encode()).hexdigest(),
        "reward": _scorer_identity(config.reward_model, reward),
        "cost": _scorer_identity(config.cost_model, cost),
    }
    resume = resumable_checkpoint(run_dir, settings)
    dual = Lagrangian.from_config(config)
    steps_file = output / STEPS_FILE
    if resume is None:
        steps_file.unlink(missing_ok=True)
    else:
        dual.load(Path(resume) / DUAL_FILE)
        _keep_rows_until(steps_file, int(Path(resume).name.rsplit("-", 1)[1]))
    trainer = lora_trainer(
        _trainer_class(),
        lm,
        config,
        grpo_arguments(config, run_dir, dual),
        dataset,
        reward_funcs=score_functions(reward, cost),
        callbacks=callbacks,
        dual=dual,
    )
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # the step log and its progress bar replace it
    trainer.add_callback(_step_log_callback()(trainer, steps_file, config, progress))
    trainer.train(resume_from_checkpoint=resume)
    rows = step_rows(output)
    last = rows[-10:]
    manifest = {
        "base_model": config.model,
        "method": METHOD,
        "config": config.model_dump(),
        "training": {
            "steps": trainer.state.global_step,
            "seconds": round(sum(r["seconds"] for r in rows), 1),
            "trainer": "trl.GRPOTrainer + peft LoRA",
            "prompts": {
                "harmful": sum(p.harmful for p in prompts),
                "harmless": sum(not p.harmful for p in prompts),
            },
            "final_lambda": dual.value,
            "last_steps": {
                "steps": len(last),
                "reward": float(np.mean([r["reward"] for r in last])) if last else None,
                "cost": float(np.mean([r["cost"] for r in last])) if last else None,
            },
        },
        "scorers": {"reward": settings["reward"], "cost": settings["cost"]},
    }
    save_adapter(trainer.model, output, manifest)
    finish_run(output)
    return output
