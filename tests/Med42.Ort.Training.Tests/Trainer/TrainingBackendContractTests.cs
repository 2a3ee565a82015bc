// Holds a training backend to the contract of ITrainingBackend, counted by its own TransferLedger: per optimizer step
// only the batch (ids, labels, segments, positions, dropout masks) goes up and scalars (loss sum and target count per
// micro-batch, the squared norm per step) come down — plus, for a backend whose optimizer runs where the state lives,
// the step's own scalars going up (1/targets, the clip factor, AdamW's hyperparameters); parameters, gradients and
// AdamW moments cross only when a checkpoint is saved or resumed, and once at the start for a device backend.
// Abstract over the backend: each implementation derives once and supplies its factory and session settings
// (CpuTrainingBackendContractTests and ResidentTrainingBackendContractTests here, the latter on the CPU EP).
using System.Reflection;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Tests.Trainer;

public abstract class TrainingBackendContractTests
{
    protected abstract ITrainingBackendFactory Factory { get; }
    protected virtual SessionSettings Settings => new() { Threads = 1 };

    /// <summary>Host→device scalar copies of one step that clips (0 where the optimizer runs on the host).</summary>
    protected virtual int ScalarUploadsPerClippedStep => 0;

    /// <summary>The state is copied into the backend's memory once before the first step (a device backend).</summary>
    protected virtual bool UploadsInitialState => false;

    private static readonly LoraConfig DropoutLora = new() { Rank = 2, Alpha = 4, Dropout = 0.2, Targets = ["q_proj", "v_proj"] };

    [Fact]
    public void AStepMovesOnlyTheBatchUpAndScalarsDown()
    {
        const int batch = 2, seq = 12, accum = 3;
        using var run = new TinyTrainingRun(TrainingMode.Lora, DropoutLora);
        Assert.NotEmpty(run.Artifacts.DropoutMasks);   // the masks are part of what goes up
        using var backend = run.Backend(Factory, Settings, batch, seq);
        var step = new TrainingStep(backend, SingleProcessCommunicator.Instance, TinyTrainingRun.Loader(20, batch, seq),
            new DropoutMaskSampler(5, DropoutLora.Dropout), accum, new AdamWOptions(), maxGradNorm: 1e-3);   // clips every step
        long maskBytes = run.Artifacts.DropoutMasks.Sum(m => m.Features * batch * seq);   // one byte per bool
        long batchBytes = 4L * sizeof(long) * batch * seq + maskBytes;                    // ids, labels, segments, positions
        for (var t = 0; t < 3; t++)
        {
            var before = backend.Transfers.Snapshot();
            step.Run(t, 1e-3, lastCheckpoint: null);
            var moved = backend.Transfers.Since(before);
            Assert.Equal(accum * batchBytes, moved[TransferDirection.HostToDevice, TransferKind.Batch].Bytes);
            var scalars = moved[TransferDirection.DeviceToHost, TransferKind.Scalar];
            Assert.Equal(2 * accum + 1, scalars.Count);                  // (loss, targets) per micro-batch, the norm per step
            Assert.InRange(scalars.Bytes, scalars.Count * sizeof(float), scalars.Count * sizeof(double));
            var up = moved[TransferDirection.HostToDevice, TransferKind.Scalar];
            Assert.Equal(ScalarUploadsPerClippedStep, up.Count);
            Assert.InRange(up.Bytes, 0, up.Count * 8 * sizeof(float));   // each a handful of float32 hyperparameters
            // A device backend uploads the initial state with the first step (not before: a resumed run uploads the checkpoint instead).
            Assert.Equal(t == 0 && UploadsInitialState ? new TransferTotal(run.StateBytes, 1) : default, moved[TransferDirection.HostToDevice, TransferKind.State]);
            Assert.Equal(default, moved[TransferDirection.DeviceToHost, TransferKind.State]);
            Assert.Equal(default, moved[TransferDirection.DeviceToHost, TransferKind.Batch]);
        }
    }

