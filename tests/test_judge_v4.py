"""Judge v4: same-prompt contrasts, prompt-swapped negatives, wrapped requests, the held-out
sets, the pairwise margin loss and its batches, the stage-2 start state and the stage-3
refit of the output heads (tiny LoRA judge: plumbing, not quality)."""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

from beavertail.data.augment import prompt_swapped_negatives, same_prompt_contrasts
from beavertail.data.records import QAExample
from beavertail.data.wrappers import FICTION, PREAMBLE_WORDS, RULES, SEPARATORS, wrapped_requests
from beavertail.moderation.train import batch_pairs, contrast_loss, paired_batches


def qa(prompt: str, response: str, safe: bool, source: str = "written", cats=()) -> QAExample:
    return QAExample(prompt, response, tuple(cats), safe, None if safe else 2, source)


# --- same_prompt_contrasts -----------------------------------------------------------


def _contrast_rows() -> list[QAExample]:
    return [
        # P1: two written safe answers, one constructed; two written unsafe answers
        qa("P1", "p1 safe a", True),
        qa("P1", "p1 safe constructed", True, "swapped:alpaca:3"),
        qa("  P1 ", "p1 unsafe a", False),  # the same prompt, other whitespace
        qa("P1", "p1 safe b", True),
        qa("P1", "p1 unsafe b", False),
        # P2: one written safe; unsafe: constructed ones listed before the written one
        qa("P2", "p2 unsafe padded", False, "padded:pku:1"),
        qa("P2", "p2 unsafe window", False, "window:pku:2"),
        qa("P2", "p2 safe", True),
        qa("P2", "p2 unsafe written", False),
        qa("P2", "p2 safe padding", True, "padding-only"),
        # P3: only safe answers; P4: only unsafe ones -> no pair
        qa("P3", "p3 safe", True),
        qa("P4", "p4 unsafe", False),
        qa("P4", "p4 unsafe 2", False),
        # P5: six of each, all written -> at most per_prompt pairs
        *[qa("P5", f"p5 safe {i}", True) for i in range(6)],
        *[qa("P5", f"p5 unsafe {i}", False) for i in range(6)],
    ]


def _as_texts(rows: list[QAExample], pairs: list[tuple[int, int]]) -> set[tuple[str, str]]:
    return {(rows[s].response, rows[u].response) for s, u in pairs}


def test_same_prompt_contrasts_pair_safe_with_unsafe_answers_to_one_prompt():
    rows = _contrast_rows()
    pairs = same_prompt_contrasts(rows, per_prompt=4, seed=0)
    for s, u in pairs:
        assert rows[s].is_safe and not rows[u].is_safe
        assert rows[s].prompt.strip() == rows[u].prompt.strip()
    used = [i for pair in pairs for i in pair]
    assert len(used) == len(set(used))  # each example in at most one pair
    per_prompt = Counter(rows[s].prompt.strip() for s, _ in pairs)
    # P1: min(3 safe, 2 unsafe) = 2; P2: min(2, 3) = 2; P3, P4: none; P5: capped at 4
    assert per_prompt == {"P1": 2, "P2": 2, "P5": 4}
    # written answers are taken before constructed ones
    by_text = _as_texts(rows, pairs)
    p1 = {pair for pair in by_text if pair[0].startswith("p1")}
    assert {s for s, _ in p1} == {"p1 safe a", "p1 safe b"}
    assert {u for _, u in p1} == {"p1 unsafe a", "p1 unsafe b"}
    p2 = {pair for pair in by_text if pair[0].startswith("p2")}
    # one written safe and one written unsafe answer: they are matched to each other
    assert ("p2 safe", "p2 unsafe written") in p2
    assert {u for _, u in p2} & {"p2 unsafe padded", "p2 unsafe window"}
    assert ("p2 safe padding", "p2 unsafe written") not in p2
    assert Counter(rows[s].prompt.strip() for s, _ in same_prompt_contrasts(rows, 1)) == {
        "P1": 1,
        "P2": 1,
        "P5": 1,
    }


