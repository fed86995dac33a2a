"""Normalisation streams: memory bounded by a window of records, not by the file (records or
samples); the window's edge; input out of order; the text fast path for sample columns
against the sample-by-sample rewrite; undeclared keys whose Number a later record settles."""

from __future__ import annotations

import random
import shutil
import subprocess
import tracemalloc

import pysam

from cmmvar.io.sample_columns import SampleColumns, _shapes
from cmmvar.io.windowsort import MAX_RUNS, WindowSort
from cmmvar.prepare.normalise import WINDOW, normalise

FORMATS = ('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
           '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="depths">\n'
           '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">\n'
           '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="likelihoods">\n')


def _cohort(path, records: int, samples: int, spacing: int) -> int:
    """A VCF of biallelic SNVs with every 5th record triallelic and one sample's AD too
    short; returns the length of a record's line."""
    rng = random.Random(records * 7919 + samples)
    names = [f"S{i}" for i in range(samples)]
    lines = ["##fileformat=VCFv4.2", f"##contig=<ID=chr1,length={records * spacing + 10}>",
             FORMATS.rstrip("\n"),
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(names)]
    for r in range(records):
        multi = r % 5 == 0
        cols = []
        for s in range(samples):
            if multi:
                cols.append(f"{rng.choice(['0/0', '0/1', '1/2'])}:{rng.randint(0, 30)},3,4:37:"
                            "0,10,20,30,40,50")
            else:
                ad = "5" if s == 0 else f"{rng.randint(0, 30)},{rng.randint(0, 30)}"
                cols.append(f"{rng.choice(['0/0', '0/1', './.'])}:{ad}:{rng.randint(5, 60)}:"
                            f"0,{rng.randint(0, 99)},{rng.randint(100, 999)}")
        alts = "G,T" if multi else "G"
        lines.append(f"chr1\t{(r + 1) * spacing}\t.\tA\t{alts}\t50\tPASS\t.\tGT:AD:DP:PL\t"
                     + "\t".join(cols))
    path.write_text("\n".join(lines) + "\n")
    return len(lines[-1])


def _peaks(tmp_path, sizes: list[tuple[int, int]], spacing: int) -> list[tuple[int, int]]:
    """(peak traced memory, length of a record's line) of normalising a cohort of each
    (records, samples). The largest is normalised once first: Python keeps freed tuples and
    lists for reuse, up to a fixed number, and that filling would count as growth."""
    files = []
    for records, samples in sizes:
        vcf = tmp_path / f"{records}x{samples}.vcf"
        files.append((vcf, _cohort(vcf, records, samples, spacing), records))
    normalise(files[-1][0], tmp_path / "warm.vcf.gz")
    out = []
    for vcf, line, records in files:
        tracemalloc.start()
        try:
            stats = normalise(vcf, tmp_path / "out.vcf.gz")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert stats.records_out == records + records // 5  # the triallelic ones split in two
        out.append((peak, line))
    return out


def test_peak_memory_does_not_grow_with_records(tmp_path):
    """60 and 240 records 40 bp apart, 50 samples: the window (1,000 bp) holds 25 records
    either way. Holding every record (as before) adds about 180 records x 50 samples of
    Python strings (over 1 MB); the bound allows 10% and 32 kB."""
    (small, _), (large, _) = _peaks(tmp_path, [(60, 50), (240, 50)], spacing=40)
    assert large <= small * 1.1 + 32768, (small, large)


def test_peak_memory_grows_with_samples_by_a_few_records_not_the_file(tmp_path):
    """50 and 200 samples, 40 records 2,000 bp apart (the window holds one): the peak grows
    by at most 12 times what the larger line adds; holding all 40 records would add more
    than 40 times (each sample's values as Python strings, several times the text)."""
    (small, small_line), (large, large_line) = _peaks(tmp_path, [(40, 50), (40, 200)],
                                                      spacing=2000)
    assert large - small <= 12 * (large_line - small_line), (small, large, large_line)


