import pytest

import pss_theory as p
from pss_theory.backend import Backend
from pss_theory.errors import InputError
from pss_theory.measure import memory


def test_blocks_shrink_to_fit_and_refuse_when_they_cannot(monkeypatch):
    S = p.sketch("gaussian", k=1024, n=10**6)
    d = 128
    fixed = memory.fixed_bytes(S, d, 10)
    full = S.default_block_rows()
    monkeypatch.setattr(Backend, "available_bytes", lambda self: 1e12)
    assert memory.plan_block_rows(S, d, None) == full
    tight = (fixed + memory.block_bytes(S, d, full // 4)) / memory.MARGIN
    monkeypatch.setattr(Backend, "available_bytes", lambda self: tight)
    rows = memory.plan_block_rows(S, d, None)
    assert rows <= full // 4 and fixed + memory.block_bytes(S, d, rows) <= memory.MARGIN * tight
    monkeypatch.setattr(Backend, "available_bytes", lambda self: fixed / 2)
    with pytest.raises(InputError, match="needs about .* GiB"):
        memory.plan_block_rows(S, d, None)


def test_out_of_memory_retries_with_halved_blocks():
    S = p.sketch("countsketch", k=64, n=10**5)
    seen = []

    def run(rows):
        seen.append(rows)
        if rows > 5000:
            raise MemoryError
        return rows

    assert memory.with_retry(run, S, 40000) == 5000
    assert seen == [40000, 20000, 10000, 5000]

    def always(rows):
        raise MemoryError

    with pytest.raises(InputError, match="out of memory"):
        memory.with_retry(always, S, 4096)
