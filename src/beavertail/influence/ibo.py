"""Influence-driven Bregman optimisation (IBO, after LANCET): post-training without new labels.

LANCET recalls the training data behind an unwanted behaviour, then post-trains the model so
that its outputs follow the *influence distribution* instead of human preferences. The paper
gives the idea, not a recipe one can run from it; this module's reading, every choice named:

1. **Recalled set** ``H``: the top training examples of an attribution (``InfluenceTable``),
   e.g. the top 5 % by total influence on the unwanted answers.
2. **Candidates**: for every prompt to correct (the queries' prompts and the recalled
   examples' prompts), ``samples`` answers drawn from the model itself (temperature
   ``temperature``) plus, for a recalled example, its training answer. No human label and
   no other model is used.
3. **Influence of the recalled set on each candidate**: ``s(y) = cos(∇L(x, y), ḡ_H)`` with
   ``ḡ_H`` the mean of the recalled examples' unit gradients on the same trained parameters
   as the attribution (TracIn's similarity, one checkpoint). High ``s``: the answer is what the
   recalled data teaches.
4. **Target distribution** over a prompt's candidates: ``p*(y) ∝ exp(−z(y) / τ)`` where ``z``
   standardises ``s`` within the prompt (so ``τ`` means the same for every prompt).
5. **Model distribution** over the same candidates from the policy's log-ratio to the model
   before post-training: ``q_θ(y) = softmax_y(β · [log π_θ(y|x) − log π_ref(y|x)])`` (the
   implicit reward of DPO, listwise; the reference is the policy with the new adapter off).
6. **Loss**: the Bregman divergence of negative entropy between them, ``KL(p* ‖ q_θ)``, i.e.
   the cross-entropy ``−Σ_y p*(y) log q_θ(y)`` up to a constant, averaged over prompts.
   ``β`` keeps the policy near the reference as in DPO.

Training is a LoRA adapter on the merged policy (saved with the policy as its parent), a
plain loop with one checkpoint per epoch (LoRA weights, optimiser and epoch written as one
unit, safetensors + JSON) that resumes only a run on the same policy, candidates and settings.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import torch
from pydantic import Field
from safetensors.torch import load_file, save_file

from beavertail.align.sft import SFTRow
from beavertail.artifacts import (
    atomic_write_text,
    inputs_digest,
    load_state,
    optimizer_groups_json,
    optimizer_state_from_tensors,
    optimizer_tensors,
    save_state,
)
from beavertail.influence.methods import _flat_gradient, model_digest
from beavertail.influence.tasks import AnswerLikelihood
from beavertail.models.cache import weights_digest
from beavertail.models.causal import LoadedLM
from beavertail.models.generation import LocalGenerator, SamplingParams
from beavertail.models.progress import track
from beavertail.settings import Settings

if TYPE_CHECKING:
    from transformers import PreTrainedModel


class IBOSettings(Settings):
    """IBO's choices (see the module docstring)."""

    samples: int = Field(4, ge=1, description="Answers sampled per prompt.")
    temperature: float = Field(0.8, gt=0, le=2)
    max_new_tokens: int = Field(64, ge=8)
    tau: float = Field(0.5, gt=0, description="Temperature of the target distribution.")
    beta: float = Field(0.5, gt=0, description="Scale of the log-ratio (KL strength).")
    epochs: int = Field(3, ge=1)
    learning_rate: float = Field(5e-4, gt=0)
    lora_rank: int = Field(16, ge=1)
    lora_alpha: int = Field(32, ge=1)
    lora_top_layers: int = Field(8, ge=1)
    max_length: int = Field(128, ge=16)
    seed: int = 0


@dataclass
class CandidateSet:
    """One prompt's candidate answers and the recalled data's influence on each."""

    prompt: str
    answers: list[str]
    influence: list[float]

    def target(self, tau: float) -> torch.Tensor:
        s = torch.tensor(self.influence)
        z = (s - s.mean()) / s.std().clamp(min=1e-6) if len(s) > 1 else s * 0
        return torch.softmax(-z / tau, 0)


def recalled_direction(task: AnswerLikelihood, recalled: Sequence[SFTRow]) -> torch.Tensor:
    """The mean unit training gradient of the recalled examples (``ḡ_H``)."""
    total = None
    for row in recalled:
        g = _flat_gradient(task, task.train_losses([row])[0])
        g = g / g.norm().clamp(min=1e-12)
        total = g if total is None else total + g
    assert total is not None
    return total / len(recalled)


