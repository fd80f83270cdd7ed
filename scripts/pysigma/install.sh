#!/usr/bin/env bash
# Throw-away pySigma venv used only by dev tooling (table export, benchmarks, parity checks).
# pySigma is never a runtime dependency of sigma-es. Idempotent: re-running only installs what is missing.
# Usage: scripts/pysigma/install.sh            -> venv in .cache/pysigma
#        PYSIGMA_VENV=/some/dir scripts/pysigma/install.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${PYSIGMA_VENV:-$ROOT/.cache/pysigma}"
# Pinned so the exported tables (src/pipeline/builtin/*.data.json) are reproducible; bump together
# with a fresh export. Override with PYSIGMA_UNPINNED=1 to try the latest releases.
PACKAGES=(
  pysigma==1.5.1
  pysigma-backend-elasticsearch==2.1.0
  pysigma-pipeline-sysmon==2.0.0
  pysigma-backend-kusto==1.0.1
)
if [ "${PYSIGMA_UNPINNED:-}" = 1 ]; then PACKAGES=("${PACKAGES[@]%%==*}"); fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi

# Skip the network when the pinned versions are already installed.
missing="$(printf '%s\n' "${PACKAGES[@]}" | tr 'A-Z_' 'a-z-' | sort | comm -23 - <("$VENV/bin/pip" freeze --disable-pip-version-check 2>/dev/null | tr 'A-Z_' 'a-z-' | sort))"
if [ -z "$missing" ] && [ "${PYSIGMA_UNPINNED:-}" != 1 ]; then
  echo "pySigma venv ready: $VENV"
  exit 0
fi

"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
"$VENV/bin/python" -c 'import sigma.pipelines.sysmon, sigma.pipelines.elasticsearch.windows, sigma.pipelines.microsoftxdr'
echo "pySigma venv ready: $VENV"
