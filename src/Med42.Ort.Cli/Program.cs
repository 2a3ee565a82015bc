// `med42`: verbs wiring the library together (no algorithms here). Errors the user can fix print one
// line "med42: error: …" and exit 2; anything else is a bug and exits 1 with the exception.
using CommandLine;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var parser = new Parser(s =>
        {
            s.HelpWriter = Console.Error;
            s.CaseInsensitiveEnumValues = true;
        });
        var result = parser.ParseArguments(args, Verbs.All);
        if (result.Tag == ParserResultType.NotParsed)
            return result.Errors.All(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError) ? 0 : 2;
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            return ((ICommand)result.Value).Run(cts.Token);
        }
        catch (Med42Exception e)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"med42: error: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("med42: cancelled");
            return 130;
        }
    }
}

/// <summary>A parsed verb.</summary>
internal interface ICommand
{
    int Run(CancellationToken cancellationToken);
}
