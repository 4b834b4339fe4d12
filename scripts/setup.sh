#!/usr/bin/env bash
# Set up paint-gym on a fresh Debian/Ubuntu machine: the system library, a venv, torch, the package.
# Environment: PYTHON (python3), VENV (.venv), TORCH_SPEC (torch==2.13.0; any pip requirement),
# EXTRAS (dev,rl; `make rllib-venv` uses rllib), EXTRA_PACKAGES (more pip requirements, space-separated).
set -euo pipefail
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
EXTRAS=${EXTRAS:-dev,rl}
EXTRA_PACKAGES=${EXTRA_PACKAGES:-}
PACKAGES="libmypaint-1.5-1 mypaint-brushes"

have_libmypaint() {
  "$PYTHON" - <<'PY'
import ctypes, ctypes.util, os, sys
path = os.environ.get("PAINT_GYM_LIBMYPAINT") or ctypes.util.find_library("mypaint-1.5") or "libmypaint-1.5.so.1"
try:
    ctypes.CDLL(path)
except OSError:
    sys.exit(1)
PY
}
have_brushes() { [ -f /usr/share/mypaint-data/1.0/brushes/classic/dry_brush.myb ] || [ -n "${PAINT_GYM_BRUSH_DIR:-}" ]; }

if ! have_libmypaint || ! have_brushes; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
        echo "paint-gym needs the MyPaint brush engine. Run this, then retry:" >&2
        echo "  sudo apt-get install -y $PACKAGES" >&2
        exit 1
      fi
    fi
    echo ">> installing $PACKAGES"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PACKAGES
  else
    echo "paint-gym needs libmypaint and mypaint-brushes; install them with your package manager:" >&2
    echo "  Fedora: sudo dnf install libmypaint mypaint-brushes" >&2
    echo "  macOS:  brew install libmypaint mypaint-brushes" >&2
    echo "  conda:  conda install -c conda-forge libmypaint mypaint-brushes" >&2
    exit 1
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo ">> creating venv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
echo ">> installing $TORCH_SPEC and paint-gym[$EXTRAS] $EXTRA_PACKAGES into $VENV"
"$VENV/bin/python" -m pip install -q "$TORCH_SPEC"
# shellcheck disable=SC2086  # EXTRA_PACKAGES is a list of requirements
"$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]" $EXTRA_PACKAGES
