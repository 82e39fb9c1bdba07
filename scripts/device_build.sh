#!/usr/bin/env bash
# The one command run on the accelerator machine: datasets -> tokenizer -> training -> export -> parity check.
# Writes under $OUT (default ./out): log.txt, train_log.txt, versions.txt, bundle.tar.gz.part-* (models/tiny-mixtral,
# split for the 16 MiB transfer limit) and checkpoint.tar.gz.part-* (the HF save_pretrained folder).
# Reassemble here: cat bundle.tar.gz.part-* | tar -xz -C models/
# Usage: bash scripts/device_build.sh [--random-init] ; TRAIN_BUDGET_S (default 380) sets the training time, from which
# the step count is fixed after measuring speed; TRAIN_STEPS pins the step count instead (the committed bundle:
# TRAIN_STEPS=6814, i.e. what TRAIN_BUDGET_S=330 gave on one H100).
set -euo pipefail
OUT=${OUT:-$PWD/out}
WORK=${WORK:-/tmp/wdmoe-build}
BUDGET=${TRAIN_BUDGET_S:-380}
STEPS=${TRAIN_STEPS:-12000}
[[ -n "${TRAIN_STEPS:-}" ]] && BUDGET=100000
[[ "${1:-}" == "--random-init" ]] && STEPS=0
export PYTHONUNBUFFERED=1
mkdir -p "$OUT" "$WORK"
rm -rf "$WORK"/*

{
  python3 -c 'import sys, torch, transformers, onnx, onnxruntime, tokenizers, numpy, safetensors
print("python", sys.version.split()[0]); print("torch", torch.__version__); print("transformers", transformers.__version__)
print("onnx", onnx.__version__); print("onnxruntime", onnxruntime.__version__); print("tokenizers", tokenizers.__version__)
print("numpy", numpy.__version__); print("safetensors", safetensors.__version__)
print("gpu", torch.cuda.get_device_name() if torch.cuda.is_available() else "none")' | tee "$OUT/versions.txt"
  time python3 scripts/make_datasets.py --out "$WORK/datasets"
  cmp -s <(cat "$WORK"/datasets/*.jsonl) <(cat datasets/*.jsonl) && echo "datasets: identical to the committed ones"
  time python3 scripts/train_tokenizer.py --out "$WORK/tokenizer/tokenizer.json"
  time python3 scripts/train_moe.py --tokenizer "$WORK/tokenizer/tokenizer.json" --out "$WORK/checkpoint" \
    --log "$OUT/train_log.txt" --steps "$STEPS" --budget-s "$BUDGET"
  label="scripts/train_moe.py --steps $STEPS --budget-s $BUDGET --seed 0 ($(python3 -c 'import torch; print(torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu")'))"
  time python3 scripts/export_bundle.py --checkpoint "$WORK/checkpoint" --tokenizer "$WORK/tokenizer/tokenizer.json" \
    --out "$WORK/bundle/tiny-mixtral" --checkpoint-label "$label"
  tar -C "$WORK/bundle" -czf - tiny-mixtral | split -b 15M - "$OUT/bundle.tar.gz.part-"
  tar -C "$WORK" -czf - checkpoint | split -b 15M - "$OUT/checkpoint.tar.gz.part-"
  ls -la "$OUT"
} 2>&1 | tee "$OUT/log.txt"
