namespace Med42.Ort.Cli; internal static class Program { private static int Main() => 0; }
