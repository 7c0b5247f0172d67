"""What influence is computed on: a trained model, its trained parameters, and two losses.

An :class:`InfluenceTask` says which parameters the run trained (LoRA, a judge's head) and
gives, for a batch of items, each item's *training loss* (what the optimiser minimised) and
each item's *measurement* (the negative log-likelihood of the behaviour to explain: an answer
the model gave, a verdict it returned). A training example whose gradient points the same way
as a behaviour's gradient taught that behaviour (TracIn's proponent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import torch

from beavertail.align.sft import SFTRow
from beavertail.data import QAExample
from beavertail.models.causal import LoadedLM, chat_text, model_device

if TYPE_CHECKING:
    from transformers import PreTrainedModel


class InfluenceTask(Protocol):
    """A model, its trained parameters and its per-item losses."""

    @property
    def model(self) -> torch.nn.Module: ...

    def parameters(self) -> dict[str, torch.nn.Parameter]: ...
    def train_losses(self, items: Sequence[Any], sample: bool = False) -> torch.Tensor: ...
    def measurements(self, items: Sequence[Any]) -> torch.Tensor: ...
    def tracked_modules(self) -> list[str]: ...


@dataclass(frozen=True)
class ContrastRow:
    """A behaviour against the one wanted instead: the measurement is the answer's NLL minus
    the contrast's (e.g. an unsafe answer against a refusal), so what the two answers share
    (fluency, the prompt's topic) cancels and only the choice between them is explained."""

    prompt: str
    answer: str
    contrast: str


def lora_parameters(model: torch.nn.Module) -> dict[str, torch.nn.Parameter]:
    """The LoRA matrices of a PEFT model (the parameters an adapter run trains)."""
    # (kronfluence's wrappers add a "_constant" parameter of their own: not the adapter's)
    found = {
        n: p for n, p in model.named_parameters() if "lora_" in n and not n.endswith("_constant")
    }
    if not found:
        raise ValueError("the model carries no LoRA parameters (load it with its adapter)")
    return found


def lora_modules(model: torch.nn.Module) -> list[str]:
    """Names of the LoRA ``Linear`` modules (what kronfluence tracks)."""
    return [
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and (".lora_A." in name or ".lora_B." in name)
    ]


MIN_PROMPT_TOKENS = 16  # a prompt cut to fit keeps at least its end (the assistant's turn)


def fit_row(prompt: list[int], answer: list[int], max_length: int) -> tuple[list[int], bool]:
    """Prompt + answer token ids within ``max_length``: the prompt loses its start, the answer
    is never cut (a longer answer keeps the prompt's last ``MIN_PROMPT_TOKENS`` and runs over
    the limit); and whether the prompt was cut."""
    keep = max(max_length - len(answer), min(len(prompt), MIN_PROMPT_TOKENS))
    kept = prompt[len(prompt) - keep :] if keep < len(prompt) else prompt
    return kept, len(kept) < len(prompt)


@dataclass
class AnswerLikelihood:
    """A causal LM with a LoRA adapter; an item is a (prompt, answer) row.

    Both losses are the mean negative log-likelihood of the answer's tokens given the
    chat-formatted prompt (the SFT objective); ``eos`` ends an answer with the end token
    when the answer was a finished one (training rows) and is left off for cut answers.
    A row over ``max_length`` tokens loses the start of its prompt, never its answer
    (:func:`fit_row`); :meth:`cut_prompts` counts such rows.
    """

    lm: LoadedLM
    max_length: int = 128

    @property
    def model(self) -> torch.nn.Module:
        return self.lm.model

    def parameters(self) -> dict[str, torch.nn.Parameter]:
        return lora_parameters(self.lm.model)

    def tracked_modules(self) -> list[str]:
        return lora_modules(self.lm.model)

    def _tokens(self, item: SFTRow, eos: bool) -> tuple[list[int], list[int]]:
        tok = self.lm.tokenizer
        end = (tok.eos_token or "") if eos else ""
        prompt = tok(chat_text(tok, item.prompt), add_special_tokens=False)["input_ids"]
        answer = tok(item.answer.strip() + end, add_special_tokens=False)["input_ids"]
        return prompt, answer

    def cut_prompts(self, items: Sequence[SFTRow | ContrastRow]) -> int:
        """How many of ``items`` lose the start of their prompt to ``max_length``."""
        return sum(
            fit_row(*self._tokens(SFTRow(x.prompt, x.answer), eos=True), self.max_length)[1]
            for x in items
        )

    def _batch(self, items: Sequence[SFTRow], eos: bool) -> dict[str, torch.Tensor]:
        tok = self.lm.tokenizer
        ids, labels = [], []
        for item in items:
            prompt, answer = self._tokens(item, eos)
            prompt, _ = fit_row(prompt, answer, self.max_length)
            ids.append(prompt + answer)
            labels.append([-100] * len(prompt) + answer)
        width = max(len(r) for r in ids)
        pad = tok.pad_token_id
        device = model_device(self.lm.model)
        return {  # right padding: positions line up with the labels
            "input_ids": torch.tensor([r + [pad] * (width - len(r)) for r in ids], device=device),
            "attention_mask": torch.tensor(
                [[1] * len(r) + [0] * (width - len(r)) for r in ids], device=device
            ),
            "labels": torch.tensor([m + [-100] * (width - len(m)) for m in labels], device=device),
        }

    def _losses(
        self, batch: dict[str, torch.Tensor], sample: bool, total: bool = False
    ) -> torch.Tensor:
        logits = self.lm.model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).logits[:, :-1]
        labels = batch["labels"][:, 1:]
        if sample:  # kronfluence's true Fisher: targets drawn from the model itself
            with torch.no_grad():
                drawn = torch.distributions.Categorical(logits=logits.float()).sample()
            labels = torch.where(labels == -100, labels, drawn)
        token_nll = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), labels, ignore_index=-100, reduction="none"
        )
        if total:
            return token_nll.sum(1)
        counted = (labels != -100).sum(1).clamp(min=1)
        return token_nll.sum(1) / counted

    def train_losses(self, items: Sequence[SFTRow], sample: bool = False) -> torch.Tensor:
        return self._losses(self._batch(items, eos=True), sample)

    def answer_logps(self, items: Sequence[SFTRow]) -> torch.Tensor:
        """Each answer's summed token log-probability given its prompt (no end token)."""
        return -self._losses(self._batch(items, eos=False), sample=False, total=True)

    def measurements(self, items: Sequence[SFTRow | ContrastRow]) -> torch.Tensor:
        """NLL of each answer; for a :class:`ContrastRow`, minus the NLL of its contrast."""
        rows = [SFTRow(x.prompt, x.answer) for x in items]
        nll = self._losses(self._batch(rows, eos=False), sample=False)
        contrasts = [x for x in items if isinstance(x, ContrastRow)]
        if not contrasts:
            return nll
        if len(contrasts) != len(items):
            raise ValueError("mix of contrasted and plain queries in one batch")
        other = [SFTRow(x.prompt, x.contrast) for x in contrasts]
        return nll - self._losses(self._batch(other, eos=False), sample=False)


