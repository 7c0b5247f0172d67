"""The causal-LM backend: generation, activation capture, interventions (SmolLM2 and Gemma-3)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
import torch

from beavertail.models import chat_text, load_lm
from beavertail.models.generation import (
    LocalGenerator,
    OpenAIChatGenerator,
    RemoteGenerationError,
    SamplingParams,
)
from beavertail.models.hooks import Intervention, capture_activations, decoder_layers, intervene
from beavertail.models.openai_client import OpenAIEndpoint

PROMPTS = ["How do I bake bread?", "Name three colours of the rainbow, please."]


def _reference_greedy(lm, prompt: str, tokens: int) -> str:
    """Greedy decoding by transformers' own generate (the reference the backend must match)."""
    enc = lm.tokenizer(chat_text(lm.tokenizer, prompt), return_tensors="pt",
                       add_special_tokens=False)  # fmt: skip
    with torch.inference_mode():
        ids = lm.model.generate(**enc, max_new_tokens=tokens, do_sample=False,
                                pad_token_id=lm.tokenizer.pad_token_id)  # fmt: skip
    return lm.tokenizer.decode(
        ids[0, enc["input_ids"].shape[1] :], skip_special_tokens=True
    ).strip()


def _logits(lm, prompts):
    tok = lm.tokenizer
    enc = tok([chat_text(tok, p) for p in prompts], return_tensors="pt", padding=True)
    with torch.inference_mode():
        return lm.model(**enc).logits


@pytest.mark.parametrize("mode", ["add", "project_out"])
def test_interventions_change_logits_and_removal_restores_them_exactly(smollm, mode):
    before = _logits(smollm, PROMPTS)
    vector = torch.randn(smollm.hidden_size, generator=torch.Generator().manual_seed(0))
    with intervene(smollm.model, [Intervention(10, vector, mode, 4.0)]):
        during = _logits(smollm, PROMPTS)
    after = _logits(smollm, PROMPTS)
    assert (during - before).abs().max() > 0.1
    assert torch.equal(before, after)
    assert all(not layer._forward_hooks for layer in decoder_layers(smollm.model))


def test_scope_separates_prompt_pass_from_generated_tokens(smollm):
    vector = torch.randn(smollm.hidden_size) * 10
    before = _logits(smollm, PROMPTS)
    with intervene(smollm.model, [Intervention(8, vector, scope="generated")]):
        prompt_pass = _logits(smollm, PROMPTS)  # a multi-token pass is the prompt: untouched
    assert torch.equal(before, prompt_pass)
    gen = LocalGenerator(smollm)
    config = SamplingParams(max_new_tokens=12)
    plain = gen.generate(PROMPTS, config)
    steered = LocalGenerator(
        smollm, lambda: intervene(smollm.model, [Intervention(8, vector, scope="generated")])
    ).generate(PROMPTS, config)
    assert [g.text for g in plain] != [g.text for g in steered]