# ---------------------------------------------------------------- the window's edge

def _sorter(tmp_path, window=10) -> tuple[WindowSort, list]:
    out = []

    class Sink:
        def write(self, data: bytes) -> None:
            out.extend(data.decode().splitlines())

    sorter = WindowSort(window, tmp_path, lambda line: tuple(
        int(x) if x.isdigit() else x for x in line.split("\t")[:4]))
    return sorter, out, Sink()


def _line(rank: int, pos: int, ref: str, alt: str) -> tuple[str, tuple]:
    return f"{rank}\t{pos}\t{ref}\t{alt}\n", (rank, pos, ref, alt)


def test_a_line_is_held_until_the_input_is_past_it_by_more_than_the_window(tmp_path):
    """Window 10: a line at 2 is held while the input is at 12 (2 + 10 is not passed), so a
    record from 12 placed at 2 and sorting first still comes first, in the one run."""
    sorter, out, sink = _sorter(tmp_path)
    sorter.push(*_line(0, 2, "CA", "G"), 0, 2)
    sorter.push(*_line(0, 2, "CA", "C"), 0, 12)
    sorter.push(*_line(0, 12, "A", "T"), 0, 12)
    sorter.write_to(sink)
    assert out == ["0\t2\tCA\tC", "0\t2\tCA\tG", "0\t12\tA\tT"]
    assert sorter.runs == 1


def test_a_line_further_back_than_the_window_starts_a_run_and_is_merged_in_order(tmp_path):
    """Window 10: at 13 the line at 2 has been written (2 + 10 < 13), so a line placed at 2
    from 13 starts a second run; the merge still writes them in order."""
    sorter, out, sink = _sorter(tmp_path)
    sorter.push(*_line(0, 2, "CA", "G"), 0, 2)
    sorter.push(*_line(0, 13, "A", "T"), 0, 13)
    sorter.push(*_line(0, 2, "CA", "C"), 0, 13)
    sorter.write_to(sink)
    assert out == ["0\t2\tCA\tC", "0\t2\tCA\tG", "0\t13\tA\tT"]
    assert sorter.runs == 2


def test_input_in_reverse_order_is_sorted_with_runs_merged_when_they_reach_the_cap(tmp_path):
    """100 lines each 100 back from the last: every one a run; at MAX_RUNS they are merged
    into one, so never more than MAX_RUNS files are open; equal keys keep their push order."""
    sorter, out, sink = _sorter(tmp_path)
    for n in range(100, 0, -1):
        sorter.push(*_line(0, n * 100, "A", "C"), 0, n * 100)
        assert sorter.runs <= MAX_RUNS
    sorter.push("0\t100\tA\tC\tlast\n", (0, 100, "A", "C"), 0, 100)
    sorter.write_to(sink)
    assert out[:2] == ["0\t100\tA\tC", "0\t100\tA\tC\tlast"]
    assert [int(line.split("\t")[1]) for line in out] == sorted(
        int(line.split("\t")[1]) for line in out)
    assert len(out) == 101


def _homopolymer_vcf(tmp_path):
    """chrA: T C A*1001 ...; chrB: T C A*1002 ... A deletion of one A written at the run's
    right end (REF AA at L+1) left-aligns onto the C at 2: a shift of L - 1 bases, 1,000 on
    chrA (the window: sorted in the heap), 1,001 on chrB (one more: past the heap, sorted by
    the merge of runs). A complex CA>G at 2 is read first and sorts after the moved CA>C."""
    tail = "GGTTCC" * 10
    seqs = {"chrA": "TC" + "A" * 1001 + tail, "chrB": "TC" + "A" * 1002 + tail}
    fasta = tmp_path / "ref.fa"
    fasta.write_text("".join(f">{name}\n{seq}\n" for name, seq in seqs.items()))
    pysam.faidx(str(fasta))
    head = "".join(f"##contig=<ID={n},length={len(s)}>\n" for n, s in seqs.items())
    vcf = tmp_path / "in.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n" + head + FORMATS + "#CHROM\tPOS\tID\tREF\tALT\t"
                   "QUAL\tFILTER\tINFO\tFORMAT\tS1\n"
                   "chrA\t2\t.\tCA\tG\t50\tPASS\t.\tGT\t0/1\n"
                   "chrA\t1002\t.\tAA\tA\t50\tPASS\t.\tGT\t0/1\n"
                   "chrB\t2\t.\tCA\tG\t50\tPASS\t.\tGT\t0/1\n"
                   "chrB\t1003\t.\tAA\tA\t50\tPASS\t.\tGT\t1/1\n")
    return vcf, fasta