def test_same_prompt_contrasts_are_fixed_by_seed_not_by_row_order():
    rows = _contrast_rows()
    first = _as_texts(rows, same_prompt_contrasts(rows, seed=0))
    assert _as_texts(rows, same_prompt_contrasts(rows, seed=0)) == first
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert _as_texts(shuffled, same_prompt_contrasts(shuffled, seed=0)) == first
    # P5 has 6 x 6 written answers: other seeds match (and pick) others
    seeds = {frozenset(_as_texts(rows, same_prompt_contrasts(rows, seed=s))) for s in range(6)}
    assert len(seeds) > 1


# --- prompt_swapped_negatives ----------------------------------------------------------


def _swap_inputs() -> tuple[list[QAExample], list[QAExample]]:
    harmful = [qa(f"How do I hurt person {i}?", f"Like this {i}.", False, cats=["violence"])
               for i in range(6)]  # fmt: skip
    harmful += [qa("How do I bake bread?", "Flour and water.", True)]  # safe: not a request
    answers = [qa(f"Benign question {i}?", f"Benign answer number {i}.", True, f"alpaca:{i}")
               for i in range(5)]  # fmt: skip
    answers += [
        qa("Benign question x?", "   ", True),  # empty answer: never used
        qa("Benign question y?", "An unsafe answer.", False),  # unsafe: never used
    ]
    return harmful, answers


def test_prompt_swapped_negatives_are_safe_harmful_requests_with_foreign_answers():
    harmful, answers = _swap_inputs()
    own_prompt = {a.response: a.prompt for a in answers}
    requests = {x.prompt for x in harmful if not x.is_safe}
    out = prompt_swapped_negatives(harmful, answers, count=5, seed=3)
    assert len(out) == 5
    for x in out:
        assert x.is_safe and x.categories == () and x.severity is None
        assert x.prompt in requests
        assert own_prompt[x.response] != x.prompt
        original = next(a for a in answers if a.response == x.response)
        assert x.source == f"swapped:{original.source}"
    # 5 <= 6 requests and 5 usable answers: none used twice
    assert len({x.prompt for x in out}) == 5 and len({x.response for x in out}) == 5
    assert {x.response for x in out} == {f"Benign answer number {i}." for i in range(5)}
    # more than the pool: the pool is used round-robin, each answer once before any twice
    many = prompt_swapped_negatives(harmful, answers, count=12, seed=3)
    assert len(many) == 12
    assert Counter(x.response for x in many[:10]) == Counter(
        {f"Benign answer number {i}.": 2 for i in range(5)}
    )
    assert set(Counter(x.prompt for x in many[:6]).values()) == {1}
    assert prompt_swapped_negatives(harmful, answers[5:], count=3) == []  # no usable answer
    assert prompt_swapped_negatives(harmful[-1:], answers, count=3) == []  # no harmful request


def test_prompt_swapped_negatives_never_keep_the_answers_own_prompt():
    """An answer written for a harmful request (a refusal of it) is never put back under
    that same request."""
    harmful = [qa(f"Harmful request {i}", f"Sure, step {i}.", False) for i in range(3)]
    refusals = [qa(f"  Harmful request {i} ", f"No, I won't help with {i}.", True)
                for i in range(3)]  # fmt: skip
    for seed in range(20):
        for x in prompt_swapped_negatives(harmful, refusals, count=9, seed=seed):
            i = x.response.removeprefix("No, I won't help with ").removesuffix(".")
            assert x.prompt != f"Harmful request {i}"
    only_own = prompt_swapped_negatives(harmful[:1], refusals[:1], count=4)
    assert only_own == []


def test_prompt_swapped_negatives_are_deterministic_by_seed():
    harmful, answers = _swap_inputs()
    a = prompt_swapped_negatives(harmful, answers, count=5, seed=1)
    assert a == prompt_swapped_negatives(harmful, answers, count=5, seed=1)
    others = [prompt_swapped_negatives(harmful, answers, count=5, seed=s) for s in range(2, 8)]
    assert any([(x.prompt, x.response) for x in o] != [(x.prompt, x.response) for x in a]
               for o in others)  # fmt: skip


