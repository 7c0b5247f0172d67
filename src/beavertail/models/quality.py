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
    tok = lm.tokenizer
    out = np.full(len(prompts), math.nan)
    for start in range(0, len(prompts), batch_size):
        rows = range(start, min(start + batch_size, len(prompts)))
        heads = [chat_text(tok, prompts[i], None, system_prompt) for i in rows]
        head_ids = tok(heads, add_special_tokens=False)["input_ids"]
        full_ids = tok(
            [heads[k] + answers[i] for k, i in enumerate(rows)], add_special_tokens=False
        )["input_ids"]
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
        nll = -(picked * valid).sum(1)
        counts = valid.sum(1)
        for k, i in enumerate(rows):
            if counts[k] > 0:
                out[i] = math.exp(float(nll[k] / counts[k]))
    return out
