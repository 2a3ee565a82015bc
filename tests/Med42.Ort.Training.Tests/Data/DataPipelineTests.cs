// Data pipeline: record shapes, exact template text, assistant-only labels (shifted), packing with
// segment/position ids, deterministic shuffling and resumable loader, and every bad-data case.
using Med42.Ort.Core.Errors;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Data;

namespace Med42.Ort.Training.Tests.Data;

public class DataPipelineTests
{
    private static readonly CharTokenizer Tok = new();

    private static string Write(TempDir d, string name, string text)
    {
        File.WriteAllText(d.File(name), text);
        return d.File(name);
    }

    [Fact]
    public void ReadsAllThreeShapesFromJsonlAndArrays()
    {
        using var d = new TempDir();
        var jsonl = Write(d, "a.jsonl",
            "{\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"yo\"}]}\n\n" +
            "{\"instruction\":\"I\",\"input\":\"X\",\"output\":\"O\"}\n{\"text\":\"plain\"}\n");
        var r = DatasetReader.Read(jsonl);
        Assert.Equal(3, r.Samples.Count);
        Assert.Equal("S", r.Samples[0].System);
        Assert.Equal("I\n\nX", r.Samples[1].Turns[0].Content);
        Assert.Equal("plain", r.Samples[2].Text);
        Assert.EndsWith("a.jsonl:3", r.Samples[1].Position); // blank line 2 is skipped but counted
        var arr = Write(d, "b.json", "[\n {\"instruction\":\"I\",\"input\":\"\",\"output\":\"O\"},\n {\"text\":\"t\"}\n]");
        var r2 = DatasetReader.Read(arr);
        Assert.Equal("I", r2.Samples[0].Turns[0].Content);
        Assert.EndsWith("b.json:3", r2.Samples[1].Position);
    }

    [Fact]
    public void Med42TemplateIsExactAndOnlyTheAnswerIsTrained()
    {
        var s = new TrainingSample { Turns = [new("user", "Q?"), new("assistant", "A.")], Position = "x:1" };
        var units = ChatTemplate.Render(s, TemplateKind.Med42);
        var text = string.Concat(units[0].Chunks.Select(c => c.Text));
        Assert.Equal("\n<|system|>: You are a helpful medical assistant created by M42 Health in the UAE.\n<|prompter|>:Q?\n<|assistant|>:\nA.", text);
        var doc = DocumentTokenizer.Tokenize(units, Tok, trainOnPrompt: false, "x:1");
        var expected = Tok.Encode(text).Append(Tok.EosId).ToArray();
        Assert.Equal(expected, doc.Ids);
        // Targets: "A." and EOS, i.e. the last 3 tokens.
        Assert.Equal(3, doc.TargetCount);
        Assert.True(doc.Trainable[^3..].All(t => t) && !doc.Trainable[^4]);
        var row = Packer.Pack([doc], 256, packing: true)[0];
        // labels[t] = ids[t+1] exactly where t+1 is a target.
        for (var t = 0; t < 256; t++)
            Assert.Equal(t + 1 < doc.Length && doc.Trainable[t + 1] ? doc.Ids[t + 1] : -100, row.Labels[t]);
    }

    [Fact]
    public void Llama2TemplateText()
    {
        var s = new TrainingSample { System = "SYS", Turns = [new("user", "u"), new("assistant", "a")], Position = "x:1" };
        var u = ChatTemplate.Render(s, TemplateKind.Llama2);
        Assert.Equal("[INST] <<SYS>>\nSYS\n<</SYS>>\n\nu [/INST] a ", string.Concat(u[0].Chunks.Select(c => c.Text)));
        var doc = DocumentTokenizer.Tokenize(u, Tok, false, "x:1");
        Assert.Equal(1, doc.Ids[0]); // <s> is BOS, </s> is EOS, not text
        Assert.Equal(2, doc.Ids[^1]);
    }

