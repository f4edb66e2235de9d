#!/usr/bin/env bash
# Executes the notebooks headless against a `scoway export` directory.
#
#   .ci/notebooks.sh EXPORT_DIR
#
# Creates (or reuses) a virtual environment with the pinned packages of
# notebooks/requirements.txt, then runs every cell of notebooks/*.ipynb with nbclient, with
# SCOWAY_EXPORT=EXPORT_DIR. A cell that raises fails the script (non-zero exit). The executed
# copies, with their outputs, are written to EXPORT_DIR/notebooks/; the notebooks in the
# repository stay without outputs.
#
# Environment: PYTHON (default python3), SCOWAY_NOTEBOOK_VENV (default target/notebook-venv),
# SCOWAY_NOTEBOOK_TIMEOUT (seconds per cell, default 600).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 EXPORT_DIR   (a directory written by \`scoway export --out DIR\`)" >&2
    exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$1/manifest.json" ]; then
    echo "error: $1 is not a scoway export (no manifest.json); run \`scoway export --out $1\` first" >&2
    exit 2
fi
export_dir=$(cd "$1" && pwd)
venv=${SCOWAY_NOTEBOOK_VENV:-$repo/target/notebook-venv}
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    echo "creating the notebook environment in $venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$repo/notebooks/requirements.txt"

mkdir -p "$export_dir/notebooks"
SCOWAY_EXPORT="$export_dir" "$venv/bin/python" - "$repo/notebooks" "$export_dir/notebooks" <<'PY'
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

source, target = Path(sys.argv[1]), Path(sys.argv[2])
timeout = int(os.environ.get("SCOWAY_NOTEBOOK_TIMEOUT", "600"))
notebooks = sorted(source.glob("*.ipynb"))
if not notebooks:
    sys.exit(f"error: no notebooks in {source}")
failed = []
for path in notebooks:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(source)}})
    start = time.monotonic()
    try:
        client.execute()
        status = "ok"
    except CellExecutionError as err:
        status = "FAILED"
        failed.append(path.name)
        print(err, file=sys.stderr)
    finally:
        nbformat.write(nb, target / path.name)
    print(f"{path.name}: {status} ({time.monotonic() - start:.1f} s), executed copy in {target / path.name}")
if failed:
    sys.exit(f"error: notebook(s) failed: {', '.join(failed)}")
PY
