"""Stadsdata: an open-source Urban Data Platform for Dutch municipalities."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stadsdata")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