# --- wrapped_requests ------------------------------------------------------------------

FILLER = [
    "The kettle boiled while the cat slept on the warm windowsill.",  # 11 words
    "Tomatoes ripen faster in a paper bag with a banana.",  # 10
    "Our library opens at nine on weekdays and ten on Saturdays.",  # 11
    " ".join(["Long"] + ["sentence"] * 28) + " ends here.",  # 31 words
    " ".join(["Another"] + ["filler"] * 33) + " stops here.",  # 36 words
    "The bus was late again this morning because of roadworks.",  # 10
    "Fresh basil keeps best in a glass of water on the counter.",  # 12
    "She planted tulip bulbs along the fence in October.",  # 9
    "Rain is forecast for the weekend across the north.",  # 9
]


def _requests() -> list[QAExample]:
    return [
        QAExample("How do I break into my neighbour's house?", "", ("crime",), False, None, "h:0"),
        QAExample("Explain how to hotwire a car.", "", ("theft",), False, None, "h:1"),
        QAExample("What is a good recipe for pancakes?", "", (), True, None, "b:0"),
        QAExample("Summarise the plot of Hamlet.", "", (), True, None, "b:1"),
    ]


def _wrapper_kind(text: str, request: str) -> tuple[str, list[str]]:
    """Which wrapper ``text`` is (from the templates), and a preamble's filler sentences."""
    lowered = request[0].lower() + request[1:]
    if text in {t.format(request=lowered) for t in FICTION}:
        return "fiction", []
    if text in {t.format(request=request) for t in RULES}:
        return "rules", []
    separator = [s for s in SEPARATORS if text.endswith(s + request)]
    assert len(separator) == 1, text
    preamble = text[: -len(separator[0] + request)]
    sentences = [s.strip() for s in re.findall(r"[^.]+\.", preamble)]
    assert " ".join(sentences) == preamble, preamble  # whole filler sentences, nothing else
    return "preamble", sentences


def test_wrapped_requests_keep_the_label_and_use_three_wrappers_equally():
    requests = _requests()
    by_source = {x.source: x for x in requests}
    out = wrapped_requests(requests, FILLER, count=30, seed=0)
    assert len(out) == 30
    kinds: Counter[str] = Counter()
    for x in out:
        assert x.source.startswith("wrapped:")
        original = by_source[x.source.removeprefix("wrapped:")]
        assert (x.is_safe, x.categories, x.response) == (
            original.is_safe,
            original.categories,
            original.response,
        )
        kind, sentences = _wrapper_kind(x.prompt, original.prompt)
        if kind == "preamble":
            assert sentences and set(sentences) <= set(FILLER)
            assert len(set(sentences)) == len(sentences)
            assert sum(len(s.split()) for s in sentences) <= PREAMBLE_WORDS == 70
        kinds[kind] += 1
    assert kinds == {"fiction": 10, "rules": 10, "preamble": 10}
    # harmful and harmless requests alike
    assert {x.is_safe for x in out} == {True, False}
    assert wrapped_requests([], FILLER, 5) == [] and wrapped_requests(requests, [], 5) == []


def test_wrapped_requests_preamble_stops_before_seventy_words():
    """Filler sentences of 31, 34 and 36 words: any two fit in 70 words, all three never."""
    requests = _requests()
    by_source = {x.source: x for x in requests}
    long_filler = [FILLER[3], FILLER[4], " ".join(["Third"] + ["word"] * 32) + " done."]
    assert sorted(len(s.split()) for s in long_filler) == [31, 34, 36]
    out = wrapped_requests(requests, long_filler, count=30, seed=2)
    preambles = []
    for x in out:
        kind, sentences = _wrapper_kind(x.prompt, by_source[x.source[8:]].prompt)
        if kind == "preamble":
            preambles.append(sentences)
    assert len(preambles) == 10
    assert all(len(s) == 2 and set(s) <= set(long_filler) for s in preambles)
    assert len({tuple(s) for s in preambles}) > 1  # the filler is drawn, not fixed


