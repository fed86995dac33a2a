"""Prints the robustness summary line after the run (counts from harness.TALLY)."""

from tests.robustness.harness import TALLY


def pytest_terminal_summary(terminalreporter):
    if TALLY.inputs:
        terminalreporter.write_line(TALLY.summary(), bold=True)
