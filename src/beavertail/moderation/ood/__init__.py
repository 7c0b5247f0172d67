"""Out-of-distribution detection for the judges, trained on synthetic proxies (Abbas et al.)."""

from beavertail.moderation.ood.detectors import (
    DETECTORS,
    Energy,
    FeatureBank,
    Mahalanobis,
    MaxSoftmax,
    NearestNeighbour,
    OODDetector,
    ProxyTrained,
)
from beavertail.moderation.ood.fitted import FittedOODDetector, pass_rate_threshold

__all__ = [
    "DETECTORS",
    "Energy",
    "FeatureBank",
    "FittedOODDetector",
    "Mahalanobis",
    "MaxSoftmax",
    "NearestNeighbour",
    "OODDetector",
    "ProxyTrained",
    "pass_rate_threshold",
]
