from __future__ import annotations

import numpy as np

from beavertail.moderation import binary_metrics, expected_calibration_error, roc_auc
from beavertail.moderation.calibration import apply_temperatures, fit_temperature
from beavertail.moderation.metrics import best_f1_threshold


def test_binary_metrics_counts():
    m = binary_metrics(np.array([1, 1, 0, 0, 1]), np.array([1, 0, 1, 0, 1]))
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (2, 1, 1, 1)
    assert m["precision"] == 2 / 3 and m["recall"] == 2 / 3 and abs(m["f1"] - 2 / 3) < 1e-12


def test_roc_auc_with_ties_matches_pair_counting():
    rng = np.random.default_rng(0)
    y = rng.random(200) < 0.4
    s = np.round(rng.random(200) + y * 0.3, 1)  # many ties
    pos, neg = s[y], s[~y]
    expected = (
        (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    ) / (len(pos) * len(neg))
    assert abs(roc_auc(y, s) - expected) < 1e-12
    assert roc_auc(np.array([0, 1]), np.array([0.1, 0.9])) == 1.0


def test_ece_zero_for_perfect_calibration_and_large_for_overconfidence():
    y = np.array([0] * 50 + [1] * 50)
    assert expected_calibration_error(y, np.full(100, 0.5)) == 0.0
    assert expected_calibration_error(np.zeros(100), np.full(100, 0.95)) > 0.9


def test_temperature_fit_recovers_true_temperature():
    rng = np.random.default_rng(1)
    true_logits = rng.normal(0, 2, 20000)
    y = (rng.random(20000) < 1 / (1 + np.exp(-true_logits))).astype(float)
    t = fit_temperature(y, true_logits * 3.0)  # over-confident by a factor 3
    assert abs(t - 3.0) < 0.25
    probs = apply_temperatures((true_logits * 3.0)[:, None], np.array([t]))[:, 0]
    assert expected_calibration_error(y, probs) < 0.02


def test_best_threshold_separates_when_possible():
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.7])
    t = best_f1_threshold(y, p)
    assert 0.3 < t <= 0.6


def test_training_config_from_yaml_and_toml(tmp_path):
    import pytest

    from beavertail.moderation import ModerationTrainingConfig

    load_training_config = ModerationTrainingConfig.load

    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("epochs: 5\nspec:\n  backend: lm-probe\n  lm_layers: [4, 8]\n")
    config = load_training_config(yaml_file)
    assert (
        config.epochs == 5 and config.spec.backend == "lm-probe" and config.spec.lm_layers == [4, 8]
    )
    toml_file = tmp_path / "c.toml"
    toml_file.write_text('learning_rate = 0.01\n[spec]\ninput = "prompt"\n')
    config = load_training_config(toml_file)
    assert config.learning_rate == 0.01 and config.spec.input == "prompt"
    bad = tmp_path / "bad.yaml"
    bad.write_text("epoch: 5\n")
    with pytest.raises(ValueError, match=r"bad\.yaml: unknown setting 'epoch'"):
        load_training_config(bad)
    with pytest.raises(ValueError, match=r"unknown setting 'spec\.layers'"):
        ModerationTrainingConfig.parse({"spec": {"layers": 3}})
    with pytest.raises(ValueError, match=r"spec\.backend: Input should be .encoder."):
        ModerationTrainingConfig.parse({"spec": {"backend": "bert"}})
    with pytest.raises(ValueError, match="threshold_rule"):
        ModerationTrainingConfig.parse({"threshold_rule": "precision"})
    # one precedence rule: flags over the file over the caller's defaults
    config = load_training_config(toml_file, defaults={"epochs": 7}, learning_rate=0.5)
    assert (config.learning_rate, config.epochs, config.spec.input) == (0.5, 7, "prompt")
    config = load_training_config(toml_file, spec={"max_length": 64, "backend": None})
    assert (config.spec.max_length, config.spec.input) == (64, "prompt")
