"""Category-wise activation steering: extract harm vectors, route, and steer generation."""

from beavertail.steering.apply import CategorySetting, Steerer, SteeringSettings
from beavertail.steering.data import SteeringData, default_steering_data
from beavertail.steering.extract import (
    ExtractionConfig,
    extract_refusal_direction,
    extract_vectors,
    train_router,
)
from beavertail.steering.router import CategoryRouter, Route
from beavertail.steering.vectors import ALL_HARM, SteeringVectors

__all__ = [
    "ALL_HARM",
    "CategoryRouter",
    "CategorySetting",
    "ExtractionConfig",
    "Route",
    "Steerer",
    "SteeringData",
    "SteeringSettings",
    "SteeringVectors",
    "default_steering_data",
    "extract_refusal_direction",
    "extract_vectors",
    "train_router",
]
