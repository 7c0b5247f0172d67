"""beavertail: measure and reduce the harmfulness of LLMs while keeping them helpful."""

__version__ = "0.1.0"
