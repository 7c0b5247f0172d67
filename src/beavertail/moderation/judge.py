"""One protocol for every judge, and one resolver of judge references.

A :class:`Judge` reads (prompt, response) pairs, or prompts alone when its ``spec.input`` is
``"prompt"``, and gives one :class:`~beavertail.moderation.verdict.Verdict` each: flagged,
score, categories, severity, OOD score, unparsed. Conversations are judged through the same
protocol (:func:`beavertail.moderation.conversation.judge_conversations`, in the window that
:meth:`Judge.conversation_window` declares).

Implementations: the trained judges (:class:`~beavertail.moderation.moderator.Moderator`,
shipped or from a folder), the field's judges (:mod:`beavertail.moderation.external`), and
policies that wrap a judge (:class:`JudgeWrapper`: the OOD policy, the unparsed policy).

:func:`resolve_judge` turns any judge reference into a judge: ``default`` (also ``None``),
``fast``, ``prompt`` (shipped with the package), a folder written by ``moderate train``, such a
folder on the Hub (``hf:org/name[@revision]``), or a judge of the field
(``llama-guard-3:hf:meta-llama/Llama-Guard-3-1B``, ``wildguard@http://host:8000/v1``).
"""

from __future__ import annotations

import contextlib
import re
import weakref
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from beavertail.data.taxonomy import BEAVERTAILS_14
from beavertail.moderation.verdict import Verdict

if TYPE_CHECKING:
    from beavertail.moderation.moderator import Moderator
    from beavertail.moderation.ood.fitted import FittedOODDetector

InputMode = Literal["pair", "prompt"]
# the judging vocabulary: the texts judged, the answers (None: prompts alone), and one scoring
# pass's output (the calibrated matrix, and severity-level probabilities or None)
Texts = list[str]
Answers = list[str] | None
Scores = tuple[np.ndarray, np.ndarray | None]
FALLBACK_WINDOW_TOKENS = 1024  # prompt tokens a judge without a window of its own reads at once


class JudgeInput(Protocol):
    """What callers read of a judge's spec: pairs or prompts alone, and its taxonomy."""

    @property
    def input(self) -> str: ...

    @property
    def taxonomy(self) -> str: ...


@dataclass(frozen=True)
class JudgeSpec:
    """The spec of a judge that is not a trained beavertail moderator (the field's judges)."""

    input: InputMode = "pair"
    taxonomy: str = BEAVERTAILS_14


@dataclass(frozen=True)
class JudgeWindow:
    """How much prompt text a judge reads at once: ``tokens`` tokens of ``tokenizer``."""

    tokenizer: Any
    tokens: int


