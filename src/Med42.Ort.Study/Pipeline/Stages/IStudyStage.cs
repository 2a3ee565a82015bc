namespace Med42.Ort.Study.Pipeline.Stages;

/// <summary>
/// One resumable step of the study. It owns the folder &lt;out&gt;/<see cref="Name"/>/ and writes only there;
/// <see cref="StageRunner"/> skips it when that folder holds a marker with the same fingerprint.
/// </summary>
internal interface IStudyStage
{
    string Name { get; }

    /// <summary>Training stages are fingerprinted without the evaluation settings, so changing those does not retrain.</summary>
    bool IsTraining { get; }

    void Run(string dir);
}
