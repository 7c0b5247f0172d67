"""Apply steering vectors during generation: fixed categories, all-harm, or routed per prompt."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import torch
from pydantic import Field, model_validator

from beavertail.models import LoadedLM
from beavertail.models.hooks import (
    Intervention,
    Scope,
    hidden_of,
    intervene,
    site_module,
    with_hidden,
)
from beavertail.settings import Settings
from beavertail.steering.router import Route
from beavertail.steering.vectors import ALL_HARM, SteeringVectors

Selection = Literal["router", "all", "categories"]


class SteeringSettings(Settings):
    """How to steer: which vectors (``selection``), where (``layer``) and how hard; one model
    nested in eval and serve configs.

    ``coefficient`` α moves activations *away* from harm: ``h - α·v`` (mode ``add``), or
    removes α times the component along v (mode ``project_out``, α = 1 removes it fully).
    Layer and coefficient left unset take the vectors' recommended setting (``steer sweep``).
    """

    vectors: str | None = Field(None, description="Steering-vector folder.")
    layer: int | None = Field(None, ge=0, description="Default: the recommended layer.")
    coefficient: float | None = Field(None, description="Default: the recommended coefficient.")
    selection: Selection = Field("router", description="router | all | categories")
    categories: list[str] = Field(default_factory=list, description="For selection categories.")
    mode: Literal["add", "project_out"] = "add"
    scope: Scope = Field("all", description="Positions steered: all | prompt | generated.")

    @model_validator(mode="after")
    def _categories_given(self) -> SteeringSettings:
        if self.selection == "categories" and not self.categories:
            raise ValueError("selection 'categories' needs at least one category")
        return self

    def resolved(self, vectors: SteeringVectors) -> SteeringSettings:
        """These settings with layer and coefficient filled from the vectors' recommendation."""
        recommended = vectors.metadata.get("recommended", {})
        layer = self.layer if self.layer is not None else recommended.get("layer")
        coefficient = (
            self.coefficient if self.coefficient is not None else (recommended.get("coefficient"))
        )
        if layer is None or coefficient is None:
            raise ValueError(
                f"{self.vectors or 'these vectors'} have no recommended setting "
                "(run `beavertail steer sweep`); give a layer and a coefficient"
            )
        return self.updated(layer=int(layer), coefficient=float(coefficient))

    def to_dict(self) -> dict:
        return self.model_dump()


class Steerer:
    """Makes the hook context for a generator; ``last_routes`` holds the router's decisions."""

    def __init__(self, lm: LoadedLM, vectors: SteeringVectors, config: SteeringSettings) -> None:
        if vectors.site not in ("resid", "attn"):
            raise ValueError(f"unknown site {vectors.site!r}")
        self.lm = lm
        self.vectors = vectors
        self.config = config = config.resolved(vectors)
        self.last_routes: list[Route] = []
        vectors.vector(ALL_HARM, config.layer)  # fail early on a missing layer
        if config.selection == "router" and vectors.router is None:
            raise ValueError("these vectors have no router; extract with a router or pick 'all'")

    def _fixed_direction(self) -> torch.Tensor:
        c = self.config
        names = [ALL_HARM] if c.selection == "all" else c.categories
        return torch.stack([self.vectors.vector(n, c.layer) for n in names]).mean(0)

    def _as_intervention(self, direction: torch.Tensor) -> Intervention:
        c = self.config
        sign = -1.0 if c.mode == "add" else 1.0
        return Intervention(
            c.layer,
            direction,
            c.mode,
            sign * c.coefficient,
            c.scope,
            self.vectors.site,  # type: ignore[arg-type]
        )

    @contextmanager
    def hooks(self) -> Iterator[RoutedRows | None]:
        """The steering hook context. Under the router it yields the per-row state, which a
        decoder whose rows change keeps in step (``models.streaming.RowHooks``)."""
        if self.config.selection != "router":
            with intervene(self.lm.model, [self._as_intervention(self._fixed_direction())]):
                yield None
            return
        with self._routed() as rows:
            yield rows

    def _route_rows(self, hidden: torch.Tensor) -> torch.Tensor:
        """Route each row from its last prompt token's state; its categories' weighted sum."""
        c = self.config
        router = self.vectors.router
        assert router is not None
        routes = router.route(c.layer, hidden[:, -1])
        self.last_routes = routes
        rows = torch.zeros(hidden.shape[0], hidden.shape[-1])
        for i, route in enumerate(routes):
            for category, weight in route.categories.items():
                rows[i] += weight * self.vectors.vector(category, c.layer).float().cpu()
        return rows.to(device=hidden.device, dtype=hidden.dtype)

    @contextmanager
    def _routed(self) -> Iterator[RoutedRows]:
        """One hook: on a prompt pass, route each new row from its last prompt token's state
        at this layer (before steering), then steer every row with its categories' vectors."""
        c = self.config
        state = RoutedRows()

        def hook(_module, _inputs, output):
            hidden = hidden_of(output)
            if hidden.shape[1] > 1 or state.rows is None:
                rows = self._route_rows(hidden)
                state.rows = rows if state.rows is None else torch.cat([state.rows, rows])
            else:
                rows = state.rows
            item = self._as_intervention(rows)
            if not item.applies_to(hidden.shape[1]):
                return output
            if c.mode == "project_out":  # rows without a route have a zero vector: leave them
                steered = item.apply(hidden)
                keep = rows.norm(dim=-1) > 0
                hidden = torch.where(keep[:, None, None], steered, hidden)
            else:
                hidden = item.apply(hidden)
            return with_hidden(output, hidden)

        handle = site_module(self.lm.model, c.layer, self.vectors.site).register_forward_hook(hook)  # type: ignore[arg-type]
        try:
            yield state
        finally:
            handle.remove()


class RoutedRows:
    """The router's steering direction per batch row; rows that leave the batch leave it."""

    def __init__(self) -> None:
        self.rows: torch.Tensor | None = None

    def select_rows(self, indices: list[int]) -> None:
        if self.rows is not None:
            self.rows = self.rows[torch.tensor(indices, dtype=torch.long, device=self.rows.device)]


def load_steerer(lm: LoadedLM, settings: SteeringSettings) -> Steerer:
    """A steerer for the settings' vector folder (layer and coefficient resolved)."""
    if not settings.vectors:
        raise ValueError("steering needs a vectors folder (steering.vectors / --steer)")
    return Steerer(lm, SteeringVectors.load(settings.vectors), settings)
