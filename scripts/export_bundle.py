#!/usr/bin/env python3
"""Exports a local Hugging Face MoE checkpoint folder (Mixtral or OLMoE) into a wdmoe bundle (docs/contracts.md).

Owns: the ONNX pieces (embed, attn.L with KV cache, router.L, expert.L.E, head), manifest.json,
golden.json and the bundle's tokenizer copy. Called by scripts/device_build.sh after training;
works offline (local_files_only=True) on any `save_pretrained` folder of MixtralForCausalLM or
OlmoeForCausalLM; the family comes from config.json's `model_type` (FAMILIES below).
OLMoE differs from Mixtral in two places the bundle must carry: q_norm/k_norm (RMSNorm over the whole
q / k projection, before RoPE; optional clip_qkv) live inside the attn.L graph, and `norm_topk_prob`
(false in OLMoE) becomes manifest `routerNormalizeTopK`.

golden.json is computed by transformers' own model class (prefill with right padding,
greedy decode with HF's own KV cache). The script then runs the exported ONNX pieces with
onnxruntime, chained with the BS-side gating (softmax over all experts, top-k, renormalise),
and fails (exit 1) unless they reproduce every golden logit at real (unpadded) positions within
--tolerance (default 1e-4) max abs.

Usage: python3 scripts/export_bundle.py --checkpoint CKPT [--tokenizer tokenizer.json] --out models/tiny-mixtral
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
from torch import nn

OPSET = 17
PAST_DIM_NAME = "past_sequence"

# config.json model_type -> (transformers class name, manifest architecture.family)
FAMILIES = {"mixtral": ("MixtralForCausalLM", "mixtral"), "olmoe": ("OlmoeForCausalLM", "olmoe")}


def detect_family(checkpoint: str) -> str:
    path = os.path.join(checkpoint, "config.json")
    try:
        with open(path) as f:
            model_type = json.load(f).get("model_type")
    except OSError as error:
        raise SystemExit(f"{path}: cannot read ({error}); --checkpoint must be a save_pretrained folder")
    if model_type not in FAMILIES:
        hint = (" (Qwen2-MoE's shared expert is not part of the bundle contract yet)"
                if model_type in ("qwen2_moe", "qwen3_moe") else "")
        raise SystemExit(f"{path}: model_type {model_type!r} is not supported; supported: "
                         f"{', '.join(sorted(FAMILIES))}{hint}")
    return model_type


def num_experts(config) -> int:
    return getattr(config, "num_local_experts", None) or config.num_experts


def normalize_top_k(config) -> bool:
    """Mixtral always renormalises the top-k gate weights; OLMoE/Qwen say so in norm_topk_prob."""
    return bool(getattr(config, "norm_topk_prob", True))


# ---------------------------------------------------------------- weights, independent of HF version

def expert_weights(moe: nn.Module, expert: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(w1 [I,H], w3 [I,H], w2 [H,I]) of one expert, for fused (transformers 5) or per-expert layouts."""
    experts = moe.experts
    if hasattr(experts, "gate_up_proj"):
        gate_up = experts.gate_up_proj[expert]  # [2I, H]: gate rows first, then up (chunk(2) in HF)
        inter = gate_up.shape[0] // 2
        down = experts.down_proj[expert]
        if down.shape[0] != gate_up.shape[1]:  # some versions store [I, H]
            down = down.t()
        return gate_up[:inter], gate_up[inter:], down
    module = experts[expert]
    return module.w1.weight, module.w3.weight, module.w2.weight


def router_weight(moe: nn.Module) -> torch.Tensor:
    gate = moe.gate
    return gate.weight if isinstance(gate.weight, torch.Tensor) else gate.weight.weight


def rope_theta(config) -> float:
    params = getattr(config, "rope_parameters", None) or {}
    return float(params.get("rope_theta", getattr(config, "rope_theta", 10000.0)))


# ---------------------------------------------------------------- export modules (the contract's IO)

