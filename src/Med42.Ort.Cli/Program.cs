// `med42`: verbs wiring the library together (no algorithms here). Errors the user can fix — bad input, a file-system
// fault (disk full, permission denied), an ONNX Runtime or GenAI failure — print one line "med42: error: path: what"
// and exit 2 (ErrorReport); the stack trace follows only with the global --verbose (accepted anywhere on the command
// line, as the verb parser has no global options) or MED42_VERBOSE=1. Anything else is a bug and crashes with the exception.
using CommandLine;
using Med42.Ort.Cli.Commands;

namespace Med42.Ort.Cli;

internal static class Program
{
    public const string VerboseFlag = "--verbose";

    private static int Main(string[] args)
    {
        var verbose = args.Contains(VerboseFlag) || Environment.GetEnvironmentVariable("MED42_VERBOSE") == "1";
        args = args.Where(a => a != VerboseFlag).ToArray();
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
        catch (Exception e) when (ErrorReport.IsUserFacing(ErrorReport.Unwrap(e)))
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"med42: error: {ErrorReport.Line(ErrorReport.Unwrap(e))}");
            if (verbose) Console.Error.WriteLine(e);
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
