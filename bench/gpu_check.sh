#!/usr/bin/env bash
# One short GPU session (an H100 or H200 with CuPy, numpy, scipy, pytest and hypothesis installed):
# the GPU tests, then the paper-scale checks, each printing the card it ran on, then issue 21's bench cases
# beside their baselines (bench/check_stages.py: Theorem 7 against two applies or S generated twice;
# bench/e1_throughput.py: E.1's forward pass in GB/s at 2^22 lookups per call). Output under ${OUT:-gpu_out}.
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
python -m bench.check_stages --device gpu --n 10000000 2>&1 | tee "$out/check_stages.txt"
python -m bench.e1_throughput --device gpu --n 67108864 2>&1 | tee "$out/e1_throughput.txt"
