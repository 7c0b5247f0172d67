"""Reward and cost models with a tuned backbone (LoRA or full), trained by TRL's RewardTrainer.

The backbone becomes a sequence classifier with one output: MiniLM (BERT-style, ``[CLS] prompt
[SEP] response [SEP]``) or SmolLM2 (the chat-rendered exchange, scored at its last token).

Where TRL fits and where it does not:

* reward and the "safer"-only baseline use ``RewardTrainer``'s own Bradley–Terry loss, its
  collator and its reward centring (``center_rewards_coefficient``);
* the cost objective needs each answer's safe/unsafe sign, which ``RewardTrainer`` has no
  place for: :class:`PairScoreTrainer` passes two sign columns through the collator and
  replaces ``compute_loss`` with Safe RLHF's cost loss;
* checkpoints and the batch order come from :mod:`beavertail.models.training`: safetensors only,
  and a resume sees the batches an uninterrupted run would.
"""

from __future__ import annotations

import contextlib
import math
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch
from safetensors.torch import save_file

from beavertail.artifacts import write_manifest
from beavertail.data import PreferencePair
from beavertail.models.causal import chat_text, lm_weights_folder, model_device
from beavertail.models.encoders import resolve_encoder
from beavertail.models.progress import track
from beavertail.models.training import SafetensorsCheckpoints, resumable_checkpoint
from beavertail.preference.losses import cost_loss, pair_arrays
from beavertail.preference.metrics import evaluate_score_model
from beavertail.preference.spec import (
    MANIFEST_KIND,
    PreferenceTrainingConfig,
    ScoreModelSpec,
    read_score_model,
)

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, TrainerCallback


LORA_TARGETS = {
    "encoder": ["query", "key", "value", "dense"],
    "lm": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
}
SCORE_LAYER = {"encoder": "classifier", "lm": "score"}
TRAINER_FOLDER = "trainer"  # checkpoints while training; removed once the model is saved


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide the "newly initialised score layer" load report: that layer is what we train."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)


def _base_path(spec: ScoreModelSpec) -> str:
    if spec.backbone == "encoder":
        return resolve_encoder(spec.encoder)
    return lm_weights_folder(spec.lm)


def load_tokenizer(spec: ScoreModelSpec, path: str | None = None) -> PreTrainedTokenizerBase:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path or _base_path(spec))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if spec.backbone == "lm":
        tokenizer.truncation_side = "left"  # the score is read at the last token: keep the end
    return tokenizer


def build_sequence_scorer(spec: ScoreModelSpec) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The untrained backbone with a one-output score layer, and its tokenizer."""
    from transformers import AutoModelForSequenceClassification

    path = _base_path(spec)
    tokenizer = load_tokenizer(spec, path)
    with _quiet_transformers():
        model = AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=1, dtype=torch.float32, use_safetensors=True
        )
    model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def encode_pairs(
    tokenizer: PreTrainedTokenizerBase,
    spec: ScoreModelSpec,
    prompts: Sequence[str],
    responses: Sequence[str],
) -> list[list[int]]:
    """Token ids per (prompt, response), unpadded, at most ``spec.max_length`` long."""
    if spec.backbone == "encoder":
        encoded = tokenizer(
            list(prompts), list(responses), truncation="longest_first", max_length=spec.max_length
        )
    else:
        texts = [chat_text(tokenizer, p, r) for p, r in zip(prompts, responses, strict=True)]
        encoded = tokenizer(
            texts, add_special_tokens=False, truncation=True, max_length=spec.max_length
        )
    return [list(ids) for ids in encoded["input_ids"]]


@torch.inference_mode()
def score_ids(
    model: PreTrainedModel,
    ids: list[list[int]],
    pad_id: int,
    batch_size: int = 32,
    progress: bool = False,
) -> np.ndarray:
    """The model's single output for each sequence, batched by length; input order kept."""
    model.eval()
    device = model_device(model)
    out = np.zeros(len(ids), dtype=np.float32)
    order = np.argsort([len(x) for x in ids], kind="stable")[::-1]
    starts = range(0, len(order), batch_size)
    for start in track(starts, len(starts), "scoring", progress):
        rows = order[start : start + batch_size]
        width = max(len(ids[i]) for i in rows)
        input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for j, i in enumerate(rows):
            input_ids[j, : len(ids[i])] = torch.tensor(ids[i])
            mask[j, : len(ids[i])] = 1
        logits = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
        out[rows] = logits[:, 0].float().cpu().numpy()
    return out


