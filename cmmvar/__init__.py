"""cmmvar: find the genetic cause of congenital mirror movements (CMM) in families."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cmmvar")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
