"""Benchmarks of pss_theory (see bench/README.md)."""
