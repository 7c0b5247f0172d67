"""The embedded default models' references (plain strings: importing them loads nothing)."""

DEFAULT_LM = "embedded:SmolLM2-135M-Instruct"
DEFAULT_ENCODER = "embedded:all-MiniLM-L6-v2"