    [Fact]
    public void TheStateCrossesOnlyWhenACheckpointIsSavedOrResumed()
    {
        using var d = new TempDir();
        var tokenizer = new CharTokenizer();
        var config = TinyModels.Config() with { MaxPositionEmbeddings = 256 };   // a templated story is ~130 characters
        using var weights = Llama.Checkpoints.TinyLlama.Create(config, 33, std: 0.1f);
        var capture = new CapturingFactory(Factory);
        var setup = new TrainingSetup { Backend = capture };
        var o = new TrainOptions
        {
            Model = "tiny", Data = [StorySamples.WriteJsonl(d)], Out = d.File("run"), Mode = TrainingMode.Full, MaxSteps = 4, SaveEvery = 2,
            BatchSize = 2, GradAccum = 2, SeqLen = 192, Packing = false, Threads = Settings.Threads, Device = Settings.Device,
        };
        Med42.Ort.Training.Trainer.Trainer.Run(o, config, weights, tokenizer, null, setup: setup);
        long stateBytes = Llama.WeightLayout.For(config).Sum(s => 3L * sizeof(float) * s.ElementCount);   // full: every weight trains
        var first = capture.Created!.Transfers;
        // Saved at steps 2 and 4; the final model reuses step 4's export.
        Assert.Equal(new TransferTotal(2 * stateBytes, 2), first[TransferDirection.DeviceToHost, TransferKind.State]);
        Assert.Equal(UploadsInitialState ? new TransferTotal(stateBytes, 1) : default, first[TransferDirection.HostToDevice, TransferKind.State]);
        Assert.Equal(4 * (2 * 2 + 1), first[TransferDirection.DeviceToHost, TransferKind.Scalar].Count);

        Med42.Ort.Training.Trainer.Trainer.Run(o with { MaxSteps = 6, Resume = o.Out }, config, weights, tokenizer, null, setup: setup);
        var resumed = capture.Created!.Transfers;
        Assert.Equal(new TransferTotal(stateBytes, 1), resumed[TransferDirection.HostToDevice, TransferKind.State]);   // the checkpoint alone
        Assert.Equal(new TransferTotal(stateBytes, 1), resumed[TransferDirection.DeviceToHost, TransferKind.State]);   // step 6
    }

    [Fact]
    public void ClippingBringsTheNormToTheThreshold()
    {
        using var run = new TinyTrainingRun(TrainingMode.Full);
        using var backend = run.Backend(Factory, Settings, 4, 12);
        var g = new TrainingStep(backend, SingleProcessCommunicator.Instance, TinyTrainingRun.Loader(8, 4, 12), new DropoutMaskSampler(1, 0),
            1, new AdamWOptions(), maxGradNorm: 0).ComputeGradients();
        const double max = 0.25;
        Assert.True(g.Norm > 4 * max, $"norm {g.Norm} too small to clip");
        GradientClipping.Apply(backend, g.Norm, max);
        // The clipped norm is max · norm / (norm + 1e-6) up to float32 rounding of every element (~1e-7 relative each).
        Assert.Equal(max * g.Norm / (g.Norm + 1e-6), Math.Sqrt(backend.ScaleGradients(1f)), 1e-6);
    }

    [Fact]
    public void NoPerStepMemberCarriesParametersOrGradients()
    {
        // Only ExportState/ImportState hand the state over; every other member takes or returns a batch, scalars,
        // the masks' staging buffers, the communicator or bookkeeping.
        Type[] allowed = [typeof(void), typeof(Batch), typeof(double), typeof(float), typeof(int), typeof(long), typeof((double, long)),
            typeof(ICommunicator), typeof(AdamWOptions), typeof(IReadOnlyList<bool[]>), typeof(TransferLedger), typeof(IReadOnlyList<string>)];
        foreach (var m in typeof(ITrainingBackend).GetMethods().Where(m => m.Name is not (nameof(ITrainingBackend.ExportState) or nameof(ITrainingBackend.ImportState))))
            foreach (var t in m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))
                Assert.True(allowed.Contains(t), $"{m.Name} carries {t}");
    }

    private sealed class CapturingFactory(ITrainingBackendFactory inner) : ITrainingBackendFactory
    {
        public ITrainingBackend? Created { get; private set; }
        public ITrainingBackend Create(TrainingBackendSpec spec) => Created = inner.Create(spec);
    }
}

public sealed class CpuTrainingBackendContractTests : TrainingBackendContractTests
{
    protected override ITrainingBackendFactory Factory => CpuTrainingBackend.Factory;
}

/// <summary>The device-resident backend on the CPU EP: the same code that runs under the CUDA EP, with the CPU allocator.</summary>
public sealed class ResidentTrainingBackendContractTests : TrainingBackendContractTests
{
    protected override ITrainingBackendFactory Factory => ResidentTrainingBackend.Factory;
    protected override int ScalarUploadsPerClippedStep => 3;   // 1/targets, the clip factor, AdamW's eight scalars
    protected override bool UploadsInitialState => true;
}
