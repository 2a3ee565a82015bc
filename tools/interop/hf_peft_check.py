#!/usr/bin/env python3
"""Interop check against Hugging Face transformers + PEFT (an independent implementation).

DIR holds what med42 wrote: base/ (`med42 convert`), adapter/ (`med42 train --mode lora`), merged/
(`med42 merge`), and ours-base.txt / ours-merged.txt (`med42 generate --temperature 0 --steps N` on base and
merged). Checks, printing a report and exiting 1 on any failure:
  1. every adapter tensor loads into PeftModel under PEFT's own name, bit for bit, and none is missing;
  2. PEFT's unmerged forward (W·x + (alpha/r)·B·A·x) equals transformers on med42's merged folder (logits);
  3. transformers' greedy text from BOS equals med42's, on base and on merged.
Usage: tools/interop/hf_peft_check.py DIR   (needs torch, transformers, peft, safetensors, sentencepiece)"""
import json, sys
import torch
import sentencepiece as spm
from safetensors.torch import load_file
from transformers import LlamaForCausalLM
from peft import PeftModel

d = sys.argv[1]
failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok: failures.append(what)

torch.manual_seed(0)
base = LlamaForCausalLM.from_pretrained(f"{d}/base", torch_dtype=torch.float32).eval()
merged = LlamaForCausalLM.from_pretrained(f"{d}/merged", torch_dtype=torch.float32).eval()
peft = PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(f"{d}/base", torch_dtype=torch.float32), f"{d}/adapter").eval()

# 1. adapter tensors under PEFT's names
state = peft.state_dict()
saved = load_file(f"{d}/adapter/adapter_model.safetensors")
missing = [k for k in saved if k.replace(".weight", ".default.weight") not in state]
check(not missing, f"{len(saved)} adapter tensors found in PeftModel (missing: {missing[:3]})")
if not missing:
    worst = max((saved[k] - state[k.replace('.weight', '.default.weight')]).abs().max().item() for k in saved)
    check(worst == 0.0, f"adapter tensors load bit for bit (max |diff| {worst})")
lora_modules = sum(1 for k in state if "lora_A.default" in k)
check(lora_modules * 2 == len(saved), f"PeftModel has {lora_modules} LoRA modules, the file {len(saved) // 2}")

# 2. PEFT unmerged == med42 merged, and the adapter matters
ids = torch.tensor([[1] + list(range(3, 60))])
with torch.no_grad():
    lp, lm, lb = peft(ids).logits, merged(ids).logits, base(ids).logits
diff, effect = (lp - lm).abs().max().item(), (lp - lb).abs().max().item()
check(diff < 1e-4 * max(1.0, lm.abs().max().item()), f"PEFT unmerged vs med42 merged logits: max |diff| {diff:.2e} (fp32)")
check(effect > 1e-2, f"the adapter changes the logits (max |diff| vs base {effect:.3f})")

# 3. greedy text from BOS
sp = spm.SentencePieceProcessor(model_file=f"{d}/base/tokenizer.model")
for name, model in (("base", base), ("merged", merged)):
    ours = open(f"{d}/ours-{name}.txt", encoding="utf-8", errors="replace").read().strip()  # raw byte pieces, as llama2.c prints
    with torch.no_grad():
        out = model.generate(torch.tensor([[1]]), max_new_tokens=80, do_sample=False, eos_token_id=[1, 2], pad_token_id=0)
    theirs = sp.decode([t for t in out[0, 1:].tolist() if t not in (1, 2)])
    # Compare up to the first undecodable byte: byte-fallback pieces render as U+FFFD differently per decoder.
    a, b = (" ".join(t.split("\ufffd")[0].split()) for t in (ours, theirs))
    check(len(a) >= 20 and b.startswith(a),
          f"{name}: transformers greedy == med42 greedy\n      med42:        {ours[:100]!r}\n      transformers: {theirs[:100]!r}")
print(json.dumps({"failures": len(failures)}))
sys.exit(1 if failures else 0)
