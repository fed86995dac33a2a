"""cmmvar: find the genetic cause of congenital mirror movements (CMM) in families."""

# The one place the version is written (pyproject.toml reads it from here): a constant, so
# that a command's start-up does not pay for importlib.metadata.
__version__ = "0.1.0"
