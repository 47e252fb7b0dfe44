"""The one validation module: what each checker takes, exactly, and the one line it refuses with."""
import numpy as np
import pytest

from pss_theory import validate
from pss_theory.errors import InputError


@pytest.mark.parametrize("given, want", [(3, 3), ("3", 3), ("+12", 12), ("1e6", 10**6), ("1_000", 1000), (2.0, 2),
                                         (np.int64(7), 7), ("9007199254740992", 2**53), (2**53, 2**53)])
def test_counts_are_taken_exactly(given, want):
    got = validate.count("n", given)
    assert got == want and type(got) is int


@pytest.mark.parametrize("given", [2**53 + 1, "9007199254740993", "1e16", 0, "0", -3, "2.5", 2.5, True, "nan", "ten"])
def test_counts_outside_one_to_2_53_are_refused(given):
    with pytest.raises(InputError):
        validate.count("n", given)


def test_an_integer_keeps_every_digit():
    """A text of digits is not read through a float: 2^53 + 1 would round to 2^53 there."""
    assert validate.integer("x", "9007199254740993") == 2**53 + 1
    assert validate.integer("x", 10**30) == 10**30
    with pytest.raises(InputError, match=">= 1"):
        validate.integer("x", "0", minimum=1)
