#!/usr/bin/env python3
"""Synthetic task families for the tiny wdmoe model: training stream + held-out evaluation sets.

Owns: the text format of every family (context, answer, near-miss distractors), the held-out
multiple-choice sets `datasets/<family>.jsonl` and generation sets `datasets/<family>-gen.jsonl`,
and the training stream that scripts/train_moe.py and scripts/train_tokenizer.py read.
Pure Python stdlib, seeded: the same command gives byte-identical files.

Format (lm-eval style): a training example is `context + " " + answer`; an MC item scores
continuation `" " + choice` after `context`; a generation item is exact match on `answer`
(the model's greedy output up to `</s>` or a newline, stripped).

Held out: evaluation items use their own seeds, and the training stream skips every context
that occurs in any evaluation set (dedupe by context string).

Usage:
  python3 scripts/make_datasets.py --out datasets                 # evaluation sets
  python3 scripts/make_datasets.py --out datasets --train-out /tmp/train.txt --train-n 200000
"""
from __future__ import annotations

import argparse
import json
import os
import random
import string
from typing import Callable, Iterator

FAMILIES = ("add", "compare", "sort", "pattern", "lookup", "mul")
MC_ITEMS = 500
GEN_ITEMS = 200
MC_SEED_BASE = 1000
GEN_SEED_BASE = 2000
TRAIN_SEED = 0

# A generator returns (context, answer, distractors[3]).
Example = tuple[str, str, list[str]]


def _number(rng: random.Random, max_digits: int) -> int:
    digits = rng.randint(1, max_digits)
    low = 0 if digits == 1 else 10 ** (digits - 1)
    return rng.randint(low, 10 ** digits - 1)


def _pick_distractors(rng: random.Random, answer: str, candidates: list[str], fallback: Callable[[], str]) -> list[str]:
    pool = [c for c in dict.fromkeys(candidates) if c != answer]
    rng.shuffle(pool)
    chosen = pool[:3]
    while len(chosen) < 3:
        extra = fallback()
        if extra != answer and extra not in chosen:
            chosen.append(extra)
    return chosen


def gen_add(rng: random.Random) -> Example:
    a, b = _number(rng, 3), _number(rng, 3)
    total = a + b
    near = [total + d for d in (1, -1, 10, -10, 100, -100, 9, -9, 11, -11, 2, -2)]
    candidates = [str(n) for n in near if n >= 0]
    distractors = _pick_distractors(rng, str(total), candidates, lambda: str(rng.randint(0, 1998)))
    return f"add {a}+{b} =", str(total), distractors


def gen_mul(rng: random.Random) -> Example:
    # Times-table facts composed with carries: leans on the experts' (FFN) memory more than the other families.
    a, b = _number(rng, 3), rng.randint(2, 9)
    product = a * b
    near = [product + d for d in (1, -1, 10, -10, 100, -100, b, -b, 20, -20, 1000, -1000)]
    candidates = [str(n) for n in near if n >= 0]
    distractors = _pick_distractors(rng, str(product), candidates, lambda: str(rng.randint(0, 9000)))
    return f"mul {a}*{b} =", str(product), distractors


def gen_compare(rng: random.Random) -> Example:
    op = rng.choice(("max", "min"))
    # Near misses: numbers that often share their leading digits, so the model must read them all.
    base = _number(rng, 3)
    values: list[int] = []
    while len(values) < 4:
        if rng.random() < 0.5:
            v = max(0, base + rng.randint(-30, 30))
        else:
            v = _number(rng, 3)
        if v not in values:
            values.append(v)
    answer = max(values) if op == "max" else min(values)
    others = [str(v) for v in values if v != answer]
    context = f"{op} " + " ".join(str(v) for v in values) + " ="
    return context, str(answer), others


def gen_sort(rng: random.Random) -> Example:
    values = rng.sample(range(100), 4)
    ordered = sorted(values)
    answer = " ".join(str(v) for v in ordered)
    distractors = []
    for i in range(3):  # every adjacent swap of the sorted list: a near miss each
        swapped = list(ordered)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        distractors.append(" ".join(str(v) for v in swapped))
    context = "sort " + " ".join(str(v) for v in values) + " ="
    return context, answer, distractors


