"""Training code for the learned heads (not installed: used by tools/ and benchmarks/ from a checkout)."""
