#!/usr/bin/env python3
"""Trains the tiny Mixtral (transformers MixtralForCausalLM) on the synthetic task families.

Owns: the model config of the default bundle, the training loop and the evaluation that
scripts/train_log.txt records (loss curve; per-family MC accuracy with top-2 and top-1 routing;
generation exact match). Called by scripts/device_build.sh; writes a save_pretrained folder that
scripts/export_bundle.py turns into models/tiny-mixtral/.

Sequences are `<s> context " " answer </s>`, right-padded; the loss covers the answer and `</s>`
only (context tokens are labelled -100), plus the Mixtral load-balancing loss (router_aux_loss_coef) and
an optional router z-loss (--z-coef). Defaults are the committed bundle's config (experts of width 32, aux 0.05,
no z-loss: small experts, so dropping the second one costs accuracy, with routing balanced over the experts).
MC scoring is lm-eval `loglikelihood`: sum of log p(continuation tokens | <s> context), continuation
= " " + choice, encoded separately from the context; accuracy = argmax == gold.
`--steps 0` saves the seeded random-init model without training.

Usage: python3 scripts/train_moe.py --tokenizer tok/tokenizer.json --out ckpt --log train_log.txt [--budget-s 420]
"""
from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_datasets  # noqa: E402

PAD, BOS, EOS = 0, 1, 2
SEQ_LEN = 32


def make_config(vocab_size: int, intermediate: int = 32, aux_coef: float = 0.05):
    from transformers import MixtralConfig
    return MixtralConfig(
        vocab_size=vocab_size, hidden_size=256, intermediate_size=intermediate, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=2, head_dim=64, num_local_experts=8, num_experts_per_tok=2,
        max_position_embeddings=256, rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        rms_norm_eps=1e-5, tie_word_embeddings=False, sliding_window=None, hidden_act="silu",
        output_router_logits=True, router_aux_loss_coef=aux_coef, router_jitter_noise=0.0,
        bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD, initializer_range=0.02,
    )


class Logger:
    def __init__(self, path: str | None):
        self.file = open(path, "w") if path else None

    def __call__(self, message: str) -> None:
        print(message, flush=True)
        if self.file:
            self.file.write(message + "\n")
            self.file.flush()


