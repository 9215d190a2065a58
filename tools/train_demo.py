#!/usr/bin/env python3
"""Train the demo model: a small byte-level Mamba-2 on tinyshakespeare.

Runs on the GPU machine (torch + transformers, no mamba_ssm kernels: the
transformers Mamba2 torch path). Writes an HF Mamba2ForCausalLM directory
(config.json, model.safetensors in f32) and train_log.txt with the losses and a
sample, so a reader can judge that the text looks like Shakespeare.

    python3 tools/train_demo.py --data tinyshakespeare.txt --out demo --seconds 300
"""
import argparse
import math
import os
import time

import torch
from transformers import Mamba2Config, Mamba2ForCausalLM


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="training text (bytes)")
    ap.add_argument("--out", required=True, help="output model directory")
    ap.add_argument("--seconds", type=float, default=300, help="training budget")
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    dev = "cuda"
    data = torch.frombuffer(bytearray(open(args.data, "rb").read()), dtype=torch.uint8).long()
    n_val = len(data) // 10
    train, val = data[:-n_val].to(dev), data[-n_val:].to(dev)

    # ~2.7 M parameters: 6 layers, d_model 256, 8 heads of 64, state 64, 1 group.
    config = Mamba2Config(
        vocab_size=256, hidden_size=256, num_hidden_layers=6, state_size=64,
        num_heads=8, head_dim=64, n_groups=1, expand=2, conv_kernel=4,
        chunk_size=64, tie_word_embeddings=True, residual_in_fp32=True,
        rms_norm=True, use_bias=False, use_conv_bias=True,
        bos_token_id=0, eos_token_id=0, pad_token_id=0)
    model = Mamba2ForCausalLM(config).to(dev)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05, betas=(0.9, 0.95))

    def batch(src):
        ix = torch.randint(len(src) - args.seq - 1, (args.batch,), device=dev)
        x = torch.stack([src[i:i + args.seq] for i in ix])
        y = torch.stack([src[i + 1:i + args.seq + 1] for i in ix])
        return x, y

    def loss_of(x, y):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(input_ids=x).logits
        return torch.nn.functional.cross_entropy(logits.float().reshape(-1, 256), y.reshape(-1))

    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "train_log.txt"), "w")

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")

    say(f"params {n_params}, train bytes {len(train)}, val bytes {len(val)}")
    start, step = time.time(), 0
    model.train()
    while time.time() - start < args.seconds:
        frac = (time.time() - start) / args.seconds
        for g in opt.param_groups:  # warmup then cosine
            g["lr"] = args.lr * min(1.0, step / 100) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        x, y = batch(train)
        loss = loss_of(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 200 == 0:
            model.eval()
            with torch.no_grad():
                vl = sum(loss_of(*batch(val)).item() for _ in range(10)) / 10
            model.train()
            say(f"step {step} t={time.time() - start:.0f}s train {loss.item():.3f} val {vl:.3f} (nats/byte)")
        step += 1

    model.eval()
    with torch.no_grad():
        vl = sum(loss_of(*batch(val)).item() for _ in range(20)) / 20
    say(f"final: {step} steps, val loss {vl:.3f} nats/byte")
    model = model.float()
    model.save_pretrained(args.out, safe_serialization=True)
    prompt = torch.tensor([list(b"ROMEO:\n")], device=dev)
    with torch.no_grad():
        ids = prompt
        for _ in range(300):  # greedy, full forward: independent of any cache
            nxt = model(input_ids=ids).logits[0, -1].argmax()
            ids = torch.cat([ids, nxt.view(1, 1)], dim=1)
    say("greedy sample from 'ROMEO:\\n':\n" + bytes(ids[0].tolist()).decode("utf-8", "replace"))


if __name__ == "__main__":
    main()
