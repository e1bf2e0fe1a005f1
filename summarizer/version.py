"""The package version (a contract module: anything may import it without pulling in the library)."""

__version__ = "0.1.0"