class Weights(nn.Module):
    """Holds weights in the storage dtype; forward casts them to fp32 so IO stays fp32."""

    def __init__(self, dtype: torch.dtype, **tensors: torch.Tensor):
        super().__init__()
        for name, tensor in tensors.items():
            self.register_buffer(name, tensor.detach().to(dtype).clone())

    def get(self, name: str) -> torch.Tensor:
        return getattr(self, name).float()


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


class EmbedPiece(nn.Module):
    def __init__(self, weight: torch.Tensor, dtype: torch.dtype):
        super().__init__()
        self.w = Weights(dtype, embed=weight)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.embedding(input_ids, self.w.get("embed"))


class AttentionPiece(nn.Module):
    """residual = hidden + self_attn(input_layernorm(hidden)); normed = post_attention_layernorm(residual)."""

    def __init__(self, layer: nn.Module, config, dtype: torch.dtype):
        super().__init__()
        attn = layer.self_attn
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        self.eps = config.rms_norm_eps
        inv_freq = 1.0 / (rope_theta(config) ** (torch.arange(0, self.head_dim, 2, dtype=torch.float) / self.head_dim))
        self.register_buffer("inv_freq", inv_freq)
        for proj in (attn.q_proj, attn.k_proj, attn.v_proj, attn.o_proj):
            if getattr(proj, "bias", None) is not None:
                raise SystemExit("attention projections with bias are not supported")
        tensors = dict(q=attn.q_proj.weight, k=attn.k_proj.weight, v=attn.v_proj.weight,
                       o=attn.o_proj.weight, ln_in=layer.input_layernorm.weight,
                       ln_post=layer.post_attention_layernorm.weight)
        # OLMoE: RMSNorm over the whole q / k projection output, before the head split and RoPE.
        self.qk_norm = hasattr(attn, "q_norm") and hasattr(attn, "k_norm")
        if self.qk_norm:
            tensors.update(q_norm=attn.q_norm.weight, k_norm=attn.k_norm.weight)
            self.q_norm_eps = attn.q_norm.variance_epsilon
            self.k_norm_eps = attn.k_norm.variance_epsilon
        self.clip_qkv = getattr(config, "clip_qkv", None)
        self.w = Weights(dtype, **tensors)

    @staticmethod
    def rotate_half(x: torch.Tensor) -> torch.Tensor:
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def forward(self, hidden, attention_mask, position_ids, past_key, past_value):
        batch, length = hidden.shape[0], hidden.shape[1]
        x = rms_norm(hidden, self.w.get("ln_in"), self.eps)
        q = nn.functional.linear(x, self.w.get("q"))
        k = nn.functional.linear(x, self.w.get("k"))
        v = nn.functional.linear(x, self.w.get("v"))
        if self.qk_norm:
            q = rms_norm(q, self.w.get("q_norm"), self.q_norm_eps)
            k = rms_norm(k, self.w.get("k_norm"), self.k_norm_eps)
        if self.clip_qkv is not None:
            q, k, v = (t.clamp(-self.clip_qkv, self.clip_qkv) for t in (q, k, v))
        q = q.view(batch, length, self.heads, self.head_dim).transpose(1, 2)
        k = k.view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)
        v = v.view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)

        freqs = position_ids.unsqueeze(-1).float() * self.inv_freq  # [B,T,D/2]
        emb = torch.cat((freqs, freqs), dim=-1).unsqueeze(1)  # [B,1,T,D]
        cos, sin = emb.cos(), emb.sin()
        q = q * cos + self.rotate_half(q) * sin
        k = k * cos + self.rotate_half(k) * sin

        key = torch.cat((past_key, k), dim=2)  # [B,KV,P+T,D]
        value = torch.cat((past_value, v), dim=2)
        past = past_key.shape[2]
        total = key.shape[2]

        # Query t attends key j iff j <= P + t and attention_mask[b, j] == 1.
        query_pos = torch.arange(length, device=hidden.device).unsqueeze(1) + past  # [T,1]
        key_pos = torch.arange(total, device=hidden.device).unsqueeze(0)  # [1,P+T]
        allowed = (key_pos <= query_pos).unsqueeze(0) & (attention_mask.unsqueeze(1) == 1)  # [B,T,P+T]
        allowed = allowed.unsqueeze(1)  # [B,1,T,P+T]

        groups = self.heads // self.kv_heads
        key_rep = key.repeat_interleave(groups, dim=1)
        value_rep = value.repeat_interleave(groups, dim=1)
        scores = torch.matmul(q, key_rep.transpose(2, 3)) * (self.head_dim ** -0.5)
        # A finite fill (not -inf) keeps fully padded rows finite instead of NaN.
        scores = torch.where(allowed, scores, torch.full_like(scores, -1e30))
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, value_rep).transpose(1, 2).reshape(batch, length, self.heads * self.head_dim)
        residual = hidden + nn.functional.linear(out, self.w.get("o"))
        normed = rms_norm(residual, self.w.get("ln_post"), self.eps)
        return residual, normed, key, value


