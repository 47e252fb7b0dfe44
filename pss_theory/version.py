"""The package version, in a module of its own so that records can name it without importing the package."""
__version__ = "0.1.0"
