#!/usr/bin/env bash
# Device check (issues 40 item 18, 41): each external judge family's architecture, a LoRA SFT
# step, a DPO step, the serving engine and batch invariance, on CUDA, from tiny randomly
# initialised models - nothing is downloaded and no weights travel. One PASS/FAIL line per
# check; exit 1 if any fails; without CUDA it says so and exits 0 (--cpu: run on the CPU).
# Bounded to 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec timeout 480 "$PY" scripts/device_check.py "$@"
