#!/usr/bin/env bash
# Create a separate virtual environment for neural-tangents 0.6.5 and install
# the exact pins from requirements.txt.
#
#   usage: bash setup.sh [VENV_DIR]      (default: .nt-venv)
#          PYTHON=python3.11 bash setup.sh /path/to/venv
#
# Needs Python 3.11 (jaxlib 0.4.23 / tensorflow 2.15.1 have no wheels for 3.13+).
# Downloads ~1 GB of wheels (tensorflow); the venv is ~2 GB.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${1:-.nt-venv}"
PY="${PYTHON:-python3}"

"$PY" -c 'import sys; v=sys.version_info[:2]; assert (3,9)<=v<=(3,11), f"need Python 3.9-3.11 (tested 3.11), got {v}"'

"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -r "$HERE/requirements.txt"

TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" "$HERE/nt_kernel_fn.py" --sanity
echo "neural-tangents venv ready: $VENV"
echo "run: $VENV/bin/python $HERE/nt_kernel_fn.py --n 1000 --depth 10"
