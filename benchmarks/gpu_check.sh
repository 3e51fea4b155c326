#!/usr/bin/env bash
# The GPU measurements of issue #5 in one call of the device tool, which lends a session 15
# minutes of a GPU machine: the `paper` step's patients/s, peak memory and MFU (eager and compiled
# blocks, gradient checkpointing off and on) against the naive fp32 baseline, then the whole
# training loop on the GPU (loader, tokenizer, step, checkpoints) for a few steps.
#
# That machine runs its own python3 with torch, timm and transformers, and reaches no registry;
# what it lacks (pydantic) or holds at other versions than requirements/lock.txt (transformers,
# timm, regex) travels as wheels. Here: `make device-wheels`, then
#     run(command="bash benchmarks/gpu_check.sh", carry=[".whl"], timeout_s=540)
# Logs go to $OUT (the device tool's) or ./gpu_check. STEPS sets the timed steps per row (10).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu_check}
mkdir -p "$out"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1

{
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  fi
  python3 -c 'import sys, torch, timm, transformers as t
print("python", sys.version.split()[0], "torch", torch.__version__, "timm", timm.__version__,
      "transformers", t.__version__, "cuda", torch.cuda.is_available())'
} 2>&1 | tee "$out/machine.txt"

# Each benchmark runs even if the one before failed; the exit status says whether any did.
status=0
python3 benchmarks/pretrain_speed.py --skip-cpu --steps "${STEPS:-10}" 2>&1 \
  | tee "$out/pretrain_speed.log" || status=1
python3 benchmarks/pretrain_loop_speed.py --params configs/paper.yaml 2>&1 \
  | tee "$out/pretrain_loop_speed.log" || status=1
exit "$status"