class RouterPiece(nn.Module):
    def __init__(self, weight: torch.Tensor, dtype: torch.dtype):
        super().__init__()
        self.w = Weights(dtype, gate=weight)

    def forward(self, normed: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(normed, self.w.get("gate"))


class ExpertPiece(nn.Module):
    def __init__(self, w1: torch.Tensor, w3: torch.Tensor, w2: torch.Tensor, dtype: torch.dtype):
        super().__init__()
        self.w = Weights(dtype, w1=w1, w3=w3, w2=w2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = nn.functional.linear(x, self.w.get("w1"))
        up = nn.functional.linear(x, self.w.get("w3"))
        return nn.functional.linear(nn.functional.silu(gate) * up, self.w.get("w2"))


class HeadPiece(nn.Module):
    def __init__(self, norm_weight: torch.Tensor, lm_head: torch.Tensor, eps: float, dtype: torch.dtype):
        super().__init__()
        self.eps = eps
        self.w = Weights(dtype, norm=norm_weight, lm_head=lm_head)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(rms_norm(hidden, self.w.get("norm"), self.eps), self.w.get("lm_head"))


def export_onnx(module: nn.Module, args: tuple, path: str, inputs: list[str], outputs: list[str],
                dynamic: dict[str, dict[int, str]]) -> None:
    """Legacy TorchScript exporter (dynamo=False): dynamic_axes give the contract's symbolic dims directly."""
    module.eval()
    # Constant folding would turn fp16 initializers + Cast into fp32 initializers; keep the Cast for fp16.
    fold = all(b.dtype != torch.float16 for b in module.buffers())
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                          opset_version=OPSET, do_constant_folding=fold, dynamo=False)
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model)
    if any(init.data_location == onnx.TensorProto.EXTERNAL for init in model.graph.initializer):
        raise SystemExit(f"{path}: has external data; bundle files must be self-contained")