class TunedScoreModel:
    """A reward or cost model whose backbone was tuned: ``scores(prompts, responses)``."""

    def __init__(
        self,
        spec: ScoreModelSpec,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        metadata: dict[str, Any] | None = None,
        adapter: tuple[dict[str, torch.Tensor], Any] | None = None,
    ) -> None:
        self.spec = spec
        self.model = model  # with LoRA: the adapter merged in, so scoring costs nothing extra
        self.tokenizer = tokenizer
        self.metadata = metadata or {}
        self.adapter = adapter  # LoRA: (adapter weights, PEFT config), what gets saved

    def scores(
        self, prompts: list[str], responses: list[str], progress: bool = False, cache: bool = False
    ) -> np.ndarray:
        """One score per (prompt, response). ``cache`` is accepted for symmetry and unused."""
        if len(prompts) != len(responses):
            raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
        ids = encode_pairs(self.tokenizer, self.spec, prompts, responses)
        return score_ids(self.model, ids, int(self.tokenizer.pad_token_id), progress=progress)

    def save(self, folder: str | Path) -> Path:
        """``adapter/`` (LoRA, in PEFT's layout) or ``backbone/`` (full), then the manifest."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self.spec.tuning == "lora":
            assert self.adapter is not None, "a LoRA model keeps its adapter for saving"
            weights, peft_config = self.adapter
            (folder / "adapter").mkdir(exist_ok=True)
            save_file(weights, folder / "adapter" / "adapter_model.safetensors")
            peft_config.save_pretrained(folder / "adapter")
        else:
            self.model.save_pretrained(folder / "backbone")
            self.tokenizer.save_pretrained(folder / "backbone")
        write_manifest(
            folder,
            {"kind": MANIFEST_KIND, "version": 1, "spec": asdict(self.spec), **self.metadata},
        )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TunedScoreModel:
        from transformers import AutoModelForSequenceClassification

        folder = Path(folder)
        manifest, spec = read_score_model(folder)
        adapter = None
        if spec.tuning == "lora":
            from peft import PeftModel

            base, tokenizer = build_sequence_scorer(spec)
            peft_model = PeftModel.from_pretrained(base, folder / "adapter")
            adapter = _adapter_state(peft_model)
            model = peft_model.merge_and_unload()
        else:
            tokenizer = load_tokenizer(spec, str(folder / "backbone"))
            model = AutoModelForSequenceClassification.from_pretrained(
                folder / "backbone", dtype=torch.float32, use_safetensors=True
            )
        model.eval()
        extra = {k: v for k, v in manifest.items() if k not in ("spec", "kind", "version")}
        return cls(spec, model, tokenizer, extra, adapter)


def _adapter_state(peft_model: Any) -> tuple[dict[str, torch.Tensor], Any]:
    """A PEFT model's adapter weights (LoRA matrices + the score layer) and its config."""
    from peft import get_peft_model_state_dict

    state = get_peft_model_state_dict(peft_model)
    weights = {k: v.detach().clone().contiguous() for k, v in state.items()}
    return weights, peft_model.peft_config["default"]


def _trainer_class() -> type:
    """Built on first use: importing TRL takes seconds and is only needed for training."""
    from trl import RewardTrainer
    from trl.trainer.reward_trainer import DataCollatorForPreference

    @dataclass
    class CollatorWithSigns(DataCollatorForPreference):
        """TRL's preference collator, plus each answer's sign (+1 unsafe, −1 safe)."""

        def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
            batch = super().torch_call(examples)
            for key in ("sign_chosen", "sign_rejected"):
                batch[key] = torch.tensor([e[key] for e in examples], dtype=torch.float32)
            return batch

    class PairScoreTrainer(SafetensorsCheckpoints, RewardTrainer):
        """``RewardTrainer`` with Safe RLHF's cost loss and safetensors-only checkpoints."""

        objective: str
        regularization: float

        def __init__(self, *args: Any, objective: str, regularization: float, **kwargs: Any):
            self.objective = objective
            self.regularization = regularization
            kwargs["data_collator"] = CollatorWithSigns(pad_token_id=0)  # pad id set below
            super().__init__(*args, **kwargs)
            # the collator and tokenizer passed in (the attributes' declared types are unions)
            tokenizer = cast("PreTrainedTokenizerBase", self.processing_class)
            cast(CollatorWithSigns, self.data_collator).pad_token_id = tokenizer.pad_token_id

        def _set_signature_columns_if_needed(self) -> None:
            if self._signature_columns is None:
                # Trainer's __init__ sets it to None, so mypy infers the attribute as None
                columns: Any = ["chosen_ids", "rejected_ids", "length"]
                columns += ["sign_chosen", "sign_rejected"]
                self._signature_columns = columns

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            sign_chosen = inputs.pop("sign_chosen")
            sign_rejected = inputs.pop("sign_rejected")
            if self.objective != "cost":
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            assert self.model is not None  # a trainer computing a loss has its model
            mode = "train" if self.model.training else "eval"
            outputs = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"])
            unsafer, safer = torch.chunk(outputs.logits.squeeze(-1), chunks=2)
            loss = cost_loss(unsafer, safer, sign_chosen, sign_rejected)
            loss = loss + self.regularization * (unsafer.pow(2) + safer.pow(2)).mean() / 2
            with torch.no_grad():
                self._metrics[mode]["accuracy"].append((unsafer > safer).float().mean().item())
                signs = torch.cat([sign_chosen, sign_rejected])
                right = ((torch.cat([unsafer, safer]) > 0) == (signs > 0)).float().mean().item()
                self._metrics[mode]["sign_accuracy"].append(right)
            return (loss, outputs) if return_outputs else loss

    return PairScoreTrainer


