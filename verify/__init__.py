"""Command line of pss-theory: ``python -m verify`` and ``python -m verify.<check>``.

The commands parse arguments, call the library, print and write what it returns; they compute no
mathematics of their own.
"""
