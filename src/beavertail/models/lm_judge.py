"""A causal LM tuned as a pair judge: the first layers of the LM, LoRA on the upper ones.

The pair is rendered as a conversation that ends with the judge question (see
:func:`beavertail.models.features.judge_texts`); the feature is the final-normed hidden state
of the last token after ``depth`` decoder layers (the rest of the LM never runs: SmolLM2-135M
cut at 18 of 30 layers judges at about twice the speed). LoRA adapters on layers
``lora_from..depth-1`` are trained with the head (:mod:`beavertail.moderation.train`); the
layers below stay frozen, so backward passes stop there. For inference the adapters are merged
into the weights, so a tuned judge costs exactly what an untuned one does.

Answers longer than one window are judged in overlapping windows (:meth:`windows`); the
moderator keeps the most harmful window's verdict, so harmless padding cannot dilute harm.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from beavertail.models.causal import LoadedLM, model_device
from beavertail.models.features import (
    JUDGE_QUESTION,
    JUDGE_SYSTEM,
    FeatureExtractor,
    encode_texts,
    judge_texts,
    split_windows,
)

LORA_MODULES = (
    "self_attn.q_proj",
    "self_attn.k_proj",
    "self_attn.v_proj",
    "self_attn.o_proj",
    "mlp.gate_proj",
    "mlp.up_proj",
    "mlp.down_proj",
)
TEMPLATE_TOKENS = 64  # room for the chat template and the judge question


@dataclass(frozen=True)
class LoraShape:
    rank: int = 16
    alpha: int = 32
    first_layer: int = 6  # LoRA on layers first_layer..depth-1


class LMJudgeFeatures(FeatureExtractor):
    """The judge-question state of a (possibly LoRA-tuned) LM cut to ``depth`` layers."""

    def __init__(
        self,
        lm: LoadedLM,
        depth: int,
        max_length: int = 256,
        batch_size: int = 16,
        window_stride: float = 0.75,
    ) -> None:
        if not 1 <= depth <= lm.num_layers:
            raise ValueError(f"depth must be in 1..{lm.num_layers}, got {depth}")
        self.lm = lm
        self.depth = depth
        self.max_length = max_length
        self.batch_size = batch_size
        self.window_stride = window_stride
        inner = lm.model.model
        inner.layers = inner.layers[:depth]
        inner.config.num_hidden_layers = depth
        self.adapter_digest = ""
        self._peft: Any = None

    @property
    def dim(self) -> int:
        return self.lm.hidden_size

    @property
    def model(self) -> torch.nn.Module:
        return self._peft if self._peft is not None else self.lm.model.model

    def spec(self) -> dict[str, Any]:
        return {
            "extractor": "lm-judge",
            "lm": self.lm.name,
            "depth": self.depth,
            "max_length": self.max_length,
            "window_stride": self.window_stride,
            "judge_system": JUDGE_SYSTEM,
            "judge_question": JUDGE_QUESTION,
            "adapter": self.adapter_digest,
        }

    # -- text ---------------------------------------------------------------------------
    @property
    def answer_budget(self) -> int:
        return self.max_length - TEMPLATE_TOKENS

    def texts(self, prompts: list[str], responses: list[str] | None) -> list[str]:
        return judge_texts(self.lm.tokenizer, prompts, responses, self.answer_budget)

    def windows(
        self, prompts: list[str], responses: list[str] | None
    ) -> tuple[list[str], list[str] | None, np.ndarray]:
        """Every pair as one or more (prompt, answer window) pairs, and each one's owner."""
        if responses is None:
            return prompts, None, np.arange(len(prompts))
        tok = self.lm.tokenizer
        out_p, out_r, owner = [], [], []
        for i, (p, r) in enumerate(zip(prompts, responses, strict=True)):
            used = min(len(tok(p, add_special_tokens=False)["input_ids"]), self.answer_budget // 3)
            size = self.answer_budget - used - 2  # decoding a window can add a token or two
            for window in split_windows(tok, r, size, max(1, int(size * self.window_stride))):
                out_p.append(p)
                out_r.append(window)
                owner.append(i)
        return out_p, out_r, np.array(owner, dtype=np.int64)

    def tokenize(self, prompts: list[str], responses: list[str] | None) -> dict[str, torch.Tensor]:
        texts = self.texts(prompts, responses)
        enc = encode_texts(self.lm.tokenizer, texts, self.max_length, keep_end=True)
        return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}

    # -- compute ------------------------------------------------------------------------
    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The last token's final-normed state (differentiable; used when tuning)."""
        device = model_device(self.model)
        out = self.model(
            input_ids=batch["input_ids"].to(device),
            attention_mask=batch["attention_mask"].to(device),
            use_cache=False,
        )
        return out.last_hidden_state[:, -1].float()  # left padding: the last token is real

    @torch.inference_mode()
    def batch(self, prompts: list[str], responses: list[str] | None) -> np.ndarray:
        self.model.eval()
        return self.forward(self.tokenize(prompts, responses)).cpu().numpy()

    # -- LoRA ---------------------------------------------------------------------------
    def add_lora(self, shape: LoraShape) -> None:
        """Wrap the cut LM with trainable LoRA adapters (PEFT); everything else is frozen."""
        from peft import LoraConfig, get_peft_model

        if not 0 <= shape.first_layer < self.depth:
            raise ValueError(f"LoRA's first layer must be in 0..{self.depth - 1}")
        targets = [
            f"layers.{i}.{m}" for i in range(shape.first_layer, self.depth) for m in LORA_MODULES
        ]
        config = LoraConfig(
            r=shape.rank, lora_alpha=shape.alpha, target_modules=targets, lora_dropout=0.0
        )
        self._peft = get_peft_model(self.lm.model.model, config)
        self._lora_scale = shape.alpha / shape.rank

    def trainable_parameters(self) -> dict[str, torch.nn.Parameter]:
        return {n: p for n, p in self.model.named_parameters() if p.requires_grad}

    def adapter_tensors(self) -> dict[str, torch.Tensor]:
        """LoRA matrices by target module: ``<module>.lora_A`` (r x in), ``.lora_B`` (out x r)."""
        out = {}
        for name, param in self.trainable_parameters().items():
            # base_model.model.layers.6.self_attn.q_proj.lora_A.default.weight
            module, which = name.split(".lora_")
            module = module.removeprefix("base_model.model.")
            out[f"{module}.lora_{which[0]}"] = param.detach().clone().contiguous()
        return out

    def merge_adapter(self, tensors: dict[str, torch.Tensor], scale: float) -> None:
        """Fold saved LoRA matrices into the frozen weights: W += scale · B A."""
        modules = dict(self.lm.model.model.named_modules())
        names = sorted({k.rsplit(".lora_", 1)[0] for k in tensors})
        with torch.no_grad():
            for name in names:
                if name not in modules:
                    raise ValueError(f"adapter names {name!r}, which the model does not have")
                a = tensors[f"{name}.lora_A"].float()
                b = tensors[f"{name}.lora_B"].float()
                modules[name].weight += scale * (b @ a)
        digest = hashlib.sha256()
        for key in sorted(tensors):
            digest.update(key.encode() + tensors[key].float().numpy().tobytes())
        self.adapter_digest = digest.hexdigest()[:16]

    def finish_training(self) -> tuple[dict[str, torch.Tensor], float]:
        """Drop the PEFT wrapper, merging the trained adapter; returns it and its scale."""
        tensors = self.adapter_tensors()
        scale = self._lora_scale
        self._peft.unload()  # the original modules back, unmerged
        self._peft = None
        self.merge_adapter(tensors, scale)
        return tensors, scale