def encode_training(tokenizer, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    stream = make_datasets.train_stream(seed)
    contexts, answers = [], []
    for _ in range(n):
        _, context, answer = next(stream)
        contexts.append(context)
        answers.append(" " + answer)
    ctx_ids = [e.ids for e in tokenizer.encode_batch(contexts)]
    ans_ids = [e.ids for e in tokenizer.encode_batch(answers)]
    inputs = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    labels = np.full((n, SEQ_LEN), -100, dtype=np.int64)
    for row, (c, a) in enumerate(zip(ctx_ids, ans_ids)):
        seq = [BOS] + c + a + [EOS]
        assert len(seq) <= SEQ_LEN, f"example too long ({len(seq)} tokens): {contexts[row]!r}"
        inputs[row, :len(seq)] = seq
        labels[row, 1 + len(c):len(seq)] = seq[1 + len(c):]
    return torch.from_numpy(inputs), torch.from_numpy(labels)


ROUTING = {"mode": "topk", "generator": None}  # "topk" | "top1" | "random1": what the patched experts apply


def _dense_experts_forward(experts, *args, **kwargs):
    """Drop-in for the fused (transformers 5) experts module: every expert on every token as two batched
    matmuls, combined with the routing weights scattered to a dense [tokens, experts] matrix. Same maths as
    the per-expert loop (an unselected expert gets weight 0), far fewer kernel launches. Also applies the
    evaluation routing modes: top1 (best expert, weight 1) and random1 (one of the top-k drawn uniformly,
    weight 1), as the BS policies do."""
    tensors = list(args) + list(kwargs.values())
    x = next(t for t in tensors if t.is_floating_point() and t.dim() == 2 and t.shape[-1] == experts.gate_up_proj.shape[-1])
    index = next(t for t in tensors if not t.is_floating_point())
    weights = next(t for t in tensors if t.is_floating_point() and t is not x)
    if ROUTING["mode"] == "top1":
        index, weights = index[:, :1], torch.ones_like(weights[:, :1])
    elif ROUTING["mode"] == "random1":
        pick = torch.randint(0, index.shape[1], (index.shape[0], 1), generator=ROUTING["generator"]).to(index.device)
        index, weights = index.gather(1, pick), torch.ones_like(weights[:, :1])
    gate_up, down = experts.gate_up_proj, experts.down_proj  # [E, 2I, H], [E, H, I]
    h = torch.einsum("nh,eih->nei", x, gate_up)
    g, u = h.chunk(2, dim=-1)
    a = experts.act_fn(g) * u
    combine = torch.zeros(x.shape[0], gate_up.shape[0], device=x.device, dtype=torch.float32)
    combine.scatter_add_(1, index, weights.float())
    a = a * combine.to(a.dtype)[..., None]
    return torch.einsum("nei,ehi->nh", a, down).to(x.dtype)


def install_dense_experts(model, device, log) -> bool:
    """Patches each layer's experts with _dense_experts_forward after checking one sparse-MoE block against
    the transformers forward (fp32, random input; relative max diff <= 1e-3); keeps the transformers forward
    if the layout differs or the check fails. Returns whether the dense forward is installed."""
    import types
    blocks = [m for m in model.modules() if hasattr(m, "experts") and hasattr(m, "gate")]
    experts = [b.experts for b in blocks]
    if not blocks or not all(hasattr(e, "gate_up_proj") and hasattr(e, "act_fn") for e in experts) \
            or experts[0].down_proj.shape[-1] != experts[0].gate_up_proj.shape[1] // 2:
        log("dense experts: layout not recognised, keeping the transformers forward")
        return False
    was_training = model.training
    model.eval()
    x = torch.randn(1, 64, model.config.hidden_size, generator=torch.Generator().manual_seed(123)).to(device)
    first = lambda out: out[0] if isinstance(out, tuple) else out  # noqa: E731
    failure, diff = None, float("inf")
    with torch.no_grad():
        reference = first(blocks[0](x)).float()
        originals = [e.forward for e in experts]
        try:
            for e in experts:
                e.forward = types.MethodType(_dense_experts_forward, e)
            diff = ((first(blocks[0](x)).float() - reference).abs().max() / reference.abs().max()).item()
        except Exception as error:  # noqa: BLE001
            failure = error
    model.train(was_training)
    if failure is not None or not diff <= 1e-3:
        for e, f in zip(experts, originals):
            e.forward = f
        log(f"dense experts: check failed ({failure or f'relative max diff {diff:.2e}'}), keeping the transformers forward")
        return False
    log(f"dense experts: installed (relative max diff vs the transformers forward {diff:.2e})")
    return True


def set_top_k(model, k: int) -> None:
    """Routes every token to its k best experts (weights renormalised over the k), as the BS would."""
    model.config.num_experts_per_tok = k
    for module in model.modules():
        if hasattr(module, "top_k"):
            module.top_k = k


@torch.no_grad()
def score_mc(model, tokenizer, items: list[dict], device, batch_rows: int = 2048) -> float:
    """lm-eval style loglikelihood accuracy over multiple-choice items."""
    seqs, spans = [], []
    for item in items:
        ctx = [BOS] + tokenizer.encode(item["context"]).ids
        for choice in item["choices"]:
            cont = tokenizer.encode(" " + choice).ids
            seqs.append(ctx + cont)
            spans.append((len(ctx), len(ctx) + len(cont)))
    scores = np.zeros(len(seqs))
    for start in range(0, len(seqs), batch_rows):
        chunk = seqs[start:start + batch_rows]
        width = max(len(s) for s in chunk)
        ids = torch.full((len(chunk), width), PAD, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, s in enumerate(chunk):
            ids[row, :len(s)] = torch.tensor(s)
            mask[row, :len(s)] = 1
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
        logprobs = torch.log_softmax(logits, dim=-1).cpu().numpy()
        for row in range(len(chunk)):
            a, b = spans[start + row]
            targets = chunk[row][a:b]
            scores[start + row] = sum(logprobs[row, pos - 1, tok] for pos, tok in zip(range(a, b), targets))
    scores = scores.reshape(len(items), 4)
    return float(np.mean([int(np.argmax(s) == item["gold"]) for s, item in zip(scores, items)]))


@torch.no_grad()
def score_generation(model, tokenizer, items: list[dict], device, max_new: int = 16) -> float:
    """Greedy generation (no padding: items grouped by context length), exact match after strip."""
    groups: dict[int, list[tuple[dict, list[int]]]] = {}
    for item in items:
        ids = [BOS] + tokenizer.encode(item["context"]).ids
        groups.setdefault(len(ids), []).append((item, ids))
    correct = 0
    for group in groups.values():
        ids = torch.tensor([g[1] for g in group], device=device)
        done = torch.zeros(len(group), dtype=torch.bool, device=device)
        out = []
        for _ in range(max_new):
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda"):
                logits = model(input_ids=ids).logits[:, -1].float()
            token = logits.argmax(-1)
            token = torch.where(done, torch.full_like(token, EOS), token)
            done |= token == EOS
            out.append(token)
            ids = torch.cat([ids, token[:, None]], dim=1)
            if bool(done.all()):
                break
        generated = torch.stack(out, dim=1).cpu().tolist()
        for (item, _), tokens in zip(group, generated):
            tokens = tokens[:tokens.index(EOS)] if EOS in tokens else tokens
            text = tokenizer.decode(tokens).split("\n")[0].strip()
            correct += int(text == item["answer"])
    return correct / len(items)


def evaluate(model, tokenizer, device, log, label: str, mc_limit: int | None = None, generation: bool = False,
             dense: bool = False) -> dict:
    """MC accuracy (and generation exact match) with top-2, top-1 and, where the dense experts are installed,
    random1 (one of the top-2 drawn per token, seeded). Periodic evals (mc_limit set): top-2 only."""
    model.eval()
    results = {}
    modes = ["top2", "top1"] + (["random1"] if dense else [])
    for mode in modes:
        set_top_k(model, 1 if mode == "top1" and not dense else 2)
        ROUTING["mode"] = {"top2": "topk", "top1": "top1", "random1": "random1"}[mode]
        ROUTING["generator"] = torch.Generator().manual_seed(7)
        accs = {f: score_mc(model, tokenizer, make_datasets.mc_items(f)[:mc_limit], device)
                for f in make_datasets.FAMILIES}
        accs["mean"] = float(np.mean(list(accs.values())))
        results[mode] = accs
        log(f"[{label}] MC acc {mode}: " + " ".join(f"{f}={a:.3f}" for f, a in accs.items()))
        if generation:
            gens = {f: score_generation(model, tokenizer, make_datasets.gen_items(f), device)
                    for f in make_datasets.FAMILIES}
            gens["mean"] = float(np.mean(list(gens.values())))
            results[f"gen_{mode}"] = gens
            log(f"[{label}] generation exact match {mode}: " + " ".join(f"{f}={a:.3f}" for f, a in gens.items()))
        if mc_limit is not None:
            break  # periodic evals: top-2 only
    ROUTING["mode"] = "topk"
    set_top_k(model, 2)
    model.train()
    return results


@torch.no_grad()
def expert_usage(model, tokenizer, device, log) -> float:
    """Share of each family's answer-position tokens that each expert receives (top-2), per layer.
    Returns the largest share any expert gets in any layer over all families pooled (uniform routing: 1/E;
    a layer that sends every token to the same two experts: 0.5)."""
    pooled = None
    model.eval()
    for family in make_datasets.FAMILIES:
        items = make_datasets.mc_items(family)[:200]
        seqs = [[BOS] + tokenizer.encode(i["context"] + " " + i["choices"][i["gold"]]).ids for i in items]
        width = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), width), PAD, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, s in enumerate(seqs):
            ids[row, :len(s)] = torch.tensor(s)
            mask[row, :len(s)] = 1
        out = model(input_ids=ids.to(device), attention_mask=mask.to(device), output_router_logits=True)
        real = mask.reshape(-1).bool().to(device)
        shares, per_layer = [], []
        for layer_logits in out.router_logits:
            top = layer_logits.float()[real].topk(2, dim=-1).indices.reshape(-1)
            counts = torch.bincount(top, minlength=model.config.num_local_experts).float()
            per_layer.append(counts)
            shares.append(" ".join(f"{c:.2f}" for c in (counts / counts.sum()).tolist()))
        pooled = per_layer if pooled is None else [a + b for a, b in zip(pooled, per_layer)]
        log(f"expert load {family:8s} " + " | ".join(f"L{l}: {s}" for l, s in enumerate(shares)))
    largest = max(float((counts / counts.sum()).max()) for counts in pooled)
    log("expert load all      " + " | ".join(f"L{l}: " + " ".join(f"{c:.2f}" for c in (counts / counts.sum()).tolist())
                                             for l, counts in enumerate(pooled)))
    log(f"expert load: largest pooled share {largest:.3f} (uniform {1 / model.config.num_local_experts:.3f})")
    model.train()
    return largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--out", required=True, help="save_pretrained folder to write")
    parser.add_argument("--log", help="log file (the committed copy is scripts/train_log.txt)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vocab-size", type=int, default=512, help="model vocab (>= tokenizer vocab; rest unused)")
    parser.add_argument("--steps", type=int, default=12000, help="upper bound on optimizer steps (0: random init)")
    parser.add_argument("--budget-s", type=float, default=420.0, help="training time budget; sets the step count")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--examples", type=int, default=1_500_000, help="size of the pre-encoded training pool")
    parser.add_argument("--eval-every", type=int, default=1000)
    parser.add_argument("--intermediate", type=int, default=32, help="expert FFN width (intermediate_size)")
    parser.add_argument("--aux-coef", type=float, default=0.05, help="router_aux_loss_coef (load balancing)")
    parser.add_argument("--z-coef", type=float, default=0.0, help="router z-loss coefficient (ST-MoE), 0: off")
    parser.add_argument("--moe-impl", choices=("dense", "hf"), default="dense",
                        help="dense: batched all-expert forward (checked against hf at start); hf: transformers' own")
    parser.add_argument("--data-cache", help="npz of the encoded training pool: loaded if present, else written")
    parser.add_argument("--encode-only", action="store_true", help="write --data-cache and exit")
    parser.add_argument("--results", help="write the final evaluation as JSON here")
    args = parser.parse_args()

    from tokenizers import Tokenizer
    from transformers import MixtralForCausalLM

    log = Logger(args.log)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = Tokenizer.from_file(args.tokenizer)
    assert tokenizer.get_vocab_size() <= args.vocab_size
    if args.encode_only:
        started = time.time()
        inputs, labels = encode_training(tokenizer, args.examples, args.seed)
        np.savez(args.data_cache, inputs=inputs.numpy(), labels=labels.numpy())
        log(f"data: {args.examples} training examples encoded in {time.time() - started:.1f}s -> {args.data_cache}")
        return
    config = make_config(args.vocab_size, args.intermediate, args.aux_coef)
    model = MixtralForCausalLM(config).to(device)
    params = sum(p.numel() for p in model.parameters())
    log(f"model: MixtralForCausalLM {params / 1e6:.2f}M params; config hidden 256, layers 4, experts 8 top-2, "
        f"intermediate {args.intermediate}, heads 4/2 kv, vocab {args.vocab_size} (tokenizer {tokenizer.get_vocab_size()}), "
        f"aux coef {config.router_aux_loss_coef}, z coef {args.z_coef}; "
        f"device {torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}")
    dense = args.moe_impl == "dense" and install_dense_experts(model, device, log)

    if args.steps > 0:
        started = time.time()
        if args.data_cache and os.path.exists(args.data_cache):
            data = np.load(args.data_cache)
            inputs, labels = torch.from_numpy(data["inputs"]), torch.from_numpy(data["labels"])
            log(f"data: {len(inputs)} training examples loaded from {args.data_cache} (seed {args.seed}, "
                f"held-out eval contexts excluded)")
        else:
            inputs, labels = encode_training(tokenizer, args.examples, args.seed)
            log(f"data: {args.examples} training examples encoded in {time.time() - started:.1f}s "
                f"(held-out eval contexts excluded)")
        train(model, inputs, labels, tokenizer, device, args, log)
        results = evaluate(model, tokenizer, device, log, "final", generation=True, dense=dense)
        results["max_expert_share"] = expert_usage(model, tokenizer, device, log)
        if args.results:
            import json
            with open(args.results, "w") as f:
                json.dump(results, f, indent=1)
    else:
        log("steps 0: saving the seeded random-init model")

    model.config.output_router_logits = False  # inference default for the exported checkpoint
    set_top_k(model, 2)
    model.to("cpu").to(torch.float32).save_pretrained(args.out)
    log(f"saved {args.out}")


