// A strict RFC 4180 CSV reader (the MMLU files): comma-separated fields, double-quoted fields may
// contain commas, quotes ("" escapes one) and line breaks; records end with CRLF or LF; the last
// record may lack a final line break. Anything else (a quote inside an unquoted field, text after
// a closing quote, an unterminated quote) is an error with the line, never a silent guess.
// Files follow the text-input policy (TextInput): a record spanning a line that is not valid UTF-8
// carries that error, so the caller can stop on it or, skipping bad records, drop just that record.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Eval.Data;

/// <summary>One CSV record, the 1-based line on which it starts, and the text-input error of a line it spans (if any).</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, Med42Exception? Error = null);

public static class CsvReader
{
    /// <summary>Reads a CSV file; a file without a single record is an error.</summary>
    public static IReadOnlyList<CsvRecord> ReadFile(string path)
    {
        var bytes = InputFile.ReadAllBytes(path, "CSV file");
        var badLines = new SortedDictionary<int, Med42Exception>();
        foreach (var line in TextInput.Lines(bytes))
            if (TextInput.FirstProblem(line.Bytes.Span, jsonEscapes: false) is { } problem)
                badLines[line.Number] = TextInput.Error(path, line.Bytes.Span, problem, line.Offset, line.Number);
        // Invalid bytes become U+FFFD here only to find the record boundaries; the records that span them carry the error.
        var text = Encoding.UTF8.GetString(bytes);
        var records = Parse(text, path);
        if (records.Count == 0) throw Med42Exception.At(path, "line 1", "no records: the file is empty");
        if (badLines.Count == 0) return records;
        var result = new List<CsvRecord>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var end = i + 1 < records.Count ? records[i + 1].Line - 1 : int.MaxValue;
            var bad = badLines.FirstOrDefault(b => b.Key >= records[i].Line && b.Key <= end);
            result.Add(bad.Value is null ? records[i] : records[i] with { Error = bad.Value });
        }
        return result;
    }

    // One state machine over the characters (RFC 4180 quoting, line and column tracked for errors): split up, its
    // states would have to be passed around.
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
