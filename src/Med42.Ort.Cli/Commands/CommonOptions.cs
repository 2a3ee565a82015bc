using CommandLine;
using Med42.Ort.Runtime;

namespace Med42.Ort.Cli.Commands;

/// <summary>Options every verb that runs a model shares.</summary>
internal abstract class RunOptionsBase
{
    [Option("device", HelpText = "cpu (default) or cuda (cuda needs the GPU build: -p:OrtFlavour=cuda).")]
    public Device Device { get; set; } = Device.Cpu;

    [Option("threads", Default = 0, HelpText = "Intra-op threads (0 = ONNX Runtime default).")]
    public int Threads { get; set; }

    public SessionSettings Session() => new() { Device = Device, Threads = Threads };
}
