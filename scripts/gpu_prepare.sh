#!/usr/bin/env bash
# Put in .gpu/ (ignored by git, carried to the GPU machine by naming it in the device tool's
# `carry`) what scripts/gpu_train_agents.sh needs there and the bare machine lacks, then print the
# size of everything that will travel (the limit is 64 MiB: tracked files, untracked files git
# does not ignore, and .gpu/):
#
#   .gpu/whl/      pure-Python wheels of gymnasium and tyro (+ their needs) for Python 3.12
#   .gpu/lib/      libmypaint and libjson-c of this (x86-64, glibc 2.36) machine; lib/extra/: glib & co,
#                  used there only if the machine lacks them
#   .gpu/brushes/  the classic MyPaint brushes (.myb), the ones this machine paints with
#   .gpu/data/     the training splits of MNIST, KMNIST and CelebA (scripts/gpu_data.py pack)
#
#   bash scripts/gpu_prepare.sh            # DATA=/path/to/data (default: $PAINT_GYM_DATA)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-${PAINT_GYM_DATA:?set PAINT_GYM_DATA or DATA to the folder holding mnist.npz, kmnist.npz, celeba64.npz}}
PY=${PY:-.venv/bin/python}
G=.gpu
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >>.git/info/exclude
mkdir -p $G/whl $G/lib/extra $G/brushes

# wheels: the versions this checkout's environment runs (pure Python: any platform)
if ! ls $G/whl/tyro-*.whl >/dev/null 2>&1; then
  pkgs=()
  for p in gymnasium farama-notifications tyro docstring-parser typeguard typing-extensions; do
    pkgs+=("$p==$("$PY" -c "import importlib.metadata as m; print(m.version('$p'))")")
  done
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux2014_x86_64 -d $G/whl "${pkgs[@]}"
fi

# libmypaint as this machine loads it, and the libraries it needs beyond glibc
lib=$("$PY" -c "from paint_gym.painters import libmypaint; print(libmypaint.load()._name)")
lib=$(readlink -f "$(ldconfig -p | awk -v n="$(basename "$lib")" '$1 == n {print $NF; exit}')" 2>/dev/null || readlink -f "$lib")
cp -L "$lib" $G/lib/libmypaint-1.5.so.1
for dep in libjson-c.so.5; do cp -L "$(ldd "$lib" | awk -v d=$dep '$1 == d {print $3}')" $G/lib/; done
for dep in libglib-2.0.so.0 libgobject-2.0.so.0 libffi.so.8 libpcre2-8.so.0 libgomp.so.1; do
  cp -L "$(ldd "$lib" | awk -v d=$dep '$1 == d {print $3}')" $G/lib/extra/
done

# brushes: the folder this machine finds classic/dry_brush in, .myb files only
brushes=$("$PY" -c "from paint_gym.painters.mypaint import resolve_brush; print(resolve_brush('classic/dry_brush').parent.parent)")
rm -rf $G/brushes/classic && mkdir -p $G/brushes/classic && cp "$brushes"/classic/*.myb $G/brushes/classic/

# data: the training splits only
[ -e $G/data/MANIFEST.json ] || "$PY" scripts/gpu_data.py pack "$DATA" $G/data

# what travels
tracked=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
untracked=$(git ls-files -z --others --exclude-standard | xargs -0 -r stat -c %s | awk '{s += $1} END {print s + 0}')
carried=$(du -sb $G | cut -f1)
awk -v t="$tracked" -v u="$untracked" -v c="$carried" 'BEGIN {
  m = 1048576; printf "travels: tracked %.1f MiB + untracked %.1f MiB + .gpu %.1f MiB = %.1f MiB (limit 64)\n", t/m, u/m, c/m, (t+u+c)/m }'
du -sh $G/*