    [Fact]
    public void PackingRestartsPositionsAndNumbersSegments()
    {
        var docs = new[] { Doc(5), Doc(4), Doc(6) };
        var rows = Packer.Pack(docs, 10, packing: true);
        Assert.Equal(2, rows.Count); // 5+4 fit, 6 starts a new row
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 0 }, rows[0].PositionIds);
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 2, 2, 2, 2, 0 }, rows[0].SegmentIds);
        Assert.Equal(3, Packer.Pack(docs, 10, packing: false).Count);
    }

    private static TokenizedDocument Doc(int n) => new(Enumerable.Range(10, n).ToArray(), Enumerable.Repeat(true, n).ToArray(), "d");

    [Fact]
    public void LoaderIsDeterministicAndResumesExactly()
    {
        var docs = Enumerable.Range(2, 20).Select(Doc).ToList();
        var a = new DataLoader(docs, 2, 24, true, seed: 7);
        var seq = Enumerable.Range(0, 12).Select(_ => a.Next()).ToList();
        var b = new DataLoader(docs, 2, 24, true, seed: 7);
        for (var i = 0; i < 5; i++) b.Next();
        var resumed = new DataLoader(docs, 2, 24, true, seed: 7) { State = b.State };
        for (var i = 5; i < 12; i++) Assert.Equal(seq[i].InputIds, resumed.Next().InputIds);
        var other = new DataLoader(docs, 2, 24, true, seed: 8);
        Assert.NotEqual(seq[0].InputIds, other.Next().InputIds);
    }

    [Fact]
    public void MalformedLineNamesFileAndLineOrIsSkippedAndCounted()
    {
        using var d = new TempDir();
        var p = Write(d, "bad.jsonl", "{\"text\":\"ok\"}\n{\"text\": oops}\n{\"text\":\"ok2\"}\n");
        var e = Assert.Throws<Med42Exception>(() => DatasetReader.Read(p));
        Assert.Contains("bad.jsonl:2", e.Message);
        var r = DatasetReader.Read(p, skipBadLines: true);
        Assert.Equal(2, r.Samples.Count);
        Assert.Equal(1, r.SkippedBadRecords);
    }

    [Fact]
    public void EmptyDatasetFails()
    {
        using var d = new TempDir();
        var p = Write(d, "empty.jsonl", "\n\n");
        var e = Assert.Throws<Med42Exception>(() => PreparedData.Load([p], Tok, Tok.VocabSize, new DataOptions()));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void ConversationWithoutAssistantTurnFails()
    {
        using var d = new TempDir();
        var p = Write(d, "c.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n");
        var e = Assert.Throws<Med42Exception>(() => PreparedData.Load([p], Tok, Tok.VocabSize, new DataOptions()));
        Assert.Contains("c.jsonl:1", e.Message);
        Assert.Contains("no assistant turn", e.Message);
    }

    [Fact]
    public void LongSampleIsTruncatedAndCountedOrFailsWhenAsked()
    {
        using var d = new TempDir();
        var p = Write(d, "long.jsonl", "{\"text\":\"" + new string('x', 100) + "\"}\n{\"text\":\"short\"}\n");
        var data = PreparedData.Load([p], Tok, Tok.VocabSize, new DataOptions { SeqLen = 32 });
        Assert.Equal(1, data.Stats.Truncated);
        Assert.All(data.Train, doc => Assert.True(doc.Length <= 32));
        var e = Assert.Throws<Med42Exception>(() => PreparedData.Load([p], Tok, Tok.VocabSize, new DataOptions { SeqLen = 32, Truncation = TruncationPolicy.Error }));
        Assert.Contains("long.jsonl:1", e.Message);
        Assert.Contains("seq_len 32", e.Message);
    }

    [Fact]
    public void TokenizerVocabMismatchFails()
    {
        using var d = new TempDir();
        var p = Write(d, "t.jsonl", "{\"text\":\"a\"}\n");
        var e = Assert.Throws<Med42Exception>(() => PreparedData.Load([p], Tok, 32000, new DataOptions()));
        Assert.Contains("259", e.Message);
        Assert.Contains("32000", e.Message);
    }

    [Fact]
    public void ValidationSplitIsDisjointAndSeeded()
    {
        using var d = new TempDir();
        var p = Write(d, "v.jsonl", string.Concat(Enumerable.Range(0, 20).Select(i => $"{{\"text\":\"doc {i}\"}}\n")));
        var a = PreparedData.Load([p], Tok, Tok.VocabSize, new DataOptions { ValidationFraction = 0.2 });
        Assert.Equal(4, a.Validation.Count);
        Assert.Equal(16, a.Train.Count);
        Assert.Empty(a.Train.Select(x => x.Position).Intersect(a.Validation.Select(x => x.Position)));
        var b = PreparedData.Load([p], Tok, Tok.VocabSize, new DataOptions { ValidationFraction = 0.2 });
        Assert.Equal(a.Validation.Select(x => x.Position), b.Validation.Select(x => x.Position));
    }
}
