#!/usr/bin/env bash
# Train every backprop agent of issue 14 on one GPU in about 10 minutes of wall time: the five
# `paint-gym train-agent` runs (MNIST 8, KMNIST 8, CelebA 15, CelebA 30 strokes, preconditioned
# MNIST) run side by side, each for MINUTES of training through the painter PAINTER, evaluated
# every EVAL_MINUTES on a validation slice held out of the training split (never the evaluation
# images, which do not even travel). Each run is stopped after KILL_AFTER seconds whatever
# happens; it writes checkpoint.pt and log.csv when stopped, agent.pt at its best evaluation. The
# results land in $OUT (8 files at most): one agent_NAME.tar.gz per run (agent.pt, log.csv,
# curves.png, console log, the exact command), checkpoint_NAME.pt.gz for the CHECKPOINTS runs
# (to resume them in a later sitting), and summary.txt.
#
# The machine is bare: no gymnasium or tyro, no libmypaint, no data. scripts/gpu_prepare.sh (run
# here first) puts what it needs in .gpu/ (ignored; name it in `carry`): wheels, libmypaint and
# its brushes, the training images (scripts/gpu_data.py). This script installs the wheels into
# $WORK/site, imports paint_gym from the repository root and paint_gym_agents through a link
# (with the entry point that registers train-agent), and points paint_gym at the carried library.
#
#   bash scripts/gpu_train_agents.sh                                   # on the GPU machine
#   DEVICE=cpu PAINTER=gan MINUTES=0.05 KILL_AFTER=300 OUT=/tmp/out bash scripts/gpu_train_agents.sh  # a CPU rehearsal
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
GPU_DIR=${GPU_DIR:-$REPO/.gpu}
OUT=${OUT:-$REPO/runs/gpu}
WORK=${WORK:-/tmp/paint_gym_gpu}
PY=${PY:-python3}
DEVICE=${DEVICE:-cuda}
PAINTER=${PAINTER:-dab}          # the painter the agents train through (a name or a checkpoint path)
MINUTES=${MINUTES:-6}            # training minutes per agent (evaluations not counted)
EVAL_MINUTES=${EVAL_MINUTES:-0.6} # training minutes between evaluations (MyPaint replay of the validation slice)
EVAL_IMAGES=${EVAL_IMAGES:-64}   # validation images: the last of each training split, held out
BATCH=${BATCH:-128}              # targets per step (a GPU step is launch-bound: 128 cost little more than 32)
THREADS=${THREADS:-2}            # torch CPU threads per run (5 runs on 16 cores)
KILL_AFTER=${KILL_AFTER:-540}    # seconds after the launch when a run still going is stopped
AGENTS=${AGENTS:-"mnist kmnist celeba celeba30"}  # mnist_precond too on request (from scratch)
INIT=${INIT:-1}                  # 1: start from the shipped agent of the same data set (celeba30 from celeba)
LR_INIT=${LR_INIT:-}             # the rate of the fine-tuning runs (default 3e-4)
CHECKPOINTS=${CHECKPOINTS:-"celeba celeba30"} # runs whose checkpoint.pt (resumes; 17 MB, gzipped to 16.4) comes back too
PROFILE_STEPS=${PROFILE_STEPS:-3} # first, time this many CelebA 15-stroke steps alone on the device (0: skip)
START=$(date +%s)
log() { echo "[gpu_train_agents $(($(date +%s) - START)) s] $*"; }
mkdir -p "$OUT" "$WORK/runs"

# ---- Python packages: carried wheels, paint_gym from the repository, paint_gym_agents by a link
SITE=$WORK/site
rm -rf "$SITE" && mkdir -p "$SITE"
if ls "$GPU_DIR"/whl/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$GPU_DIR"/whl/*.whl \
    || { log "installing the carried wheels failed"; exit 1; }
fi
ln -s "$REPO/agents" "$SITE/paint_gym_agents"
mkdir -p "$SITE/paint_gym-0.1.0.dist-info"  # the entry point through which train-agent reaches paint-gym
printf 'Metadata-Version: 2.1\nName: paint-gym\nVersion: 0.1.0\n' >"$SITE/paint_gym-0.1.0.dist-info/METADATA"
printf '[paint_gym.commands]\nagents = paint_gym_agents.cli:commands\n' >"$SITE/paint_gym-0.1.0.dist-info/entry_points.txt"
export PYTHONPATH=$SITE:$REPO PYTHONUNBUFFERED=1 TQDM_MININTERVAL=20 MPLBACKEND=Agg  # progress bars every 20 s

