#!/usr/bin/env bash
# Set-up and entry points for a fresh machine of this project's kind (Debian, Python 3.11, root).
#   ./dev.sh app [app options]   set up, build the index if missing, start the web app
#   ./dev.sh test [pytest args]  set up (Chromium included), run the whole test suite
#   ./dev.sh gate                the quality gate: bench/eval.py on the test split against bench/baseline.json
#   ./dev.sh qa ARGS             set up, run the command-line tool (qa index, qa search, qa ask)
#   ./dev.sh setup               only set up the virtual environment
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
PY=$VENV/bin/python

setup_python() {
    local stamp=$VENV/.installed
    local want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return
    fi
    [ -x "$PY" ] || python3 -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip
    # torch first and pinned: an unpinned torch would pull a multi-GB CUDA build.
    "$PY" -m pip install --quiet "torch==2.13.0"
    "$PY" -m pip install --quiet -e ".[dev]"
    echo "$want" > "$stamp"
}

setup_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return
    fi
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False

case "${1:-}" in
    setup)
        setup_python
        ;;
    app)
        shift
        setup_python
        exec "$PY" app.py "$@"
        ;;
    test)
        shift
        setup_python
        setup_chromium
        "$PY" -m ruff check qa tests bench app.py
        "$PY" -m mypy
        exec "$PY" -m pytest "$@"
        ;;
    qa)
        shift
        setup_python
        exec "$VENV/bin/qa" "$@"
        ;;
    gate)
        setup_python
        exec "$PY" bench/eval.py --sets test shared --no-baseline --check-baseline
        ;;
    *)
        echo "usage: ./dev.sh app|test|qa|gate|setup" >&2
        exit 2
        ;;
esac