def _pair_dataset(
    pairs: Sequence[PreferencePair],
    objective: str,
    tokenizer: PreTrainedTokenizerBase,
    spec: ScoreModelSpec,
) -> Any:
    """chosen/rejected token ids in TRL's processed format, plus signs and lengths."""
    from datasets import Dataset

    arrays = pair_arrays(pairs, objective)  # type: ignore[arg-type]
    ids = encode_pairs(tokenizer, spec, [t[0] for t in arrays.texts], [t[1] for t in arrays.texts])
    chosen = [ids[i] for i in arrays.first]
    rejected = [ids[i] for i in arrays.second]
    return Dataset.from_dict(
        {
            "chosen_ids": chosen,
            "rejected_ids": rejected,
            "sign_chosen": arrays.sign_first.tolist(),
            "sign_rejected": arrays.sign_second.tolist(),
            "length": [max(len(a), len(b)) for a, b in zip(chosen, rejected, strict=True)],
        }
    )


def train_tuned_score_model(
    pairs: Sequence[PreferencePair],
    config: PreferenceTrainingConfig,
    output_dir: str | Path | None = None,
    progress: bool = True,
    callbacks: list[TrainerCallback] | None = None,
) -> TunedScoreModel:
    """Tune the backbone (LoRA or full) as a reward or cost model with TRL's RewardTrainer.

    With ``output_dir``, checkpoints go to ``output_dir/trainer`` every
    ``config.tune_checkpoint_steps`` steps and an interrupted run resumes from the last one
    (when the settings and data match); the finished model is saved there.
    """
    from trl import RewardConfig

    spec = config.spec
    objective = config.objective or spec.kind
    if not pairs:
        raise ValueError("no preference pairs to train on")
    from transformers import set_seed

    set_seed(config.seed)  # the new score layer's initial weights
    model, tokenizer = build_sequence_scorer(spec)
    peft_config = None
    if spec.tuning == "lora":
        from peft import LoraConfig

        peft_config = LoraConfig(
            task_type="SEQ_CLS",
            r=spec.lora_rank,
            lora_alpha=spec.lora_alpha,
            lora_dropout=0.0,
            target_modules=LORA_TARGETS[spec.backbone],
            modules_to_save=[SCORE_LAYER[spec.backbone]],
        )
    dataset = _pair_dataset(pairs, objective, tokenizer, spec)
    steps = math.ceil(len(dataset) / config.tune_batch_size) * config.tune_epochs
    learning_rate = config.tune_learning_rate or (2e-4 if spec.tuning == "lora" else 3e-5)
    run_dir = Path(output_dir) / TRAINER_FOLDER if output_dir is not None else None
    settings = {"config": config.model_dump(), "pairs": len(pairs)}
    resume = resumable_checkpoint(run_dir, settings) if run_dir else None
    args = RewardConfig(
        output_dir=str(run_dir) if run_dir else "/tmp/beavertail-reward-trainer-unsaved",
        num_train_epochs=config.tune_epochs,
        per_device_train_batch_size=config.tune_batch_size,
        learning_rate=learning_rate,
        weight_decay=config.weight_decay,
        lr_scheduler_type="linear",
        warmup_steps=max(1, steps // 20),
        gradient_checkpointing=False,  # as the policy trainers: no recompute in the backward
        max_length=None,  # already truncated (RewardTrainer would drop long pairs instead)
        center_rewards_coefficient=config.score_regularization,
        train_sampling_strategy="group_by_length",
        length_column_name="length",
        save_strategy="steps" if run_dir else "no",
        save_steps=config.tune_checkpoint_steps,
        save_total_limit=2,
        logging_steps=max(1, min(50, steps // 10)),
        report_to="none",
        disable_tqdm=not progress,
        seed=config.seed,
        data_seed=config.seed,
        dataloader_num_workers=0,
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),  # TRL's default
    )
    trainer = _trainer_class()(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
        objective=objective,
        regularization=config.score_regularization,
    )
    trainer.train(resume_from_checkpoint=resume)
    trained = trainer.model
    adapter = _adapter_state(trained) if spec.tuning == "lora" else None  # before merging
    scorer = trained.merge_and_unload() if spec.tuning == "lora" else trained
    result = TunedScoreModel(spec, scorer, tokenizer, adapter=adapter)
    result.metadata = {
        "objective": objective,
        "training": {
            "config": config.model_dump(),
            "pairs": len(pairs),
            "steps": trainer.state.global_step,
            "trainer": "trl.RewardTrainer" + (" + cost loss" if objective == "cost" else ""),
        },
    }
    sample = list(pairs[:512])  # scoring every training pair costs as much as an epoch's pass
    result.metadata["metrics"] = {"train": evaluate_score_model(result, sample, progress=False)}
    if output_dir is not None:
        result.save(output_dir)
        assert run_dir is not None
        shutil.rmtree(run_dir, ignore_errors=True)
    return result