# ---- libmypaint and its brushes (the evaluation replays the strokes in MyPaint)
if [ -e "$GPU_DIR/lib/libmypaint-1.5.so.1" ]; then
  export PAINT_GYM_LIBMYPAINT=$GPU_DIR/lib/libmypaint-1.5.so.1 PAINT_GYM_BRUSH_DIR=$GPU_DIR/brushes
  export LD_LIBRARY_PATH=$GPU_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  if ! "$PY" -c "import ctypes, os; ctypes.CDLL(os.environ['PAINT_GYM_LIBMYPAINT'])" 2>/dev/null; then
    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$GPU_DIR/lib/extra  # the system lacks glib & co: the carried ones
  fi
fi

# ---- the training images (only the training splits travel)
if [ -e "$GPU_DIR/data/MANIFEST.json" ]; then
  "$PY" scripts/gpu_data.py unpack "$GPU_DIR/data" "$WORK/data" || log "WARNING: some data did not unpack: its runs will fail"
  export PAINT_GYM_DATA=$WORK/data
fi

# ---- check the set-up before spending the budget: imports, GPU, libmypaint, painter
loads() { "$PY" -c "import sys; from paint_gym.painters.load import load_painter; load_painter(sys.argv[1])" "$1" 2>"$WORK/painter.err"; }
WARNING=""
if ! loads "$PAINTER"; then  # dab by its file (before load_painter knew the name), else gan: never waste the GPU
  why=$(tail -c 300 "$WORK/painter.err" | tr '\n' ' ')
  for other in paint_gym/weights/dab_painter_dry_brush.pt gan; do
    [ "$PAINTER" = dab ] || [ "$other" = gan ] || continue
    if loads "$other"; then
      WARNING="WARNING: painter $PAINTER does not load (...$why): training through $other"
      PAINTER=$other
      break
    fi
  done