def gen_pattern(rng: random.Random) -> Example:
    if rng.random() < 0.6:
        step = rng.randint(1, 12)
        if rng.random() < 0.3:  # descending, kept non-negative
            start = rng.randint(4 * step, 4 * step + 60)
            step = -step
        else:
            start = rng.randint(0, 60)
        seq = [start + i * step for i in range(5)]
        answer = seq[4]
        near = [answer + 1, answer - 1, answer + step, answer - step, seq[3], answer + 2, answer - 2, answer + 10]
        candidates = [str(n) for n in near if n >= 0]
        distractors = _pick_distractors(rng, str(answer), candidates, lambda: str(rng.randint(0, 120)))
        context = "next " + " ".join(str(v) for v in seq[:4]) + " ="
        return context, str(answer), distractors
    period = rng.randint(2, 3)
    letters = rng.sample(string.ascii_lowercase, period)
    shown = rng.randint(4, 7)
    seq = [letters[i % period] for i in range(shown + 1)]
    answer = seq[shown]
    candidates = [l for l in letters if l != answer]
    distractors = _pick_distractors(rng, answer, candidates, lambda: rng.choice(string.ascii_lowercase))
    context = "next " + " ".join(seq[:shown]) + " ="
    return context, answer, distractors


def gen_lookup(rng: random.Random) -> Example:
    keys = rng.sample(string.ascii_lowercase, 4)
    values = rng.sample(range(100), 4)
    query = rng.randrange(4)
    table = " ".join(f"{k}={v}" for k, v in zip(keys, values))
    answer = str(values[query])
    distractors = [str(v) for i, v in enumerate(values) if i != query]
    return f"{table} get {keys[query]} =", answer, distractors


GENERATORS: dict[str, Callable[[random.Random], Example]] = {
    "add": gen_add, "compare": gen_compare, "sort": gen_sort, "pattern": gen_pattern, "lookup": gen_lookup, "mul": gen_mul,
}


def mc_items(family: str, n: int = MC_ITEMS, seed: int | None = None) -> list[dict]:
    """Held-out multiple-choice items: 4 choices, gold at a random position, unique contexts."""
    rng = random.Random(MC_SEED_BASE + FAMILIES.index(family) if seed is None else seed)
    seen: set[str] = set()
    items = []
    while len(items) < n:
        context, answer, distractors = GENERATORS[family](rng)
        if context in seen:
            continue
        seen.add(context)
        choices = [answer] + distractors
        rng.shuffle(choices)
        items.append({"id": f"{family}-{len(items)}", "context": context, "choices": choices,
                      "gold": choices.index(answer)})
    return items


def gen_items(family: str, n: int = GEN_ITEMS) -> list[dict]:
    """Held-out generation items (exact match on the answer)."""
    rng = random.Random(GEN_SEED_BASE + FAMILIES.index(family))
    seen: set[str] = set()
    items = []
    while len(items) < n:
        context, answer, _ = GENERATORS[family](rng)
        if context in seen:
            continue
        seen.add(context)
        items.append({"id": f"{family}-gen-{len(items)}", "context": context, "answer": answer})
    return items


def held_out_contexts() -> set[str]:
    """Every context of every evaluation set, regenerated from the seeds (no file needed)."""
    contexts: set[str] = set()
    for family in FAMILIES:
        contexts.update(item["context"] for item in mc_items(family))
        contexts.update(item["context"] for item in gen_items(family))
    return contexts


def train_stream(seed: int = TRAIN_SEED, exclude: set[str] | None = None) -> Iterator[tuple[str, str, str]]:
    """Endless training examples (family, context, answer), families round-robin shuffled, held-out contexts skipped."""
    exclude = held_out_contexts() if exclude is None else exclude
    rng = random.Random(seed)
    while True:
        family = rng.choice(FAMILIES)
        context, answer, _ = GENERATORS[family](rng)
        if context in exclude:
            continue
        yield family, context, answer


def write_jsonl(path: str, items: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, separators=(", ", ": ")) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="datasets", help="folder for the evaluation sets")
    parser.add_argument("--train-out", help="also write this many training lines (context + ' ' + answer) here")
    parser.add_argument("--train-n", type=int, default=200_000)
    parser.add_argument("--train-seed", type=int, default=TRAIN_SEED)
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    for family in FAMILIES:
        write_jsonl(os.path.join(args.out, f"{family}.jsonl"), mc_items(family))
        write_jsonl(os.path.join(args.out, f"{family}-gen.jsonl"), gen_items(family))
    print(f"wrote {len(FAMILIES)} MC sets ({MC_ITEMS} items) and generation sets ({GEN_ITEMS} items) to {args.out}")

    if args.train_out:
        stream = train_stream(args.train_seed)
        with open(args.train_out, "w", encoding="utf-8") as f:
            for _ in range(args.train_n):
                _, context, answer = next(stream)
                f.write(f"{context} {answer}\n")
        print(f"wrote {args.train_n} training lines to {args.train_out}")


if __name__ == "__main__":
    main()
