"""Safe RLHF losses and the pair index arrays they train on.

* reward: ``-logsigmoid(r_better - r_worse)`` (Bradley–Terry on "better");
* cost: ``-logsigmoid(c_unsafer - c_safer) - logsigmoid(s_safer·c_safer)
  - logsigmoid(s_unsafer·c_unsafer)`` with s = +1 unsafe, −1 safe, so cost > 0 means unsafe;
* ``safer-bt``: Bradley–Terry on "safer" alone (TRL's RewardTrainer objective), for comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from beavertail.data import PreferencePair
from beavertail.preference.spec import Objective


def reward_loss(better: torch.Tensor, worse: torch.Tensor) -> torch.Tensor:
    return -F.logsigmoid(better - worse).mean()


def cost_loss(
    unsafer: torch.Tensor, safer: torch.Tensor, s_unsafer: torch.Tensor, s_safer: torch.Tensor
) -> torch.Tensor:
    """Safe RLHF's cost loss; ``s_*`` = +1 for an unsafe answer, −1 for a safe one."""
    return (
        -F.logsigmoid(unsafer - safer) - F.logsigmoid(s_safer * safer)
        - F.logsigmoid(s_unsafer * unsafer)
    ).mean()  # fmt: skip


@dataclass
class PairArrays:
    """Index arrays into a table of unique (prompt, response) texts."""

    texts: list[tuple[str, str]]
    first: np.ndarray  # the response the loss pushes up
    second: np.ndarray
    sign_first: np.ndarray  # +1 unsafe / -1 safe
    sign_second: np.ndarray


def pair_arrays(pairs: Sequence[PreferencePair], objective: Objective) -> PairArrays:
    index: dict[tuple[str, str], int] = {}
    first, second, s1, s2 = [], [], [], []
    for p in pairs:
        responses = (p.response_0, p.response_1)
        # first: the better answer (reward), the safer one (safer-bt, a reward for safety),
        # or the less safe one (cost, which grows with harm)
        a = {"reward": p.better_id, "safer-bt": p.safer_id, "cost": 1 - p.safer_id}[objective]
        b = 1 - a
        # texts indexed in a fixed order, so every objective shares one feature cache entry
        ids = [index.setdefault((p.prompt, r), len(index)) for r in responses]
        first.append(ids[a])
        second.append(ids[b])
        s1.append(-1.0 if p.is_safe[a] else 1.0)
        s2.append(-1.0 if p.is_safe[b] else 1.0)
    return PairArrays(list(index), np.array(first), np.array(second), np.array(s1), np.array(s2))
