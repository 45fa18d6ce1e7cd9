"""Benchmarks for pmbot; `python -m bench.filing` is the filing benchmark (see bench/README.md)."""
