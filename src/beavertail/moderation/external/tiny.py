"""Tiny randomly initialised models of each judge family's architecture, for checks that
must run without weights (the test suite on CPU, ``scripts/device_check.py`` on a GPU).

Each family gets its published model's architecture class (Llama for Llama Guard 3, the
HarmBench classifier, GuardReasoner and the rubric graders; Llama 4 for Llama Guard 4;
Mistral for WildGuard and MD-Judge; Gemma 2 for ShieldGemma; Qwen 3 for Qwen3Guard; a Llama
sequence classifier with the fourteen BeaverTails heads for BeaverDam) at a few thousand
parameters, and a stand-in tokenizer: byte-level, no merges, with the family's special
tokens and a post-processor that adds its BOS exactly as the real tokenizer does - so the
number of BOS tokens a backend feeds the model can be counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from beavertail.data.taxonomy import BEAVERTAILS_14, get_taxonomy

# Label words the judges write, as single tokens (the real vocabularies have them too).
WORDS = ("safe", "unsafe", "Yes", "No", "yes", "no", " Safe", " Unsafe", " Controversial")
# A chat template reading text parts (Llama Guard 4's and Llama Guard 3 1B's do).
PARTS_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{{ m['role'] }}: "
    "{% for c in m['content'] %}{{ c['text'] }}{% endfor %}\n{% endfor %}assistant:"
)
LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>"
    "\n\n{{ m['content'] }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
    "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}<|im_start|>assistant\n"
)


def standin_tokenizer(
    bos: str | None = "<s>",
    eos: str = "</s>",
    specials: Sequence[str] = (),
    add_bos: bool = True,
    chat_template: str | None = None,
) -> Any:
    """A byte-level tokenizer with ``bos`` (added to every text when ``add_bos``), ``eos``,
    ``specials`` and the judges' label words as single tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    core = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(alphabet)}, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    special = [t for t in (bos, eos, "<pad>", *specials) if t]
    core.add_special_tokens(list(dict.fromkeys(special)))
    core.add_tokens(list(WORDS))
    if bos and add_bos:
        core.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A",
            pair=f"{bos} $A {bos} $B",
            special_tokens=[(bos, core.token_to_id(bos))],
        )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, bos_token=bos, eos_token=eos, pad_token="<pad>"
    )
    if chat_template:
        tokenizer.chat_template = chat_template
    return tokenizer


@dataclass(frozen=True)
class Architecture:
    """A family's model class at toy size and its tokenizer's special tokens."""

    kind: str  # llama | llama4 | mistral | gemma2 | qwen3 | llama-classifier
    bos: str | None
    eos: str
    specials: tuple[str, ...] = ()
    add_bos: bool = True
    chat_template: str | None = None


LLAMA3 = ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>")
ARCHITECTURES: dict[str, Architecture] = {
    "llama-guard-3": Architecture("llama", "<|begin_of_text|>", "<|eot_id|>", LLAMA3),
    "llama-guard-4": Architecture(
        "llama4",
        "<|begin_of_text|>",
        "<|eot|>",
        ("<|header_start|>", "<|header_end|>", "<|eot|>"),
        chat_template=PARTS_TEMPLATE,
    ),
    "wildguard": Architecture("mistral", "<s>", "</s>", ("<|user|>", "<|assistant|>")),
    "shieldgemma": Architecture("gemma2", "<bos>", "<eos>", ("<start_of_turn>", "<end_of_turn>")),
    "qwen3guard": Architecture(
        "qwen3", None, "<|im_end|>", ("<|im_start|>",), False, CHATML_TEMPLATE
    ),
    "qwen3guard-loose": Architecture(
        "qwen3", None, "<|im_end|>", ("<|im_start|>",), False, CHATML_TEMPLATE
    ),
    "md-judge": Architecture("mistral", "<s>", "</s>"),
    "guardreasoner": Architecture("llama", "<|begin_of_text|>", "<|eot_id|>", LLAMA3),
    "harmbench": Architecture("llama", "<s>", "</s>"),
    "strongreject": Architecture(
        "llama", "<|begin_of_text|>", "<|eot_id|>", LLAMA3, chat_template=LLAMA3_TEMPLATE
    ),
    "bt14-rubric": Architecture(
        "llama", "<|begin_of_text|>", "<|eot_id|>", LLAMA3, chat_template=LLAMA3_TEMPLATE
    ),
    "beaverdam": Architecture("llama-classifier", "<s>", "</s>"),
}


def _config(kind: str, vocab: int, pad: int, bos: int | None, eos: int) -> Any:
    from transformers import (
        Gemma2Config,
        Llama4Config,
        Llama4TextConfig,
        Llama4VisionConfig,
        LlamaConfig,
        MistralConfig,
        Qwen3Config,
    )

    small: dict[str, Any] = {
        "vocab_size": vocab,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        "pad_token_id": pad,
        "bos_token_id": bos,
        "eos_token_id": eos,
    }
    if kind in ("llama", "llama-classifier"):
        config = LlamaConfig(**small)
        if kind == "llama-classifier":
            names = get_taxonomy(BEAVERTAILS_14).categories
            config.id2label = dict(enumerate(names))
            config.label2id = {n: i for i, n in enumerate(names)}
            config.problem_type = "multi_label_classification"
        return config
    if kind == "mistral":
        return MistralConfig(**small)
    if kind == "gemma2":
        return Gemma2Config(**small, head_dim=16)
    if kind == "qwen3":
        return Qwen3Config(**small, head_dim=16)
    text = Llama4TextConfig(
        **small,
        head_dim=16,
        intermediate_size_mlp=128,
        num_local_experts=1,
        num_experts_per_tok=1,
        moe_layers=[],
        interleave_moe_layer_step=0,
        attention_chunk_size=8192,
        no_rope_layers=[1, 1],
    )
    vision = Llama4VisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        image_size=28,
        patch_size=14,
        vision_output_dim=64,
        projector_input_dim=64,
        projector_output_dim=64,
    )
    return Llama4Config(text_config=text, vision_config=vision, image_token_index=vocab - 1)


def tiny_model(
    family: str, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32
) -> tuple[Any, Any]:
    """A randomly initialised model of ``family``'s architecture and its stand-in
    tokenizer (seeded: the same weights on every call)."""
    from transformers import (
        AutoModelForCausalLM,
        Llama4ForConditionalGeneration,
        LlamaForSequenceClassification,
    )

    arch = ARCHITECTURES[family]
    tokenizer = standin_tokenizer(
        arch.bos, arch.eos, arch.specials, arch.add_bos, arch.chat_template
    )
    config = _config(
        arch.kind,
        len(tokenizer),
        tokenizer.pad_token_id,
        tokenizer.bos_token_id,
        tokenizer.eos_token_id,
    )
    torch.manual_seed(0)
    model: torch.nn.Module  # not PreTrainedModel: functools.wraps hides the type of its .to
    if arch.kind == "llama4":
        model = Llama4ForConditionalGeneration(config)
    elif arch.kind == "llama-classifier":
        model = LlamaForSequenceClassification(config)
    else:
        model = AutoModelForCausalLM.from_config(config)
    generation = getattr(model, "generation_config", None)
    if generation is not None:
        generation.pad_token_id = tokenizer.pad_token_id
        generation.eos_token_id = tokenizer.eos_token_id
    return model.to(device=device, dtype=dtype).eval(), tokenizer
