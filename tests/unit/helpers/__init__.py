"""Helpers shared by the test modules of tests/unit: one module per test module they
came from."""
