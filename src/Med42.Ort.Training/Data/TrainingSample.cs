// One parsed training record before templating: a conversation (chat or Alpaca) or plain text.
// Position ("file:line") travels with it so template and length errors can point at the record.
namespace Med42.Ort.Training.Data;

public sealed record ChatTurn(string Role, string Content);

public sealed record TrainingSample
{
    /// <summary>System prompt from the data (null = the template's default).</summary>
    public string? System { get; init; }

    /// <summary>user/assistant turns in order (empty for plain text).</summary>
    public IReadOnlyList<ChatTurn> Turns { get; init; } = [];

    /// <summary>Plain text (the {"text"} format); trained on every token.</summary>
    public string? Text { get; init; }

    /// <summary>"file:line" of the record.</summary>
    public required string Position { get; init; }
}
