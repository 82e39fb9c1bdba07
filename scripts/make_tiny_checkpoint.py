#!/usr/bin/env python3
"""Writes a tiny, seeded, random-initialised Hugging Face MoE checkpoint folder (no hub, no download).

Used by the Python-backed tests (test/e2e/exporter-parity.test.ts, test/e2e/lm-eval.test.ts) to exercise
scripts/export_bundle.py and lm-evaluation-harness on a real `save_pretrained` folder of each supported family:

  mixtral  MixtralForCausalLM  (top-k gate weights renormalised)
  olmoe    OlmoeForCausalLM    (q_norm/k_norm in attention, norm_topk_prob false)

Shape: hidden 64, 2 layers, 4 experts, top-2, intermediate 64, 4 heads / 2 KV heads (head dim 16),
vocab 512, max positions 512, untied embeddings, <pad>=0 <s>=1 </s>=2. Every RMSNorm weight (q_norm/k_norm
included) is perturbed away from 1 so the norms are actually exercised, and weights are drawn with std
--init-std (default 0.1, larger than HF's 0.02) so logits are far from uniform and acc/acc_norm have no ties.

The folder gets model.safetensors + config.json (+ generation_config.json), tokenizer.json (copied, default
test/fixtures/tokenizer/tokenizer.json) and a tokenizer_config.json that makes AutoTokenizer load it as a
PreTrainedTokenizerFast with bos <s>, eos </s>, pad <pad>. The tokenizer.json has no post-processor, so the
tokenizer adds no special token by itself; a caller that wants <s> asks for it (lm-eval: add_bos_token=True,
AutoTokenizer.from_pretrained(..., add_bos_token=True); wdmoe: manifest tokenizer.addBosToken).

Usage: python3 scripts/make_tiny_checkpoint.py --family mixtral --out /tmp/tiny-mixtral [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TOKENIZER = os.path.join(ROOT, "test", "fixtures", "tokenizer", "tokenizer.json")

COMMON = dict(vocab_size=512, hidden_size=64, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=512, rms_norm_eps=1e-5, tie_word_embeddings=False,
              pad_token_id=0, bos_token_id=1, eos_token_id=2, num_experts_per_tok=2)


def make_config(family: str, init_std: float):
    import transformers
    if family == "mixtral":
        return transformers.MixtralConfig(**COMMON, num_local_experts=4, sliding_window=None,
                                          rope_theta=10000.0, initializer_range=init_std)
    if family == "olmoe":
        return transformers.OlmoeConfig(**COMMON, num_experts=4, norm_topk_prob=False, clip_qkv=None,
                                        rope_theta=10000.0, initializer_range=init_std)
    raise SystemExit(f"unknown family {family!r}; supported: mixtral, olmoe")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", required=True, choices=("mixtral", "olmoe"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init-std", type=float, default=0.1)
    parser.add_argument("--tokenizer", default=DEFAULT_TOKENIZER, help="tokenizer.json to copy")
    args = parser.parse_args()

    import transformers
    torch.manual_seed(args.seed)
    config = make_config(args.family, args.init_std)
    config.architectures = [{"mixtral": "MixtralForCausalLM", "olmoe": "OlmoeForCausalLM"}[args.family]]
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    generator = torch.Generator().manual_seed(args.seed + 1)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("norm.weight") or "layernorm" in name:
                param.copy_(1.0 + 0.2 * torch.randn(param.shape, generator=generator))
    model.eval()

    os.makedirs(args.out, exist_ok=True)
    model.save_pretrained(args.out, safe_serialization=True)
    shutil.copyfile(args.tokenizer, os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
                   "pad_token": "<pad>", "model_max_length": config.max_position_embeddings,
                   "clean_up_tokenization_spaces": False}, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "special_tokens_map.json"), "w") as f:
        json.dump({"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"}, f, indent=2)
        f.write("\n")
    params = sum(p.numel() for p in model.parameters())
    print(f"{args.out}: {type(model).__name__}, {params} parameters, seed {args.seed}")


if __name__ == "__main__":
    main()