fi
"$PY" - "$PAINTER" "$DEVICE" <<'EOF' 2>&1 | tee "$OUT/summary.txt" || { log "set-up check failed"; exit 1; }
import sys, numpy as np, torch, paint_gym, paint_gym_agents.cli
from paint_gym.painters.load import load_painter, replay
print(f"python {sys.version.split()[0]}, torch {torch.__version__}, numpy {np.__version__}, device {sys.argv[2]}",
      f"({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "(no GPU)")
painter = load_painter(sys.argv[1], 64, device=sys.argv[2])
print(f"painter {sys.argv[1]}: {type(painter).__name__}")
strokes = np.array([[[1, 1, 1, -1, -1, -1, -0.5, -0.5, 0, 0, 0.5, 0.5]]], np.float32)  # a wide dark diagonal
ink = 255 - replay(strokes, "mypaint", seed=0).astype(float)
assert ink.sum() > 1000, f"MyPaint painted almost nothing ({ink.sum()}): libmypaint or the brush is not right"
print(f"libmypaint {paint_gym.painters.libmypaint.load()._name}: one stroke painted {ink.sum() / 255:.0f} px of ink")
EOF
[ -z "$WARNING" ] || { log "$WARNING"; echo "$WARNING" >>"$OUT/summary.txt"; }

# ---- one process alone on the device: its step time (what the runs then share)
if [ "$PROFILE_STEPS" -gt 0 ]; then
  timeout 90 "$PY" scripts/time_agent_step.py --dataset celeba --batch "$BATCH" --strokes 15 --painter "$PAINTER" \
    --device "$DEVICE" --threads "$THREADS" --steps "$PROFILE_STEPS" 2>&1 | grep -v "targets" | tee -a "$OUT/summary.txt"
fi

# ---- the runs
COMMON=(--pixel expected --painter "$PAINTER" --device "$DEVICE" --batch-size "$BATCH" --minutes "$MINUTES"
  --eval-minutes "$EVAL_MINUTES" --eval-images "$EVAL_IMAGES" --eval-split validation --steps 100000000
  --checkpoint-minutes 1 --threads "$THREADS")
args_of() {  # from the shipped agents (--init; trained on this CPU) unless INIT=0: fine-tuning, not from scratch
  case $1 in
    mnist) echo "--dataset mnist --strokes 8 --lr ${LR_INIT:-3e-4} $( [ "$INIT" = 1 ] && echo --init mnist)" ;;
    kmnist) echo "--dataset kmnist --strokes 8 --lr ${LR_INIT:-3e-4} $( [ "$INIT" = 1 ] && echo --init kmnist)" ;;
    celeba) echo "--dataset celeba --strokes 15 --lr ${LR_INIT:-3e-4} $( [ "$INIT" = 1 ] && echo --init celeba)" ;;
    celeba30) echo "--dataset celeba --strokes 30 --lr ${LR_INIT:-3e-4} $( [ "$INIT" = 1 ] && echo --init celeba)" ;;
    mnist_precond) echo "--dataset mnist --strokes 8 --lr 1e-3 --template 1.0 --template-only-steps 150 --template-decay-steps 400" ;;
    *) return 1 ;;
  esac
}
DEADLINE=$((START + KILL_AFTER))
train() {  # one agent; a diverged run resumes from its last good checkpoint at a third of the rate, while time is left
  local name=$1 run=$WORK/runs/$1 rc left try
  read -ra args <<<"$(args_of "$name")"
  for try in 1 2 3; do
    left=$((DEADLINE - $(date +%s)))
    [ "$left" -gt 30 ] || break
    echo "paint-gym train-agent ${args[*]} ${COMMON[*]} --run-dir runs/agent_$name" >"$run.command"
    timeout -k 15 -s INT "$left" "$PY" -m paint_gym.cli train-agent "${args[@]}" "${COMMON[@]}" --run-dir "$run" >>"$run.log" 2>&1
    rc=$?
    [ "$rc" = 0 ] && return 0
    if ! tail -c 3000 "$run.log" | grep -q "diverged"; then  # another failure: once more from scratch, if it started from weights
      [[ " ${args[*]} " == *" --init "* && ! -e "$run/checkpoint.pt" ]] || return "$rc"
      for i in "${!args[@]}"; do [ "${args[$i]}" = --init ] && unset "args[$i]" "args[$((i + 1))]"; done
      args=("${args[@]}")
      echo "=== failed (exit code $rc) starting from weights: from scratch with ${args[*]}" >>"$run.log"
      continue
    fi
    for i in "${!args[@]}"; do
      if [ "${args[$i]}" = --lr ]; then args[$((i + 1))]=$("$PY" -c "print(${args[$((i + 1))]} / 3)"); fi
    done
    echo "=== diverged: resuming from the last checkpoint with ${args[*]}" >>"$run.log"
  done
  return 1
}
log "training ${AGENTS} through $PAINTER on $DEVICE: $MINUTES training minutes each, stopped at $KILL_AFTER s"
(while sleep 30; do  # how busy the GPU is while the runs share it
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null | sed "s/^/$(($(date +%s) - START)) s: /"
done) >"$WORK/gpu_use.log" &
SAMPLER=$!
declare -A PIDS
for name in $AGENTS; do
  args_of "$name" >/dev/null || { log "unknown agent $name"; continue; }
  rm -rf "$WORK/runs/$name" "$WORK/runs/$name.log"
  train "$name" &
  PIDS[$name]=$!
done
for name in "${!PIDS[@]}"; do
  wait "${PIDS[$name]}"
  log "$name finished (exit code $?)"
done
kill "$SAMPLER" 2>/dev/null
{ echo "GPU use (utilization, memory) while training:"; cat "$WORK/gpu_use.log"; } >>"$OUT/summary.txt"

# ---- results: one archive per run, and the best evaluation of each in summary.txt
for name in $AGENTS; do
  run=$WORK/runs/$name
  [ -e "$run.log" ] || continue
  mkdir -p "$run"
  tail -c 2000000 "$run.log" >"$run/console.log"
  cp "$run.command" "$run/command.txt" 2>/dev/null
  (cd "$run" && tar czf "$OUT/agent_$name.tar.gz" --ignore-failed-read agent.pt log.csv curves.png console.log command.txt 2>/dev/null)
  if [[ " $CHECKPOINTS " == *" $name "* && -e "$run/checkpoint.pt" ]]; then
    gzip -1 -c "$run/checkpoint.pt" >"$OUT/checkpoint_$name.pt.gz"
  fi
  {
    echo "== $name: $(cat "$run.command" 2>/dev/null)"
    tr '\r' '\n' <"$run.log" | grep -E "MyPaint replay|diverged|Error|error" | tail -4
  } >>"$OUT/summary.txt"
done
log "done" | tee -a "$OUT/summary.txt"
