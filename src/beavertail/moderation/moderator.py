"""The QA moderator: features, head, calibrated scores, verdicts; safetensors + manifest."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from beavertail.artifacts import read_manifest, write_manifest
from beavertail.data.taxonomy import BEAVERTAILS_14, get_taxonomy
from beavertail.models.causal import DEFAULT_LM, load_lm
from beavertail.models.encoders import DEFAULT_ENCODER, SentenceEncoder
from beavertail.models.features import (
    EncoderFeatures,
    FeatureExtractor,
    LMProbeFeatures,
    Pooling,
    cached_features,
)
from beavertail.models.heads import StandardizedHead, mlp
from beavertail.models.lm_judge import LMJudgeFeatures
from beavertail.moderation.calibration import apply_temperatures
from beavertail.moderation.judge import (
    Answers,
    InputMode,
    JudgeWindow,
    Scores,
    ScoringJudge,
    Texts,
    fallback_window,
)
from beavertail.moderation.metrics import moderation_report
from beavertail.moderation.ood.fitted import FittedOODDetector
from beavertail.moderation.verdict import Verdict

Backend = Literal["encoder", "finetuned", "lm-probe", "lm-lora"]
BACKENDS = ("encoder", "finetuned", "lm-probe", "lm-lora")
SEVERITY_LEVELS = (1, 2, 3)  # PKU-SafeRLHF severity of an unsafe answer (0 = safe)
MANIFEST_KIND = "beavertail.qa-moderator"
MANIFEST_VERSION = 1


@dataclass
class ModeratorSpec:
    """How a moderator turns text into features (architecture, not training settings)."""

    backend: Backend = "encoder"
    input: InputMode = "pair"
    encoder: str = DEFAULT_ENCODER
    lm: str = DEFAULT_LM
    lm_layers: list[int] | None = None
    max_length: int = 128
    quantize: bool = True
    num_layers: int | None = 3  # first 3 of MiniLM's 6 layers: 2x faster, no worse (bench)
    head_hidden: int = 256
    taxonomy: str = BEAVERTAILS_14
    head_members: int = 1  # an ensemble of this many heads (seeds), logits averaged
    head_dtype: Literal["float32", "float16"] = "float32"  # how head weights are stored
    lm_pooling: Pooling = "mean"  # lm-probe: mean over tokens, last token, or both
    judge_question: bool = False  # lm-probe: ask the LM whether the answer is harmful first
    lm_depth: int | None = None  # lm-lora: decoder layers kept (the rest never runs)
    lora_rank: int = 16  # lm-lora: adapter shape
    lora_alpha: int = 32
    lora_first_layer: int = 6  # lm-lora: adapters on layers lora_first_layer..lm_depth-1
    severity: bool = False  # a severity head (levels 1-3 of an unsafe answer)

    def __post_init__(self) -> None:
        if self.head_dtype not in ("float32", "float16"):
            raise ValueError(f"head_dtype must be float32 or float16, not {self.head_dtype!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {self.backend!r}")
        if self.backend == "lm-lora" and not self.lm_depth:
            raise ValueError("an lm-lora moderator needs lm_depth (decoder layers kept)")
        if self.input not in ("pair", "prompt"):
            raise ValueError(f"input must be pair or prompt, not {self.input!r}")
        if self.max_length < 8:
            raise ValueError(f"max_length must be at least 8, got {self.max_length}")
        get_taxonomy(self.taxonomy)
        if self.lm_pooling not in ("mean", "last", "mean+last"):
            raise ValueError(f"lm_pooling must be mean, last or mean+last, not {self.lm_pooling!r}")


class ModerationHead(StandardizedHead):
    """Standardise features, then a linear (or one-hidden-layer) map to 1 + K logits;
    with ``members > 1`` that many maps, their logits averaged."""

    def __init__(
        self, dim: int, outputs: int, hidden: int = 0, dropout: float = 0.1, members: int = 1
    ) -> None:
        super().__init__(dim)
        if members == 1:  # the single-head layout of every moderator saved so far
            self.net: torch.nn.Sequential = mlp(dim, outputs, hidden, dropout)
        else:
            self.members = torch.nn.ModuleList(
                mlp(dim, outputs, hidden, dropout) for _ in range(members)
            )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        z = self.standardize(features)
        if hasattr(self, "members"):
            return torch.stack([net(z) for net in self.members]).mean(0)
        return self.net(z)


def build_extractor(spec: ModeratorSpec, encoder_folder: Path | None = None) -> FeatureExtractor:
    """The feature extractor a spec describes (``encoder_folder``: fine-tuned weights)."""
    if spec.backend == "lm-lora":
        assert spec.lm_depth is not None
        return LMJudgeFeatures(load_lm(spec.lm), spec.lm_depth, spec.max_length)
    if spec.backend == "lm-probe":
        return LMProbeFeatures(
            load_lm(spec.lm),
            spec.lm_layers,
            spec.max_length,
            pooling=spec.lm_pooling,
            judge_question=spec.judge_question,
        )
    model = None
    if encoder_folder is not None:
        from transformers import AutoModel

        model = AutoModel.from_pretrained(encoder_folder, use_safetensors=True)
    quantize = spec.quantize and spec.backend == "encoder"  # a model being fine-tuned stays float
    encoder = SentenceEncoder(spec.encoder, spec.max_length, quantize, spec.num_layers, model=model)
    if encoder_folder is not None:
        from transformers import AutoTokenizer

        encoder.tokenizer = AutoTokenizer.from_pretrained(encoder_folder)
    return EncoderFeatures(encoder)


@dataclass
class Moderator(ScoringJudge):
    """A trained judge (a :class:`~beavertail.moderation.judge.Judge`): features, a head,
    calibrated scores and verdicts of (prompt, response) pairs, harmful or not and per harm
    category. Besides the protocol: :meth:`judge` (with severity levels), and the window
    outputs and logits that training, calibration and OOD fitting read."""

    spec: ModeratorSpec
    extractor: FeatureExtractor
    head: ModerationHead
    temperatures: np.ndarray
    threshold: float
    category_thresholds: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)
    severity_head: torch.nn.Module | None = None  # features -> logits of levels 1..3
    adapter: dict[str, torch.Tensor] | None = None  # lm-lora: the LoRA matrices (merged)
    adapter_scale: float = 1.0
    ood: FittedOODDetector | None = None  # says when a pair is unlike the training data

    def digest(self) -> str:
        """A content digest: spec, head weights, temperatures and thresholds (what judges)."""
        h = hashlib.sha256(json.dumps(asdict(self.spec), sort_keys=True).encode())
        for key, value in sorted(self.head.state_dict().items()):
            h.update(key.encode() + value.detach().contiguous().numpy().tobytes())
        h.update(np.asarray(self.temperatures, np.float64).tobytes())
        h.update(np.asarray([self.threshold, *self.category_thresholds], np.float64).tobytes())
        if self.severity_head is not None:
            for key, value in sorted(self.severity_head.state_dict().items()):
                h.update(f"severity.{key}".encode() + value.detach().contiguous().numpy().tobytes())
        for key, value in sorted((self.adapter or {}).items()):
            h.update(f"adapter.{key}".encode() + value.float().contiguous().numpy().tobytes())
        if self.spec.backend == "finetuned":
            h.update(json.dumps(self.extractor.spec(), sort_keys=True).encode())
            for key, value in sorted(self.extractor.encoder.model.state_dict().items()):  # type: ignore[attr-defined]
                h.update(key.encode() + value.detach().contiguous().numpy().tobytes())
        return h.hexdigest()[:16]

    @property
    def categories(self) -> tuple[str, ...]:
        return get_taxonomy(self.spec.taxonomy).categories

    def _responses(self, prompts: list[str], responses: list[str] | None) -> list[str] | None:
        if self.spec.input == "prompt":
            return None
        if responses is None:
            raise ValueError("this moderator judges (prompt, response) pairs: pass responses")
        if len(responses) != len(prompts):
            raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
        return list(responses)

    def features(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> np.ndarray:
        responses = self._responses(list(prompts), responses)
        if cache:
            return cached_features(self.extractor, list(prompts), responses, progress)
        return self.extractor(list(prompts), responses, progress=progress)

    @torch.inference_mode()
    def logits_from_features(self, features: np.ndarray) -> np.ndarray:
        self.head.eval()
        return self.head(torch.from_numpy(features)).numpy()

    @torch.inference_mode()
    def severity_logits_from_features(self, features: np.ndarray) -> np.ndarray | None:
        if self.severity_head is None:
            return None
        self.severity_head.eval()
        return self.severity_head(torch.from_numpy(features)).numpy()

    def window_outputs(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Features (N x D), uncalibrated logits (N x (1 + K)) and severity logits (N x 3, or
        None) of each pair's judged window.

        An answer longer than the judge's window is judged window by window; the pair gets
        its most harmful window, so padding cannot dilute harm."""
        responses = self._responses(list(prompts), responses)
        win_prompts, win_responses, owner = self.extractor.windows(list(prompts), responses)
        if cache:
            feats = cached_features(self.extractor, win_prompts, win_responses, progress)
        else:
            feats = self.extractor(win_prompts, win_responses, progress=progress)
        logits = self.logits_from_features(feats)
        severity = self.severity_logits_from_features(feats)
        if len(owner) == len(prompts):  # one window each
            return feats, logits, severity
        best = np.full(len(prompts), -1)
        for row, pair in enumerate(owner):
            if best[pair] < 0 or logits[row, 0] > logits[best[pair], 0]:
                best[pair] = row
        return feats[best], logits[best], None if severity is None else severity[best]

    def judge(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> Scores:
        """Calibrated probabilities, shape (N, 1 + K): column 0 is 'unsafe', then categories
        (each category's probability given that the answer is unsafe); and severity-level
        probabilities (N x 3 for levels 1..3; None without a severity head)."""
        _, logits, severity_logits = self.window_outputs(prompts, responses, progress, cache)
        return self._calibrated(logits, severity_logits)

    def _calibrated(self, logits: np.ndarray, severity_logits: np.ndarray | None) -> Scores:
        probs = apply_temperatures(logits, self.temperatures)
        severity = severity_logits
        if severity is not None:
            severity = np.exp(severity - severity.max(1, keepdims=True))
            severity = severity / severity.sum(1, keepdims=True)
        return probs, severity

    def report(self, labels: np.ndarray, probs: np.ndarray) -> dict:
        """Metrics for label and probability matrices (column 0 unsafe, then categories)."""
        return moderation_report(
            labels[:, 0],
            probs[:, 0],
            self.threshold,
            list(self.categories),
            labels[:, 1:],
            probs[:, 1:],
            self.category_thresholds,
            self.named_categories(probs),
        )

    def named_categories(self, probs: np.ndarray) -> np.ndarray:
        """Which categories each pair's verdict names (N x K booleans): on a flagged pair,
        each category whose own calibrated probability reaches its threshold (possibly none:
        a flag is never forced onto the likeliest category); none on a pair not flagged."""
        named = probs[:, 1:] >= self.category_thresholds[None, :]
        flagged = probs[:, 0] >= self.threshold
        return named & flagged[:, None]

    def verdicts_from_outputs(
        self, features: np.ndarray, logits: np.ndarray, severity_logits: np.ndarray | None
    ) -> list[Verdict]:
        """What :meth:`predict` returns, from window outputs already computed (features,
        logits and severity logits, as :meth:`window_outputs` gives them)."""
        probs, severity = self._calibrated(logits, severity_logits)
        ood_scores = None if self.ood is None else self.ood.scores(features, logits)
        names = self.categories
        named = self.named_categories(probs)
        out = []
        for i, row in enumerate(probs):
            flagged = bool(row[0] >= self.threshold)
            cats = {name: round(float(p), 6) for name, p in zip(names, row[1:], strict=True)}
            hits = tuple(n for n, hit in zip(names, named[i], strict=True) if hit)
            level = None
            if severity is not None:
                level = SEVERITY_LEVELS[int(np.argmax(severity[i]))] if flagged else 0
            verdict = Verdict(flagged, round(float(row[0]), 6), cats, hits, level)
            if ood_scores is not None and self.ood is not None:
                score = float(ood_scores[i])
                verdict = replace(
                    verdict, ood_score=round(score, 6), in_distribution=score <= self.ood.threshold
                )
            out.append(verdict)
        return out

    def predict(
        self, prompts: Texts, responses: Answers = None, progress: bool = False
    ) -> list[Verdict]:
        """One verdict per pair (for a prompt-only moderator, ``responses`` may be omitted)."""
        if not prompts:
            return []
        return self.verdicts_from_outputs(*self.window_outputs(prompts, responses, progress))

    def conversation_window(self) -> JudgeWindow:
        """The prompt-side window: the tokenizer the judge reads with and how many prompt
        tokens fit (a prompt-only judge reads its whole window; a pair judge gives the prompt
        at most a third of it, as its own windows of long answers do)."""
        prompt_only = self.spec.input == "prompt"
        known = (EncoderFeatures, LMJudgeFeatures, LMProbeFeatures)
        extractor: Any = self.extractor
        while extractor is not None and not isinstance(extractor, known):
            extractor = getattr(extractor, "base", None)  # an extractor that wraps another
        if isinstance(extractor, EncoderFeatures):
            budget = extractor.encoder.max_length - (2 if prompt_only else 3)  # [CLS] .. [SEP]
            return JudgeWindow(extractor.encoder.tokenizer, budget if prompt_only else budget // 3)
        if isinstance(extractor, LMJudgeFeatures):
            budget = extractor.answer_budget
            return JudgeWindow(extractor.lm.tokenizer, budget if prompt_only else budget // 3)
        if isinstance(extractor, LMProbeFeatures):
            budget = extractor.max_length - 64  # room for the chat template
            return JudgeWindow(extractor.lm.tokenizer, budget if prompt_only else budget // 3)
        return fallback_window(self)

    # -- persistence ---------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``head.safetensors`` (+ ``encoder/`` when fine-tuned) and ``manifest.json``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        dtype = getattr(torch, self.spec.head_dtype)
        tensors = {
            k: v.detach().to(dtype if k.endswith(".weight") else torch.float32).contiguous()
            for k, v in self.head.state_dict().items()
        }
        tensors["temperatures"] = torch.tensor(self.temperatures, dtype=torch.float32)
        tensors["category_thresholds"] = torch.tensor(self.category_thresholds, dtype=torch.float32)
        if self.severity_head is not None:
            for k, v in self.severity_head.state_dict().items():
                tensors[f"severity.{k}"] = v.detach().float().contiguous()
        save_file(tensors, folder / "head.safetensors")
        if self.adapter is not None:  # float16 halves the package; the card measures it so
            adapter = {k: v.detach().half().contiguous() for k, v in self.adapter.items()}
            save_file(adapter, folder / "adapter.safetensors")
        if self.spec.backend == "finetuned":
            assert isinstance(self.extractor, EncoderFeatures)
            self.extractor.encoder.model.save_pretrained(
                folder / "encoder", safe_serialization=True
            )
            self.extractor.encoder.tokenizer.save_pretrained(folder / "encoder")
        feature_dim = int(self.head.feature_mean.shape[0])
        manifest = {
            "kind": MANIFEST_KIND,
            "version": MANIFEST_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "spec": asdict(self.spec),
            "feature_dim": feature_dim,
            "features": self.extractor.spec(),
            "categories": list(self.categories),
            "threshold": self.threshold,
            "temperatures": [float(t) for t in self.temperatures],
            "category_thresholds": [float(t) for t in self.category_thresholds],
            **({"adapter_scale": self.adapter_scale} if self.adapter is not None else {}),
            **self.metadata,
        }
        write_manifest(folder, manifest)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Moderator:
        """Load a saved moderator (safetensors and JSON only; nothing is unpickled)."""
        folder = Path(folder)
        manifest = read_manifest(folder, MANIFEST_KIND, "QA moderator")
        adapter = None
        if (folder / "adapter.safetensors").is_file():
            adapter = load_file(folder / "adapter.safetensors")
        encoder_folder = folder / "encoder" if manifest["spec"]["backend"] == "finetuned" else None
        moderator = cls.from_tensors(
            manifest, load_file(folder / "head.safetensors"), adapter, encoder_folder
        )
        if (folder / OOD_FOLDER).is_dir():
            moderator.ood = FittedOODDetector.load(folder / OOD_FOLDER, moderator.digest())
        return moderator

    @classmethod
    def from_tensors(
        cls,
        manifest: dict,
        head_tensors: dict[str, torch.Tensor],
        adapter_tensors: dict[str, torch.Tensor] | None = None,
        encoder_folder: Path | None = None,
    ) -> Moderator:
        """A moderator from a manifest and the tensors of its ``head.safetensors`` (and
        ``adapter.safetensors``), as :meth:`load` reads them; the OOD detector is not read."""
        spec = ModeratorSpec(**manifest["spec"])
        tensors = {k: v.float() for k, v in head_tensors.items()}
        temperatures = tensors.pop("temperatures").numpy()
        category_thresholds = tensors.pop("category_thresholds").numpy()
        severity = {k[9:]: tensors.pop(k) for k in list(tensors) if k.startswith("severity.")}
        severity_head = None
        if severity:
            severity_head = severity_head_for(manifest["feature_dim"])
            severity_head.load_state_dict(severity)
            severity_head.eval()
        head = ModerationHead(
            manifest["feature_dim"],
            1 + len(manifest["categories"]),
            spec.head_hidden,
            members=spec.head_members,
        )
        head.load_state_dict(tensors)
        head.eval()
        extractor = build_extractor(spec, encoder_folder)
        adapter, scale = None, 1.0
        if adapter_tensors is not None:
            adapter = {k: v.float() for k, v in adapter_tensors.items()}
            scale = float(manifest["adapter_scale"])
            assert isinstance(extractor, LMJudgeFeatures)
            extractor.merge_adapter(adapter, scale)
        metadata = {k: manifest[k] for k in ("name", "training", "metrics") if k in manifest}
        return cls(
            spec,
            extractor,
            head,
            temperatures,
            float(manifest["threshold"]),
            category_thresholds,
            metadata,
            severity_head,
            adapter,
            scale,
        )


OOD_FOLDER = "ood"  # a judge's fitted OOD detector lives in this subfolder


def severity_head_for(dim: int) -> torch.nn.Module:
    """Logits of severity levels 1..3 from the judge's features."""
    return torch.nn.Linear(dim, len(SEVERITY_LEVELS))
