#!/usr/bin/env bash
# Everything sigma-es needs beyond `npm install`, from the package registries only:
#   - Debian packages the engine provisioning uses (Maven, unzip, a JDK), when missing;
#   - the real engines from Maven Central (Elasticsearch integ-test distribution, OpenSearch);
#   - the Lucene oracle used by the regex tests (Maven Central);
#   - pySigma in a throw-away venv (PyPI), a dev tool for the parity test and benchmarks.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
command -v mvn >/dev/null || need+=(maven)
command -v unzip >/dev/null || need+=(unzip)
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need[*]} from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "setup: please install ${need[*]} (e.g. sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

bash scripts/engine/provision.sh
bash scripts/lucene-oracle-build.sh
bash scripts/pysigma/install.sh
echo "setup: done" >&2
