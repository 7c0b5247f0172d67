"""Model merging: LoRA policy adapters in, one merged policy adapter out.

Yang et al., "Mix Data or Merge Models? Balancing the Helpfulness, Honesty, and Harmlessness
of Large Language Models via Model Merging" (2025) merge specialists (one adapter per
objective) instead of training one model on their mixed data. Here every parent is a policy
adapter of ``beavertail align`` on the same base model; a merge writes a policy-adapter
folder (PEFT LoRA layout + ``manifest.json`` naming the parents, their digests, the method
and every setting), which loads and evaluates like any adapter (``eval run --adapter``,
``load_lm(adapter=...)``: merged into the weights, so it costs what the base costs).

A method is a value in :data:`METHODS` (one interface: ``method.merge(parents, settings)``).
The task vector of parent ``i`` in an adapted module is its dense delta
``ΔW_i = s_i·B_i·A_i`` (PEFT's ``get_delta_weight``); ``settings.weights[i]`` multiplies it
(task arithmetic's λ_i; default 1 each).

What PEFT implements (installed 0.21: ``LoraModel.add_weighted_adapter``, combination types
svd, linear, cat, ties, ties_svd, dare_ties, dare_linear, dare_ties_svd, dare_linear_svd,
magnitude_prune, magnitude_prune_svd) and is used as is:

- ``task-arithmetic``: ``Σ w_i ΔW_i`` exactly (``cat``: the factors stacked, rank ``Σ r_i``).
- ``linear``: the same with the weights rescaled to sum to one (a weighted average).
- ``svd``: ``Σ w_i ΔW_i`` truncated to its top ``rank`` singular directions (``svd``).
- ``ties``: TIES-merging on the dense deltas (``ties_svd``): each delta trimmed to its top
  ``density`` share of entries by magnitude, the sign of each entry elected from the sum of
  the trimmed deltas (``majority_sign`` total) or the count of signs (frequency), and the
  weighted entries that agree with it averaged (disjoint mean); then truncated to ``rank``.
- ``dare-linear`` / ``dare-ties``: DARE (``dare_linear_svd`` / ``dare_ties_svd``): entries
  dropped at random with probability ``1 − density`` and the rest rescaled by ``1/density``
  (the draws seeded by ``seed``), then summed, or TIES-elected and averaged; truncated.
- ``magnitude-prune``: each delta trimmed to its top ``density`` entries, then summed
  (``magnitude_prune_svd``); truncated.
- ``lora-linear``: PEFT's ``linear``: the A and B factors averaged separately with weights
  ``sqrt(w_i s_i)``. Not task arithmetic (cross terms ``B_i A_j`` appear); needs equal ranks;
  kept because it is what many LoRA tools call linear merging.

The dense-delta methods' results are full rank, so PEFT truncates them to ``rank``
singular directions (default: the sum of the parents' ranks, which holds task arithmetic
exactly; never more than the smallest adapted matrix's side); raise ``rank`` to keep more of
a TIES / DARE / pruned delta.

Written here (PEFT has no singular-vector merging):

- ``tsvm``: Task Singular Vectors merging (TSV-M; Gargiulo et al., CVPR 2025). Per module,
  each task matrix ``w_i ΔW_i = U_i Σ_i V_iᵀ`` keeps its top ``k_i`` singular triplets; the
  kept ``U``s and ``V``s are concatenated and each concatenation replaced by its nearest
  orthonormal matrix (orthogonal Procrustes: ``P Qᵀ`` from the SVD ``P S Qᵀ``), which removes
  the interference between tasks' directions; the merged delta is ``U⊥ diag(Σ) V⊥ᵀ``.
  Choice: TSV-M keeps ``⌊min(m, n) / T⌋`` triplets per task (the largest equal share whose
  concatenation fits the layer); a LoRA delta has rank ``r_i`` at most, so ``k_i =
  min(r_i, ⌊min(m, n) / T⌋)`` (every LoRA direction fits here: 3 × 16 ≪ 576), times
  ``rank_fraction`` (default 1) to keep fewer, as TSV-C's compression does. The SVD of
  ``B A`` is exact and cheap (QR of both factors, SVD of the ``r × r`` core). TSV-M's global
  scale α is the weights.

- ``r-tsvm``: TSV-M with the two additions Yang et al. name (their RESM, "Reweighting
  Enhanced task Singular Merging": "outlier weighting" against preference-noise accumulation
  and "sparsity-aware rank selection" for layer sparsity). The paper's equations were not
  available in this project's references (only its abstract), so this is our reading,
  written down choice by choice; with ``outlier_strength = rank_strength = 0`` and
  ``rank_fraction = 1`` it is exactly ``tsvm`` (a test checks this).

  1. *Outlier weighting* (per module, per task). The outlier ratio ``o_i`` of ``ΔW_i`` is
     the share of its entries larger than ``outlier_threshold`` (M, default 5) times its
     mean absolute entry: the outlier definition of OWL (Yin et al., 2024), the LLM
     literature's "outlier" that the term points to. Outliers carry an update's
     consistent signal; a task whose update in a module is diffuse (few outliers) is the
     likelier carrier of preference noise there. The task's weight in the module becomes
     ``w_i · (1 + outlier_strength · ẑ_i)`` with ``ẑ_i`` the task's outlier ratio centred
     on the tasks' mean and divided by their range (so in [−1, 1]; 0 when all are equal),
     OWL's bounded linear mapping; ``outlier_strength`` defaults to 0.2 (weights within
     ±20 %).
  2. *Sparsity-aware rank selection* (per module, across modules). A module's sparsity is
     the mean over tasks of the Hoyer sparsity of ``ΔW_i``'s entries, ``(√N − ‖x‖₁/‖x‖₂) /
     (√N − 1)`` (0: all entries equal in size, 1: one entry holds everything; no threshold
     to choose). Centred on the modules' mean and divided by their range (``ŝ`` in
     [−1, 1]), it sets the module's rank fraction ``clip(rank_fraction − rank_strength · ŝ,
     0, 1)`` (defaults 0.75 and 0.25: fractions between 0.5 and 1, mean near 0.75):
     sparser updates (a module that barely moved except in a few places) keep fewer
     singular triplets, denser ones more; at least one per task.
  3. TSV-M as above on the reweighted, rank-selected triplets.

Compatibility, refused with a clear error: parents on different base models; parents that
adapt different modules or layers (the merged adapter has one placement); parents that
continue another adapter (``parent/``; merge the chain first); different ranks for
``lora-linear``. Merges are deterministic (DARE is seeded) and resumable: a folder holding
the same merge of the same parents (by content digest) is returned as is.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import torch
from pydantic import Field, model_validator

from beavertail.artifacts import artifact_digest, inputs_digest, reusable, write_manifest
from beavertail.models.adapters import (
    ADAPTER_FOLDER,
    PARENT_FOLDER,
    POLICY_ADAPTER_KIND,
    read_adapter_manifest,
)
from beavertail.settings import Settings

if TYPE_CHECKING:
    from peft import LoraConfig, PeftModel

MethodName = Literal[
    "task-arithmetic",
    "linear",
    "svd",
    "ties",
    "dare-linear",
    "dare-ties",
    "magnitude-prune",
    "tsvm",
    "r-tsvm",
    "lora-linear",
]
MERGED = "merged"
PEFT_PREFIX = "base_model.model."


class MergeSettings(Settings):
    """One merge: the method and its settings (loadable from YAML/TOML/JSON)."""

    method: MethodName = Field("task-arithmetic", description="Merging method.")
    weights: list[float] | None = Field(
        None, description="One weight per parent, multiplying its task vector [1 each]."
    )
    density: float | None = Field(
        None, gt=0, le=1, description="Share of entries kept (TIES, DARE, magnitude pruning)."
    )
    majority_sign: Literal["total", "frequency"] = Field(
        "total", description="TIES sign election: sum of values or count of signs."
    )
    rank: int | None = Field(
        None, ge=1, description="Rank PEFT's SVD-based methods truncate to [sum of ranks]."
    )
    seed: int = Field(0, description="Seed of DARE's random drops.")
    rank_fraction: float | None = Field(
        None, gt=0, le=1, description="TSV-M: share of each task's triplets kept [1; r-tsvm .75]"
    )
    outlier_threshold: float = Field(5.0, gt=0, description="R-TSVM: outlier = M × mean |x|.")
    outlier_strength: float = Field(0.2, ge=0, le=1, description="R-TSVM: weight spread.")
    rank_strength: float = Field(0.25, ge=0, le=1, description="R-TSVM: rank-fraction spread.")

    @model_validator(mode="after")
    def _weights(self) -> MergeSettings:
        weights = self.weights
        if self.method == "linear" and weights is not None and abs(sum(weights)) < 1e-12:
            raise ValueError("linear merging rescales the weights to sum to one: their sum is 0")
        return self

    def used(self) -> dict[str, Any]:
        """The settings the method reads (the manifest records these)."""
        method = METHODS[self.method]
        kept = ("method", "weights", *method.reads)
        return {k: v for k, v in self.model_dump().items() if k in kept}


@dataclass(frozen=True)
class Parent:
    """A parent adapter: its folder, manifest and LoRA configuration."""

    folder: Path
    manifest: dict[str, Any]
    config: LoraConfig

    @property
    def rank(self) -> int:
        return _rank(self.config)

    @property
    def placement(self) -> tuple[Any, Any]:
        modules = self.config.target_modules
        layers = self.config.layers_to_transform
        return (
            sorted(modules) if isinstance(modules, set | list | tuple) else modules,
            sorted(layers) if isinstance(layers, list | tuple) else layers,
        )


@dataclass
class MergedLora:
    """A merge's result: PEFT state dict (keys without the adapter name), its LoRA config and
    what the method reports about itself."""

    state: dict[str, torch.Tensor]
    config: LoraConfig
    details: dict[str, Any] = field(default_factory=dict)


class MergeMethod(Protocol):
    # read-only members (properties): the methods are frozen dataclasses
    @property
    def name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def equal_ranks(self) -> bool: ...
    # the MergeSettings fields it uses besides method and weights
    @property
    def reads(self) -> tuple[str, ...]: ...

    def merge(
        self, model: PeftModel, adapters: list[str], weights: list[float], settings: MergeSettings
    ) -> MergedLora: ...


@dataclass(frozen=True)
class PeftMerge:
    """A method PEFT's ``add_weighted_adapter`` implements (``combination``)."""

    name: str
    combination: str
    summary: str
    density: float | None = None  # the default share kept, for methods that prune
    sign_election: bool = False
    equal_ranks: bool = False
    normalized: bool = False  # weights rescaled to sum to one

    @property
    def reads(self) -> tuple[str, ...]:
        names = ["rank"] if self.combination.endswith("svd") else []
        names += ["density"] if self.density is not None else []
        names += ["seed"] if self.combination.startswith("dare") else []
        return (*names, *(["majority_sign"] if self.sign_election else []))

    def merge(
        self, model: PeftModel, adapters: list[str], weights: list[float], settings: MergeSettings
    ) -> MergedLora:
        from peft import get_peft_model_state_dict

        if self.normalized:
            weights = [w / sum(weights) for w in weights]
        options: dict[str, Any] = {}
        if self.combination.endswith("svd"):
            ranks = [_rank(cast("LoraConfig", model.peft_config[a])) for a in adapters]
            # no more singular directions than the smallest adapted matrix has
            fits = min(min(m.in_features, m.out_features) for _, m in lora_modules(model, adapters))
            rank = min(settings.rank or sum(ranks), fits)
            options |= {"svd_rank": rank, "svd_full_matrices": False}
        if self.density is not None:
            options["density"] = settings.density or self.density
        if self.sign_election:
            options["majority_sign_method"] = settings.majority_sign
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(settings.seed)  # DARE's drops
            model.add_weighted_adapter(
                adapters, weights, MERGED, combination_type=self.combination, **options
            )
        state = get_peft_model_state_dict(model, adapter_name=MERGED)
        details = {"peft_combination": self.combination, "weights_used": weights, **options}
        return MergedLora(state, cast("LoraConfig", model.peft_config[MERGED]), details)