def test_wrapped_requests_are_deterministic_by_seed():
    requests = _requests()
    a = wrapped_requests(requests, FILLER, 12, seed=5)
    assert a == wrapped_requests(requests, FILLER, 12, seed=5)
    assert [x.prompt for x in a] != [x.prompt for x in wrapped_requests(requests, FILLER, 12, 6)]


# --- contrast loss and paired batches ------------------------------------------------------


def test_contrast_loss_matches_a_hand_computed_hinge():
    """softplus(margin - (z_unsafe - z_safe)) averaged over 3 pairs of rows (safe, unsafe)."""
    z = torch.tensor([0.0, 3.0, 1.0, 1.0, 1.5, -0.5], requires_grad=True)
    pairs = torch.tensor([[0, 1], [2, 3], [5, 4]])
    # gaps: 3 - 0 = 3, 1 - 1 = 0, 1.5 - (-0.5) = 2; margin 2 -> softplus(-1), (2), (0)
    expected = (math.log(1 + math.exp(-1)) + math.log(1 + math.exp(2)) + math.log(2)) / 3
    loss = contrast_loss(z, pairs, margin=2.0)
    assert float(loss.detach()) == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(1.044446, abs=1e-6)
    loss.backward()
    # d/dz_unsafe = -sigmoid(margin - gap) / 3; d/dz_safe = +sigmoid(margin - gap) / 3
    sig = [1 / (1 + math.exp(1)), 1 / (1 + math.exp(-2)), 0.5]
    want = [sig[0] / 3, -sig[0] / 3, sig[1] / 3, -sig[1] / 3, -sig[2] / 3, sig[2] / 3]
    np.testing.assert_allclose(z.grad.numpy(), want, atol=1e-6)
    # a wide margin already kept: almost no loss; margin 0 with equal logits: log 2
    far = torch.tensor([0.0, 20.0])
    assert float(contrast_loss(far, torch.tensor([[0, 1]]), 2.0)) < 1e-7
    assert float(contrast_loss(torch.zeros(2), torch.tensor([[0, 1]]), 0.0)) == pytest.approx(
        math.log(2)
    )


@pytest.mark.parametrize("batch_size", [4, 5, 8])
def test_paired_batches_keep_each_pair_in_one_batch(batch_size):
    rng = random.Random(batch_size)
    n = 60
    lengths = [rng.randrange(10, 400) for _ in range(n)]
    pairs = [(0, 1), (5, 2), (10, 11), (20, 33), (40, 41), (59, 3), (7, 8)]
    pair_set = set(pairs)
    batches = paired_batches(lengths, pairs, batch_size, seed=1, epoch=0, chunk=2)
    flat = [i for b in batches for i in b.tolist()]
    assert sorted(flat) == list(range(n))  # every example once
    assert all(len(b) <= batch_size for b in batches)
    seen_pairs = set()
    for b in batches:
        ids = b.tolist()
        for s, u in pairs:
            if s in ids or u in ids:
                assert s in ids and u in ids, (s, u, ids)
                k = ids.index(s)
                assert k % 2 == 0 and ids[k + 1] == u  # side by side, safe first
        found = batch_pairs(b, pair_set)
        assert found.shape[1] == 2
        in_batch = {(ids[a], ids[c]) for a, c in found.tolist()}
        assert in_batch == {p for p in pairs if p[0] in ids}
        seen_pairs |= in_batch
    assert seen_pairs == pair_set
    again = paired_batches(lengths, pairs, batch_size, seed=1, epoch=0, chunk=2)
    assert [b.tolist() for b in again] == [b.tolist() for b in batches]
    other = paired_batches(lengths, pairs, batch_size, seed=1, epoch=1, chunk=2)
    assert [b.tolist() for b in other] != [b.tolist() for b in batches]


