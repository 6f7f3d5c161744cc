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
# ACRT_COMPARE_WITH=<dir>: compare the new cassettes with an earlier recording at the end (a report,
# not a gate: see scripts/compare_recordings.py). The current cassettes are kept for it if named.
compare_with=${ACRT_COMPARE_WITH:-}
if [ -n "$compare_with" ] && [ "$(realpath "$compare_with")" = "$(realpath tests/scenario/recordings)" ]; then
    cp -r tests/scenario/recordings "$home/previous"
    compare_with=$home/previous
fi
rm -f tests/scenario/recordings/*.yaml
python -m pytest tests/scenario -q -p no:cacheprovider
checker=../shared/tools/check_cassettes.py
if [ -f "$checker" ]; then python "$checker" tests/scenario/recordings; fi
if [ -n "$compare_with" ]; then
    echo "Compared with $ACRT_COMPARE_WITH:"
    python scripts/compare_recordings.py "$compare_with" tests/scenario/recordings ||
        echo "(differences above; timing-dependent ones are expected, see scripts/compare_recordings.py)"
fi
