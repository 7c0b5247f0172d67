"""The API's request models (pydantic): a bad request fails alone with a 400 naming the field,
before it can reach a batch it would share with others."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

MAX_BODY_BYTES = 1 << 20  # a request body larger than this is refused with 413
MAX_MESSAGES = 256
MAX_MESSAGE_CHARS = 32_000
MAX_CHOICES = 128  # n: a sanity cap; the engine refuses n over its batch (max_batch_size)
MAX_MODERATION_INPUTS = 64
MAX_TOP_LOGPROBS = 20
MIN_SAMPLING_TEMPERATURE = 0.01  # below this (but > 0) logits / T overflow: use 0 for greedy
SEED_RANGE = (0, 2**63 - 1)  # what torch.Generator.manual_seed takes without wrapping

Text = Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)]


class TextPart(BaseModel):
    type: Literal["text"]
    text: Text


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")  # name, tool fields, … are not used

    role: Literal["system", "user", "assistant"]
    content: Text | list[TextPart]

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: StrictBool = False


class _SamplingRequest(BaseModel):
    """What both generation requests share: the model and the sampling settings (other
    fields that clients send by default are ignored)."""

    model_config = ConfigDict(extra="ignore")

    model: str | None = None
    temperature: float = Field(0.0, ge=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    seed: StrictInt = Field(0, ge=SEED_RANGE[0], le=SEED_RANGE[1])

    @field_validator("temperature")
    @classmethod
    def _sampling_temperature(cls, value: float) -> float:
        if 0 < value < MIN_SAMPLING_TEMPERATURE:
            raise ValueError(f"use 0 for greedy decoding or at least {MIN_SAMPLING_TEMPERATURE}")
        return value


class ChatCompletionRequest(_SamplingRequest):
    """The part of OpenAI's chat completion request this server honours."""

    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    max_tokens: StrictInt | None = Field(None, ge=1)
    max_completion_tokens: StrictInt | None = Field(None, ge=1)
    n: StrictInt = Field(1, ge=1, le=MAX_CHOICES, description="Choices (n > 1 without stream).")
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    logprobs: StrictBool = False
    top_logprobs: StrictInt | None = Field(None, ge=0, le=MAX_TOP_LOGPROBS)

    @model_validator(mode="after")
    def _choices_are_not_streamed(self) -> ChatCompletionRequest:
        if self.n > 1 and self.stream:
            raise ValueError("n > 1 is answered without streaming; set stream to false")
        if self.logprobs and self.stream:
            raise ValueError("logprobs are returned without streaming; set stream to false")
        if self.top_logprobs is not None and not self.logprobs:
            raise ValueError("top_logprobs needs logprobs: true")
        return self

    def logprob_alternatives(self) -> int | None:
        """None: no logprobs; k: the chosen token's and the k most likely ones'."""
        return (self.top_logprobs or 0) if self.logprobs else None

    @field_validator("messages")
    @classmethod
    def _has_user_turn(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        if not any(m.role == "user" for m in messages):
            raise ValueError("at least one message must come from the user")
        return messages

    def requested_tokens(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens

    def conversation(self) -> list[dict[str, str]]:
        return [{"role": m.role, "content": m.text()} for m in self.messages]


class CompletionRequest(_SamplingRequest):
    """OpenAI's (legacy) completions request: a raw prompt, continued as it is (no chat
    template); what judges with their own prompt formats are served through."""

    prompt: Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS * 4)]
    max_tokens: StrictInt = Field(16, ge=1)
    n: StrictInt = Field(1, ge=1, le=MAX_CHOICES)
    stream: StrictBool = False
    logprobs: StrictInt | None = Field(None, ge=0, le=MAX_TOP_LOGPROBS)

    @model_validator(mode="after")
    def _not_streamed_with_extras(self) -> CompletionRequest:
        if self.stream and (self.n > 1 or self.logprobs is not None):
            raise ValueError("n > 1 and logprobs are answered without streaming")
        return self


class PairInput(BaseModel):
    prompt: Text
    response: Text


class ConversationInput(BaseModel):
    """A conversation (chat messages), and optionally the answer to it, judged whole."""

    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    response: Text | None = None


Item = Text | PairInput | ConversationInput
ModerationItem = tuple[list[dict[str, str]], str | None]  # (conversation, response)


class ModerationRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str | None = None
    input: Item | list[Item] = Field(
        description="A text, a {prompt, response} pair, a {messages, response?} conversation, "
        "or a list of them."
    )

    @field_validator("input")
    @classmethod
    def _bounded(cls, value: object) -> object:
        if isinstance(value, list) and not 1 <= len(value) <= MAX_MODERATION_INPUTS:
            raise ValueError(f"give between 1 and {MAX_MODERATION_INPUTS} inputs")
        return value

    def items(self) -> list[ModerationItem]:
        """Each input as (conversation, response): a pair is a one-turn conversation, a
        plain text ([], text): judged as an answer (a prompt-only judge reads it as a turn)."""
        items = self.input if isinstance(self.input, list) else [self.input]
        out: list[ModerationItem] = []
        for item in items:
            if isinstance(item, PairInput):
                out.append(([{"role": "user", "content": item.prompt}], item.response))
            elif isinstance(item, ConversationInput):
                messages = [{"role": m.role, "content": m.text()} for m in item.messages]
                out.append((messages, item.response or ""))
            else:
                out.append(([], item))
        return out