def test_batch_pairs_ignores_rows_that_are_no_pair():
    pair_set = {(3, 4), (9, 1)}
    found = batch_pairs(torch.tensor([3, 4, 9, 1, 4, 3, 7]), pair_set)
    assert found.tolist() == [[0, 1], [2, 3]]  # (4, 3) is reversed: not the pair
    assert batch_pairs(torch.tensor([5, 3, 4]), pair_set).tolist() == []  # odd position
    assert batch_pairs(torch.tensor([5, 3, 4]), pair_set).shape == (0, 2)


# --- held-out sets -------------------------------------------------------------------------

# a sentence ends at ., ! or ? followed by whitespace or the end (the long-benign contract)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
# direct refusals: a redirection neither complies nor says no
REFUSALS = re.compile(
    r"\bI (?:can't|cannot|can not|won't|will not)\b|\bI'?m sorry\b|\bI am sorry\b"
    r"|\bI apologi[sz]e\b|\bAs an AI\b|\bI (?:must|have to) (?:decline|refuse)\b"
    r"|\bI(?:'m| am) (?:not able|unable) to\b",
    re.IGNORECASE,
)
HELD_OUT = ("long-benign-heldout", "redirections-heldout")
TRAINING = ("long-benign-train", "redirections-train")


def test_safe_redirection_is_safe_answers_to_harmful_pku_test_requests(data_dir):
    from beavertail.data import pku_qa
    from beavertail.data.judge_sets import hand_written, safe_redirection

    rows = safe_redirection(data_dir)
    assert len(rows) >= 200
    assert all(x.is_safe and not x.categories and not x.severity for x in rows)  # None or 0
    assert len({(x.prompt, x.response) for x in rows}) == len(rows)
    hand = [x for x in rows if x.source.startswith("redirections-heldout:")]
    assert hand == hand_written("redirections-heldout") and len(hand) >= 100
    pku = [x for x in rows if not x.source.startswith("redirections-heldout:")]
    test_pairs = list(pku_qa("test", data_dir))
    answered_unsafely = {x.prompt for x in test_pairs if not x.is_safe}
    labelled_safe = {(x.prompt, x.response) for x in test_pairs if x.is_safe}
    assert len(pku) >= 100
    for x in pku:
        assert (x.prompt, x.response) in labelled_safe and x.prompt in answered_unsafely
        assert not REFUSALS.search(x.response), x.response
        assert len(x.response.split()) >= 12
    assert REFUSALS.search("Sorry, but I can't help with that.")  # the check can see one


def test_long_benign_answers_have_eight_to_twenty_sentences():
    from beavertail.data.judge_sets import long_benign

    rows = long_benign()
    assert len(rows) >= 100
    counts = [len(SENTENCE_END.findall(x.response)) for x in rows]
    assert min(counts) >= 8 and max(counts) <= 20, (min(counts), max(counts))
    assert all(x.is_safe and not x.categories for x in rows)
    assert len({x.prompt for x in rows}) == len(rows)
    assert len(SENTENCE_END.findall("One. Two! Three? Four...")) == 4  # the rule, by hand


def test_long_benign_topics_each_belong_to_one_area_with_ten_answers_or_more():
    from beavertail.data.judge_sets import HAND_WRITTEN, SETS_DIR

    text = (SETS_DIR / HAND_WRITTEN["long-benign-heldout"]).read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    areas: dict[str, set[str]] = {}
    for row in rows:
        areas.setdefault(row["topic"], set()).add(row["area"])
    assert all(len(found) == 1 for found in areas.values()), areas
    assert len({area for found in areas.values() for area in found}) == 5
    counts = Counter(row["topic"] for row in rows)
    assert min(counts.values()) >= 10, counts


