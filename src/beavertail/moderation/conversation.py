"""Conversations as judges read them: cut into pieces that fit a judge's window, every turn judged.

A judge reads a fixed number of tokens at once (the shipped ``prompt`` judge 126, a pair judge's
prompt side about a third of its window), so a conversation joined into one text loses
everything past its first window: a harmful request after a 200-token benign turn is never
read. This module is the one place where conversations are read by judges:

- :func:`conversation_pieces` cuts a role-labelled conversation (OpenAI-style messages) into
  :class:`Piece` s that each fit a window of ``tokens`` tokens of a tokenizer:

  * every user and system turn on its own (``kind="turn"``), whole when it fits, else in
    overlapping windows (none dropped); the newest user turn is always among them;
  * windows of turns over the role-labelled transcript (``kind="context"``), anchored at the
    end: the first holds the newest turn with as much preceding context as fits, the next ones
    reach further back, overlapping, so a request split across turns is read together;
  * what a turn hides (``decode=True``): the parts of a turn separated by fake chat-template
    markers (``<|im_end|>``, ``[INST]``, ``### Assistant:``, ...; ``kind="segment"``) and the
    plain text of base64, leetspeak and spaced-out letters (``kind="decoded"``), and the first
    and last sentences of a turn longer than a window (``kind="segment"``,
    :func:`edge_sentences`), so that a long benign preamble does not dilute a request.

  Each piece has ``text`` (for judges that read a text) and ``messages`` (for judges that read
  a conversation, e.g. the field's chat-template judges).
- :func:`judge_conversations` judges conversations with any judge (the
  :class:`~beavertail.moderation.judge.Judge` protocol: ``predict`` over prompts, or (prompt,
  response) pairs): all pieces of all conversations in one batched call, in the judge's own
  window (:func:`judge_window`), and each conversation's verdict is its most harmful piece's,
  with the piece named in ``verdict.raw["conversation"]``.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from beavertail.moderation.judge import Judge, JudgeWindow, fallback_window
from beavertail.moderation.unparsed import UnparsedVerdictError
from beavertail.moderation.verdict import Verdict

Message = Mapping[str, str]  # {"role": "user" | "system" | "assistant", "content": str}
PieceKind = Literal["turn", "context", "segment", "decoded"]
JUDGED_ROLES = ("user", "system")  # turns judged on their own (assistant turns: as context)
STRIDE = 0.75  # consecutive windows start this share of a window apart (a quarter overlaps)
SAFETY_TOKENS = 2  # decoding a window and encoding it again can add a token or two


@dataclass(frozen=True)
class Piece:
    """One part of a conversation that a judge reads at once.

    ``text`` is what a text judge reads: one turn's text as it is (or a window of it), or
    several turns as ``role: content`` lines. ``messages`` holds the same as messages (a window
    of a long turn is one message with that window). ``first_turn`` .. ``turn`` are the indices
    of the messages it covers; ``window`` numbers the windows of one turn (0 when whole)."""

    text: str
    messages: tuple[dict[str, str], ...]
    turn: int
    first_turn: int
    kind: PieceKind
    window: int = 0

    def describe(self) -> dict[str, Any]:
        """What a verdict records about the piece it came from."""
        out: dict[str, Any] = {"turn": self.turn, "piece": self.kind}
        if self.first_turn != self.turn:
            out["first_turn"] = self.first_turn
        if self.window:
            out["window"] = self.window
        return out


# -- cutting ----------------------------------------------------------------------------
def transcript(messages: Sequence[Message]) -> str:
    """Messages as one text: the content alone for one message, else ``role: content`` lines."""
    if len(messages) == 1:
        return messages[0]["content"]
    return "\n".join(f"{m['role']}: {m['content']}" for m in messages)


def newest_user_turn(conversation: Sequence[Message]) -> int | None:
    """The index of the last user message (None when there is none)."""
    for index in range(len(conversation) - 1, -1, -1):
        if conversation[index]["role"] == "user":
            return index
    return None


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


def _windows(ids: list[int], size: int, stride: int) -> list[tuple[int, int]]:
    """Spans of at most ``size`` tokens covering ``ids``, ``stride`` apart (the last one
    reaches the end)."""
    if len(ids) <= size:
        return [(0, len(ids))]
    starts = list(range(0, len(ids) - size + stride, stride))
    return [(s, min(s + size, len(ids))) for s in starts]


def _turn_pieces(
    tokenizer: Any, text: str, role: str, turn: int, size: int, stride: float, kind: PieceKind
) -> list[Piece]:
    """One text of one turn: whole when it fits ``size`` tokens, else overlapping windows."""
    ids = _ids(tokenizer, text)
    spans = _windows(ids, size, max(1, int(size * stride)))
    if len(spans) == 1:
        return [Piece(text, ({"role": role, "content": text},), turn, turn, kind)]
    out = []
    for k, (start, end) in enumerate(spans):
        window = tokenizer.decode(ids[start:end])
        out.append(Piece(window, ({"role": role, "content": window},), turn, turn, kind, k))
    return out


def _context_pieces(
    tokenizer: Any, conversation: Sequence[Message], size: int, stride: float
) -> list[Piece]:
    """Windows of role-labelled turns, anchored at the conversation's end: the first holds the
    last turns with as much preceding context as fits; each next one ends ``stride`` of a
    window before the previous one ends, so they overlap and every two neighbouring turns meet
    in some window. A turn that does not fit a window whole enters it by its end."""
    contents = [_ids(tokenizer, m["content"]) for m in conversation]
    header = [len(_ids(tokenizer, f"{m['role']}: ")) + 1 for m in conversation]  # + newline
    offsets = list(itertools.accumulate((len(ids) for ids in contents), initial=0))
    last_index = len(contents) - 1

    def owner(position: int) -> int:  # the message holding content token ``position``
        return min(bisect.bisect_right(offsets, position) - 1, last_index)

    pieces: list[Piece] = []
    end = offsets[-1]
    while True:
        last = owner(max(end - 1, 0))
        start, used, first = end, 0, last
        for index in range(last, -1, -1):  # grow backwards; a message costs its header
            room = size - used - header[index]
            if room <= 0:
                break
            have = start - offsets[index]
            take = min(room, have)
            start, used, first = start - take, used + header[index] + take, index
            if take < have:
                break
        messages = []
        for index in range(first, last + 1):
            lo, hi = max(start, offsets[index]), min(end, offsets[index + 1])
            if lo == offsets[index] and hi == offsets[index + 1]:
                content = conversation[index]["content"]
            else:
                content = tokenizer.decode(
                    contents[index][lo - offsets[index] : hi - offsets[index]]
                )
            messages.append({"role": conversation[index]["role"], "content": content})
        text = "\n".join(f"{m['role']}: {m['content']}" for m in messages)
        pieces.append(Piece(text, tuple(messages), last, first, "context", len(pieces)))
        if start <= 0:
            break
        end -= max(1, int((end - start) * stride))
    return pieces


CONTROL_TOKENS = (  # chat-template control strings: Llama 3 / 4, ChatML, Mistral, Gemma
    r"<\|[^|<>\n]{1,40}\|>"  # <|im_start|>, <|eot_id|>, <|end|>, ...
    r"|\[/?INST\]|<</?SYS>>|</?s>|<(?:start|end)_of_turn>|<bos>|<eos>"
)
_MARKERS = re.compile(
    CONTROL_TOKENS + r"|(?im:^[ \t]*(?:#{1,3}[ \t]*)?(?:system|user|assistant|human|ai)[ \t]*:)"
)
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s",
                       "$": "s", "7": "t", "+": "t", "8": "b", "9": "g"})  # fmt: skip
_LEET_WORD = re.compile(r"(?=[A-Za-z0-9@$!+]*[A-Za-z])(?=[A-Za-z0-9@$!+]*[0-9@$!+])"
                        r"[A-Za-z0-9@$!+]{2,}[.,;:?]?")  # fmt: skip
_LEET_ANY = re.compile(r"(?=\S*[0-9@$!+])[A-Za-z0-9@$!+]+[.,;:?]?")


_ROLE_LINE = re.compile(r"(?i)^(?:system|user|assistant|human|ai|model)\s*(?:\n|:)\s*")


def segments(text: str) -> list[str]:
    """``text`` cut at fake chat-template markers (an end of turn and a new "user" turn written
    inside one message), each part without the role name that follows a marker; one
    segment when there are none."""
    parts = [_ROLE_LINE.sub("", p.strip()).strip() for p in _MARKERS.split(text)]
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 else [text]


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
EDGE_SHARE = 0.25  # of a window: the first and the last sentences of a long turn, read alone


def edge_sentences(tokenizer: Any, text: str, size: int) -> list[str]:
    """The first and the last sentences of a text longer than a window (each up to
    ``EDGE_SHARE`` of it, at least one sentence), so that a request written before or after
    a long benign text is also read without it diluting the request; none for a text that
    fits a window."""
    if len(_ids(tokenizer, text)) <= size:
        return []
    sentences = [x.strip() for x in _SENTENCE_BREAK.split(text) if x.strip()]
    budget = max(8, int(size * EDGE_SHARE))
    out = []
    for ordered in (sentences, sentences[::-1]):
        taken: list[str] = []
        used = 0
        for sentence in ordered:
            tokens = len(_ids(tokenizer, sentence))
            if taken and used + tokens > budget:
                break
            taken.append(sentence)
            used += tokens
        out.append(" ".join(taken if ordered is sentences else taken[::-1]))
    return out


def decoded_variants(text: str) -> list[str]:
    """Plain readings of obfuscated text: base64 runs decoded, leetspeak mapped to letters,
    spaced or dotted single letters joined; none when the text holds no such thing."""
    out = []
    for run in _BASE64.findall(text):
        try:
            plain = base64.b64decode(run + "=" * (-len(run) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        printable = sum(c.isprintable() or c.isspace() for c in plain)
        if plain.strip() and printable >= 0.95 * len(plain) and re.search(r"[A-Za-z]{3}", plain):
            out.append(plain)
    words = text.split()
    if sum(bool(_LEET_WORD.fullmatch(w)) for w in words) >= 2:  # then short ones ("4") too
        out.append(" ".join(w.translate(_LEET) if _LEET_ANY.fullmatch(w) else w for w in words))
    singles = [w for w in re.split(r"\s+", text.strip()) if w]
    if len(singles) >= 6 and sum(len(w) == 1 for w in singles) >= 0.6 * len(singles):
        joined = re.sub(r"(?<=\S) (?=\S)", "", text)  # one space inside a word, two between
        out.append(re.sub(r"\s{2,}", " ", joined).strip())
    dotted = re.sub(r"\b(\w)[-.*_](?=\w\b)", r"\1", text)
    if dotted != text and len(dotted) < 0.8 * len(text):
        out.append(dotted)
    return [v for v in dict.fromkeys(out) if v.strip() and v != text]


def conversation_pieces(
    conversation: Sequence[Message],
    tokenizer: Any,
    tokens: int,
    *,
    stride: float = STRIDE,
    decode: bool = True,
    roles: Sequence[str] = JUDGED_ROLES,
) -> list[Piece]:
    """The pieces of one conversation that a judge reading ``tokens`` tokens of ``tokenizer``
    at once must judge (see the module's docstring). ``roles``: the turns judged on their own
    (every turn is also read in the windows of turns). An empty conversation is one empty
    piece (a judge then reads the response alone)."""
    if tokens < 8:
        raise ValueError(f"a window must hold at least 8 tokens, not {tokens}")
    if not conversation:
        return [Piece("", (), 0, 0, "turn")]
    size = tokens - SAFETY_TOKENS
    newest = newest_user_turn(conversation)
    pieces: list[Piece] = []
    for index, message in enumerate(conversation):
        role, content = message["role"], message["content"]
        if role not in roles and index != newest:
            continue
        if not content.strip() and index != newest:
            continue
        pieces += _turn_pieces(tokenizer, content, role, index, size, stride, "turn")
        if not decode:
            continue
        parts = segments(content)
        for part in parts if len(parts) > 1 else []:
            pieces += _turn_pieces(tokenizer, part, role, index, size, stride, "segment")
        for edge in edge_sentences(tokenizer, content, size):
            pieces += _turn_pieces(tokenizer, edge, role, index, size, stride, "segment")
        for plain in decoded_variants(content):
            pieces += _turn_pieces(tokenizer, plain, role, index, size, stride, "decoded")
    if len(conversation) > 1:
        pieces += _context_pieces(tokenizer, conversation, size, stride)
    unique: dict[str, Piece] = {}
    for piece in pieces:  # a window of turns identical to a turn's own text adds nothing
        unique.setdefault(piece.text, piece)
    return list(unique.values())


# -- judging ----------------------------------------------------------------------------
def judge_window(judge: Judge) -> JudgeWindow:
    """The prompt-side window a judge declares (:meth:`Judge.conversation_window`: the
    tokenizer it reads with and how many prompt tokens fit); an object that declares none
    gets the default LM's tokenizer and 1,024 tokens."""
    declared = getattr(judge, "conversation_window", None)
    if callable(declared):
        window = declared()
        assert isinstance(window, JudgeWindow)
        return window
    return fallback_window(judge)


def _rank(verdict: Verdict) -> tuple[bool, bool, float]:
    """Most harmful first: a parsed flag (by score), then an unparsed verdict, then the rest."""
    score = verdict.score if verdict.score is not None else 0.0
    return (verdict.flagged and not verdict.unparsed, verdict.unparsed, score)


def _aggregate(
    verdicts: Sequence[Verdict], owners: Sequence[int], pieces: Sequence[Piece], count: int
) -> list[Verdict]:
    """Each conversation's most harmful piece's verdict (all its fields, OOD ones included),
    naming the piece in ``raw``, with how many pieces were judged and how many were out of
    the judge's distribution (``ood_pieces``)."""
    best: dict[int, int] = {}
    for row, owner in enumerate(owners):
        if owner not in best or _rank(verdicts[row]) > _rank(verdicts[best[owner]]):
            best[owner] = row
    out = []
    for index in range(count):
        rows = [r for r, o in enumerate(owners) if o == index]
        chosen = verdicts[best[index]]
        where = pieces[best[index]].describe() | {"pieces": len(rows)}
        outside = sum(verdicts[r].in_distribution is False for r in rows)
        if outside:
            where["ood_pieces"] = outside
        out.append(replace(chosen, raw={**(chosen.raw or {}), "conversation": where}))
    return out


def judge_conversations(
    judge: Judge,
    conversations: Sequence[Sequence[Message]],
    responses: Sequence[str] | None = None,
    *,
    window: JudgeWindow | None = None,
    stride: float = STRIDE,
    decode: bool = True,
    progress: bool = False,
    batch_size: int | None = None,
    before_batch: Callable[[], None] | None = None,
) -> list[Verdict]:
    """One verdict per conversation: every piece of it (:func:`conversation_pieces` in the
    judge's window) judged in one batched ``predict`` call, the most harmful piece's verdict
    kept, with ``raw["conversation"]`` naming it (``turn``, ``piece`` kind, ``window``, and how
    many ``pieces`` were judged).

    A prompt-only judge (``judge.spec.input == "prompt"``) judges the pieces as prompts
    (``responses`` are ignored); a pair judge judges (piece, response) pairs, the response
    ``""`` when ``responses`` is None. An empty conversation is judged as an empty prompt
    (a pair judge then reads the response alone). Under an unparsed policy of ``error``
    (:mod:`beavertail.moderation.unparsed`) the error names the conversations, not the pieces.

    ``batch_size``: judge the pieces in calls of at most this many (None: one call), calling
    ``before_batch()`` before each; it may raise to stop (a deadline, a client gone).
    """
    if responses is not None and len(responses) != len(conversations):
        raise ValueError(f"{len(conversations)} conversations but {len(responses)} responses")
    if not conversations:
        return []
    window = window or judge_window(judge)
    prompt_only = judge.spec.input == "prompt"
    texts: list[str] = []
    answers: list[str] = []
    owners: list[int] = []
    pieces: list[Piece] = []
    for index, conversation in enumerate(conversations):
        cut = conversation_pieces(
            conversation, window.tokenizer, window.tokens, stride=stride, decode=decode
        )
        for piece in cut:
            texts.append(piece.text)
            answers.append(responses[index] if responses is not None else "")
            owners.append(index)
            pieces.append(piece)
    step = batch_size or len(texts)
    verdicts: list[Verdict] = []
    failed = False
    for start in range(0, len(texts), step):
        if before_batch is not None:
            before_batch()
        batch = slice(start, start + step)
        try:
            verdicts += judge.predict(texts[batch], None if prompt_only else answers[batch],
                                      progress)  # fmt: skip
        except UnparsedVerdictError as error:  # kept until every piece is judged
            verdicts += error.verdicts
            failed = True
    merged = _aggregate(verdicts, owners, pieces, len(conversations))
    rows = [i for i, v in enumerate(merged) if v.unparsed] if failed else []
    if rows:  # a conversation with a parsed flag is decided whatever its other pieces say
        raise UnparsedVerdictError(rows, merged)
    return merged
