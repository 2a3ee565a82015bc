using CommandLine;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Spectre.Console;

namespace Med42.Ort.Cli.Commands;

[Verb("info", HelpText = "Show a checkpoint's config, parameter count, dtypes and tensor table.")]
internal sealed class InfoCommand : ICommand
{
    [Option("model", Required = true, HelpText = "HF folder, llama2.c .bin or .gguf.")]
    public string Model { get; set; } = "";

    // bool? so the flag takes a value: a plain switch would leave `--tensors false` as a stray word and print the table.
    [Option("tensors", Default = true, HelpText = "Print the tensor table: true or false.")]
    public bool? Tensors { get; set; } = true;

    public int Run(CancellationToken cancellationToken)
    {
        using var ckpt = LlamaCheckpoint.Open(Model);
        var c = ckpt.Config;
        var console = AnsiConsole.Console;
        var grid = new Table().AddColumn("field").AddColumn("value").Title(Markup.Escape($"{ckpt.Source} ({ckpt.Format})"));
        void Row(string k, object v) => grid.AddRow(k, Markup.Escape(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        Row("hidden_size (C)", c.HiddenSize);
        Row("intermediate_size (F)", c.IntermediateSize);
        Row("num_hidden_layers (L)", c.NumHiddenLayers);
        Row("num_attention_heads (H)", c.NumAttentionHeads);
        Row("num_key_value_heads (Hkv)", c.NumKeyValueHeads);
        Row("head_dim (D)", c.HeadDim);
        Row("vocab_size (V)", c.VocabSize);
        Row("max_position_embeddings", c.MaxPositionEmbeddings);
        Row("rms_norm_eps", c.RmsNormEps);
        Row("rope_theta", c.RopeTheta);
        Row("tie_word_embeddings", c.TieWordEmbeddings);
        Row("parameters", $"{WeightLayout.ParameterCount(c):N0}");
        Row("dtypes", string.Join(", ", ckpt.Weights.Tensors.GroupBy(t => t.DType).Select(g => $"{g.Key} × {g.Count()}")));
        console.Write(grid);
        if (Tensors != false)
        {
            var table = new Table().AddColumn("tensor").AddColumn("dtype").AddColumn("shape").AddColumn(new TableColumn("elements").RightAligned());
            foreach (var t in ckpt.Weights.Tensors) table.AddRow(Markup.Escape(t.Name), t.DType.ToString(), Markup.Escape(t.ShapeText), $"{t.ElementCount:N0}");
            console.Write(table);
        }
        return 0;
    }
}
