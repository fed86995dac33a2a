"""Helpers shared by the test modules of tests/workflow: one module per test module
they came from."""
