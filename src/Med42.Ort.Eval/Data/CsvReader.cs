// A strict RFC 4180 CSV reader (the MMLU files): comma-separated fields, double-quoted fields may
// contain commas, quotes ("" escapes one) and line breaks; records end with CRLF or LF; the last
// record may lack a final line break. Anything else (a quote inside an unquoted field, text after
// a closing quote, an unterminated quote) is an error with the line, never a silent guess.
using System.Text;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Eval.Data;

/// <summary>One CSV record and the 1-based line on which it starts.</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

public static class CsvReader
{
    public static IReadOnlyList<CsvRecord> ReadFile(string path) => Parse(File.ReadAllText(path, Encoding.UTF8), path);

    public static IReadOnlyList<CsvRecord> Parse(string text, string fileName)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        var n = text.Length;
        if (n > 0 && text[0] == '\uFEFF') i = 1; // UTF-8 BOM is not data

        while (i < n)
        {
            // Start of a field.
            if (text[i] == '"')
            {
                var quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= n) throw Med42Exception.At(fileName, $"line {quoteLine}", "unterminated quoted field");
                    var c = text[i];
                    if (c == '"')
                    {
                        if (i + 1 < n && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    if (c == '\n') line++;
                    field.Append(c);
                    i++;
                }
                if (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') && !(text[i] == '\r' && i + 1 == n))
                    throw Med42Exception.At(fileName, $"line {line}", $"unexpected character '{text[i]}' after a closing quote");
            }
            else
            {
                while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                {
                    if (text[i] == '"') throw Med42Exception.At(fileName, $"line {line}", "quote inside an unquoted field");
                    field.Append(text[i]);
                    i++;
                }
                if (i < n && text[i] == '\r' && !(i + 1 < n && text[i + 1] == '\n') && i + 1 != n)
                    throw Med42Exception.At(fileName, $"line {line}", "bare carriage return outside quotes");
            }

            fields.Add(field.ToString());
            field.Clear();
            if (i >= n) break;
            if (text[i] == ',') { i++; if (i >= n) fields.Add(""); continue; }
            // End of record: CRLF, LF, or a final lone CR.
            i += text[i] == '\r' ? (i + 1 < n ? 2 : 1) : 1;
            records.Add(new CsvRecord(recordLine, fields.ToArray()));
            fields.Clear();
            line++;
            recordLine = line;
        }
        if (fields.Count > 0) records.Add(new CsvRecord(recordLine, fields.ToArray()));
        return records;
    }
}
