#!/usr/bin/env bash
# README command 2: set everything up, then run every test: the native unit tests (plain,
# AddressSanitizer+UBSan, ThreadSanitizer), the C host under ASan, and the pytest suite
# (Python core, C ABI through cffi, C host).
set -euo pipefail
cd "$(dirname "$0")/.."
PARLEY_WITH_MONO=1 bash scripts/setup.sh   # Mono stands in for Unity in tests/unity

PYBIND11_DIR=$(.venv/bin/python -m pybind11 --cmakedir)
for sanitize in none address thread; do
  dir=build/native-$sanitize
  echo "== native tests ($sanitize)"
  cmake -S . -B "$dir" -G Ninja -DPARLEY_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DPARLEY_SANITIZE="$([ $sanitize = none ] && echo "" || echo $sanitize)" \
        -DPython_EXECUTABLE="$PWD/.venv/bin/python" -Dpybind11_DIR="$PYBIND11_DIR" \
        -DPARLEY_TEST_PYTHON_HOME="$PWD/.venv" >/dev/null
  cmake --build "$dir" >/dev/null
  # halt_on_error: any sanitizer report fails the run.
  ASAN_OPTIONS=halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 TSAN_OPTIONS=halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure
done

echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: the suite is missing, which is a failure" >&2
  exit 1
fi
exit $rc
