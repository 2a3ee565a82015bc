#!/usr/bin/env python3
"""Golden for the Med42 chat_template (Med42.Ort.Llama.Chat.Med42ChatTemplate.Jinja): what jinja2,
the engine transformers' apply_chat_template uses, renders for a few conversations.

Format version 1. Writes tests/Med42.Ort.Export.Tests/Goldens/chat_template.json:
  {"version": 1, "jinja2": "...", "template": "<the chat_template rendered>",
   "cases": [{"messages": [{"role", "content"}], "rendered": "..."}]}
Run: med42 convert --model ../shared/data/models/stories260K/stories260K.bin --out OUT
     python3 tools/goldens/chat_template.py OUT/tokenizer_config.json      (OUT: any folder; needs jinja2)
Rendered as transformers does: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).
"""
import json, pathlib, sys
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

CASES = [
    [{"role": "system", "content": "You are a careful clinician."},
     {"role": "user", "content": "What is the first-line treatment of anaphylaxis?"},
     {"role": "assistant", "content": "Intramuscular epinephrine."},
     {"role": "user", "content": "Dose for an adult?"},
     {"role": "assistant", "content": "0.5 mg IM (1 mg/mL), repeated every 5–15 minutes as needed."}],
    [{"role": "user", "content": "Name a loop diuretic."},
     {"role": "assistant", "content": "Furosemide."}],
    [{"role": "system", "content": "Answer briefly."},
     {"role": "user", "content": "Q1"},
     {"role": "assistant", "content": "A1"},
     {"role": "user", "content": "Q2 with\nnewline and {{ braces }}"}],
]

def main():
    template = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))["chat_template"]
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    t = env.from_string(template)
    out = {"version": 1, "jinja2": jinja2.__version__, "template": template,
           "cases": [{"messages": m, "rendered": t.render(messages=m, add_generation_prompt=True,
                                                         bos_token="<s>", eos_token="</s>")} for m in CASES]}
    path = pathlib.Path(__file__).resolve().parents[2] / "tests/Med42.Ort.Export.Tests/Goldens/chat_template.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")

if __name__ == "__main__":
    main()