def export_pieces(model, out: str, dtype: torch.dtype) -> list[dict]:
    """Writes every ONNX piece into `out`; returns manifest file entries (role, path) in order."""
    config = model.config
    core = model.model
    hidden_size, kv_heads = config.hidden_size, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or hidden_size // config.num_attention_heads
    entries = []

    def add(role: str, filename: str) -> None:
        entries.append({"role": role, "path": filename})

    batch, length, past = 2, 5, 3
    ids = torch.randint(0, config.vocab_size, (batch, length))
    export_onnx(EmbedPiece(core.embed_tokens.weight, dtype), (ids,), os.path.join(out, "embed.onnx"),
                ["input_ids"], ["hidden"], {"input_ids": {0: "batch", 1: "sequence"}, "hidden": {0: "batch", 1: "sequence"}})
    add("embed", "embed.onnx")

    hidden = torch.randn(batch, length, hidden_size)
    mask = torch.ones(batch, past + length, dtype=torch.int64)
    positions = (torch.arange(length) + past).unsqueeze(0).repeat(batch, 1)
    past_key = torch.randn(batch, kv_heads, past, head_dim)
    past_value = torch.randn(batch, kv_heads, past, head_dim)
    rows = torch.randn(7, hidden_size)
    for index, layer in enumerate(core.layers):
        export_onnx(AttentionPiece(layer, config, dtype), (hidden, mask, positions, past_key, past_value),
                    os.path.join(out, f"attn.{index}.onnx"),
                    ["hidden", "attention_mask", "position_ids", "past_key", "past_value"],
                    ["residual", "normed", "present_key", "present_value"],
                    {"hidden": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "total_sequence"},
                     "position_ids": {0: "batch", 1: "sequence"},
                     "past_key": {0: "batch", 2: PAST_DIM_NAME}, "past_value": {0: "batch", 2: PAST_DIM_NAME},
                     "residual": {0: "batch", 1: "sequence"}, "normed": {0: "batch", 1: "sequence"},
                     "present_key": {0: "batch", 2: "total_sequence"}, "present_value": {0: "batch", 2: "total_sequence"}})
        add(f"attn.{index}", f"attn.{index}.onnx")
        moe = layer.mlp if hasattr(layer, "mlp") else layer.block_sparse_moe
        export_onnx(RouterPiece(router_weight(moe), dtype), (rows,), os.path.join(out, f"router.{index}.onnx"),
                    ["normed"], ["router_logits"], {"normed": {0: "rows"}, "router_logits": {0: "rows"}})
        add(f"router.{index}", f"router.{index}.onnx")
        for expert in range(num_experts(config)):
            w1, w3, w2 = expert_weights(moe, expert)
            name = f"expert.{index}.{expert}.onnx"
            export_onnx(ExpertPiece(w1, w3, w2, dtype), (rows,), os.path.join(out, name),
                        ["x"], ["y"], {"x": {0: "rows"}, "y": {0: "rows"}})
            add(f"expert.{index}.{expert}", name)

    export_onnx(HeadPiece(core.norm.weight, model.lm_head.weight, config.rms_norm_eps, dtype), (hidden,),
                os.path.join(out, "head.onnx"), ["hidden"], ["logits"],
                {"hidden": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}})
    add("head", "head.onnx")
    return entries


# ---------------------------------------------------------------- golden data from transformers itself

def hf_forward(model, input_ids, attention_mask=None, cache=None):
    """One <Family>ForCausalLM call with a KV cache, whatever the cache keyword is called in this version."""
    params = inspect.signature(model.forward).parameters
    kwargs = {"input_ids": input_ids, "use_cache": True}
    if attention_mask is not None:
        kwargs["attention_mask"] = attention_mask
    if cache is not None:
        kwargs["past_key_values" if "past_key_values" in params else "cache"] = cache
    out = model(**kwargs)
    new_cache = getattr(out, "past_key_values", None)
    if new_cache is None:
        new_cache = getattr(out, "cache", None)
    return out.logits, new_cache


def pad_right(sequences: list[list[int]], pad_id: int) -> tuple[list[list[int]], list[list[int]]]:
    width = max(len(s) for s in sequences)
    return ([s + [pad_id] * (width - len(s)) for s in sequences],
            [[1] * len(s) + [0] * (width - len(s)) for s in sequences])


def round_list(array: np.ndarray) -> list:
    return np.round(array.astype(np.float64), 6).tolist()


def golden_prompts(tokenizer, bos_id: int) -> tuple[list[list[list[int]]], list[int]]:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_datasets
    texts = {f: [i["context"] + " " + i["choices"][i["gold"]] for i in make_datasets.mc_items(f)[:6]]
             for f in make_datasets.FAMILIES}
    prefix = [bos_id] if bos_id is not None else []
    encode = lambda text: prefix + tokenizer.encode(text, add_special_tokens=False).ids  # noqa: E731
    cases = [
        [encode(texts["add"][0]), encode(texts["lookup"][1]), encode(texts["sort"][2])],
        [encode(texts["pattern"][3] + " " + texts["compare"][4]), encode(texts["pattern"][5])],
        [encode(texts["compare"][1])],
    ]
    decode_prompt = encode(make_datasets.mc_items("lookup")[7]["context"])
    return cases, decode_prompt