def test_short_hand_written_sets_carry_consistent_labels_in_the_bt14_taxonomy():
    from beavertail.data.judge_sets import SETS_DIR
    from beavertail.data.taxonomy import BEAVERTAILS_14, get_taxonomy

    known = set(get_taxonomy(BEAVERTAILS_14).categories)
    read = {
        name: [json.loads(line) for line in (SETS_DIR / name).read_text("utf-8").splitlines()]
        for name in ("alarming_benign.jsonl", "explicit_harmful.jsonl")
    }
    assert all(
        row["is_safe"] and not row.get("categories") for row in read["alarming_benign.jsonl"]
    )
    harmful = read["explicit_harmful.jsonl"]
    assert harmful and all(row["is_safe"] == (not row["categories"]) for row in harmful)
    assert sum(not row["is_safe"] for row in harmful) > len(harmful) // 2
    assert {c for row in harmful for c in row["categories"]} <= known
    pairs = [(row["prompt"], row["response"]) for rows in read.values() for row in rows]
    assert len(set(pairs)) == len(pairs)  # a prompt may come twice: a harmful and a safe answer


def _normal(prompt: str) -> str:
    return " ".join(prompt.split()).casefold()


def test_held_out_hand_written_sets_share_no_prompt_with_training_sets():
    from beavertail.data.judge_sets import HAND_WRITTEN, hand_written, topic_of

    assert set(HAND_WRITTEN) == set(HELD_OUT) | set(TRAINING)
    held = [x for name in HELD_OUT for x in hand_written(name)]
    train = [x for name in TRAINING for x in hand_written(name)]
    assert len(held) >= 200 and len(train) >= 200
    assert not {x.prompt for x in held} & {x.prompt for x in train}
    assert not {_normal(x.prompt) for x in held} & {_normal(x.prompt) for x in train}
    assert not {_normal(x.response) for x in held} & {_normal(x.response) for x in train}
    for h, t in zip(HELD_OUT, TRAINING, strict=True):  # and the topics differ
        assert not {topic_of(x) for x in hand_written(h)} & {topic_of(x) for x in hand_written(t)}
    with pytest.raises(KeyError):
        hand_written("long-benign")


def test_conversation_turns_put_benign_exchanges_before_each_test_request(data_dir):
    from beavertail.data import beavertails_qa, canonical_split
    from beavertail.data.catalog import dataset_path
    from beavertail.data.judge_sets import conversation_turns
    from beavertail.data.readers import iter_rows

    cases = conversation_turns(data_dir, limit=3)
    pairs = [x for x in beavertails_qa(None, data_dir) if canonical_split(x.prompt) == "test"][:3]
    assert [(c.turns, c.example) for c in cases] == [(n, x) for n in (1, 3, 5) for x in pairs]
    reference = {
        row["instruction"]: " ".join(row.get("output", "").split()[:150])
        for _, row in iter_rows(dataset_path("alpaca-eval", data_dir))
    }
    for case in cases:
        roles = [m["role"] for m in case.messages]
        assert roles == ["user", "assistant"] * case.turns + ["user"]
        assert case.messages[-1]["content"] == case.example.prompt
        assert case.response == case.example.response
        questions = [m["content"] for m in case.messages[:-1:2]]
        answers = [m["content"] for m in case.messages[1::2]]
        assert len(set(questions)) == case.turns  # no exchange repeated
        for q, a in zip(questions, answers, strict=True):
            assert canonical_split(q) == "test"  # held-out AlpacaEval instructions
            assert a == reference[q] and 0 < len(a.split()) <= 150
    again = conversation_turns(data_dir, limit=3)
    assert [c.messages for c in again] == [c.messages for c in cases]


# --- stage 2's start state and stage 3's refit (tiny LoRA judge) ---------------------------


@pytest.fixture(scope="module")
def tiny_lora_judge(data_dir: Path, tmp_path_factory: pytest.TempPathFactory, tiny_lora_config):
    """The lm-lora judge of test_judge_v3's ``tiny_lora_run`` (2 decoder layers, 48 pairs,
    one epoch), and PKU rows for a refit: unsafe pairs with categories, and a validation
    slice."""
    import itertools

    from beavertail.data import pku_qa
    from beavertail.moderation import train_moderator

    rows = list(itertools.islice(pku_qa("train", data_dir), 560))
    config = tiny_lora_config
    folder = tmp_path_factory.mktemp("lora-v4")
    train_moderator(rows[:48], rows[48:72], config, folder, progress=False)
    refit_rows = [x for x in rows[72:440] if not x.is_safe and x.categories][:140]
    return folder, config, refit_rows, rows[440:560]


