// Runs a Llama decoder ONNX graph (LlamaGraph with KV cache) step by step.
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Runtime;

public sealed class DecoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string[] _outputNames;

    public DecoderSession(InferenceSession session, LlamaConfig config)
    {
        _session = session;
        Config = config;
        _outputNames = ["logits", .. Enumerable.Range(0, config.NumHiddenLayers).SelectMany(i => new[] { LlamaGraph.PresentKey(i), LlamaGraph.PresentValue(i) })];
        var past = session.InputMetadata[LlamaGraph.PastKey(0)].ElementDataType;
        CacheType = past;
    }

    public LlamaConfig Config { get; }
    public TensorElementType CacheType { get; }

    public KvCache NewCache(int batch) => KvCache.Empty(Config.NumHiddenLayers, batch, Config.NumKeyValueHeads, Config.HeadDim, CacheType);

    /// <summary>
    /// One forward pass over <paramref name="inputIds"/> [B,T] given the cache of P past tokens;
    /// <paramref name="attentionMask"/> is [B, P+T]. Updates the cache; returns logits [B,T,V] as float.
    /// </summary>
    public float[] Forward(long[] inputIds, long[] positionIds, long[] attentionMask, int batch, KvCache cache)
    {
        var t = inputIds.Length / batch;
        var s = attentionMask.Length / batch;
        using var ids = OrtValue.CreateTensorValueFromMemory(inputIds, [batch, t]);
        using var pos = OrtValue.CreateTensorValueFromMemory(positionIds, [batch, t]);
        using var mask = OrtValue.CreateTensorValueFromMemory(attentionMask, [batch, s]);
        var names = new List<string> { "input_ids", "position_ids", "attention_mask" };
        var values = new List<OrtValue> { ids, pos, mask };
        for (var i = 0; i < Config.NumHiddenLayers; i++)
        {
            names.Add(LlamaGraph.PastKey(i)); values.Add(cache.Key(i));
            names.Add(LlamaGraph.PastValue(i)); values.Add(cache.Value(i));
        }
        var outputs = _session.Run(_run, names, values, _outputNames);
        try
        {
            var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            for (var i = 0; i < Config.NumHiddenLayers; i++)
                cache.Replace(i, outputs[1 + 2 * i], outputs[2 + 2 * i]);
            outputs[0].Dispose();
            return logits;
        }
        catch
        {
            foreach (var o in outputs) o.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}
