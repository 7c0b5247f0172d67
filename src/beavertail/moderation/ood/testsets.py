"""Real out-of-distribution test sets for a judge's detector; none is used for training or for
tuning the proxies. Each returns (prompt, response) pairs as ``QAExample`` (labels unused)."""

from __future__ import annotations

import ast
import random
import sysconfig
from pathlib import Path

from beavertail.artifacts import read_run
from beavertail.data.catalog import data_dir
from beavertail.data.loaders import load_qa
from beavertail.data.records import QAExample
from beavertail.moderation.ood.fit import sample


def _pair(prompt: str, response: str, source: str) -> QAExample:
    return QAExample(prompt, response, (), True, None, source)


def diasafety_unseen(count: int = 400, root: str | Path | None = None) -> list[QAExample]:
    """Social-chat pairs of diasafety that the judge mix does not carry."""
    from beavertail.moderation.training_mix import moderation_mix

    mix = moderation_mix(root, with_generated=False, progress=False)
    used = {(x.prompt, x.response) for x in mix.train + mix.validation}
    rows = load_qa(data_dir(root) / "diasafety" / "diasafety.jsonl", {"categories": "__none__"})
    unseen = [x for x in rows if (x.prompt, x.response) not in used and x.response.strip()]
    return sample(unseen, count, seed=30)


def stdlib_pairs(count: int = 300, seed: int = 30) -> list[QAExample]:
    """Code and documentation that ship with Python's standard library: a function's
    docstring answering "what does it do", and its source answering "show the code"."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found: list[QAExample] = []
    for path in sorted(root.glob("*.py")):
        if path.name.startswith(("_", "test", "antigravity", "this")):
            continue
        try:
            source = path.read_text("utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError):
            continue
        module = path.stem
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            doc = ast.get_docstring(node)
            code = ast.get_source_segment(source, node)
            if doc and len(doc.split()) >= 8:
                found.append(
                    _pair(f"What does {module}.{node.name} do?", doc, f"stdlib-doc:{module}")
                )
            if code and 5 <= code.count("\n") <= 40:
                prompt = f"Show me how {node.name} is implemented in Python's {module} module."
                found.append(_pair(prompt, code, f"stdlib-code:{module}"))
    rng = random.Random(seed)
    return sorted(rng.sample(found, min(count, len(found))), key=found.index)


def spacy_sentences() -> dict[str, list[str]]:
    """Example sentences per language from spaCy's ``lang/*/examples.py`` (read, not
    imported); needs ``pip install spacy``."""
    import importlib.util

    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the non-English OOD set reads spaCy's examples: pip install spacy"
        )
    out: dict[str, list[str]] = {}
    for path in sorted(Path(spec.submodule_search_locations[0]).glob("lang/*/examples.py")):
        code = path.parent.name
        if code in ("en", "xx"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "sentences" for t in node.targets
            ):
                try:
                    values = ast.literal_eval(node.value)
                except ValueError:
                    continue
                out[code] = [s for s in values if isinstance(s, str) and s.strip()]
    return {k: v for k, v in out.items() if v}


def non_english_pairs(count: int = 300, seed: int = 30) -> list[QAExample]:
    """Answers of 2-4 sentences in one of spaCy's languages (about 60, English excluded)."""
    by_language = spacy_sentences()
    rng = random.Random(seed)
    languages = sorted(by_language)
    out = []
    for i in range(count):
        code = languages[i % len(languages)]
        sentences = by_language[code]
        picked = rng.sample(sentences, min(len(sentences), rng.randint(2, 4)))
        out.append(_pair("Say something in your language.", " ".join(picked), f"spacy:{code}"))
    return out


def toxicchat_pairs(
    count: int = 200, seed: int = 30, root: str | Path | None = None
) -> list[QAExample]:
    """ToxicChat test prompts (real user prompts) with the embedded LM's greedy answers."""
    from beavertail.moderation.recipes import prompt_examples
    from beavertail.moderation.training_mix import embedded_answers

    rows = prompt_examples(data_dir(root) / "prompt-moderation/toxicchat_test_5083.jsonl", "tc")
    rng = random.Random(seed)
    prompts = [rows[i].prompt for i in sorted(rng.sample(range(len(rows)), count))]
    answers = embedded_answers(prompts, progress=False)
    return [_pair(p, a, "toxicchat") for p, a in zip(prompts, answers, strict=True) if a.strip()]


def attack_pairs(folder: str | Path, setting: str = "temp-1.3") -> list[QAExample]:
    """The answers of one decoding setting of a saved ``eval attack`` run (all its samples),
    e.g. the temperature-1.3 answers of the generation-exploitation attack."""
    files = sorted(Path(folder).glob(f"{setting}#*.jsonl")) or sorted(
        Path(folder).glob(f"{setting}.jsonl")
    )
    if not files:
        raise FileNotFoundError(
            f"{folder}: no {setting} run files; make them with `beavertail eval attack --out "
            f"{folder} --temperatures 1.3`"
        )
    out = []
    for path in files:
        for r in read_run(path)[1]:
            if r["answer"].strip():
                out.append(_pair(r["prompt"], r["answer"], f"attack:{path.stem}"))
    return out
