#!/usr/bin/env python3
"""Goldens for Med42.Ort.Eval.Reports.PythonText: what CPython prints where lm-evaluation-harness's
sample records depend on it -- str(float) of log-likelihoods (resps), and
sha256(json.dumps(doc, indent=2, ensure_ascii=False)) (doc_hash, lm_eval/evaluator.py).

Format version 1. Writes tests/Med42.Ort.Eval.Tests/Goldens/python_text.json:
  {"version": 1, "python": "...", "floats": [{"bits": "<hex of the IEEE-754 double>", "str": str(x)}],
   "docs": [{"doc": {...}, "dumps": json.dumps(doc, indent=2, ensure_ascii=False), "sha256": "..."}]}
Run: python3 tools/goldens/python_text.py   (no third-party packages)
"""
import hashlib, json, math, pathlib, struct, sys

FLOATS = [0.0, -0.0, 1.0, -2.0, 0.1, -0.0001, -0.00001, 1e-05, -1.2345e-07, 123.456, 1e15, 1e16, -1e16,
          12345678901234567.0, 2.5e-310, 1.7976931348623157e308, -3.4028234663852886e38,
          -0.6931471805599453, -13.815510557964274, -1234.5678, 100.0, 1e22, 5e-324,
          math.inf, -math.inf, math.nan]
DOCS = [
    {"id": "45258d3d", "query": "Question: a \"quoted\" \\ back\nA. x\nAnswer:", "choices": ["A", "B", "C", "D"], "gold": 2,
     "cop": "3", "subject_name": "Anatomy"},
    {"id": "7", "query": "Abstract: é ü — ∑ 😀\tTab\r\x01\x1f\x7f\u2028 end", "choices": ["yes", "no", "maybe"], "gold": 0,
     "final_decision": "yes", "YEAR": "2001"},
    {"id": "", "query": "", "choices": [], "gold": -1, "nested": {"empty": {}, "list": [1, [2, []], True, False, None]}},
]

def bits(x):
    return struct.pack(">d", x).hex()

def main():
    out = {"version": 1, "python": sys.version.split()[0],
           "floats": [{"bits": bits(x), "str": str(x)} for x in FLOATS],
           "docs": []}
    for d in DOCS:
        text = json.dumps(d, indent=2, ensure_ascii=False)
        out["docs"].append({"doc": d, "dumps": text, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
    path = pathlib.Path(__file__).resolve().parents[2] / "tests/Med42.Ort.Eval.Tests/Goldens/python_text.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")

if __name__ == "__main__":
    main()