def train(model, inputs, labels, tokenizer, device, args, log) -> None:
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1,
                                  fused=device.type == "cuda")
    generator = torch.Generator().manual_seed(args.seed)
    order = torch.randperm(len(inputs), generator=generator)
    cursor = 0
    total_steps = args.steps
    model.train()
    started = time.time()
    loss_window, aux_window = [], []
    step = 0
    while step < total_steps:
        if cursor + args.batch > len(order):
            order = torch.randperm(len(inputs), generator=generator)
            cursor = 0
        index = order[cursor:cursor + args.batch]
        cursor += args.batch
        batch_ids = inputs[index].to(device, non_blocking=True)
        batch_labels = labels[index].to(device, non_blocking=True)
        mask = (batch_ids != PAD).long()
        if step < args.warmup:
            lr = args.lr * (step + 1) / args.warmup
        else:
            lr = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - args.warmup) / max(1, total_steps - args.warmup))))
        for group in optimizer.param_groups:
            group["lr"] = lr
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            out = model(input_ids=batch_ids, attention_mask=mask, labels=batch_labels, output_router_logits=True)
        loss = out.loss
        if args.z_coef > 0:
            real = mask.reshape(-1).bool()
            z = torch.stack([torch.logsumexp(l.float()[real], dim=-1).pow(2).mean() for l in out.router_logits]).mean()
            loss = loss + args.z_coef * z
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        loss_window.append(out.loss.detach())  # LM loss + aux coef * aux (as transformers returns it)
        aux_window.append(out.aux_loss.detach() if out.aux_loss is not None else torch.zeros((), device=device))
        if step == 50:
            warm = time.time()
        if step == 300:
            warm = time.time()
        if step == 100 or (step == 600 and args.steps > total_steps):
            # Fix the step count from measured speed (steps 50-100, re-measured over 300-600 unless pinned by
            # --steps) so the run fits the budget.
            per_step = (time.time() - warm) / (50 if step == 100 else 300)
            total_steps = min(args.steps, max(step + 1, int((args.budget_s - (time.time() - started)) / per_step) + step))
            log(f"speed: {per_step * 1000:.1f} ms/step over steps {'50-100' if step == 100 else '300-600'} -> {total_steps} steps "
                f"(budget {args.budget_s:.0f}s, batch {args.batch})")
        if step % 200 == 0 or step == total_steps:
            loss = torch.stack(loss_window).mean().item()
            aux = torch.stack(aux_window).mean().item()
            loss_window, aux_window = [], []
            log(f"step {step:6d}/{total_steps} loss {loss:.4f} aux {aux:.4f} lr {lr:.2e} "
                f"elapsed {time.time() - started:.0f}s")
        if step % args.eval_every == 0 and step < total_steps:
            evaluate(model, tokenizer, device, log, f"step {step}", mc_limit=100)
    log(f"training: {step} steps x {args.batch} sequences in {time.time() - started:.1f}s")


if __name__ == "__main__":
    main()
