"""Streaming moderation: prefix-trained moderators (or probes on the generating model's own
safety neurons) that stop harmful answers mid-generation."""

from beavertail.data.prefixes import DEFAULT_FRACTIONS, cut_words, prefix_examples
from beavertail.monitor.neurons import (
    NeuronMonitor,
    NeuronStreamMonitor,
    fit_producing_probe,
    producing_features,
)
from beavertail.monitor.prefixes import (
    default_prefix_moderator,
    default_prefix_moderator_dir,
    train_prefix_moderator,
)
from beavertail.monitor.replay import checkpoints, evaluate_streaming
from beavertail.monitor.stream import (
    MonitorConfig,
    MonitoredGeneration,
    MonitoredRows,
    StopDecision,
    StreamMonitor,
    guarded_decode,
    monitored_generate,
)

__all__ = [
    "DEFAULT_FRACTIONS",
    "MonitorConfig",
    "MonitoredGeneration",
    "MonitoredRows",
    "NeuronMonitor",
    "NeuronStreamMonitor",
    "StopDecision",
    "StreamMonitor",
    "checkpoints",
    "cut_words",
    "default_prefix_moderator",
    "default_prefix_moderator_dir",
    "evaluate_streaming",
    "fit_producing_probe",
    "guarded_decode",
    "monitored_generate",
    "prefix_examples",
    "producing_features",
    "train_prefix_moderator",
]
