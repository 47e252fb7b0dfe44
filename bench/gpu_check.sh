#!/usr/bin/env bash
# One short GPU session (an H100 or H200 with CuPy, numpy, scipy, pytest and hypothesis installed):
# the GPU tests, then the paper-scale checks, each printing the card it ran on. Output under ${OUT:-gpu_out}.
# --yes: the time guard prices a run on a 2-core CPU (measure/cost.py); on a GPU it overestimates.
set -u
out=${OUT:-gpu_out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/card.txt"
python -m pip install -q --no-deps --no-build-isolation -e . || exit 1
python -m pytest -q -m gpu 2>&1 | tail -5 | tee "$out/gpu_tests.txt"
for cmd in \
  "verify.theorem6 --device gpu --n 1e8 --d 128 --trials 1 --yes" \
  "verify.theorem7 --device gpu --n 1e8 --d 128 --yes" \
  "verify.theorem4 --device gpu --n 1e8 --d 128 --pairs 1e6 --yes" \
  "verify.robez_timing --device gpu --quick"; do
  name=$(echo "$cmd" | cut -d' ' -f1 | cut -d. -f2)
  /usr/bin/time -f "$name wall %e s, peak RSS %M KB" python -m $cmd --out "$out/$name" --quiet 2>&1 | tail -2 | tee -a "$out/times.txt"
done
