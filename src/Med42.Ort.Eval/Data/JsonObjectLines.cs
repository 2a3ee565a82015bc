// Line numbers of the top-level keys of a JSON object file (e.g. PubMedQA's {pmid: {...}}), so
// errors about one entry can say "file:line" even though the file is a single JSON document.
using System.Text;
using System.Text.Json;

namespace Med42.Ort.Eval.Data;

public static class JsonObjectLines
{
    /// <summary>Maps each top-level property name to the 1-based line where it appears.</summary>
    public static Dictionary<string, int> TopLevelKeyLines(byte[] utf8)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        long scanned = 0;
        var line = 1;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                // Count newlines between the last key and this one (offsets only grow).
                for (var i = scanned; i < reader.TokenStartIndex; i++) if (utf8[i] == (byte)'\n') line++;
                scanned = reader.TokenStartIndex;
                lines.TryAdd(reader.GetString()!, line);
            }
        }
        return lines;
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
