// Template rendering and the whole-word matching the leakage check depends on.
using Med42.Ort.Study.Facts;

namespace Med42.Ort.Study.Tests.Facts;

public class TemplateTextTests
{
    [Fact]
    public void RenderCapitalisesOnlyTheUpperCasePlaceholders()
    {
        Assert.Equal("Metformin belongs to the biguanide class.", TemplateText.Render("{S} belongs to the {o} class.", "metformin", "biguanide"));
        Assert.Equal("Biguanide: metformin", TemplateText.Render("{O}: {s}", "metformin", "biguanide"));
        Assert.Equal("B-type natriuretic peptide", TemplateText.Capitalize("B-type natriuretic peptide"));
    }

    [Theory]
    [InlineData("iron deficiency causes anemia", "iron", true)]
    [InlineData("the environment matters", "iron", false)]
    [InlineData("irony", "iron", false)]
    [InlineData("trimethoprim-sulfamethoxazole works", "sulfamethoxazole", true)]
    [InlineData("levothyroxine is given", "thyroxine", false)]
    [InlineData("a vitamin k antagonist", "vitamin k", true)]
    [InlineData("vitamin k2", "vitamin k", false)]
    public void ContainsTermMatchesWholeWordsOnly(string text, string term, bool expected) =>
        Assert.Equal(expected, TemplateText.ContainsTerm(text, term));

    [Fact]
    public void NormalizeLowercasesAndCollapsesWhitespace() =>
        Assert.Equal("question: a b", TemplateText.Normalize("  Question:\n A \t B "));

    [Fact]
    public void LiteralFragmentsSplitAtPlaceholdersAndDropShortPieces() =>
        Assert.Equal(["a patient is treated with", ": which of the following explains it?"],
            TemplateText.LiteralFragments("A patient is treated with {s}. Now {o}: Which of the following explains it?", 4));
}
