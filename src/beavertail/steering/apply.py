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
    site_module,
    with_hidden,
)
from beavertail.settings import Settings
from beavertail.steering.router import Route
from beavertail.steering.vectors import ALL_HARM, SteeringVectors

Selection = Literal["router", "all", "categories"]


class CategorySetting(Settings):
    """One category's own steering layer and/or coefficient (unset: the general one)."""

    layer: int | None = Field(None, ge=0)
    coefficient: float | None = None


class SteeringSettings(Settings):
    """How to steer: which vectors (``selection``), where (``layer``) and how hard; one model
    nested in eval and serve configs.

    ``coefficient`` α moves activations *away* from harm: ``h - α·v`` (mode ``add``), or
    removes α times the component along v (mode ``project_out``, α = 1 removes it fully).
    ``layers`` steers at several layers at once (α at each); ``per_category`` gives a
    category its own layer and coefficient (a sweep's per-category choice).
    Layer, coefficient and per-category settings left unset take the vectors' recommended
    setting (``steer sweep``).
    """

    vectors: str | None = Field(None, description="Steering-vector folder.")
    layer: int | None = Field(
        None, ge=0, description="Layer steered (default: the vectors' recommended one)."
    )
    layers: list[int] = Field(
        default_factory=list, description="Multi-layer: steer at each of these (overrides layer)."
    )
    coefficient: float | None = Field(
        None, description="Strength α (default: the vectors' recommended one)."
    )
    per_category: dict[str, CategorySetting] = Field(
        default_factory=dict, description="A category's own layer/coefficient (router/categories)."
    )
    selection: Selection = Field("router", description="router | all | categories")
    categories: list[str] = Field(default_factory=list, description="For selection categories.")
    mode: Literal["add", "project_out"] = "add"
    scope: Scope = Field("all", description="Positions steered: all | prompt | generated.")

    @model_validator(mode="after")
    def _consistent(self) -> SteeringSettings:
        if self.selection == "categories" and not self.categories:
            raise ValueError("selection 'categories' needs at least one category")
        if self.mode == "project_out" and any(
            s.coefficient is not None for s in self.per_category.values()
        ):
            raise ValueError("per-category coefficients need mode 'add'")
        return self

    def resolved(self, vectors: SteeringVectors) -> SteeringSettings:
        """These settings with layer, coefficient and per-category settings filled from the
        vectors' recommendation."""
        recommended = vectors.metadata.get("recommended", {})
        layer = self.layer if self.layer is not None else recommended.get("layer")
        if layer is None and self.layers:
            layer = min(self.layers)
        coefficient = (
            self.coefficient if self.coefficient is not None else (recommended.get("coefficient"))
        )
        if layer is None or coefficient is None:
            raise ValueError(
                f"{self.vectors or 'these vectors'} have no recommended setting "
                "(run `beavertail steer sweep`); give a layer and a coefficient"
            )
        per_category = self.per_category
        if not per_category and self.layer is None and self.coefficient is None:
            per_category = {
                c: CategorySetting.model_validate(s)
                for c, s in recommended.get("per_category", {}).items()
            }
        return self.updated(
            layer=int(layer), coefficient=float(coefficient), per_category=per_category
        )

    def layers_of(self, category: str) -> list[int]:
        """The layers a category is steered at (resolved settings)."""
        own = self.per_category.get(category)
        if own is not None and own.layer is not None:
            return [own.layer]
        return list(self.layers) or [int(self.layer)]  # type: ignore[arg-type]

    def coefficient_of(self, category: str) -> float:
        own = self.per_category.get(category)
        if own is not None and own.coefficient is not None:
            return own.coefficient
        return float(self.coefficient)  # type: ignore[arg-type]

    def to_dict(self) -> dict:
        return self.model_dump()


