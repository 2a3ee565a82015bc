// For one real document per task (from the dev files in ../shared/data), the built
// context equals the lm-evaluation-harness v0.4 template character for character. The expected
// strings were written by hand from the templates in EVAL_PROTOCOL.md and the raw records, not
// from our output.
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests;

public class GoldenPromptTests
{
    private static readonly BadDataLog Strict = new(skipBad: false);

    private static (IEvalTask Task, IReadOnlyList<MultipleChoiceDoc> Docs) Load(IEvalTask task) => (task, task.LoadDocs(Strict));

    [SkippableFact]
    public void MedQa_FirstDevRecord()
    {
        var (task, docs) = Load(new MedQaTask(SharedData.Path("medqa/phrases_no_exclude_dev.jsonl")));
        const string expected =
            "Question: A 21-year-old sexually active male complains of fever, pain during urination, and inflammation and pain in the right knee. " +
            "A culture of the joint fluid shows a bacteria that does not ferment maltose and has no polysaccharide capsule. " +
            "The physician orders antibiotic therapy for the patient. The mechanism of action of action of the medication given blocks cell wall synthesis, " +
            "which of the following was given?\nA. Gentamicin\nB. Ciprofloxacin\nC. Ceftriaxone\nD. Trimethoprim\nAnswer:";
        Assert.Equal(expected, task.BuildContext(docs[0]));
        Assert.Equal(["A", "B", "C", "D"], docs[0].Choices);
        Assert.Equal(2, docs[0].Gold); // answer_idx "C"
    }

    [Fact]
    public void MedQa_HuggingFaceForm_SameContext()
    {
        using var dir = new TempDir();
        var path = dir.File("hf.jsonl");
        File.WriteAllText(path, """{"id": "q1", "sent1": "Which drug?", "sent2": "", "ending0": "a", "ending1": "b", "ending2": "c", "ending3": "d", "label": 3}""" + "\n");
        var (task, docs) = Load(new MedQaTask(path));
        Assert.Equal("Question: Which drug?\nA. a\nB. b\nC. c\nD. d\nAnswer:", task.BuildContext(docs[0]));
        Assert.Equal(3, docs[0].Gold);
        Assert.Equal("q1", docs[0].Id);
    }

    [SkippableFact]
    public void MedMcqa_FirstDevRecord()
    {
        var (task, docs) = Load(new MedMcqaTask(SharedData.Path("medmcqa/dev_sample300.json")));
        const string expected =
            "Question: Which of the following is not true for myelinated nerve fibers:\nChoices:\n" +
            "A. Impulse through myelinated fibers is slower than non-myelinated fibers\n" +
            "B. Membrane currents are generated at nodes of Ranvier\n" +
            "C. Saltatory conduction of impulses is seen\n" +
            "D. Local anesthesia is effective only when the nerve is not covered by myelin sheath\nAnswer:";
        Assert.Equal(expected, task.BuildContext(docs[0]));
        Assert.Equal(0, docs[0].Gold); // cop 1 in the 1-based original release
        Assert.Equal("45258d3d-b974-44dd-a161-c3fccbdadd88", docs[0].Id);
    }

    [SkippableFact]
    public void PubMedQa_Pmid11296674()
    {
        var (task, docs) = Load(new PubMedQaTask(SharedData.Path("pubmedqa/pqal_dev500.json")));
        var doc = docs.Single(d => d.Id == "11296674");
        const string expected =
            "Abstract: To report an uncommon association of prostate and lung cancer.\n" +
            "The characteristics of both tumors, their association with tumors in other sites and the time of presentation are analyzed.\n" +
            "Both tumors were in the advanced stages. Metastatic carcinoma of the prostate was discarded due to the form of presentation.\n" +
            "Question: Prostatic syndrome and pleural effusion: are they different diseases?\nAnswer:";
        Assert.Equal(expected, task.BuildContext(doc));
        Assert.Equal(["yes", "no", "maybe"], doc.Choices);
        Assert.Equal(2, doc.Gold); // final_decision "maybe"
    }

