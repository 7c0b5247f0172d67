"""The embedded default models' references (plain strings: importing them loads nothing)."""

DEFAULT_LM = "embedded:SmolLM2-135M-Instruct"
DEFAULT_ENCODER = "embedded:all-MiniLM-L6-v2"

# Influence attribution: the answer wanted instead of an unsafe one (a query's contrast).
DEFAULT_CONTRAST = "I'm sorry, but I can't help with that."
