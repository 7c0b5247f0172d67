"""Answer-quality measures that need no labels: topic relevance and fluency (perplexity)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from beavertail.models.causal import LoadedLM, chat_text, model_device
from beavertail.models.encoders import SentenceEncoder


def relevance(
    encoder: SentenceEncoder, prompts: Sequence[str], answers: Sequence[str]
) -> np.ndarray:
    """Cosine similarity of prompt and answer embeddings (0 for an empty answer)."""
    if len(prompts) != len(answers):
        raise ValueError(f"{len(prompts)} prompts but {len(answers)} answers")
    if not prompts:
        return np.zeros(0)
    p = encoder.encode(list(prompts))
    a = encoder.encode([x or " " for x in answers])
    sims = (p * a).sum(1)
    return np.where([bool(x.strip()) for x in answers], sims, 0.0)


@torch.inference_mode()
def answer_log_likelihoods(
    lm: LoadedLM,
    heads: Sequence[str],
    answers: Sequence[str],
    batch_size: int = 8,
    max_length: int = 384,
) -> tuple[np.ndarray, np.ndarray]:
    """(summed log-probability, token count) of each answer's tokens after its ``head`` (the
    text before it, e.g. a chat-formatted prompt), under ``lm``. The answer's tokens are those
    of ``head + answer`` past the head's own tokens; sequences are cut at ``max_length``."""
    tok = lm.tokenizer
    sums, counts = np.zeros(len(heads)), np.zeros(len(heads), dtype=int)
    for start in range(0, len(heads), batch_size):
        rows = range(start, min(start + batch_size, len(heads)))
        head_ids = tok([heads[i] for i in rows], add_special_tokens=False)["input_ids"]
        full_ids = tok([heads[i] + answers[i] for i in rows], add_special_tokens=False)["input_ids"]
        seqs = [ids[:max_length] for ids in full_ids]
        width = max(len(s) for s in seqs)
        pad = tok.pad_token_id
        input_ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        attention = torch.zeros((len(seqs), width), dtype=torch.long)
        targets = torch.full((len(seqs), width), -100, dtype=torch.long)
        for k, seq in enumerate(seqs):
            offset = width - len(seq)  # left padding, as in generation
            input_ids[k, offset:] = torch.tensor(seq)
            attention[k, offset:] = 1
            n_head = min(len(head_ids[k]), len(seq))
            targets[k, offset + n_head :] = torch.tensor(seq[n_head:], dtype=torch.long)
        device = model_device(lm.model)
        logits = lm.model(input_ids=input_ids.to(device), attention_mask=attention.to(device))
        logits = logits.logits.float().cpu()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
        shifted = targets[:, 1:]
        valid = shifted != -100
        picked = logprobs.gather(-1, shifted.clamp_min(0).unsqueeze(-1)).squeeze(-1)
        for k, i in enumerate(rows):
            sums[i] = float((picked[k] * valid[k]).sum())
            counts[i] = int(valid[k].sum())
    return sums, counts


def perplexity(
    lm: LoadedLM,
    prompts: Sequence[str],
    answers: Sequence[str],
    system_prompt: str | None = None,
    batch_size: int = 8,
    max_length: int = 384,
) -> np.ndarray:
    """Per-answer perplexity under ``lm``, conditioned on the chat-formatted prompt.

    Run it on the *unsteered* model so steered answers are judged by the original model's
    notion of fluent text. Empty answers get ``nan``.
    """
    heads = [chat_text(lm.tokenizer, p, None, system_prompt) for p in prompts]
    sums, counts = answer_log_likelihoods(lm, heads, answers, batch_size, max_length)
    out = np.full(len(prompts), math.nan)
    scored = counts > 0
    out[scored] = np.exp(-sums[scored] / counts[scored])
    return out