class Judge(Protocol):
    """Judges (prompt, response) pairs: harmful or not, and per harm category.

    ``predict`` gives one verdict per pair (``responses`` may be omitted for a prompt-only
    judge). ``probabilities`` gives the calibrated matrix behind the verdicts: column 0
    unsafe (NaN where the judge's output could not be parsed), then one column per category
    of ``categories``. ``threshold`` is where a score flags; ``digest()`` identifies what
    judges (a run records it); ``ood`` is the judge's fitted OOD detector, if any."""

    threshold: float

    @property
    def spec(self) -> JudgeInput: ...

    @property
    def categories(self) -> tuple[str, ...]: ...

    @property
    def metadata(self) -> dict[str, Any]: ...

    @property
    def ood(self) -> FittedOODDetector | None: ...

    def digest(self) -> str: ...

    def predict(
        self, prompts: Texts, responses: Answers = None, progress: bool = False
    ) -> list[Verdict]: ...

    def probabilities(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> np.ndarray: ...

    def report(self, labels: np.ndarray, probs: np.ndarray) -> dict[str, Any]: ...

    def conversation_window(self) -> JudgeWindow: ...


class JudgeWrapper:
    """A judge that passes everything to ``base``; a policy subclasses it and overrides
    what it changes (``predict``)."""

    def __init__(self, base: Judge) -> None:
        self.base = base

    @property
    def threshold(self) -> float:
        return self.base.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self.base.threshold = value

    @property
    def spec(self) -> JudgeInput:
        return self.base.spec

    @property
    def categories(self) -> tuple[str, ...]:
        return self.base.categories

    @property
    def metadata(self) -> dict[str, Any]:
        return self.base.metadata

    @property
    def ood(self) -> FittedOODDetector | None:
        return self.base.ood

    def digest(self) -> str:
        return self.base.digest()

    def predict(
        self, prompts: Texts, responses: Answers = None, progress: bool = False
    ) -> list[Verdict]:
        return self.base.predict(prompts, responses, progress)

    def probabilities(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> np.ndarray:
        return self.base.probabilities(prompts, responses, progress, cache)

    def report(self, labels: np.ndarray, probs: np.ndarray) -> dict[str, Any]:
        return self.base.report(labels, probs)

    def conversation_window(self) -> JudgeWindow:
        """The base's window; the fallback for a base that declares none (a duck-typed judge)."""
        declared = getattr(self.base, "conversation_window", None)
        return declared() if callable(declared) else fallback_window(self.base)


_FALLBACK: weakref.WeakKeyDictionary[Any, JudgeWindow] = weakref.WeakKeyDictionary()


def fallback_window(judge: object) -> JudgeWindow:
    """The window of a judge that reads no tokenizer of its own (e.g. the field's judges
    behind an endpoint): the default LM's tokenizer and 1,024 tokens, one per judge (a
    tokenizer is not thread-safe)."""
    with contextlib.suppress(KeyError, TypeError):
        return _FALLBACK[judge]
    from beavertail.models.causal import DEFAULT_LM, load_tokenizer

    window = JudgeWindow(load_tokenizer(DEFAULT_LM), FALLBACK_WINDOW_TOKENS)
    with contextlib.suppress(TypeError):  # a judge that cannot be weakly referenced
        _FALLBACK[judge] = window
    return window


class ScoringJudge(ABC):
    """A judge whose one scoring pass, :meth:`judge`, gives the probability matrix and the
    severity probabilities together; :meth:`probabilities` is its first half."""

    @abstractmethod
    def judge(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> Scores:
        """The calibrated matrix (column 0 unsafe, then categories) and severity-level
        probabilities (N x 3 for levels 1..3), or None for a judge without severity."""

    def probabilities(
        self, prompts: Texts, responses: Answers = None, progress: bool = False, cache: bool = False
    ) -> np.ndarray:
        """The calibrated matrix alone: column 0 unsafe, then the categories."""
        return self.judge(prompts, responses, progress, cache)[0]


class FieldJudge(ScoringJudge):
    """What the field's judges share (an external format on a backend, BeaverDam): no
    severity, no OOD detector and the default conversation window."""

    spec = JudgeSpec()
    ood: FittedOODDetector | None = None

    def conversation_window(self) -> JudgeWindow:
        """The default LM's tokenizer and 1,024 prompt tokens (the judge reads any length)."""
        return fallback_window(self)


# -- the resolver ---------------------------------------------------------------------------
JUDGES_DIR = Path(__file__).with_name("judges")
SHIPPED = ("default", "fast", "prompt")
HUB_PREFIX = "hf:"
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def shipped_judge_dir(name: str) -> Path:
    """The package folder of a shipped judge."""
    if name not in SHIPPED:
        raise ValueError(f"unknown shipped judge {name!r}; known: {SHIPPED}")
    return JUDGES_DIR / name


def shipped_judge(name: str = "default") -> Moderator:
    """A judge that ships with the package (checksums verified on load)."""
    from beavertail.moderation.moderator import Moderator

    folder = shipped_judge_dir(name)
    if not (folder / "manifest.json").is_file():
        raise FileNotFoundError(
            f"{folder}: the shipped {name!r} judge is missing; rebuild it with "
            f"`beavertail moderate train --recipe {name} --ship`"
        )
    return Moderator.load(folder)


def resolve_judge(reference: str | None = None) -> Judge:
    """The one resolver of judge references: ``default`` (also ``None``), ``fast``,
    ``prompt`` (shipped), a folder written by ``moderate train``, or such a folder on the
    Hugging Face Hub as ``hf:org/name`` (``hf:org/name@revision`` pins a revision), or a judge
    of the field (``llama-guard-3:hf:meta-llama/Llama-Guard-3-1B``,
    ``wildguard@http://host:8000/v1``; see :mod:`beavertail.moderation.external`). A path that
    does not exist is an error, never a Hub download."""
    reference = reference or "default"
    if reference in SHIPPED:
        return shipped_judge(reference)
    from beavertail.moderation.external import is_external_reference, resolve_external

    if is_external_reference(reference):  # Llama Guard, WildGuard, ... (external/__init__.py)
        return resolve_external(reference)
    return _trained_judge(reference)


def resolve_trained_judge(reference: str | None = None) -> Moderator:
    """:func:`resolve_judge` for what needs a trained beavertail judge (its features, heads
    and OOD detector: fitting a detector, the OOD bench); a judge of the field is refused."""
    from beavertail.moderation.moderator import Moderator

    judge = resolve_judge(reference)
    if not isinstance(judge, Moderator):
        raise ValueError(
            f"{reference}: this needs a trained beavertail judge ({', '.join(SHIPPED)}, a "
            f"folder written by `beavertail moderate train`, or {HUB_PREFIX}org/name), not a "
            "judge of the field"
        )
    return judge


def _trained_judge(reference: str) -> Moderator:
    """A judge folder (local, or ``hf:`` on the Hub)."""
    from beavertail.moderation.moderator import Moderator

    if reference.startswith(HUB_PREFIX):
        folder = _hub_folder(*parse_hub_reference(reference))
    else:
        folder = Path(reference)
        if not folder.exists():
            hint = (
                f" (for a Hub repository write {HUB_PREFIX}{reference})"
                if HUB_ID.fullmatch(reference)
                else ""
            )
            from beavertail.moderation.external import FAMILIES

            raise FileNotFoundError(
                f"{reference}: no such judge folder{hint}; use one of {SHIPPED}, a folder "
                f"written by `beavertail moderate train`, {HUB_PREFIX}org/name[@revision], or "
                "a judge of the field: FAMILY, FAMILY:hf:org/name, FAMILY@URL (e.g. "
                f"llama-guard-3:hf:meta-llama/Llama-Guard-3-1B; families: {', '.join(FAMILIES)})"
            )
    if not (folder / "manifest.json").is_file():
        raise FileNotFoundError(
            f"{reference}: not a moderator folder (no manifest.json; use one of {SHIPPED}, a "
            f"folder written by `beavertail moderate train`, or {HUB_PREFIX}org/name)"
        )
    return Moderator.load(folder)


def parse_hub_reference(reference: str) -> tuple[str, str | None]:
    """``hf:org/name@revision`` -> (``org/name``, ``revision`` or None)."""
    repo, _, revision = reference.removeprefix(HUB_PREFIX).partition("@")
    if not HUB_ID.fullmatch(repo):
        raise ValueError(f"{reference}: a Hub reference is {HUB_PREFIX}org/name[@revision]")
    return repo, revision or None


def _hub_folder(repo_id: str, revision: str | None = None) -> Path:
    """A Hub repository's files at ``revision`` (the local cache when offline)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    try:
        return Path(
            snapshot_download(
                repo_id,
                revision=revision,
                allow_patterns=["*.json", "*.safetensors", "*.txt", "*.md"],
            )
        )
    except (OSError, HFValidationError) as error:  # offline, unknown repo, no access
        raise FileNotFoundError(f"{repo_id}: could not fetch it from the Hub ({error})") from None
