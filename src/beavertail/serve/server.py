"""Build the guarded server from a :class:`ServeConfig`, and run it with uvicorn."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI

from beavertail.models.causal import LoadedLM, load_lm, load_tokenizer
from beavertail.moderation.judge import resolve_judge
from beavertail.moderation.ood.policy import with_ood_policy
from beavertail.moderation.unparsed import with_unparsed_policy
from beavertail.monitor.stream import StreamMonitor
from beavertail.serve.app import create_app
from beavertail.serve.config import ServeConfig
from beavertail.serve.engine import Engine
from beavertail.serve.guard import GuardStack, redact_url
from beavertail.serve.proxy import UpstreamEngine
from beavertail.serve.serving import ModerationLimits

log = logging.getLogger("beavertail.serve")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def build_guard_stack(
    config: ServeConfig, lm: LoadedLM | None
) -> tuple[GuardStack, dict[str, Any]]:
    """The guards a config asks for, and a description of them for /v1/models (the upstream's
    URL redacted; thresholds only with ``expose_scores``)."""
    guards = GuardStack(on_unparsed=config.on_unparsed, expose_scores=config.expose_scores)
    described: dict[str, Any] = (
        {"upstream": redact_url(config.upstream.url)} if config.upstream
        else {"base_model": config.model}
    )  # fmt: skip
    loaded: dict[str, Any] = {}

    def judge(reference: str) -> Any:
        """Each judge once, its unparsed verdicts under the server's policy."""
        if reference not in loaded:
            loaded[reference] = with_unparsed_policy(resolve_judge(reference), config.on_unparsed)
        return loaded[reference]

    if config.steering is not None:
        from beavertail.steering.apply import load_steerer

        assert lm is not None
        steerer = load_steerer(lm, config.steering)
        layer, coefficient = steerer.config.layer, steerer.config.coefficient
        guards.hooks, guards.steerer = steerer.hooks, steerer
        described["steering"] = {
            "vectors": config.steering.vectors,
            "layer": layer,
            "coefficient": coefficient,
        }
    if config.input_moderation is not None:
        i = config.input_moderation
        guards.input_judge = judge(i.moderator)
        guards.input_threshold = i.threshold
        guards.input_message = i.message
        described["input_moderation"] = {"moderator": i.moderator}
    if config.output_moderation is not None:
        o = config.output_moderation
        confirmer = judge(o.confirm_with) if o.confirm_with else None
        guards.monitor = StreamMonitor(judge(o.moderator), o, confirmer, o.confirm_threshold)
        guards.monitor.disclose_category = config.expose_scores
        described["output_moderation"] = {
            "moderator": o.moderator,
            "check_every": o.check_every,
            "confirm_with": o.confirm_with,
            "on_ood": o.on_ood,
        }
        if config.expose_scores:
            described["output_moderation"]["threshold"] = guards.monitor.threshold
    if config.best_of_n is not None:
        from beavertail.preference import load_score_model

        b = config.best_of_n
        guards.reward = load_score_model(b.reward_model, "reward")
        guards.cost = load_score_model(b.cost_model, "cost")
        if b.skip_ood and all(
            getattr(m, "ood", None) is None for m in (guards.reward, guards.cost)
        ):
            raise ValueError(
                "best_of_n.skip_ood needs a reward or cost model with an OOD detector; fit one "
                "with `beavertail prefs ood-fit MODEL`"
            )
        guards.best_of_n = b
        described["best_of_n"] = {"n": b.n, "skip_ood": b.skip_ood}
        if config.expose_scores:
            described["best_of_n"]["cost_threshold"] = b.cost_threshold
    if config.guided is not None and lm is not None:
        from beavertail.decoding import GuidedGenerator, load_heuristic

        guards.guided = GuidedGenerator(lm, load_heuristic(config.guided), config.guided)
        described["guided"] = config.guided.model_dump()
    described["on_unparsed"] = config.on_unparsed
    return guards, described


def build_app(config: ServeConfig, lm: LoadedLM | None = None) -> FastAPI:
    """Load the model, guards and judge a config names; returns the app (engine inside)."""
    engine: Engine | UpstreamEngine
    if config.upstream is not None:  # a guard proxy: only the tokenizer, to count tokens
        guards, described = build_guard_stack(config, None)
        tokenizer = load_tokenizer(config.model)
        engine = UpstreamEngine(
            config.upstream, guards, tokenizer, config.max_queue, config.max_batch_size
        )
    else:
        lm = lm or load_lm(config.model)
        guards, described = build_guard_stack(config, lm)
        engine = Engine(
            lm, guards, config.max_batch_size, config.max_queue, config.batching == "continuous"
        )
    judge = None
    if config.moderations_model:
        judge = with_ood_policy(resolve_judge(config.moderations_model), config.moderations_ood)
        judge = with_unparsed_policy(judge, config.on_unparsed)
    app = create_app(
        engine,
        config.model_name,
        judge,
        config.resolved_api_key(),
        config.max_tokens_limit,
        config.default_max_tokens,
        described,
        config.max_prompt_tokens,
        config.request_timeout,
        ModerationLimits(config.moderations_max_queue, config.moderations_timeout),
        config.expose_scores,
    )
    app.state.engine = engine
    return app


def serve(config: ServeConfig, log_level: str = "info") -> None:
    """Run the server until interrupted."""
    import uvicorn

    if config.host not in LOOPBACK and not config.resolved_api_key():
        log.warning(
            "serving on %s without an API key: anyone who can reach it can use the model "
            "(set api_key_env)",
            config.host,
        )
    if config.host not in LOOPBACK and config.expose_scores:
        log.warning(
            "serving on %s with expose_scores: responses carry the guards' scores, thresholds "
            "and stop positions (set expose_scores: false for untrusted clients)",
            config.host,
        )
    app = build_app(config)
    uvicorn.run(app, host=config.host, port=config.port, log_level=log_level)