def compute_golden(model, tokenizer, pad_id: int, bos_id: int, decode_steps: int, producer: str) -> dict:
    cases, decode_prompt = golden_prompts(tokenizer, bos_id)
    golden = {"formatVersion": 1, "producer": producer,
              "notes": f"input_ids start with the BOS token (id {bos_id}) when the config has one; rows are right-padded "
                       f"with the pad token (id {pad_id}). Logits at padded "
                       "positions (attention_mask 0) are HF's own (experts applied to pad tokens) and are not part "
                       "of the contract: compare only where attention_mask is 1.",
              "cases": [], "decode": []}
    with torch.no_grad():
        for index, sequences in enumerate(cases):
            ids, mask = pad_right(sequences, pad_id)
            logits, _ = hf_forward(model, torch.tensor(ids), torch.tensor(mask))
            golden["cases"].append({"name": f"prefill-{index}", "input_ids": ids, "attention_mask": mask,
                                    "logits": round_list(logits.float().numpy())})
        logits, cache = hf_forward(model, torch.tensor([decode_prompt]))
        steps = []
        for _ in range(decode_steps):
            last = logits[0, -1].float()
            token = int(torch.argmax(last))
            steps.append({"token_id": token, "logits": round_list(last.numpy())})
            logits, cache = hf_forward(model, torch.tensor([[token]]), cache=cache)
        golden["decode"].append({"name": "greedy-0", "prompt_ids": decode_prompt, "steps": steps})
    return golden


# ---------------------------------------------------------------- parity check through onnxruntime

class OnnxPipeline:
    """The BS + device forward pass, chained from the exported pieces (what the TS BS must do)."""

    def __init__(self, out: str, entries: list[dict], config):
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.sessions = {e["role"]: ort.InferenceSession(os.path.join(out, e["path"]), options,
                                                         providers=["CPUExecutionProvider"]) for e in entries}
        self.layers = config.num_hidden_layers
        self.experts = num_experts(config)
        self.top_k = config.num_experts_per_tok
        self.normalize = normalize_top_k(config)
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads

    def empty_cache(self, batch: int) -> list[tuple[np.ndarray, np.ndarray]]:
        empty = np.zeros((batch, self.kv_heads, 0, self.head_dim), dtype=np.float32)
        return [(empty, empty) for _ in range(self.layers)]

    def forward(self, ids: np.ndarray, mask: np.ndarray, cache: list) -> tuple[np.ndarray, list]:
        batch, length = ids.shape
        past = cache[0][0].shape[2]
        positions = np.tile(np.arange(past, past + length, dtype=np.int64), (batch, 1))
        hidden = self.sessions["embed"].run(None, {"input_ids": ids})[0]
        real = mask[:, past:].reshape(-1) == 1
        new_cache = []
        for layer in range(self.layers):
            residual, normed, key, value = self.sessions[f"attn.{layer}"].run(None, {
                "hidden": hidden, "attention_mask": mask, "position_ids": positions,
                "past_key": cache[layer][0], "past_value": cache[layer][1]})
            new_cache.append((key, value))
            rows = normed.reshape(-1, normed.shape[-1])[real]
            logits = self.sessions[f"router.{layer}"].run(None, {"normed": rows})[0]
            probs = np.exp(logits - logits.max(-1, keepdims=True))
            probs /= probs.sum(-1, keepdims=True)
            top = np.argsort(-probs, axis=-1, kind="stable")[:, :self.top_k]
            weights = np.take_along_axis(probs, top, -1)
            if self.normalize:
                weights /= weights.sum(-1, keepdims=True)
            moe = np.zeros_like(rows)
            for expert in range(self.experts):
                hit_rows, hit_slot = np.nonzero(top == expert)
                if len(hit_rows) == 0:
                    continue
                y = self.sessions[f"expert.{layer}.{expert}"].run(None, {"x": rows[hit_rows]})[0]
                moe[hit_rows] += weights[hit_rows, hit_slot][:, None] * y
            flat = residual.reshape(-1, residual.shape[-1]).copy()
            flat[real] += moe
            hidden = flat.reshape(residual.shape)
        return self.sessions["head"].run(None, {"hidden": hidden})[0], new_cache