def candidate_sets(
    task: AnswerLikelihood,
    prompts: Sequence[str],
    recalled: Sequence[SFTRow],
    settings: IBOSettings,
    cache: Path | None = None,
    progress: bool = True,
) -> list[CandidateSet]:
    """Sample candidates for every prompt and score each by the recalled data's influence;
    ``cache`` keeps them (JSON), reused only for the same policy, prompts, recalled rows and
    settings."""
    inputs = inputs_digest(
        task.lm.name, model_digest(task), list(prompts), list(recalled), settings.model_dump()
    )
    if cache is not None and cache.is_file():
        saved = json.loads(cache.read_text())
        if isinstance(saved, dict) and saved.get("inputs") == inputs:
            return [CandidateSet(**row) for row in saved["sets"]]
    direction = recalled_direction(task, recalled)
    generator = LocalGenerator(task.lm)
    own = {r.prompt: r.answer for r in recalled}
    out = []
    for index, prompt in enumerate(track(prompts, len(prompts), "IBO candidates", progress)):
        params = SamplingParams(
            max_new_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
            top_p=0.95,
            seed=settings.seed * 100_000 + index,
        )
        answers = [g.text for g in generator.generate([prompt] * settings.samples, params)]
        if prompt in own:
            answers.append(own[prompt])
        answers = [a for a in dict.fromkeys(answers) if a.strip()]
        if len(answers) < 2:
            continue
        scores = []
        for answer in answers:
            g = _flat_gradient(task, task.measurements([SFTRow(prompt, answer)])[0])
            scores.append(float(g @ direction / g.norm().clamp(min=1e-12)))
        out.append(CandidateSet(prompt, answers, scores))
    if cache is not None:
        atomic_write_text(cache, json.dumps({"inputs": inputs, "sets": [c.__dict__ for c in out]}))
    return out


def _sequence_logps(task: AnswerLikelihood, prompt: str, answers: list[str]) -> torch.Tensor:
    return task.answer_logps([SFTRow(prompt, a) for a in answers])


def train_ibo(
    lm: LoadedLM,
    sets: Sequence[CandidateSet],
    settings: IBOSettings,
    output: str | Path,
    progress: bool = True,
) -> tuple[Any, float]:
    """Train a LoRA adapter on ``lm`` (the merged policy) with the IBO loss; return the PEFT
    model and the last epoch's mean loss. One checkpoint per epoch under ``output/trainer``
    (LoRA weights, optimiser state and epoch as one unit); a rerun on the same policy,
    candidates and settings resumes from it, any other starts over."""
    from peft import LoraConfig, get_peft_model

    from beavertail.align.trainer import top_layers
    from beavertail.preference.tuning import LORA_TARGETS

    if not sets:
        raise ValueError("IBO needs at least one prompt with two or more candidates")
    inputs = inputs_digest(
        weights_digest(lm.model), [s.__dict__ for s in sets], settings.model_dump()
    )
    torch.manual_seed(settings.seed)
    model = get_peft_model(
        lm.model,
        LoraConfig(
            r=settings.lora_rank,
            lora_alpha=settings.lora_alpha,
            lora_dropout=0.0,
            target_modules=LORA_TARGETS["lm"],
            layers_to_transform=top_layers(lm, settings.lora_top_layers),
        ),
    )
    # the PeftModel stands in for the PreTrainedModel (it forwards the base model's attributes)
    policy = LoadedLM(cast("PreTrainedModel", model), lm.tokenizer, lm.name)
    task = AnswerLikelihood(policy, settings.max_length)
    with torch.no_grad(), model.disable_adapter():
        reference = [_sequence_logps(task, s.prompt, s.answers) for s in sets]
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.learning_rate)
    folder = Path(output) / "trainer"
    start = 0
    saved = load_state(folder)
    if saved is not None and saved[0].get("inputs") == inputs:
        state, unit = saved
        start = int(state["epoch"])
        named = dict(model.named_parameters())
        with torch.no_grad():
            for name, tensor in load_file(unit / "lora.safetensors").items():
                named[name].copy_(tensor)
        tensors = load_file(unit / "optimizer.safetensors")
        optimizer.load_state_dict(
            optimizer_state_from_tensors(optimizer.state_dict(), tensors, state["groups"])
        )
    generator = torch.Generator().manual_seed(settings.seed)
    orders = [
        torch.randperm(len(sets), generator=generator).tolist() for _ in range(settings.epochs)
    ]
    model.train()
    losses: list[float] = []
    for epoch in range(start, settings.epochs):
        losses = []
        for index in track(orders[epoch], len(sets), f"IBO epoch {epoch + 1}", progress):
            item = sets[index]
            logps = _sequence_logps(task, item.prompt, item.answers)
            log_q = torch.log_softmax(settings.beta * (logps - reference[index]), 0)
            loss = -(item.target(settings.tau) * log_q).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
        weights = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
        opt_state = optimizer.state_dict()

        def write(unit: Path, weights: dict = weights, opt_state: dict = opt_state) -> None:
            save_file(weights, unit / "lora.safetensors")
            save_file(optimizer_tensors(opt_state), unit / "optimizer.safetensors")

        state = {"epoch": epoch + 1, "inputs": inputs, "loss": sum(losses) / len(losses)}
        save_state(folder, {**state, "groups": optimizer_groups_json(opt_state)}, write)
    model.eval()
    if not losses:  # resumed after the last epoch: its loss was saved with it
        saved = load_state(folder)
        return model, float(saved[0].get("loss", math.nan)) if saved else math.nan
    return model, sum(losses) / len(losses)
