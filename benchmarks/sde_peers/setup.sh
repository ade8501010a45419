#!/usr/bin/env bash
# Create the peer-benchmark venv for benchmarks/bench_sde.py: sdeint and torchsde (CPU torch).
#
# The product (numerics.sde) does NOT depend on torch or sdeint; only this venv has them.
# torch is pinned to 2.13.0: pip then takes the CPU wheel from the local wheelhouse
# (find-links in pip.conf) instead of downloading a multi-GB CUDA build.
#
# Usage: bash benchmarks/sde_peers/setup.sh [VENV_DIR]   (default /work/sdevenv)
set -euo pipefail
VENV="${1:-/work/sdevenv}"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "torch==2.13.0" "torchsde" "sdeint" "numpy"
"$VENV/bin/python" - <<'PY'
import numpy, sdeint, torch, torchsde
print(f"torch {torch.__version__}, torchsde {torchsde.__version__}, sdeint {getattr(sdeint, '__version__', '?')}, numpy {numpy.__version__}")
assert not torch.cuda.is_available() or True
PY