def verify(pipeline: OnnxPipeline, golden: dict, tolerance: float) -> dict:
    worst = {"prefill": 0.0, "decode": 0.0}
    for case in golden["cases"]:
        ids = np.array(case["input_ids"], dtype=np.int64)
        mask = np.array(case["attention_mask"], dtype=np.int64)
        logits, _ = pipeline.forward(ids, mask, pipeline.empty_cache(ids.shape[0]))
        diff = np.abs(logits - np.array(case["logits"], dtype=np.float64))[mask == 1].max()
        print(f"  {case['name']}: batch {ids.shape[0]}, length {ids.shape[1]}, max abs diff {diff:.3g}")
        worst["prefill"] = max(worst["prefill"], float(diff))
    for case in golden["decode"]:
        ids = np.array([case["prompt_ids"]], dtype=np.int64)
        mask = np.ones_like(ids)
        logits, cache = pipeline.forward(ids, mask, pipeline.empty_cache(1))
        for index, step in enumerate(case["steps"]):
            last = logits[0, -1]
            diff = float(np.abs(last - np.array(step["logits"])).max())
            if int(np.argmax(last)) != step["token_id"]:
                raise SystemExit(f"PARITY FAILED: {case['name']} step {index}: onnx picks {int(np.argmax(last))}, "
                                 f"HF picked {step['token_id']}")
            worst["decode"] = max(worst["decode"], diff)
            token = np.array([[step["token_id"]]], dtype=np.int64)
            mask = np.concatenate([mask, np.ones((1, 1), dtype=np.int64)], axis=1)
            logits, cache = pipeline.forward(token, mask, cache)
        print(f"  {case['name']}: {len(case['steps'])} decode steps with KV cache, max abs diff {worst['decode']:.3g}")
    if max(worst.values()) > tolerance:
        raise SystemExit(f"PARITY FAILED: max abs diff {worst} exceeds {tolerance}")
    return worst


# ---------------------------------------------------------------- manifest

def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(out: str, entry: dict) -> dict:
    path = os.path.join(out, entry["path"])
    return {**entry, "sha256": sha256_of(path), "bytes": os.path.getsize(path)}


