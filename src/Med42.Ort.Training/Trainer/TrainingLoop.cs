// The loop of one run, from the resumed (or first) step to the last: the learning rate of each step, the step
// itself (TrainingStep), evaluation on the validation split every eval_every steps and at the end, the metrics row,
// checkpoints every save_every steps and at the end, and one progress report per step. Holds what a checkpoint
// needs besides the state: the loader position, the dropout stream and the tokens seen.
using System.Diagnostics;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Trainer;

internal sealed class TrainingLoop
{
    private readonly TrainOptions _o;
    private readonly ITrainingBackend _backend;
    private readonly DataLoader _loader;
    private readonly RunCheckpoints _checkpoints;
    private readonly TrainerState _start;
    private readonly int _total;
    private readonly int _warmup;
    private readonly IReadOnlyList<TokenizedDocument> _validation;
    private readonly DropoutMaskSampler _dropout;
    private readonly TrainingStep _step;
    private readonly DivergenceCheck _divergence;
    private readonly List<double> _history = [];
    private long _tokensThisRun;

    public TrainingLoop(TrainOptions o, ITrainingBackend backend, ICommunicator communicator, DataLoader loader, RunCheckpoints checkpoints,
        TrainerState start, int total, IReadOnlyList<TokenizedDocument> validation, int vocabSize)
    {
        _divergence = new DivergenceCheck(vocabSize);
        (_o, _backend, _loader, _checkpoints, _start, _total, _validation) = (o, backend, loader, checkpoints, start, total, validation);
        _warmup = LrSchedule.WarmupSteps(o.WarmupRatio, total);
        _dropout = new DropoutMaskSampler(start.DropoutRng, o.Lora.Dropout);
        _step = new TrainingStep(backend, communicator, loader, _dropout, o.GradAccum,
            new AdamWOptions(o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay), o.MaxGradNorm);
        LastLoss = start.LastLoss ?? double.NaN;
    }

    public double LastLoss { get; private set; }
    /// <summary>The latest validation loss of this run (null when it evaluated none).</summary>
    public double? EvalLoss { get; private set; }
    public IReadOnlyList<double> LossHistory => _history;

    public void Steps(MetricsLog metrics, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (var step = _start.Step; step < _total; step++)
        {
            ct.ThrowIfCancellationRequested();
            var lr = LrSchedule.At(_o.Schedule, _o.Lr, step, _total, _warmup);
            var g = _step.Run(step, lr, _checkpoints.Verified);
            if (_divergence.Observe(step, g.Loss, g.Norm, _checkpoints.Verified)) _checkpoints.MarkHealthy(step);
            _tokensThisRun += g.RealTokens;
            LastLoss = g.Loss;
            _history.Add(g.Loss);

            var done = step + 1;
            double? stepEval = null;
            if (_validation.Count > 0 && ((_o.EvalEvery > 0 && done % _o.EvalEvery == 0) || done == _total))
                stepEval = EvalLoss = TrainingStep.ValidationLoss(_backend, _validation, _o.BatchSize, _o.SeqLen, _o.Packing);
            var elapsed = clock.Elapsed.TotalSeconds;
            var report = new TrainProgress(done, _total, g.Loss, lr, g.Norm, _tokensThisRun / Math.Max(1e-9, elapsed),
                TimeSpan.FromSeconds(elapsed / Math.Max(1, done - _start.Step) * (_total - done)), stepEval, stepEval is double e ? Math.Exp(e) : null);
            metrics.Write(report, _start.TokensSeen + _tokensThisRun);
            if (_o.SaveEvery > 0 && done % _o.SaveEvery == 0) Save(done);
            progress?.Report(report);
        }
        if (_checkpoints.LastSavedStep != _total && _start.Step < _total) Save(_total);
        _checkpoints.Finish();
    }

    private void Save(int step) => _checkpoints.Save(step, _backend, new TrainerState
    {
        Step = step, Epoch = _loader.State.Epoch, Row = _loader.State.Row, DropoutRng = _dropout.State,
        TokensSeen = _start.TokensSeen + _tokensThisRun, LastLoss = LastLoss,
    });
}
