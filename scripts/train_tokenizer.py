#!/usr/bin/env python3
"""Trains the byte-level BPE tokenizer of the tiny wdmoe model on the synthetic training stream.

Owns: `tokenizer.json` (vocab ~512; `<pad>`=0, `<s>`=1, `</s>`=2). Digits are split one per token
before byte-level BPE, so numbers tokenise digit by digit (arithmetic is learnable by a small model).
The post-processor adds nothing: callers prepend `<s>` (id 1) themselves (training, scoring and
golden.json all do), and append nothing at scoring time. Training examples end with `</s>`.
Loads in the JS package @huggingface/tokenizers (checked by scripts/check_tokenizer.mjs).

Usage: python3 scripts/train_tokenizer.py --out /tmp/tok/tokenizer.json [--lines 100000]
"""
from __future__ import annotations

import argparse
import os
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_datasets  # noqa: E402

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>"]


def build_tokenizer(lines: list[str], vocab_size: int) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(lines, trainer=trainer)
    for index, token in enumerate(SPECIAL_TOKENS):
        assert tokenizer.token_to_id(token) == index, f"{token} is not id {index}"
    return tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--vocab-size", type=int, default=512)
    args = parser.parse_args()

    stream = make_datasets.train_stream()
    lines = []
    for _ in range(args.lines):
        _, context, answer = next(stream)
        lines.append(f"{context} {answer}")
    tokenizer = build_tokenizer(lines, args.vocab_size)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tokenizer.save(args.out)
    lengths = [len(tokenizer.encode(line).ids) for line in lines[:5000]]
    print(f"tokenizer: vocab {tokenizer.get_vocab_size()}, example tokens max {max(lengths)} "
          f"mean {sum(lengths) / len(lengths):.1f} -> {args.out}")


if __name__ == "__main__":
    main()
