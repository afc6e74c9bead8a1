"""Benchmark scripts: run with `.venv/bin/python -m bench.NAME` from the repo root.

Each starts the product on its own database (tests.live), compares against a
baseline measured in the same run, prints ratios, and stops everything it
started. Results are recorded in docs/benchmarks.md.
"""