def architecture(config, family: str) -> dict:
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    return {"family": family, "hiddenSize": config.hidden_size, "numLayers": config.num_hidden_layers,
            "numExperts": num_experts(config), "topK": config.num_experts_per_tok,
            "vocabSize": config.vocab_size, "intermediateSize": config.intermediate_size,
            "numAttentionHeads": config.num_attention_heads, "numKeyValueHeads": config.num_key_value_heads,
            "headDim": head_dim, "rmsNormEps": config.rms_norm_eps, "ropeTheta": rope_theta(config),
            "maxPositionEmbeddings": config.max_position_embeddings, "bosTokenId": config.bos_token_id,
            "eosTokenId": config.eos_token_id, "padTokenId": config.pad_token_id,
            "routerNormalizeTopK": normalize_top_k(config), "sharedExpert": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True,
                        help="local save_pretrained folder of MixtralForCausalLM or OlmoeForCausalLM")
    parser.add_argument("--tokenizer", help="tokenizer.json to copy into the bundle (default: the checkpoint's)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--name", default="tiny-mixtral")
    parser.add_argument("--dtype", choices=("float32", "float16"), default="float32",
                        help="weight storage dtype; graph inputs/outputs are float32 either way")
    parser.add_argument("--tolerance", type=float, default=None, help="default 1e-4 (float32), 5e-2 (float16)")
    parser.add_argument("--decode-steps", type=int, default=6)
    parser.add_argument("--no-bos", action="store_true",
                        help="the model was trained without <s> in front of prompts (manifest tokenizer.addBosToken false)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint-label", help="what to record as manifest.source.checkpoint")
    parser.add_argument("--source-note", default="", help="free text recorded in manifest.source.note")
    args = parser.parse_args()

    import transformers
    from tokenizers import Tokenizer

    started = time.time()
    model_type = detect_family(args.checkpoint)
    class_name, family = FAMILIES[model_type]
    if args.tokenizer is None:
        args.tokenizer = os.path.join(args.checkpoint, "tokenizer.json")
        if not os.path.exists(args.tokenizer):
            raise SystemExit(f"{args.checkpoint} has no tokenizer.json; pass --tokenizer")
    torch.manual_seed(args.seed)
    model = getattr(transformers, class_name).from_pretrained(args.checkpoint, local_files_only=True,
                                                              dtype=torch.float32, attn_implementation="eager")
    model.eval()
    config = model.config
    sliding = getattr(config, "sliding_window", None)
    if sliding is not None and sliding < config.max_position_embeddings:
        raise SystemExit("sliding-window attention is not part of the bundle contract")
    pad_id = config.pad_token_id if config.pad_token_id is not None else 0
    tokenizer = Tokenizer.from_file(args.tokenizer)
    print(f"{args.checkpoint}: model_type {model_type} -> {class_name}, family {family}")

    os.makedirs(args.out, exist_ok=True)
    for stale in os.listdir(args.out):
        if stale.endswith(".onnx") or stale in ("manifest.json", "golden.json", "tokenizer.json"):
            os.remove(os.path.join(args.out, stale))
    dtype = torch.float16 if args.dtype == "float16" else torch.float32
    entries = export_pieces(model, args.out, dtype)
    print(f"exported {len(entries)} ONNX files in {time.time() - started:.1f}s")

    producer = (f"transformers {transformers.__version__} {class_name}, torch {torch.__version__.split('+')[0]}, "
                f"fp32, eager attention")
    golden = compute_golden(model, tokenizer, pad_id, config.bos_token_id, args.decode_steps, producer)
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    shutil.copyfile(args.tokenizer, os.path.join(args.out, "tokenizer.json"))

    import onnxruntime
    tolerance = args.tolerance if args.tolerance is not None else (1e-4 if args.dtype == "float32" else 5e-2)
    print(f"parity: onnxruntime {onnxruntime.__version__} chained pieces vs transformers, tolerance {tolerance}")
    worst = verify(OnnxPipeline(args.out, entries, config), golden, tolerance)

    manifest = {
        "format": "wdmoe-bundle", "formatVersion": 1, "name": args.name,
        "architecture": architecture(config, family),
        "dtype": args.dtype,
        "tokenizer": {"path": "tokenizer.json", "sha256": sha256_of(os.path.join(args.out, "tokenizer.json")),
                      "bytes": os.path.getsize(os.path.join(args.out, "tokenizer.json")),
                      "addBosToken": not args.no_bos},
        "golden": {"path": "golden.json", "sha256": sha256_of(os.path.join(args.out, "golden.json")),
                   "bytes": os.path.getsize(os.path.join(args.out, "golden.json"))},
        "files": [file_entry(args.out, e) for e in entries],
        "source": {"producer": "scripts/export_bundle.py", "checkpoint": args.checkpoint_label or args.checkpoint,
                   "seed": args.seed, "transformers": transformers.__version__,
                   "torch": torch.__version__.split("+")[0], "onnxruntime": onnxruntime.__version__,
                   "opset": OPSET, "ioDtype": "float32",
                   "parityMaxAbsDiff": worst, "note": args.source_note},
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    total = sum(e["bytes"] for e in manifest["files"]) + manifest["golden"]["bytes"] + manifest["tokenizer"]["bytes"]
    print(f"bundle {args.out}: {len(entries)} ONNX files, {total / 1e6:.1f} MB, parity {worst} "
          f"({time.time() - started:.1f}s)")


if __name__ == "__main__":
    main()
