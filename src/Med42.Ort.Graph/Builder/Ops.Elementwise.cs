// Element-wise ops with numpy broadcasting; output shapes inferred from the inputs.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph;

public sealed partial class GraphBuilder
{
    private Value Binary(string op, Value a, Value b, DType? outType = null) =>
        Op(op, [a, b], outType ?? a.Type, a.Shape is null || b.Shape is null ? null : Shapes.Broadcast(a.Shape, b.Shape));

    private Value Unary(string op, Value x, IReadOnlyDictionary<string, Attr>? attrs = null) => Op(op, [x], x.Type, x.Shape, attrs);

    public Value Add(Value a, Value b) => Binary("Add", a, b);
    public Value Sub(Value a, Value b) => Binary("Sub", a, b);
    public Value Mul(Value a, Value b) => Binary("Mul", a, b);
    public Value Div(Value a, Value b) => Binary("Div", a, b);
    public Value Pow(Value a, Value b) => Binary("Pow", a, b);
    public Value Equal(Value a, Value b) => Binary("Equal", a, b, DType.Bool);
    public Value Less(Value a, Value b) => Binary("Less", a, b, DType.Bool);
    public Value Greater(Value a, Value b) => Binary("Greater", a, b, DType.Bool);
    public Value Or(Value a, Value b) => Binary("Or", a, b, DType.Bool);
    public Value And(Value a, Value b) => Binary("And", a, b, DType.Bool);

    public Value Sqrt(Value x) => Unary("Sqrt", x);
    public Value Reciprocal(Value x) => Unary("Reciprocal", x);
    public Value Neg(Value x) => Unary("Neg", x);
    public Value Exp(Value x) => Unary("Exp", x);
    public Value Log(Value x) => Unary("Log", x);
    public Value Sigmoid(Value x) => Unary("Sigmoid", x);
    public Value Not(Value x) => Unary("Not", x);
    public Value Identity(Value x) => Unary("Identity", x);

    public Value Cast(Value x, DType to) =>
        x.Type == to ? x : Op("Cast", [x], to, x.Shape, Attrs(("to", to.OnnxCode())));

    /// <summary>cond ? x : y, broadcast over all three.</summary>
    public Value Where(Value cond, Value x, Value y)
    {
        Dim[]? shape = cond.Shape is null || x.Shape is null || y.Shape is null ? null : Shapes.Broadcast(Shapes.Broadcast(cond.Shape, x.Shape), y.Shape);
        return Op("Where", [cond, x, y], x.Type, shape);
    }

    /// <summary>SiLU(x) = x·sigmoid(x).</summary>
    public Value Silu(Value x) => Mul(x, Sigmoid(x));
}