def _rows(path) -> list[list[str]]:
    with pysam.BGZFile(str(path)) as handle:
        text = handle.read().decode()
    return [line.split("\t") for line in text.splitlines() if not line.startswith("#")]


def test_left_shift_of_the_window_and_one_more_are_both_made_and_sorted(tmp_path):
    """Both deletions move to 2, as `bcftools norm -f` moves them (it realigns at any
    distance; its window only bounds its sorting); the one moved 1,001 bases is counted."""
    vcf, fasta = _homopolymer_vcf(tmp_path)
    out = tmp_path / "out.vcf.gz"
    stats = normalise(vcf, out, fasta_path=fasta)
    assert WINDOW == 1000
    assert [row[:5] + row[9:] for row in _rows(out)] == [
        ["chrA", "2", ".", "CA", "C", "0/1"], ["chrA", "2", ".", "CA", "G", "0/1"],
        ["chrB", "2", ".", "CA", "C", "1/1"], ["chrB", "2", ".", "CA", "G", "0/1"]]
    assert stats.realigned == 2
    assert stats.moved_beyond_window == 1
    assert stats.moved_beyond_window_examples == ["chrB:1003 AA>A to 2"]
    if shutil.which("bcftools"):
        theirs = subprocess.run(["bcftools", "norm", "-f", str(fasta), "--no-version",
                                 str(vcf)], capture_output=True, text=True, check=True).stdout
        assert sorted(row[:5] for row in _rows(out)) == sorted(
            line.split("\t")[:5] for line in theirs.splitlines() if not line.startswith("#"))


def test_records_out_of_order_are_written_sorted(tmp_path):
    """chr2 before chr1 (the header declares chr1 first) and, on chr1, 5000 before 100:
    written in header order, then by position, as bcftools sort would."""
    vcf = tmp_path / "in.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=9000>\n"
                   "##contig=<ID=chr2,length=9000>\n" + FORMATS
                   + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
                   "chr2\t300\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n"
                   "chr1\t5000\t.\tC\tG,T\t50\tPASS\t.\tGT\t1/2\n"
                   "chr1\t100\t.\tA\tC\t50\tPASS\t.\tGT\t0/1\n")
    out = tmp_path / "out.vcf.gz"
    normalise(vcf, out)
    assert [(row[0], row[1], row[4], row[9]) for row in _rows(out)] == [
        ("chr1", "100", "C", "0/1"), ("chr1", "5000", "G", "1/0"),
        ("chr1", "5000", "T", "0/1"), ("chr2", "300", "G", "0/1")]


# ---------------------------------------------------------------- the text fast path

