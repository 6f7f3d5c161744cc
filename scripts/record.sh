#!/usr/bin/env bash
# Re-record every scenario cassette against a fresh local ACR Transfer service, then check them
# against the REST spec (when ../shared/tools/check_cassettes.py is there). One command: `make record`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
home=$(mktemp -d /tmp/acrt-record.XXXXXX)
stop() { python -m acrtransfer_emulator stop --home "$home" >/dev/null 2>&1 || true; rm -rf "$home"; }
trap stop EXIT
python -m acrtransfer_emulator start --home "$home" --mode sync --config tests/scenario/service_config.json >/dev/null
# shellcheck disable=SC1091
source "$home/env.sh"
export AZURE_TEST_RUN_LIVE=True
# Always the whole suite, from an empty folder: the testsdk deletes the cassette of every test it
# collects in live mode (selected or not), and no cassette of a renamed test may linger.
rm -f tests/scenario/recordings/*.yaml
python -m pytest tests/scenario -q -p no:cacheprovider
checker=../shared/tools/check_cassettes.py
if [ -f "$checker" ]; then python "$checker" tests/scenario/recordings; fi
