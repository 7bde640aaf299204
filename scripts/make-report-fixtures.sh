#!/usr/bin/env bash
# Regenerates test/fixtures/reports/<project>/ from the real tools (Debian's python3 has them).
# Each project is copied to a fixed workspace path and the tools run there the way
# src/runner/tool-steps.ts and test-step.ts run them, so reports hold absolute workspace paths
# exactly as a job writes them. Outputs carry timestamps: rerunning changes them, nothing else.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
python=/usr/bin/python3
workspace=/tmp/pylot-work/jobs/fixture-1/src
scratch=/tmp/pylot-work/jobs/fixture-1/tmp
out_root="$here/test/fixtures/reports"

fresh_workspace() {
  rm -rf "$workspace" "$scratch"
  mkdir -p "$workspace" "$scratch"
  cp -R "$1/." "$workspace/"
  find "$workspace" -name __pycache__ -prune -exec rm -rf {} +
}

# Runs a tool whose non-zero exit only means "found something".
tolerate() { "$@" || true; }

lint_reports() {
  local out="$1" package="$2"
  (cd "$workspace" && tolerate $python -m flake8 --format=default --output-file="$out/flake8.txt" --tee >/dev/null)
  (cd "$workspace" && tolerate $python -m black --check --diff . >"$out/black.diff" 2>/dev/null)
  (cd "$workspace" && PYLINTHOME="$scratch/pylint" tolerate $python -m pylint --output-format=parseable --recursive=y . >"$out/pylint.txt")
  (cd "$workspace" && tolerate $python -m mypy "$package" --python-executable $python \
    --cache-dir "$scratch/mypy-cache" >"$out/mypy.txt")
  (cd "$workspace" && tolerate $python -m mypy "$package" --python-executable $python \
    --cache-dir "$scratch/mypy-cache" --show-column-numbers --show-error-end >"$out/mypy-columns.txt")
  (cd "$workspace" && tolerate $python -m bandit -q -r "$package" -f json -o "$out/bandit.json" -i)
}

test_reports() {
  local out="$1"
  (
    cd "$workspace"
    export COVERAGE_FILE="$scratch/.coverage"
    PYTEST_ADDOPTS="--junitxml=$out/junit.xml" tolerate $python -m coverage run -m pytest -q -p no:cacheprovider >/dev/null
    $python -m coverage xml -o "$out/coverage.xml" >/dev/null
    $python -m coverage json -o "$out/coverage.json" >/dev/null
    $python -m coverage report --precision=2 >"$out/coverage-report.txt"
    tolerate $python -m pytest -q -p no:cacheprovider -o junit_family=xunit1 \
      --junitxml="$out/junit-xunit1.xml" >/dev/null
  )
}

# JUnit XML only: pytest collecting unittest test cases.
junit_reports() {
  local out="$1"
  (cd "$workspace" && tolerate $python -m pytest -q -p no:cacheprovider --junitxml="$out/junit.xml" >/dev/null)
}

generate() {
  local name="$1" package="$2" kinds="$3"
  local out="$out_root/$name"
  rm -rf "$out" && mkdir -p "$out"
  fresh_workspace "$here/$4"
  [[ "$kinds" == *lint* ]] && lint_reports "$out" "$package"
  [[ "$kinds" == *test* ]] && test_reports "$out"
  [[ "$kinds" == *junit* ]] && junit_reports "$out"
  rm -rf "$workspace" "$scratch"
  echo "wrote $out"
}

# A pull request's patch as the PR files API gives it (hunks only): cart.py before the PR had
# neither checkout() nor receipt().
cart_patch() {
  local base="$scratch/cart-base.py"
  mkdir -p "$scratch"
  cat >"$base" <<'PY'
"""Shopping cart arithmetic, with one finding of each kind on purpose."""

import os


def total(prices, discount=0):
    """Sum prices, minus a discount in percent."""
    amount = sum(prices)
    if discount:
        amount = amount * (100 - discount) / 100
    return round(amount, 2)
PY
  diff -u "$base" "$here/test/fixtures/reports/project/shop/cart.py" | tail -n +3 >"$out_root/shop/cart.patch" || true
  echo "wrote $out_root/shop/cart.patch"
}

generate shop shop lint,test test/fixtures/reports/project
cart_patch
generate okcalc okcalc test test/fixtures/projects/ok
generate messy messy lint test/fixtures/projects/lint-fail
generate vault vault lint test/fixtures/projects/insecure
generate arithmetic tests junit test/fixtures/projects/failing-test
