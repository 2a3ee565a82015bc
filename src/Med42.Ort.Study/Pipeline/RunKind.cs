namespace Med42.Ort.Study.Pipeline;

/// <summary>Run kinds, spelled base, full and lora in recipes: base evaluates the base model as is; full and lora fine-tune it first.</summary>
public enum RunKind { Base, Full, Lora }
