// The contract of one gradient rule: given a forward node and the gradients of its outputs, emit
// the gradients of the inputs that need one (GradientContext.Needs) and return null for the others.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff;

/// <summary>Returns one entry per forward input: its gradient, or null where not needed or not differentiable.</summary>
public delegate Value?[] GradientRule(GradientContext g);