@dataclass
class JudgeVerdict:
    """A pair judge (tunable features + head) as it trained; an item is a labelled pair.

    The training loss is the binary cross-entropy of the unsafe logit against the item's
    label; a measurement is the same loss against the label to explain (for a wrong verdict:
    the label the judge gave, i.e. the opposite of the true one).
    """

    extractor: Any  # TunableFeatures: tokenize / forward / trainable_parameters
    head: torch.nn.Module
    modules: Sequence[str] = ()

    def __post_init__(self) -> None:
        self.model = _JudgeModule(self.extractor.model, self.head)
        self.model.eval()  # no dropout: a gradient must not depend on the draw
        chosen = set(self.parameters())
        for name, param in self.model.named_parameters():
            param.requires_grad_(name in chosen)

    def parameters(self) -> dict[str, torch.nn.Parameter]:
        tuned = {f"features.{n}": p for n, p in self.extractor.trainable_parameters().items()}
        head = {f"head.{n}": p for n, p in self.head.named_parameters()}
        tuned = {n: p for n, p in tuned.items() if not n.endswith("_constant")}
        head = {n: p for n, p in head.items() if not n.endswith("_constant")}
        chosen = {**tuned, **head}
        if self.modules:
            chosen = {n: p for n, p in chosen.items() if any(m in n for m in self.modules)}
        return chosen

    def tracked_modules(self) -> list[str]:
        return [
            name
            for name, module in self.model.named_modules()
            if isinstance(module, torch.nn.Linear)
            and (not self.modules or any(m in name for m in self.modules))
        ]

    def _logits(self, items: Sequence[QAExample]) -> torch.Tensor:
        prompts, responses = [x.prompt for x in items], [x.response for x in items]
        if not any(n.startswith("features.") for n in self.parameters()):
            # only the head is attributed: the features need no graph (a frozen backbone)
            with torch.no_grad():
                features = torch.from_numpy(self.extractor(prompts, responses, progress=False))
            return self.head(features)[:, 0]
        batch = self.extractor.tokenize(prompts, responses)
        return self.head(self.extractor.forward(batch))[:, 0]

    def train_losses(self, items: Sequence[QAExample], sample: bool = False) -> torch.Tensor:
        logits = self._logits(items)
        target = torch.tensor([0.0 if x.is_safe else 1.0 for x in items], device=logits.device)
        if sample:
            with torch.no_grad():
                target = torch.bernoulli(torch.sigmoid(logits))
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        return bce(logits, target, reduction="none")

    def measurements(self, items: Sequence[QAExample]) -> torch.Tensor:
        return self.train_losses(items)


class _JudgeModule(torch.nn.Module):
    """Features and head under one module, so their parameters have one namespace."""

    def __init__(self, features: torch.nn.Module, head: torch.nn.Module) -> None:
        super().__init__()
        self.features = features
        self.head = head


def load_policy(folder: str | Path, max_length: int = 128) -> AnswerLikelihood:
    """A saved policy adapter on its base model, *unmerged* (its LoRA matrices stay
    parameters that gradients reach), as an :class:`AnswerLikelihood` task."""
    from peft import PeftModel

    from beavertail.models.adapters import (
        ADAPTER_FOLDER,
        PARENT_FOLDER,
        merge_adapter,
        read_adapter_manifest,
    )
    from beavertail.models.causal import load_lm

    folder = Path(folder)
    manifest = read_adapter_manifest(folder)
    lm = load_lm(manifest["base_model"])
    base: torch.nn.Module = lm.model
    if (folder / PARENT_FOLDER).is_dir():
        base = merge_adapter(base, folder / PARENT_FOLDER)
    model = PeftModel.from_pretrained(base, folder / ADAPTER_FOLDER, is_trainable=True)
    model.eval()
    # the PeftModel stands in for the PreTrainedModel (it forwards the base model's attributes)
    return AnswerLikelihood(
        LoadedLM(cast("PreTrainedModel", model), lm.tokenizer, lm.name), max_length
    )