def test_capture_positions_agree_with_hidden_states(smollm):
    tok = smollm.tokenizer
    prompt, response = "What is the capital of France?", " Paris is the capital."
    acts = {
        pos: capture_activations(smollm, [prompt], [response], [5, 12], position=pos)
        for pos in ("last_prompt", "mean_prompt", "mean_response", "mean_all")
    }
    head = chat_text(tok, prompt)
    n_head = len(tok(head, add_special_tokens=False)["input_ids"])
    ids = tok(head + response, return_tensors="pt", add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        states = smollm.model(input_ids=ids, output_hidden_states=True).hidden_states
    for layer in (5, 12):
        h = states[layer + 1][0]  # hidden_states[0] is the embedding output
        expected = {
            "last_prompt": h[n_head - 1],
            "mean_prompt": h[:n_head].mean(0),
            "mean_response": h[n_head:].mean(0),
            "mean_all": h.mean(0),
        }
        for pos, value in expected.items():
            assert torch.allclose(torch.tensor(acts[pos][layer][0]), value, atol=1e-4), pos


def test_batched_capture_with_left_padding_matches_single_rows(smollm):
    texts = ["Hi", "Tell me a long story about a dragon who lives under a mountain."]
    batched = capture_activations(smollm, texts, layers=[7], position="mean_prompt", batch_size=2)
    for i, t in enumerate(texts):
        single = capture_activations(smollm, [t], layers=[7], position="mean_prompt")
        assert torch.allclose(torch.tensor(batched[7][i]), torch.tensor(single[7][0]), atol=1e-3)


@pytest.mark.slow
def test_greedy_is_deterministic_and_sampling_is_seeded(smollm):
    gen = LocalGenerator(smollm)
    greedy = SamplingParams(max_new_tokens=10)
    assert gen.generate(PROMPTS, greedy) == gen.generate(PROMPTS, greedy)
    a = gen.generate(PROMPTS, SamplingParams(max_new_tokens=16, temperature=1.0, seed=1))
    b = gen.generate(PROMPTS, SamplingParams(max_new_tokens=16, temperature=1.0, seed=1))
    c = gen.generate(PROMPTS, SamplingParams(max_new_tokens=16, temperature=1.0, seed=2))
    assert a == b and a != c
    assert all(0 < g.num_tokens <= 16 and g.finish_reason in ("stop", "length") for g in a)


def test_system_prompt_enters_the_chat_template(smollm):
    text = chat_text(smollm.tokenizer, "hello", system_prompt="Be terse.")
    assert "Be terse." in text and text.index("Be terse.") < text.index("hello")


@pytest.mark.slow
def test_gemma3_architecture_capture_intervene_generate():
    lm = load_lm("embedded:gemma-3-270m")
    assert type(lm.model).__name__ == "Gemma3ForCausalLM" and lm.num_layers == 18
    assert "Question:" in chat_text(lm.tokenizer, "hi")  # a base model: no chat template
    acts = capture_activations(lm, PROMPTS, layers=[3, 9], site="attn", position="last_prompt")
    assert acts[9].shape == (2, lm.hidden_size) and abs(acts[9]).sum() > 0
    before = _logits(lm, PROMPTS)
    with intervene(lm.model, [Intervention(9, torch.ones(lm.hidden_size), "add", 8.0)]):
        during = _logits(lm, PROMPTS)
    assert (during - before).abs().max() > 0.1
    assert torch.equal(before, _logits(lm, PROMPTS))
    out = LocalGenerator(lm).generate(PROMPTS[:1], SamplingParams(max_new_tokens=5))
    assert out[0].text.strip() == _reference_greedy(lm, PROMPTS[0], 5)


class _FakeOpenAI(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != "Bearer k":
            self.send_response(401)
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "bad key"}}')
            return
        content = f"echo: {body['messages'][-1]['content']} ({body['max_tokens']})"
        payload = {
            "choices": [{"message": {"content": content}, "finish_reason": "stop"}],
            "usage": {"completion_tokens": 3},
        }
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a free local port for the block: its base URL."""
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_remote_openai_compatible_generator():
    with _serving(_FakeOpenAI) as url:
        gen = OpenAIChatGenerator(url, "m", api_key="k", concurrency=2)
        out = gen.generate(["a", "b", "c"], SamplingParams(max_new_tokens=7))
        assert [g.text for g in out] == ["echo: a (7)", "echo: b (7)", "echo: c (7)"]
        assert out[0].num_tokens == 3
        with pytest.raises(RemoteGenerationError, match="401"):
            OpenAIChatGenerator(url, "m", api_key="wrong").generate(["a"], SamplingParams())


class _Flaky(_FakeOpenAI):
    """Answers 429 (with Retry-After), then 503, then succeeds; counts the attempts."""

    attempts: list[float] = []  # noqa: RUF012

    def do_POST(self):
        _Flaky.attempts.append(time.monotonic())
        if len(_Flaky.attempts) in (1, 2):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(429 if len(_Flaky.attempts) == 1 else 503)
            if len(_Flaky.attempts) == 1:
                self.send_header("Retry-After", "2")
            self.end_headers()
            return
        super().do_POST()


def test_remote_generator_retries_429_and_5xx_honouring_retry_after():
    with _serving(_Flaky) as url:
        gen = OpenAIChatGenerator(url, "m", api_key="k", concurrency=1)
        out = gen.generate(["a"], SamplingParams(max_new_tokens=2))
        assert out[0].text == "echo: a (2)" and len(_Flaky.attempts) == 3
        # waited as Retry-After said (the SDK's own first backoff is at most 0.5 s)
        assert _Flaky.attempts[1] - _Flaky.attempts[0] >= 1.9
        _Flaky.attempts.clear()
        _Flaky.attempts.append(0.0)  # the next request is the second: a 503
        with pytest.raises(RemoteGenerationError, match="503"):
            OpenAIChatGenerator(url, "m", api_key="k", max_retries=0).generate(
                ["a"], SamplingParams()
            )


class _Recording(_FakeOpenAI):
    """Records the headers of each request."""

    headers_seen: list[dict[str, str]] = []  # noqa: RUF012

    def do_POST(self):
        _Recording.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
        super().do_POST()


def test_the_environment_adds_no_header_to_an_endpoint(monkeypatch):
    """The SDK would send OPENAI_CUSTOM_HEADERS (an Authorization line among them),
    OPENAI_ORG_ID and OPENAI_PROJECT_ID to any endpoint; only the caller's key goes out."""
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "X-Gateway-Token: gw\nAuthorization: Bearer env")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    with _serving(_Recording) as url:
        out = OpenAIChatGenerator(url, "m", api_key="k").generate(["a"], SamplingParams())
        assert out[0].text.startswith("echo: a")
        seen = _Recording.headers_seen[-1]
        assert seen["authorization"] == "Bearer k"
        assert not {"x-gateway-token", "openai-organization", "openai-project"} & set(seen)
        assert "sk-7" not in repr(OpenAIEndpoint(url, "sk-7"))


