from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=UserWarning)
ROOT = Path(__file__).resolve().parents[1]

if os.environ.get("PYTEST_XDIST_WORKER"):
    # the cores shared out among the pytest-xdist workers (and the processes a test starts):
    # two workers on two cores take a thread each instead of fighting over both
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = threads
    os.environ["BEAVERTAIL_THREADS"] = threads
    import torch

    torch.set_num_threads(int(threads))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared real data (CI has ../shared beside the clone)."""
    candidates = [os.environ.get("BEAVERTAIL_DATA_DIR"), ROOT.parent / "shared" / "data"]
    for c in candidates:
        if c and (Path(c) / "beavertails" / "30k_test.jsonl").is_file():
            return Path(c)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        # a CI run without the data would go green with most of the suite skipped
        pytest.fail("shared data not found under CI: ../shared/data or BEAVERTAIL_DATA_DIR")
    pytest.skip("shared data not found: set BEAVERTAIL_DATA_DIR")


@pytest.fixture(scope="module")
def mix(data_dir: Path):
    """The moderation mix (``beavertail.data.mix``) built from the shared data."""
    from beavertail.data.mix import build_moderation_mix

    return build_moderation_mix(data_dir)


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every cache of computed results (features, activations, generated answers, OOD
    proxies, influence gradients) goes to a fresh folder per session, so no test passes on
    what an earlier run or other code left there. Only models dequantised from their GGUF
    files are kept between runs (``BEAVERTAIL_MODEL_CACHE``, default: where the command
    line keeps them): an entry is a function of the GGUF file's sha256 alone and costs about
    30 s of the two cores to rebuild, per model and session."""
    from beavertail.models.causal import cache_dir

    os.environ.setdefault("BEAVERTAIL_MODEL_CACHE", str(cache_dir()))
    os.environ["BEAVERTAIL_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def small_moderator_dir(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quickly trained MiniLM moderator (a slice of the real data), used as a judge."""
    from beavertail.data import moderation_split
    from beavertail.moderation import ModerationTrainingConfig, ModeratorSpec, train_moderator

    folder = tmp_path_factory.mktemp("judge")
    spec = ModeratorSpec(backend="encoder", max_length=96, quantize=True)
    train_moderator(
        moderation_split("train", data_dir)[::8][:600],
        moderation_split("validation", data_dir)[:200],
        ModerationTrainingConfig(spec=spec),
        folder,
        progress=False,
    )
    return folder


@pytest.fixture(scope="session")
def smollm():
    from beavertail.models import load_lm

    return load_lm()


@pytest.fixture(scope="session")
def prefix_moderator_dir(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quickly trained prefix (streaming) moderator on a slice of the real data."""
    from beavertail.data import moderation_split
    from beavertail.moderation import ModerationTrainingConfig, ModeratorSpec
    from beavertail.monitor import train_prefix_moderator

    folder = tmp_path_factory.mktemp("prefix-judge")
    spec = ModeratorSpec(backend="encoder", max_length=96, quantize=True)
    train_prefix_moderator(
        moderation_split("train", data_dir)[1::8][:600],
        moderation_split("validation", data_dir)[:200],
        ModerationTrainingConfig(spec=spec),
        fractions=(0.2, 0.5),
        output_dir=folder,
        progress=False,
    )
    return folder


@pytest.fixture(scope="session")
def tiny_lora_config():
    """An lm-lora judge on 2 decoder layers with a severity head, one short epoch: the
    training configuration of the tests that check a LoRA judge's plumbing, not its quality."""
    from beavertail.moderation import ModerationTrainingConfig, ModeratorSpec

    spec = ModeratorSpec(
        backend="lm-lora", lm_depth=2, lora_first_layer=1, max_length=96, quantize=False,
        num_layers=None, head_hidden=0, severity=True,
    )  # fmt: skip
    return ModerationTrainingConfig(
        spec=spec, finetune_epochs=1, finetune_batch_size=8, checkpoint_every=2,
        finetune_learning_rate=1e-3,
    )  # fmt: skip
