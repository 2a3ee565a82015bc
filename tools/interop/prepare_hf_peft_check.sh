#!/usr/bin/env bash
# Writes the folder tools/interop/hf_peft_check.py reads, from stories260K (../shared/data): an HF folder
# (med42 convert), a LoRA adapter on all seven projections trained 40 steps on three short texts (so B != 0
# and the adapter visibly changes the model), the merged folder (med42 merge) and med42's greedy texts from
# BOS on base and merged. Then, where torch + transformers + peft are installed (any machine; no GPU needed):
#   python3 tools/interop/hf_peft_check.py OUT
# Usage: tools/interop/prepare_hf_peft_check.sh OUT
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: prepare_hf_peft_check.sh OUT}
data=${MED42_SHARED_DATA:-../shared/data}/models/stories260K
med42() { dotnet run --project src/Med42.Ort.Cli -c Release --no-build -- "$@"; }
dotnet build src/Med42.Ort.Cli -c Release >/dev/null
rm -rf "$out" && mkdir -p "$out"
med42 convert --model "$data/stories260K.bin" --tokenizer "$data/tok512.model" --out "$out/base"
for i in $(seq 8); do
  printf '%s\n' '{"text": "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."}' \
    '{"text": "One day, a big dog came to the park. The dog was very happy and wanted to play with Lily."}' \
    '{"text": "Tom and Sue went to the beach. They built a big sand castle and laughed all day."}'
done >"$out/data.jsonl"
med42 train --model "$out/base" --data "$out/data.jsonl" --mode lora --lora-rank 4 --lora-alpha 8 \
  --lora-targets q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj --max-steps 40 --lr 0.01 --batch-size 4 \
  --seq-len 64 --out "$out/run" --threads 2
mv "$out/run/adapter" "$out/adapter" && rm -rf "$out/run"
med42 merge --model "$out/base" --adapter "$out/adapter" --out "$out/merged"
for m in base merged; do med42 generate --model "$out/$m" --temperature 0 --steps 48 --threads 1 >"$out/ours-$m.txt"; done
echo "prepared $out"
