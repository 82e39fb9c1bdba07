#!/usr/bin/env bash
# The one command run on the accelerator machine: datasets -> tokenizer -> training -> export -> parity check.
# Writes under $OUT (default ./out): log.txt, train_log.txt + results.json (or, with SWEEP, logs.tar.gz + sweep.json),
# versions.txt, bundle.tar.gz.part-*
# (models/tiny-mixtral, split for the 16 MiB transfer limit) and, unless SWEEP is set, checkpoint.tar.gz.part-*
# (the HF save_pretrained folder). Reassemble here: cat bundle.tar.gz.part-* | tar -xz -C models/
# Usage: bash scripts/device_build.sh [--random-init]
#   TRAIN_BUDGET_S (default 380) sets the training time, from which the step count is fixed after measuring speed;
#   TRAIN_STEPS pins the step count instead (docs/model.md gives the one of the committed bundle);
#   TRAIN_ARGS adds arguments to scripts/train_moe.py (its defaults are the committed bundle's config);
#   SWEEP="name:args;name:args;..." trains the variants concurrently on the one GPU (each with TRAIN_ARGS + its args),
#   evaluates each (MC top-2 / top-1 / random1), exports the one with the largest top-2 - top-1 gap among those whose
#   top-2 mean is >= 0.90 (else >= 0.85, else the best top-2), and returns every variant's train_log.txt, stdout and
#   results.json in logs.tar.gz (the choice in sweep.json). MAX_SHARE (e.g. 0.3) first restricts the choice to variants
#   whose busiest expert gets at most that share of the top-2 choices in any layer, all families pooled (balanced routing).
set -euo pipefail
OUT=${OUT:-$PWD/out}
WORK=${WORK:-/tmp/wdmoe-build}
BUDGET=${TRAIN_BUDGET_S:-380}
STEPS=${TRAIN_STEPS:-12000}
[[ -n "${TRAIN_STEPS:-}" ]] && BUDGET=100000
[[ "${1:-}" == "--random-init" ]] && STEPS=0
export PYTHONUNBUFFERED=1
mkdir -p "$OUT" "$WORK"
rm -rf "${WORK:?}"/*
gpu() { python3 -c 'import torch; print(torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu")'; }

{
  python3 -c 'import sys, torch, transformers, onnx, onnxruntime, tokenizers, numpy, safetensors
print("python", sys.version.split()[0]); print("torch", torch.__version__); print("transformers", transformers.__version__)
print("onnx", onnx.__version__); print("onnxruntime", onnxruntime.__version__); print("tokenizers", tokenizers.__version__)
print("numpy", numpy.__version__); print("safetensors", safetensors.__version__)
print("gpu", torch.cuda.get_device_name() if torch.cuda.is_available() else "none")' | tee "$OUT/versions.txt"
  time python3 scripts/make_datasets.py --out "$WORK/datasets"
  cmp -s <(cat "$WORK"/datasets/*.jsonl) <(cat datasets/*.jsonl) && echo "datasets: identical to the committed ones"
  time python3 scripts/train_tokenizer.py --out "$WORK/tokenizer/tokenizer.json"
  TOK="$WORK/tokenizer/tokenizer.json"
  if [[ -z "${SWEEP:-}" ]]; then
    # shellcheck disable=SC2086
    time python3 scripts/train_moe.py --tokenizer "$TOK" --out "$WORK/checkpoint" --log "$OUT/train_log.txt" \
      --results "$OUT/results.json" --steps "$STEPS" --budget-s "$BUDGET" ${TRAIN_ARGS:-}
    CHOSEN="$WORK/checkpoint"
    label="scripts/train_moe.py --steps $STEPS --budget-s $BUDGET --seed 0 ${TRAIN_ARGS:-} ($(gpu))"
  else
    time python3 scripts/train_moe.py --tokenizer "$TOK" --out "$WORK/unused" --encode-only --data-cache "$WORK/data.npz"
    IFS=';' read -ra variants <<< "$SWEEP"
    pids=()
    for v in "${variants[@]}"; do
      name=${v%%:*}; vargs=${v#*:}
      mkdir -p "$WORK/v_$name"
      # shellcheck disable=SC2086
      OMP_NUM_THREADS=4 python3 scripts/train_moe.py --tokenizer "$TOK" --out "$WORK/v_$name/checkpoint" --log "$WORK/v_$name/train_log.txt" \
        --results "$WORK/v_$name/results.json" --data-cache "$WORK/data.npz" --steps "$STEPS" --budget-s "$BUDGET" \
        ${TRAIN_ARGS:-} $vargs > "$WORK/v_$name/stdout.txt" 2>&1 &
      pids+=($!)
      echo "variant $name: $vargs (pid $!)"
    done
    for p in "${pids[@]}"; do wait "$p" || echo "variant pid $p failed"; done
    for v in "${variants[@]}"; do name=${v%%:*}; echo "== $name"; grep -E "^(speed|training|\[final\])" "$WORK/v_$name/train_log.txt" || tail -5 "$WORK/v_$name/stdout.txt"; done
    CHOSEN=$(python3 - "$WORK" "$SWEEP" <<'PY'
import json, os, sys
work, sweep = sys.argv[1], sys.argv[2]
rows = []
for v in sweep.split(";"):
    name = v.split(":", 1)[0]
    path = os.path.join(work, f"v_{name}", "results.json")
    if os.path.exists(path):
        r = json.load(open(path))
        rows.append((name, r["top2"]["mean"], r["top2"]["mean"] - r["top1"]["mean"], r.get("max_expert_share", 1.0)))
summary = [{"name": n, "top2": t, "gap": g, "max_expert_share": m} for n, t, g, m in rows]
# Prefer balanced routing (no expert over MAX_SHARE of the top-2 choices in any layer), then accuracy, then the gap.
max_share = float(os.environ.get("MAX_SHARE", "1.0"))
for floor, balanced in ((0.90, True), (0.85, True), (0.90, False), (0.85, False), (-1, False)):
    pool = [r for r in rows if r[3] <= max_share] if balanced else rows
    ok = [r for r in pool if r[1] >= floor] if floor >= 0 else sorted(pool, key=lambda r: -r[1])[:1]
    if ok:
        best = max(ok, key=lambda r: r[2])
        break
json.dump({"variants": summary, "chosen": best[0]}, open(os.path.join(work, "sweep.json"), "w"), indent=1)
sys.stderr.write(f"sweep: {summary} -> chosen {best[0]}\n")
print(os.path.join(work, f"v_{best[0]}"))
PY
)
    cp "$WORK/sweep.json" "$OUT/sweep.json"
    tar -C "$WORK" -czf "$OUT/logs.tar.gz" $(cd "$WORK" && ls -d v_*/train_log.txt v_*/stdout.txt v_*/results.json 2>/dev/null)
    chosen_name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["chosen"])' "$WORK/sweep.json")
    chosen_args=$(tr ';' '\n' <<< "$SWEEP" | grep "^$chosen_name:" | cut -d: -f2-)
    label="scripts/train_moe.py --steps $STEPS --budget-s $BUDGET --seed 0 ${TRAIN_ARGS:-} $chosen_args (variant $chosen_name of a concurrent sweep, $(gpu))"
    CHOSEN="$CHOSEN/checkpoint"
  fi
  if [[ "$STEPS" == 0 && -z "${SWEEP:-}" ]]; then label="random init (scripts/train_moe.py --steps 0)"; fi
  time python3 scripts/export_bundle.py --checkpoint "$CHOSEN" --tokenizer "$TOK" \
    --out "$WORK/bundle/tiny-mixtral" --checkpoint-label "$label"
  tar -C "$WORK/bundle" -czf - tiny-mixtral | split -b 15M - "$OUT/bundle.tar.gz.part-"
  [[ -z "${SWEEP:-}" ]] && tar -C "$WORK" -czf - checkpoint | split -b 15M - "$OUT/checkpoint.tar.gz.part-"
  ls -la "$OUT"
} 2>&1 | tee "$OUT/log.txt"