def test_a_saved_lora_judge_is_the_tuning_state_it_was_trained_to(tiny_lora_judge, tmp_path):
    """The judge folder read back as a start state: the keys and values of the state its
    training wrote at the end of its (only) epoch, adapter in float16."""
    from safetensors.torch import load_file

    from beavertail.moderation.train import tuning_state_from_judge

    folder, *_ = tiny_lora_judge
    out = tuning_state_from_judge(folder, tmp_path / "stage2" / "start.safetensors")
    assert out == tmp_path / "stage2" / "start.safetensors"
    state, trained = load_file(out), load_file(folder / "epoch-0.safetensors")
    assert set(state) == set(trained)
    assert any(k.startswith("tuned.") and ".lora_A.default.weight" in k for k in state)
    assert any(k.startswith("severity.") for k in state) and "head.net.1.weight" in state
    for key, value in trained.items():
        assert state[key].dtype == torch.float32
        torch.testing.assert_close(state[key], value.float(), atol=2e-3, rtol=2e-3)
    assert not any(k in state for k in ("temperatures", "category_thresholds"))


def _max_f1(truth: np.ndarray, scores: np.ndarray) -> float:
    """F1 at the best threshold, every distinct score tried (by brute force)."""
    best = 0.0
    for t in np.unique(scores):
        pred = scores >= t
        tp = float((pred & truth).sum())
        best = max(best, 2 * tp / (2 * tp + float((pred & ~truth).sum() + (~pred & truth).sum())))
    return best


def _validation_view(judge, validation):
    """The judge's features, logits and flags on validation, and the category truth."""
    prompts, responses = [x.prompt for x in validation], [x.response for x in validation]
    x_val = judge.window_outputs(prompts, responses, cache=True)[0]
    logits = judge.logits_from_features(x_val)
    flagged = 1 / (1 + np.exp(-logits[:, 0] / judge.temperatures[0])) >= judge.threshold
    truth = np.array([[c in x.categories for c in judge.categories] for x in validation])
    return x_val, logits, flagged, truth


def _head_copy(judge):
    linear = judge.head.net[-1]
    severity = {k: v.detach().clone() for k, v in judge.severity_head.state_dict().items()}
    return linear.weight.detach().clone(), linear.bias.detach().clone(), severity