@dataclass(frozen=True)
class TaskSingularVectors:
    """TSV-M, and with ``reweighted`` R-TSVM (see the module docstring)."""

    name: str
    summary: str
    reweighted: bool = False
    equal_ranks: bool = False

    @property
    def reads(self) -> tuple[str, ...]:
        extra = ("outlier_threshold", "outlier_strength", "rank_strength")
        return ("rank_fraction", *(extra if self.reweighted else ()))

    def merge(
        self, model: PeftModel, adapters: list[str], weights: list[float], settings: MergeSettings
    ) -> MergedLora:
        modules = lora_modules(model, adapters)
        fraction = settings.rank_fraction or (0.75 if self.reweighted else 1.0)
        no_stats: dict[str, Any] = {}
        stats = [
            _module_stats(layer, adapters, settings) if self.reweighted else no_stats
            for _, layer in modules
        ]
        fractions = [fraction] * len(modules)
        if self.reweighted:
            sparsity = torch.tensor([s["sparsity"] for s in stats])
            spread = _centred(sparsity)
            fractions = [
                float(min(1.0, max(0.0, fraction - settings.rank_strength * float(z))))
                for z in spread
            ]
        state, ranks, details = {}, {}, []
        tasks = len(adapters)
        for (name, layer), stat, module_fraction in zip(modules, stats, fractions, strict=True):
            module_weights = list(weights)
            if self.reweighted:
                spread = _centred(torch.tensor(stat["outliers"]))
                module_weights = [
                    w * (1 + settings.outlier_strength * float(z))
                    for w, z in zip(weights, spread, strict=True)
                ]
            us, sigmas, vs = [], [], []
            for adapter, weight in zip(adapters, module_weights, strict=True):
                u, s, v = _lora_svd(layer, adapter)
                budget = min(len(s), min(u.shape[0], v.shape[0]) // tasks)
                keep = max(1, round(module_fraction * budget))
                us.append(u[:, :keep])
                sigmas.append(weight * s[:keep])
                vs.append(v[:, :keep])
            b, a = tsv_merge(us, sigmas, vs)
            key = name.removeprefix(PEFT_PREFIX)
            state[f"{name}.lora_A.weight"] = a.contiguous()
            state[f"{name}.lora_B.weight"] = b.contiguous()
            ranks[key] = a.shape[0]
            details.append({"rank": a.shape[0], "weights": module_weights, **stat})
        config = _config_with_ranks(cast("LoraConfig", model.peft_config[adapters[0]]), ranks)
        summary: dict[str, Any] = {
            "rank_fraction": fraction,
            "ranks": {"min": min(ranks.values()), "max": max(ranks.values()),
                      "mean": sum(ranks.values()) / len(ranks)},
        }  # fmt: skip
        if self.reweighted:
            summary |= _ranges(details, ("sparsity", "outliers", "weights"))
        return MergedLora(state, config, summary)


def _rank(config: LoraConfig) -> int:
    """An adapter's largest rank (``r``, or its ``rank_pattern``'s when larger)."""
    return max([config.r, *(config.rank_pattern or {}).values()])


def _centred(values: torch.Tensor) -> torch.Tensor:
    """Values centred on their mean and divided by their range (all 0 when they are equal)."""
    span = float(values.max() - values.min()) if values.numel() else 0.0
    if span < 1e-12:
        return torch.zeros_like(values, dtype=torch.float64)
    return (values.double() - values.double().mean()) / span


def hoyer_sparsity(x: torch.Tensor) -> float:
    """Hoyer's sparsity of the entries: 0 when all are equal in size, 1 when one holds all."""
    flat = x.detach().double().flatten()
    n = flat.numel()
    norm2 = float(flat.norm())
    if n < 2 or norm2 == 0:
        return 0.0
    return (n**0.5 - float(flat.abs().sum()) / norm2) / (n**0.5 - 1)


def outlier_ratio(x: torch.Tensor, threshold: float) -> float:
    """OWL's outlier ratio: the share of entries above ``threshold`` × the mean |entry|."""
    magnitude = x.detach().double().abs()
    mean = float(magnitude.mean())
    return float((magnitude > threshold * mean).double().mean()) if mean > 0 else 0.0


def _module_stats(layer: Any, adapters: list[str], settings: MergeSettings) -> dict[str, Any]:
    deltas = [layer.get_delta_weight(a) for a in adapters]
    return {
        "sparsity": sum(hoyer_sparsity(d) for d in deltas) / len(deltas),
        "outliers": [outlier_ratio(d, settings.outlier_threshold) for d in deltas],
    }


def _ranges(details: list[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    out = {}
    for key in keys:
        values = [v for d in details for v in (d[key] if isinstance(d[key], list) else [d[key]])]
        out[key] = {"min": min(values), "max": max(values)}
    return out


def _lora_svd(layer: Any, adapter: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The exact SVD ``U diag(S) Vᵀ`` of a LoRA delta ``s·B·A`` (QR of both factors, SVD of
    the small core), largest singular values first."""
    a = layer.lora_A[adapter].weight.detach().double()  # r × n
    b = layer.lora_B[adapter].weight.detach().double()  # m × r
    qb, rb = torch.linalg.qr(b)
    qa, ra = torch.linalg.qr(a.T)
    core_u, s, core_vh = torch.linalg.svd(rb @ ra.T)
    return qb @ core_u, s * float(layer.scaling[adapter]), qa @ core_vh.T


def _procrustes(x: torch.Tensor) -> torch.Tensor:
    """The orthonormal matrix nearest to ``x`` (columns), ``P Qᵀ`` from ``x = P S Qᵀ``."""
    p, _, qh = torch.linalg.svd(x, full_matrices=False)
    return p @ qh


def tsv_merge(
    us: Sequence[torch.Tensor], sigmas: Sequence[torch.Tensor], vs: Sequence[torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """TSV-M of the tasks' kept triplets: (B, A) of the merged delta ``U⊥ diag(Σ) V⊥ᵀ``."""
    u = _procrustes(torch.cat(list(us), dim=1))
    v = _procrustes(torch.cat(list(vs), dim=1))
    sigma = torch.cat(list(sigmas))
    return (u * sigma).float(), v.T.float()


def _config_with_ranks(base: LoraConfig, ranks: dict[str, int]) -> LoraConfig:
    """``base`` with each module's rank (the commonest as ``r``, others in ``rank_pattern``);
    alpha equals the rank everywhere, so the scaling is 1."""
    counts: dict[int, int] = {}
    for r in ranks.values():
        counts[r] = counts.get(r, 0) + 1
    common = max(counts, key=lambda r: (counts[r], r))
    pattern = {k: r for k, r in ranks.items() if r != common}
    return dataclasses.replace(
        base,
        r=common,
        lora_alpha=common,
        rank_pattern=pattern,
        alpha_pattern=dict(pattern),
        use_rslora=False,
        inference_mode=True,
    )


def lora_modules(model: PeftModel, adapters: Sequence[str]) -> list[tuple[str, Any]]:
    """(name, LoRA layer) of every module that all ``adapters`` adapt, in model order."""
    from peft.tuners.lora import LoraLayer

    return [
        (name, module)
        for name, module in model.named_modules()
        if isinstance(module, LoraLayer) and all(a in module.lora_A for a in adapters)
    ]


METHODS: dict[str, MergeMethod] = {
    m.name: m
    for m in (
        PeftMerge("task-arithmetic", "cat", "Σ w_i ΔW_i, exact (PEFT cat)"),
        PeftMerge(
            "linear", "cat", "weighted average, weights sum to 1 (PEFT cat)", normalized=True
        ),
        PeftMerge("svd", "svd", "Σ w_i ΔW_i truncated to rank (PEFT svd)"),
        PeftMerge("ties", "ties_svd", "TIES (PEFT ties_svd)", 0.2, sign_election=True),
        PeftMerge("dare-linear", "dare_linear_svd", "DARE, summed (PEFT dare_linear_svd)", 0.5),
        PeftMerge("dare-ties", "dare_ties_svd", "DARE + TIES (PEFT dare_ties_svd)", 0.5, True),
        PeftMerge("magnitude-prune", "magnitude_prune_svd", "top-density entries, summed", 0.2),
        TaskSingularVectors("tsvm", "Task Singular Vectors merging (TSV-M)"),
        TaskSingularVectors("r-tsvm", "TSV-M + outlier weighting + sparsity-aware rank", True),
        PeftMerge(
            "lora-linear", "linear", "A and B averaged apart (PEFT linear)", equal_ranks=True
        ),
    )
}


def read_parent(folder: str | Path) -> Parent:
    """A parent adapter folder, checked: a policy adapter over the base (no ``parent/``)."""
    from peft import LoraConfig

    folder = Path(folder)
    manifest = read_adapter_manifest(folder)
    if manifest.get("kind") != POLICY_ADAPTER_KIND:
        raise ValueError(f"{folder}: not a policy adapter")
    if (folder / PARENT_FOLDER).is_dir():
        raise ValueError(
            f"{folder} continues another adapter ({PARENT_FOLDER}/); a parent of a merge must be "
            "one adapter over the base model: merge the chain into one adapter first"
        )
    return Parent(folder, manifest, LoraConfig.from_pretrained(str(folder / ADAPTER_FOLDER)))


def check_parents(parents: Sequence[Parent], method: MergeMethod, weights: Sequence[float]) -> None:
    """Refuse what the merge cannot represent (see the module docstring)."""
    if len(parents) < 2:
        raise ValueError(f"a merge needs at least two adapters, got {len(parents)}")
    if len(weights) != len(parents):
        raise ValueError(f"{len(weights)} weights for {len(parents)} adapters")
    bases = {p.manifest.get("base_model") for p in parents}
    if len(bases) != 1:
        named = ", ".join(f"{p.folder}: {p.manifest.get('base_model')}" for p in parents)
        raise ValueError(f"the adapters were trained on different base models ({named})")
    placements = {repr(p.placement) for p in parents}
    if len(placements) != 1:
        named = "; ".join(f"{p.folder}: modules/layers {p.placement}" for p in parents)
        raise ValueError(f"the adapters adapt different modules or layers ({named})")
    ranks = [p.rank for p in parents]
    if method.equal_ranks and len(set(ranks)) != 1:
        named = ", ".join(f"{p.folder}: r={p.rank}" for p in parents)
        raise ValueError(f"{method.name} needs adapters of equal rank ({named})")


def load_parents(parents: Sequence[Parent]) -> tuple[PeftModel, list[str]]:
    """The base model with every parent loaded as a named adapter."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from beavertail.models.causal import _quiet_loading, lm_weights_folder

    base = parents[0].manifest["base_model"]
    with _quiet_loading():
        model = AutoModelForCausalLM.from_pretrained(
            lm_weights_folder(base), dtype=torch.float32, use_safetensors=True
        )
    names = [f"parent{i}" for i in range(len(parents))]
    peft_model = PeftModel.from_pretrained(model, parents[0].folder / ADAPTER_FOLDER, names[0])
    for name, parent in zip(names[1:], parents[1:], strict=True):
        peft_model.load_adapter(str(parent.folder / ADAPTER_FOLDER), adapter_name=name)
    return peft_model, names


def merge_adapters(
    adapters: Sequence[str | Path], settings: MergeSettings, output: str | Path
) -> Path:
    """Merge the policy adapters ``adapters`` as ``settings`` says into ``output`` (a policy
    adapter folder); an existing folder with the same merge of the same parents is reused."""
    from safetensors.torch import save_file

    output = Path(output)
    method = METHODS[settings.method]
    parents = [read_parent(a) for a in adapters]
    weights = settings.weights if settings.weights is not None else [1.0] * len(parents)
    check_parents(parents, method, weights)
    digests = [artifact_digest(p.folder) for p in parents]
    inputs = inputs_digest({**settings.used(), "weights": list(weights)}, digests)
    if reusable(output, inputs, "merged adapter"):
        return output
    began = time.perf_counter()
    model, names = load_parents(parents)
    merged = method.merge(model, names, list(weights), settings)
    (output / ADAPTER_FOLDER).mkdir(parents=True, exist_ok=True)
    weights_out = {k: v.detach().to("cpu").float().contiguous() for k, v in merged.state.items()}
    save_file(weights_out, output / ADAPTER_FOLDER / "adapter_model.safetensors")
    merged.config.save_pretrained(str(output / ADAPTER_FOLDER))
    manifest = {
        "kind": POLICY_ADAPTER_KIND,
        "version": 1,
        "base_model": parents[0].manifest["base_model"],
        "method": "merge",
        "merge": {
            "method": method.name,
            "summary": method.summary,
            "settings": settings.used(),
            "weights": list(weights),
            "parents": [
                {
                    "folder": str(p.folder),
                    "digest": digest,
                    "method": p.manifest.get("method"),
                    "rank": p.rank,
                    "data": p.manifest.get("data"),
                }
                for p, digest in zip(parents, digests, strict=True)
            ],
            "details": merged.details,
            "seconds": round(time.perf_counter() - began, 2),
        },
        "inputs": inputs,
    }
    write_manifest(output, manifest)
    return output


def save_merged_model(adapter: str | Path, output: str | Path) -> Path:
    """The base model with ``adapter`` merged into its weights, saved as a model folder
    (safetensors + tokenizer) that any ``from_pretrained`` or ``--model`` reads."""
    from beavertail.models.causal import load_lm

    manifest = read_adapter_manifest(adapter)
    lm = load_lm(manifest["base_model"], adapter=adapter)
    output = Path(output)
    lm.model.save_pretrained(output, safe_serialization=True)
    lm.tokenizer.save_pretrained(output)
    return output