    public static TheoryData<string, string, int> MmluFirstRows => new()
    {
        { "anatomy",
          "The following are multiple choice questions (with answers) about anatomy.\n\nWhat is the embryological origin of the hyoid bone?\n" +
          "A. The first pharyngeal arch\nB. The first and second pharyngeal arches\nC. The second pharyngeal arch\nD. The second and third pharyngeal arches\nAnswer:", 3 },
        { "clinical_knowledge",
          "The following are multiple choice questions (with answers) about clinical knowledge.\n\nThe energy for all forms of muscle contraction is provided by:\n" +
          "A. ATP.\nB. ADP.\nC. phosphocreatine.\nD. oxidative phosphorylation.\nAnswer:", 0 },
        { "college_biology",
          "The following are multiple choice questions (with answers) about college biology.\n\nWhich of the following represents an accurate statement concerning arthropods?\n" +
          "A. They possess an exoskeleton composed primarily of peptidoglycan.\nB. They possess an open circulatory system with a dorsal heart.\n" +
          "C. They are members of a biologically unsuccessful phylum incapable of exploiting diverse habitats and nutrition sources.\n" +
          "D. They lack paired, jointed appendages.\nAnswer:", 1 },
        { "college_medicine",
          "The following are multiple choice questions (with answers) about college medicine.\n\nGlucose is transported into the muscle cell:\n" +
          "A. via protein transporters called GLUT4.\nB. only in the presence of insulin.\nC. via hexokinase.\nD. via monocarbylic acid transporters.\nAnswer:", 0 },
        { "medical_genetics",
          "The following are multiple choice questions (with answers) about medical genetics.\n\nLarge triplet repeat expansions can be detected by:\n" +
          "A. polymerase chain reaction.\nB. single strand conformational polymorphism analysis.\nC. Southern blotting.\nD. Western blotting.\nAnswer:", 2 },
        { "professional_medicine",
          "The following are multiple choice questions (with answers) about professional medicine.\n\n" +
          "A 42-year-old man comes to the office for preoperative evaluation prior to undergoing adrenalectomy scheduled in 2 weeks. " +
          "One month ago, he received care in the emergency department for pain over his right flank following a motor vehicle collision. " +
          "At that time, blood pressure was 160/100 mm Hg and CT scan of the abdomen showed an incidental 10-cm left adrenal mass. " +
          "Results of laboratory studies, including complete blood count, serum electrolyte concentrations, and liver function tests, were within the reference ranges. " +
          "The patient otherwise had been healthy and had never been told that he had elevated blood pressure. He takes no medications. " +
          "A follow-up visit in the office 2 weeks ago disclosed elevated urinary normetanephrine and metanephrine and plasma aldosterone concentrations. " +
          "The patient was referred to a surgeon, who recommended the adrenalectomy. Today, vital signs are temperature 36.6°C (97.9°F), pulse 100/min, " +
          "respirations 14/min, and blood pressure 170/95 mm Hg. Physical examination discloses no significant findings. " +
          "Initial preoperative preparation should include treatment with which of the following?\n" +
          "A. Labetalol\nB. A loading dose of potassium chloride\nC. Nifedipine\nD. Phenoxybenzamine\nAnswer:", 3 },
    };

    [SkippableTheory]
    [MemberData(nameof(MmluFirstRows))]
    public void Mmlu_FirstDevRow_ZeroShot(string subject, string expected, int gold)
    {
        var (task, docs) = Load(new MmluTask(subject, SharedData.Path($"mmlu/dev/{subject}_dev.csv")));
        Assert.Equal("mmlu_" + subject, task.Name);
        Assert.Equal(expected, task.BuildContext(docs[0]));
        Assert.Equal(gold, docs[0].Gold);
    }

    private const string GeneticsTwoShotLetter =
        "The following are multiple choice questions (with answers) about medical genetics.\n\n" +
        "Large triplet repeat expansions can be detected by:\nA. polymerase chain reaction.\nB. single strand conformational polymorphism analysis.\n" +
        "C. Southern blotting.\nD. Western blotting.\nAnswer: C\n\n" +
        "DNA ligase is\nA. an enzyme that joins fragments in normal DNA replication\nB. an enzyme of bacterial origin which cuts DNA at defined base sequences\n" +
        "C. an enzyme that facilitates transcription of specific genes\nD. an enzyme which limits the level to which a particular nutrient reaches\nAnswer: A\n\n" +
        "A gene showing codominance\nA. has both alleles independently expressed in the heterozygote\nB. has one allele dominant to the other\n" +
        "C. has alleles tightly linked on the same chromosome\nD. has alleles expressed at the same time in development\nAnswer:";

    [SkippableFact]
    public void Mmlu_TwoShot_DescriptionOnceThenFirstDevRows()
    {
        var dev = SharedData.Path("mmlu/dev/medical_genetics_dev.csv");
        // The dev file doubles as the "test" file here: document 3 is asked after shots 1 and 2.
        var (task, docs) = Load(new MmluTask("medical_genetics", dev, dev, numFewshot: 2));
        Assert.Equal(GeneticsTwoShotLetter, task.BuildContext(docs[2]));
        Assert.Equal(2, task.NumFewshot);
    }

    [SkippableFact]
    public void Mmlu_TextStyle_ScoresAnswerTexts()
    {
        var dev = SharedData.Path("mmlu/dev/medical_genetics_dev.csv");
        var (task, docs) = Load(new MmluTask("medical_genetics", dev, dev, numFewshot: 2, MmluStyle.Text));
        var expected = GeneticsTwoShotLetter
            .Replace("Answer: C\n\n", "Answer: Southern blotting.\n\n")
            .Replace("Answer: A\n\n", "Answer: an enzyme that joins fragments in normal DNA replication\n\n");
        Assert.Equal(expected, task.BuildContext(docs[2]));
        Assert.Equal(["has both alleles independently expressed in the heterozygote", "has one allele dominant to the other",
            "has alleles tightly linked on the same chromosome", "has alleles expressed at the same time in development"], docs[2].Choices);
    }

    [Fact]
    public void GenericJsonl_LetterOrIndexAnswer()
    {
        using var dir = new TempDir();
        var path = dir.File("usmle.jsonl");
        File.WriteAllText(path,
            """{"question": "Q1?", "choices": ["x", "y", "z", "w", "v"], "answer": "E"}""" + "\n" +
            """{"id": 7, "question": "Q2?", "choices": ["p", "q"], "answer": 0}""");
        var (task, docs) = Load(new GenericJsonlTask("usmle", path));
        Assert.Equal("Question: Q1?\nA. x\nB. y\nC. z\nD. w\nE. v\nAnswer:", task.BuildContext(docs[0]));
        Assert.Equal(["A", "B", "C", "D", "E"], docs[0].Choices);
        Assert.Equal(4, docs[0].Gold);
        Assert.Equal("Question: Q2?\nA. p\nB. q\nAnswer:", task.BuildContext(docs[1]));
        Assert.Equal(0, docs[1].Gold);
        Assert.Equal("7", docs[1].Id);
    }
}