def test_text_copied_only_when_the_sample_by_sample_rewrite_leaves_it_unchanged():
    """Brute force over random sample columns of a biallelic record (GTs of ploidy 1-3 with
    alleles up to 10, AD (R), PL (G), AF (A, Float), GP (G, Float); values missing, short,
    long, with dots): whenever the whole-string check says the text is unchanged, the
    sample-by-sample rewrite gives the same text and counts nothing."""
    numbers = {"GT": "1", "AD": "R", "PL": "G", "AF": "A", "GP": "G", "DP": "1"}
    rng = random.Random(5)
    counted = []
    columns = SampleColumns(["S1", "S2", "S3"], numbers.__getitem__,
                            frozenset({"AD", "PL", "DP"}), lambda *a: counted.append(a))

    fitting = {"A": lambda ploidy: 1, "R": lambda ploidy: 2, "G": lambda ploidy: ploidy + 1}

    def gt() -> str:
        if rng.random() < 0.8:
            return rng.choice(["0/0", "0|1", "./.", "1", ".", "1/1"])
        alleles = [rng.choice(["0", "1", ".", "2", "10"]) for _ in range(rng.choice([1, 2, 3]))]
        return rng.choice("/|").join(alleles)

    def value(key: str, ploidy: int) -> str:
        if key == "DP":
            return str(rng.randint(0, 99))
        n = fitting[numbers[key]](ploidy) if rng.random() < 0.85 else rng.randint(0, 4)
        if n == 0:
            return "."
        dotted = key in ("AF", "GP")
        return ",".join(rng.choice(["3", "0.5", "."]) if dotted else str(rng.randint(0, 99))
                        for _ in range(n))

    copied = rewritten = 0
    for _ in range(3000):
        keys = ["GT", *rng.sample(["AD", "PL", "AF", "GP", "DP"], rng.randint(0, 4))]
        samples = []
        for _ in range(3):
            call = gt()
            values = [call] + [value(key, call.count("/") + call.count("|") + 1)
                               for key in keys[1:]]
            samples.append(":".join(values[:rng.choice([len(values)] * 5 + [1])]))
        text = "\t".join(samples)
        fmt = ":".join(keys)
        made = columns.split(["chr1", "5", ".", "A", "G", ".", "PASS", ".", fmt, text], [1], 2,
                             "chr1:5")
        counted_before = len(counted)
        nums = tuple(numbers[k] for k in keys)
        slow = columns._rewrite(keys, nums, text, [1], 2, "chr1:5")
        assert made == [f"{fmt}\t{slow[0]}"]
        if columns._unchanged(keys, nums, text):
            copied += 1
            assert slow == [text] and len(counted) == counted_before
        else:
            rewritten += 1
    assert copied > 300 and rewritten > 300


# ---------------------------------------------------------------- Numbers settled late

def test_undeclared_key_is_split_as_the_completed_header_declares_it(tmp_path):
    """AC (INFO) and AD (FORMAT) are undeclared. At the first record their values fit the
    VCF's reserved definitions (AC Number=A Integer, AD Number=R Integer), at the second they
    do not ('x'): the header then declares both Number=. String, and the first record's
    values are copied whole into both of its split records, not cut as A and R."""
    vcf = tmp_path / "in.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=900>\n"
                   '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
                   "chr1\t100\t.\tA\tG,T\t50\tPASS\tAC=1,2\tGT:AD\t1/2:3,4,5\n"
                   "chr1\t200\t.\tC\tG\t50\tPASS\tAC=x\tGT:AD\t0/1:x\n")
    out = tmp_path / "out.vcf.gz"
    stats = normalise(vcf, out)
    rows = _rows(out)
    assert [(row[4], row[7].split(";")[0], row[9]) for row in rows] == [
        ("G", "AC=1,2", "1/0:3,4,5"), ("T", "AC=1,2", "0/1:3,4,5"), ("G", "AC=x", "0/1:x")]
    assert stats.values_missing == {}
    with pysam.VariantFile(str(out)) as handle:
        assert handle.header.info["AC"].number == "." and handle.header.formats["AD"].number == "."


def test_distinct_shapes_equal_the_set_of_every_sample_shape():
    """Brute force: the one-pass removal of the first shape gives the same set as splitting
    every sample, with empty shapes, repeats and shapes that end or begin like another."""
    rng = random.Random(1)
    for _ in range(5000):
        items = [rng.choice([b"", b"/", b"/:,", b"./.", b"/:,:", b":,", b"/:,:,"])
                 for _ in range(rng.randint(1, 8))]
        assert _shapes(b"\t".join(items)) == set(items), items