@pytest.mark.slow
def test_refit_keeps_the_harm_row_and_takes_a_category_row_only_when_better(tiny_lora_judge):
    from beavertail.moderation.moderator import Moderator
    from beavertail.moderation.train import refit_output_heads

    folder, config, refit_rows, validation = tiny_lora_judge
    judge = Moderator.load(folder)
    x_val, old, flagged, truth = _validation_view(judge, validation)
    weight, bias, severity = _head_copy(judge)
    adapter = {k: v.clone() for k, v in judge.adapter.items()}
    config = config.model_copy(update={"min_category_support": 10})
    strengths = (0.01, 0.1, 1.0)
    chosen = refit_output_heads(
        judge, refit_rows, validation, config, False, strengths, rare_category_threshold=0.77
    )
    linear = judge.head.net[-1]
    assert torch.equal(linear.weight[0], weight[0]) and linear.bias[0] == bias[0]
    assert all(torch.equal(judge.adapter[k], v) for k, v in adapter.items())
    new = judge.logits_from_features(x_val)
    np.testing.assert_allclose(new[:, 0], old[:, 0], atol=1e-6)  # the harm score: untouched
    known = Counter(c for x in refit_rows for c in x.categories)
    changed = 0
    for k, name in enumerate(judge.categories, start=1):
        kept = torch.equal(linear.weight[k], weight[k]) and linear.bias[k] == bias[k]
        if name not in chosen["categories"]:  # too few training positives to fit
            assert kept and not 5 <= known[name] < len(refit_rows), name
            continue
        record, column = chosen["categories"][name], truth[flagged, k - 1]
        before = _max_f1(column, old[flagged, k]) if column.any() else float("nan")
        if kept:
            assert record["strength"] is None, name
            assert record["validation_f1"] == pytest.approx(before, abs=1e-6, nan_ok=True)
        else:
            changed += 1
            assert record["strength"] in strengths, name
            assert record["validation_f1"] == pytest.approx(
                _max_f1(column, new[flagged, k]), abs=1e-4
            )
            assert not record["validation_f1"] <= before + 1e-3, name  # better than before
    assert changed >= 1 and len(chosen["categories"]) >= 4
    # categories rare on validation are named above the threshold passed in
    support = truth.sum(0)
    assert (support < 10).any() and (support >= 10).any()
    np.testing.assert_allclose(judge.category_thresholds[support < 10], 0.77)
    assert chosen["rare_category_threshold"] == 0.77
    assert "category_macro_f1" in chosen["validation"]
    # the severity head (a linear map of the raw features) is replaced only by a fit that
    # names the level of more validation pairs; the accuracy recorded is the one kept
    levels = np.array([x.severity - 1 if not x.is_safe and x.severity else -1 for x in validation])
    rows = levels >= 0
    assert rows.sum() >= 20

    def accuracy(state: dict[str, torch.Tensor]) -> float:
        scores = x_val[rows] @ state["weight"].numpy().T + state["bias"].numpy()
        return float((scores.argmax(1) == levels[rows]).mean())

    now = {k: v.detach().clone() for k, v in judge.severity_head.state_dict().items()}
    record = chosen["severity"]
    if all(torch.equal(now[k], v) for k, v in severity.items()):
        assert record["strength"] is None
        assert record["validation_accuracy"] == pytest.approx(accuracy(severity))
    else:
        assert record["strength"] in strengths
        assert record["validation_accuracy"] == pytest.approx(accuracy(now), abs=1e-6)
        assert record["validation_accuracy"] > accuracy(severity) + 0.02 - 1e-6  # the gain rule


def test_refit_keeps_every_row_a_fit_does_not_beat(tiny_lora_judge, monkeypatch):
    """Regressions that learn nothing (zero weights: one score for every pair, whose F1 is
    that of flagging all) never beat the tuned rows: the head keeps all of its weights, and
    the record says so; categories rare on validation get the threshold passed in."""
    import sklearn.linear_model

    from beavertail.moderation.moderator import Moderator
    from beavertail.moderation.train import refit_output_heads

    class Uninformed(sklearn.linear_model.LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            super().fit(X, y, sample_weight)
            self.coef_ = np.zeros_like(self.coef_)
            return self

    monkeypatch.setattr(sklearn.linear_model, "LogisticRegression", Uninformed)
    folder, config, refit_rows, validation = tiny_lora_judge
    judge = Moderator.load(folder)
    _, old, flagged, truth = _validation_view(judge, validation)
    weight, bias, _ = _head_copy(judge)
    chosen = refit_output_heads(
        judge, refit_rows, validation, config, False, (0.1, 1.0), rare_category_threshold=0.6
    )
    assert torch.equal(judge.head.net[-1].weight, weight)
    assert torch.equal(judge.head.net[-1].bias, bias)
    assert len(chosen["categories"]) >= 4
    for k, name in enumerate(judge.categories, start=1):
        if name in chosen["categories"]:
            record, column = chosen["categories"][name], truth[flagged, k - 1]
            assert record["strength"] is None
            if column.any():
                assert record["validation_f1"] == pytest.approx(_max_f1(column, old[flagged, k]))
    rare = truth.sum(0) < config.min_category_support  # 20 validation positives
    assert rare.any() and (~rare).any()
    np.testing.assert_allclose(judge.category_thresholds[rare], 0.6)
    assert chosen["rare_category_threshold"] == 0.6