class Steerer:
    """Makes the hook context for a generator; the context's state (:class:`RoutedRows`)
    holds the router's decisions for the rows that joined at the last prompt pass.

    Everything that does not depend on the prompt is computed here, once: per steered layer,
    a ``(K, d)`` table of each category's signed, scaled vector. At a prompt pass a row's
    weights over the K categories (the router's, or fixed) select its vector per layer; the
    one-token passes that follow only add it.
    """

    def __init__(self, lm: LoadedLM, vectors: SteeringVectors, config: SteeringSettings) -> None:
        if vectors.site not in ("resid", "attn"):
            raise ValueError(f"unknown site {vectors.site!r}")
        self.lm = lm
        self.vectors = vectors
        self.config = config = config.resolved(vectors)
        if config.selection == "router" and vectors.router is None:
            raise ValueError("these vectors have no router; extract with a router or pick 'all'")
        if config.selection == "router":
            self.names = list(vectors.categories)
        elif config.selection == "all":
            self.names = [ALL_HARM]
        else:
            self.names = list(config.categories)
        unknown = set(config.per_category) - set(vectors.categories)
        if unknown:
            raise ValueError(f"per_category names unknown categories: {sorted(unknown)}")
        self.tables = self._tables()
        self.route_layer = min(self.tables)
        if config.selection == "router" and self.route_layer not in vectors.router.layers:
            raise ValueError(
                f"the router has no probe at layer {self.route_layer}; "
                f"it has {vectors.router.layers}"
            )
        fixed = torch.full((1, len(self.names)), 1.0 / len(self.names))
        self.fixed_rows = (
            None if config.selection == "router" else {k: fixed @ t for k, t in self.tables.items()}
        )

    def _tables(self) -> dict[int, torch.Tensor]:
        """``{layer: (K, d)}``: row k is category k's vector times its signed coefficient at
        that layer (zero where the category is not steered there). Mode ``project_out``
        keeps plain vectors: the hook projects their direction out."""
        c = self.config
        tables: dict[int, torch.Tensor] = {}
        for k, name in enumerate(self.names):
            for layer in c.layers_of(name):
                vector = self.vectors.vector(name, layer).float()
                if layer not in tables:
                    tables[layer] = torch.zeros(len(self.names), vector.shape[-1])
                scale = 1.0 if c.mode == "project_out" else -c.coefficient_of(name)
                tables[layer][k] = scale * vector
        return tables

    @contextmanager
    def hooks(self) -> Iterator[RoutedRows]:
        """The steering hook context. It yields the per-row state, which a decoder whose
        rows change keeps in step (``models.streaming.RowHooks``)."""
        c = self.config
        state = RoutedRows()
        site = self.vectors.site
        model = self.lm.model
        steer_prompt = c.scope in ("all", "prompt")
        steer_generated = c.scope in ("all", "generated")

        def hook_for(layer: int):
            def hook(_module, _inputs, output):
                hidden = hidden_of(output)
                prompt_pass = hidden.shape[1] > 1
                if prompt_pass and layer == self.route_layer:
                    self._join(state, hidden)
                if not (steer_prompt if prompt_pass else steer_generated):
                    return output
                rows = state.rows[layer]
                if rows.device != hidden.device or rows.dtype != hidden.dtype:
                    rows = state.rows[layer] = rows.to(device=hidden.device, dtype=hidden.dtype)
                if prompt_pass and state.routed:  # the rows joining now are the last ones
                    rows = rows[rows.shape[0] - hidden.shape[0] :]
                if c.mode == "project_out":  # zero rows (not routed) are left as they are
                    cut = Intervention(layer, rows, "project_out", c.coefficient)  # type: ignore[arg-type]
                    hidden = cut.apply(hidden)
                else:
                    hidden = hidden + rows[:, None, :]
                return with_hidden(output, hidden)

            return hook

        handles = [
            site_module(model, layer, site).register_forward_hook(hook_for(layer))  # type: ignore[arg-type]
            for layer in sorted(self.tables)
        ]
        try:
            yield state
        finally:
            for handle in handles:
                handle.remove()

    def _join(self, state: RoutedRows, hidden: torch.Tensor) -> None:
        """New rows' vectors per layer, from the router (last prompt token) or fixed."""
        if self.fixed_rows is not None:
            state.rows = dict(self.fixed_rows)
            return
        router = self.vectors.router
        routes = router.route(self.route_layer, hidden[:, -1])
        state.joined = routes
        weights = torch.zeros(len(routes), len(self.names))
        for i, route in enumerate(routes):
            for category, weight in route.categories.items():
                weights[i, self.names.index(category)] = weight
        for layer, table in self.tables.items():
            rows = weights @ table
            if self.config.mode == "project_out":  # a mixture of directions, then its unit
                rows = rows / rows.norm(dim=-1, keepdim=True).clamp_min(1e-8)
            old = state.rows.get(layer)
            state.rows[layer] = rows if old is None else torch.cat([old, rows.to(old)])
        state.routed = True


class RoutedRows:
    """Each batch row's steering vector per layer; rows that leave the batch leave it."""

    def __init__(self) -> None:
        self.rows: dict[int, torch.Tensor] = {}
        self.routed = False
        self.joined: list[Route] = []  # the routes of the rows that joined last

    def select_rows(self, indices: list[int]) -> None:
        if not self.routed:  # fixed vectors broadcast over every row
            return
        for layer, rows in self.rows.items():
            self.rows[layer] = rows[torch.tensor(indices, dtype=torch.long, device=rows.device)]


def load_steerer(lm: LoadedLM, settings: SteeringSettings) -> Steerer:
    """A steerer for the settings' vector folder (layer and coefficient resolved)."""
    if not settings.vectors:
        raise ValueError("steering needs a vectors folder (steering.vectors / --steer)")
    return Steerer(lm, SteeringVectors.load(settings.vectors), settings)