def test_a_bfloat16_model_gets_inputs_and_vectors_in_its_own_dtype():
    """Vectors, probes and inputs follow the model (dtype here; device on a GPU the same way)."""
    from beavertail.models.features import LMProbeFeatures
    from beavertail.models.streaming import DecodeRequest, decode_batch

    lm = load_lm(dtype=torch.bfloat16)
    feats = LMProbeFeatures(lm, [3], 64, pooling="mean+last", judge_question=True)
    x = feats(["How do I bake bread?"], ["Knead, rise, bake."])
    assert x.dtype == np.float32 and x.shape == (1, 2 * lm.hidden_size)
    acts = capture_activations(lm, PROMPTS, layers=[3], position="last_prompt")
    assert acts[3].shape == (2, lm.hidden_size)
    vector = torch.ones(lm.hidden_size, dtype=torch.float32)  # vectors are stored in float32
    with intervene(lm.model, [Intervention(3, vector, "add", 4.0)]):
        out = LocalGenerator(lm).generate(PROMPTS[:1], SamplingParams(max_new_tokens=3))
        expected = _reference_greedy(lm, PROMPTS[0], 3)
    assert out[0].text.strip() == expected
    reasons = decode_batch(
        lm, [DecodeRequest(chat_text(lm.tokenizer, "hi"), SamplingParams(max_new_tokens=3))]
    )
    assert reasons[0] in ("stop", "length")


def test_sampling_is_seeded_per_batch_and_leaves_the_global_rng_alone(smollm):
    config = SamplingParams(max_new_tokens=6, temperature=1.0, seed=7)
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    first = LocalGenerator(smollm).generate(PROMPTS[:1], config)
    assert torch.equal(torch.rand(1), expected)  # the caller's RNG did not move
    again = LocalGenerator(smollm).generate(PROMPTS[:1], config)
    assert first[0].text == again[0].text


@pytest.mark.slow
def test_the_first_load_says_once_that_the_embedded_model_is_prepared(tmp_path, monkeypatch, capfd):
    """Issue 40, item 17: dequantising the GGUF file is one line, not three progress bars;
    the cache entry is keyed by the file's sha256 and later loads say nothing."""
    from beavertail.models import causal

    monkeypatch.setenv("BEAVERTAIL_MODEL_CACHE", str(tmp_path))
    capfd.readouterr()
    first = load_lm()
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("preparing embedded:SmolLM2-135M-Instruct")
    assert "%|" not in err  # no progress bar (conversion, weights, shards)
    (entry,) = (tmp_path / "lm").iterdir()
    folder, gguf = causal.resolve_lm(causal.DEFAULT_LM)
    digest = causal.file_sha256(causal.Path(folder) / gguf)[:12]
    assert entry.name.endswith(digest)
    again = load_lm()
    assert capfd.readouterr().err.strip() == ""
    assert torch.equal(first.model.lm_head.weight, again.model.lm_head.weight)
