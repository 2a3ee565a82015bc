// `med42`: verbs wiring the library together (no algorithms here). Errors the user can fix — bad input, bad flags
// (ParseErrorText), a file-system fault (disk full, permission denied), an ONNX Runtime or GenAI failure — print one
// line "med42: error: path: what" and exit 2 (ErrorReport); the stack trace follows only with the global --verbose
// (accepted anywhere on the command line, as the verb parser has no global options) or MED42_VERBOSE=1. Anything
// else is a bug and crashes with the exception. --help prints HelpRenderer's text (every flag with its default and
// aliases) on stderr and exits 0; --version prints the parser's version line.
using CommandLine;
using CommandLine.Text;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Cli.Options;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Cli;

internal static class Program
{
    public const string VerboseFlag = "--verbose";

    private static int Main(string[] args)
    {
        var verbose = args.Contains(VerboseFlag) || Environment.GetEnvironmentVariable("MED42_VERBOSE") == "1";
        args = args.Where(a => a != VerboseFlag).ToArray();
        using var parser = CreateParser();
        var result = Parse(parser, args);
        if (result.Tag == ParserResultType.NotParsed) return ParseFailed(result, args, parser.Settings.MaximumDisplayWidth);
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

    internal static Parser CreateParser() => new(s =>
    {
        s.HelpWriter = null; // errors are reported by ParseFailed, one line each
        s.CaseInsensitiveEnumValues = true;
    });

    /// <summary>The verb <paramref name="args"/> select, aliased flags (FlagAliases) and enum values (EnumArguments) respelled first.</summary>
    internal static ParserResult<object> Parse(Parser parser, string[] args) => parser.ParseArguments(Canonical(args), Verbs.All);

    private static string[] Canonical(string[] args) => EnumArguments.Normalize(FlagAliases.Rewrite(args, Verbs.All), Verbs.All);

    private static int ParseFailed(ParserResult<object> result, string[] args, int width)
    {
        var errors = result.Errors.ToList();
        var asked = errors.All(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError);
        var verb = result.TypeInfo.Current is { } t && Verbs.All.Contains(t) ? t : null;
        if (errors.Any(e => e.Tag == ErrorType.VersionRequestedError))
        {
            Console.Error.Write(HelpText.AutoBuild(result, width));
            return 0;
        }
        // Help, and a bare `med42` (which lists the verbs), print HelpRenderer's text.
        if (asked || errors.Any(e => e.Tag == ErrorType.NoVerbSelectedError))
        {
            var helpVerb = errors.OfType<HelpVerbRequestedError>().FirstOrDefault()?.Type ?? verb;
            Console.Error.Write(helpVerb is null ? HelpRenderer.Index(Verbs.All, width) : HelpRenderer.Verb(helpVerb, width));
            return asked ? 0 : 2;
        }
        Console.Error.WriteLine($"med42: error: {ParseErrorText.Describe(errors, verb, FlagAliases.Rewrite(args, Verbs.All), Verbs.All)}");
        return 2;
    }
}

/// <summary>A parsed verb.</summary>
internal interface ICommand
{
    int Run(CancellationToken cancellationToken);
}
