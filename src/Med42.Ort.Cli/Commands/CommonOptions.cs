using CommandLine;
using Med42.Ort.Runtime;

namespace Med42.Ort.Cli.Commands;

/// <summary>Options every verb that runs a model shares.</summary>
internal abstract class RunOptionsBase
{
    [Option("device", Default = "cpu", HelpText = "cpu or cuda (cuda needs the GPU build: -p:OrtFlavour=cuda).")]
    public string Device { get; set; } = "cpu";

    [Option("threads", Default = 0, HelpText = "Intra-op threads (0 = ONNX Runtime default).")]
    public int Threads { get; set; }

    public SessionSettings Session() => new() { Device = SessionSettings.ParseDevice(Device), Threads = Threads };
}
