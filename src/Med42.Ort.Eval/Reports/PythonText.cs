// The few Python text conventions lm-evaluation-harness's sample records depend on: str(float)
// (repr: shortest round-trip digits, fixed notation for decimal exponents -4..16, ".0" on integers,
// "1e-05" style otherwise), str(bool), hash_string (sha256 hex of the UTF-8 text) and
// json.dumps(doc, indent=2, ensure_ascii=False), the text doc_hash is computed from.
// Checked against CPython in tests/Med42.Ort.Eval.Tests/Reports/PythonTextTests.cs (goldens from
// tools/harness_goldens.py).
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Med42.Ort.Eval.Reports;

public static class PythonText
{
    /// <summary>Python's repr(float) / str(float).</summary>
    public static string Repr(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsPositiveInfinity(x)) return "inf";
        if (double.IsNegativeInfinity(x)) return "-inf";
        // .NET's "R" is the shortest string that round-trips, the same digits CPython's repr picks.
        var r = x.ToString("R", CultureInfo.InvariantCulture);
        var sign = r.StartsWith('-') ? "-" : "";
        if (sign.Length > 0) r = r[1..];
        var e = r.IndexOfAny(['E', 'e']);
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? r : r[..e];
        var dot = mantissa.IndexOf('.');
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var digits = (intPart + (dot < 0 ? "" : mantissa[(dot + 1)..])).TrimStart('0');
        var leadingZeros = (intPart + (dot < 0 ? "" : mantissa[(dot + 1)..])).Length - digits.Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) return sign + "0.0";
        // value = 0.d1d2…dn × 10^decpt
        var decpt = intPart.Length - leadingZeros + exponent;
        if (decpt <= -4 || decpt > 16)
        {
            var mant = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            var exp = decpt - 1;
            return $"{sign}{mant}e{(exp < 0 ? '-' : '+')}{Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture)}";
        }
        if (decpt <= 0) return sign + "0." + new string('0', -decpt) + digits;
        if (decpt >= digits.Length) return sign + digits + new string('0', decpt - digits.Length) + ".0";
        return sign + digits[..decpt] + "." + digits[decpt..];
    }

    /// <summary>Python's str(bool).</summary>
    public static string Str(bool b) => b ? "True" : "False";

    /// <summary>The harness's hash_string: sha256 of the UTF-8 bytes, lowercase hex.</summary>
    public static string HashString(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    /// <summary>json.dumps(node, indent=2, ensure_ascii=False) for strings, integers, booleans, null, lists and dicts.</summary>
    public static string DumpsIndented(JsonNode? node)
    {
        var sb = new StringBuilder();
        Dump(sb, node, 0);
        return sb.ToString();
    }

    private static void Dump(StringBuilder sb, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null: sb.Append("null"); break;
            case JsonObject o when o.Count == 0: sb.Append("{}"); break;
            case JsonArray a when a.Count == 0: sb.Append("[]"); break;
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in o)
                {
                    sb.Append(first ? "\n" : ",\n").Append(' ', 2 * (depth + 1));
                    Quote(sb, k);
                    sb.Append(": ");
                    Dump(sb, v, depth + 1);
                    first = false;
                }
                sb.Append('\n').Append(' ', 2 * depth).Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    sb.Append(i == 0 ? "\n" : ",\n").Append(' ', 2 * (depth + 1));
                    Dump(sb, a[i], depth + 1);
                }
                sb.Append('\n').Append(' ', 2 * depth).Append(']');
                break;
            case JsonValue v:
                Scalar(sb, v);
                break;
        }
    }

    private static void Scalar(StringBuilder sb, JsonValue v)
    {
        switch (v.GetValueKind())
        {
            case JsonValueKind.String: Quote(sb, v.GetValue<string>()); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            case JsonValueKind.Number:
                // The JSON literal tells int from float whatever CLR type backs the node (int, long, JsonElement).
                var literal = v.ToJsonString();
                sb.Append(literal.AsSpan().IndexOfAny(".eE") < 0 ? literal : Repr(double.Parse(literal, CultureInfo.InvariantCulture)));
                break;
            default: throw new ArgumentException($"no Python JSON form for {v.GetValueKind()}");
        }
    }

    // ensure_ascii=False: only '"', '\\' and the C0 controls are escaped (short forms where JSON has them).
    private static void Quote(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }
}
