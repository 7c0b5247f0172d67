"""Small heads on frozen features, and the one loop that fits them.

Moderation heads (1 + K logits) and preference heads (one score) share the standardised
input, the minibatch AdamW loop, early stopping on a validation loss and epoch-boundary
checkpoints; each keeps only its loss and its output layer.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from beavertail.models.progress import progress_bar


class StandardizedHead(torch.nn.Module):
    """A head that standardises its features with buffers fitted on the training set."""

    feature_mean: torch.Tensor
    feature_std: torch.Tensor

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.register_buffer("feature_mean", torch.zeros(dim))
        self.register_buffer("feature_std", torch.ones(dim))

    def set_standardization(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.feature_mean.copy_(torch.as_tensor(mean))
        self.feature_std.copy_(torch.as_tensor(std))

    def standardize(self, features: torch.Tensor) -> torch.Tensor:
        return (features - self.feature_mean) / self.feature_std


def mlp(dim: int, outputs: int, hidden: int = 0, dropout: float = 0.1) -> torch.nn.Sequential:
    """Linear when ``hidden == 0``, else dropout → linear → GELU → dropout → linear."""
    if hidden <= 0:
        return torch.nn.Sequential(torch.nn.Dropout(dropout), torch.nn.Linear(dim, outputs))
    return torch.nn.Sequential(
        torch.nn.Dropout(dropout),
        torch.nn.Linear(dim, hidden),
        torch.nn.GELU(),
        torch.nn.Dropout(dropout),
        torch.nn.Linear(hidden, outputs),
    )


def fit_head(
    head: torch.nn.Module,
    examples: int,
    batch_loss: Callable[[torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
    batch_size: int,
    validation_loss: Callable[[], float] | None = None,
    patience: int | None = None,
    start_epoch: int = 0,
    on_epoch: Callable[[int], None] | None = None,
    description: str = "training head",
    progress: bool = True,
) -> torch.nn.Module:
    """Minibatch training of ``head``: ``batch_loss(indices)`` per shuffled batch.

    With ``validation_loss`` the best epoch's weights are restored at the end and training
    stops after ``patience`` epochs without improvement. ``on_epoch(epoch)`` runs before each
    epoch after ``start_epoch`` (where a resumed run restarts): the place to checkpoint.
    Returns the head in eval mode.
    """
    best, best_state, stale = float("inf"), None, 0
    with progress_bar() as bar:
        task = bar.add_task(description, total=epochs, completed=start_epoch, visible=progress)
        for epoch in range(start_epoch, epochs):
            if on_epoch is not None and epoch > start_epoch:
                on_epoch(epoch)
            head.train()
            for indices in torch.randperm(examples).split(batch_size):
                optimizer.zero_grad()
                batch_loss(indices).backward()
                optimizer.step()
            bar.advance(task)
            if validation_loss is None:
                continue
            head.eval()
            with torch.no_grad():
                loss = validation_loss()
            if loss < best - 1e-5:
                best, stale = loss, 0
                best_state = {k: v.clone() for k, v in head.state_dict().items()}
            else:
                stale += 1
                if patience is not None and stale >= patience:
                    break
    if best_state is not None:
        head.load_state_dict(best_state)
    return head.eval()
