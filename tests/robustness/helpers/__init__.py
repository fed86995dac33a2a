"""Helpers shared by the test modules of tests/robustness: one module per test module
they came from (the harness itself is harness.py)."""
