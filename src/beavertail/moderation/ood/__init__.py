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
from beavertail.moderation.ood.guard import OODGuard, pass_rate_threshold

__all__ = [
    "DETECTORS",
    "Energy",
    "FeatureBank",
    "Mahalanobis",
    "MaxSoftmax",
    "NearestNeighbour",
    "OODDetector",
    "OODGuard",
    "ProxyTrained",
    "pass_rate_threshold",
]
