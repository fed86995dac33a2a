"""The robustness harness: run the real `cmmvar` command on one input, classify what happened,
and compute the expected carrier counts independently, from bcftools output.

Outcomes of one command:
- `result`: exit 0 and the output file written;
- `error`: exit 1 with exactly one stderr line `cmmvar: error: ...` and no traceback;
- `traceback`: a Python traceback, cmmvar's "internal error", a signal or a time-out;
- `unclear`: anything else (an exit code other than 0/1, exit 1 without the error line, exit 0
  without the output, several error lines).

The command runs in a forked copy of this process (cmmvar is imported once, each run costs a
fork instead of a Python start-up), with the console script's semantics: `sys.exit(main(argv))`,
an uncaught exception printed as Python prints it. A crash in htslib kills the fork, not pytest.
"""

from __future__ import annotations

import faulthandler
import importlib
import os
import re
import signal
import subprocess
import sys
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cmmvar.cli import main as cmmvar_main
from cmmvar.io.genome import CONTIG_LENGTHS

# The CLI imports its commands' modules when a command runs; importing them here once makes
# each forked run cost milliseconds instead of a pandas import.
for _module in ("cmmvar.segregate.analysis", "cmmvar.atomic", "cmmvar.prepare.extract",
                "cmmvar.segregate.genotypes", "cmmvar.prepare.normalise", "cmmvar.io.panel",
                "cmmvar.segregate.segregation"):
    importlib.import_module(_module)

TIMEOUT_S = 120
# PAR1 and PAR2 of chrX, 1-based closed, from the GRC assembly reports (GRCh38.p14,
# GRCh37.p13). Outside them a male has one X: his calls there are hemizygous.
PAR = {"GRCh38": ((10_001, 2_781_479), (155_701_383, 156_030_895)),
       "GRCh37": ((60_001, 2_699_520), (154_931_044, 155_260_560))}
GROUPS = ("affected", "unaffected", "unknown")
COUNT_COLUMNS = tuple(f"{g}_{s}" for g in GROUPS for s in ("carriers", "noncarriers", "missing"))


@dataclass
class Outcome:
    kind: str  # result, error, traceback, unclear
    code: int | None
    stdout: str
    stderr: str
    argv: list[str]

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("cmmvar: error:")]

    def describe(self) -> str:
        tail = self.stderr.strip().splitlines()[-12:]
        return (f"cmmvar {' '.join(self.argv)}\n  -> {self.kind} (exit {self.code})\n"
                + "\n".join("     " + line for line in tail))


def run_cmmvar(argv: list[str], workdir: Path, output: Path | None,
               main: Callable[[list[str]], int] = cmmvar_main,
               timeout_s: int = TIMEOUT_S) -> Outcome:
    """Run `cmmvar argv` (`main(argv)`) in a fork with `workdir` as its working directory and
    classify it; `output` is the file a successful run must have written."""
    workdir.mkdir(parents=True, exist_ok=True)
    out_file, err_file = workdir / ".stdout", workdir / ".stderr"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            faulthandler.disable()  # pytest's; a crash shows as the signal, as in a shell
            os.chdir(workdir)
            for fd, path in ((1, out_file), (2, err_file)):
                target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(target, fd)
                os.close(target)
            sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
            signal.alarm(timeout_s)  # SIGALRM's default action ends the child
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse; as the interpreter exits on SystemExit
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # printed as the interpreter prints an uncaught exception
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) and 0 <= code < 256 else 1)
    _, status = os.waitpid(pid, 0)
    stdout = out_file.read_text(encoding="utf-8", errors="backslashreplace")
    stderr = err_file.read_text(encoding="utf-8", errors="backslashreplace")
    out_file.unlink()
    err_file.unlink()
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        why = f"timed out after {timeout_s} s" if sig == signal.SIGALRM else \
            f"killed by signal {signal.Signals(sig).name}"
        return Outcome("traceback", None, stdout, stderr + f"\n[{why}]", argv)
    code = os.WEXITSTATUS(status)
    return Outcome(_classify(code, stderr, output), code, stdout, stderr, argv)


def _classify(code: int, stderr: str, output: Path | None) -> str:
    if "Traceback (most recent call last)" in stderr or "cmmvar: internal error" in stderr:
        return "traceback"
    errors = [line for line in stderr.splitlines() if line.startswith("cmmvar: error:")]
    if code == 0 and not errors and (output is None or output.exists()):
        return "result"
    if code == 1 and len(errors) == 1:
        return "error"
    return "unclear"


# ---------------------------------------------------------------- bcftools, the reference

def bcftools(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["bcftools", *args], capture_output=True, text=True,
                          errors="backslashreplace")
    if check and done.returncode != 0:
        raise AssertionError(f"bcftools {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return done


def bcftools_reads(path: Path) -> tuple[bool, str]:
    """Whether `bcftools view` reads the whole file without an error, and its complaint."""
    done = bcftools("view", "--no-version", "-Ov", "-o", os.devnull, str(path), check=False)
    return done.returncode == 0, done.stderr.strip()


def record_count(path: Path) -> int:
    return len(bcftools("view", "-H", str(path)).stdout.splitlines())


def samples(path: Path) -> list[str]:
    return bcftools("query", "-l", str(path)).stdout.splitlines()


def contig_lengths(path: Path) -> dict[str, int]:
    lengths = {}
    for line in bcftools("view", "-h", str(path)).stdout.splitlines():
        if line.startswith("##contig=<"):
            found_id = re.search(r"[<,]ID=([^,>]+)", line)
            found_length = re.search(r"[<,]length=(\d+)", line)
            if found_id and found_length:
                lengths[found_id.group(1)] = int(found_length.group(1))
    return lengths


def pick_build(path: Path) -> str:
    """GRCh37 when the header's contig lengths are GRCh37's and none is GRCh38's, else GRCh38
    (lengths of neither build: cmmvar notes it and goes on, whichever flag is given)."""
    lengths = contig_lengths(path)

    def matches(build: str) -> bool:
        return any(CONTIG_LENGTHS[build].get(bare(c)) == n for c, n in lengths.items())

    return "GRCh37" if matches("GRCh37") and not matches("GRCh38") else "GRCh38"


def sites(path: Path) -> list[tuple[str, int, str, str]]:
    """(CHROM, POS, REF, ALT) of every record, from `bcftools view` text: bcftools 1.16's
    `query -f %POS` wraps positions above 2^32 (htslib-test's longrefs/index.vcf)."""
    lines = bcftools("view", "-H", str(path)).stdout.splitlines()
    return [(f[0], int(f[1]), f[3], f[4]) for f in (line.split("\t", 5) for line in lines)]


def record_spans(path: Path) -> dict[str, tuple[int, int]]:
    """Per contig, the first and last POS of the records: the test panel covers them."""
    spans: dict[str, tuple[int, int]] = {}
    for chrom, pos, _, _ in sites(path):
        low, high = spans.get(chrom, (pos, pos))
        spans[chrom] = (min(low, pos), max(high, pos))
    return spans


# ------------------------------------------------ the independent carrier counter

@dataclass(frozen=True)
class Member:
    """A pedigree member as the test means it (not as cmmvar parses it)."""

    id: str
    sex: str  # male, female, unknown
    phenotype: str  # affected, unaffected, unknown


def bare(chrom: str) -> str:
    return chrom[3:] if chrom.lower().startswith("chr") else chrom


def trimmed(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Parsimony without a reference (Tan et al. 2015): drop shared last bases, then shared
    first bases, while both alleles keep one base."""
    ref, alt = ref.upper(), alt.upper()
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def analysable(alt: str) -> bool:
    """cmmvar's contract: sequence alleles only; symbolic (<DEL>, <*>), breakend, `*` and
    `.` alleles are not analysed (they have no row)."""
    return bool(alt) and set(alt.upper()) <= set("ACGTN")


def carrier_state(gt: str, alt_index: int, n_alts: int, expected_ploidy: int) -> str:
    """carrier, noncarrier or missing for one sample and one ALT, from the GT text bcftools
    prints. Rules (DESIGN.md "Statistics", issue 9 item 2):
    - any missing allele (`.`, `./.`, `./1`) -> missing;
    - an allele index that the record has no ALT for -> missing (the call cannot be read);
    - ploidy other than the expected one -> missing (a haploid call on an autosome, in the
      PARs or in a woman; any triploid call; never infer sex from ploidy);
    - a male's X outside the PARs (expected ploidy 1): `1` and `1/1` carry, `0` and `0/0` do
      not, a heterozygous `0/1` is missing;
    - otherwise a carrier has at least one copy of this ALT (after splitting, the other ALTs
      of a multiallelic record read as REF, as `bcftools norm -m -any` writes them)."""
    alleles = re.split(r"[/|]", gt)
    if any(a in (".", "") for a in alleles):
        return "missing"
    indexes = [int(a) for a in alleles]
    if any(i > n_alts for i in indexes):
        return "missing"
    copies = [i == alt_index for i in indexes]
    if expected_ploidy == 1:
        if len(copies) not in (1, 2) or len(set(copies)) > 1:
            return "missing"
    elif len(copies) != 2:
        return "missing"
    return "carrier" if any(copies) else "noncarrier"


def expected_ploidy(member: Member, chrom: str, pos: int, build: str) -> int:
    on_male_x = (member.sex == "male" and bare(chrom) == "X"
                 and not any(lo <= pos <= hi for lo, hi in PAR[build]))
    return 1 if on_male_x else 2


def expected_rows(path: Path, members: list[Member], build: str) -> Counter:
    """The multiset of (chrom, pos, ref, alt, counts) rows `cmmvar segregate` must give:
    one per analysable ALT of every record, counts over the test's pedigree members (members
    absent from the VCF are missing), from `bcftools query` text."""
    header = bcftools("view", "-h", str(path)).stdout
    in_vcf = set(samples(path))
    records = sites(path)
    if re.search(r"^##FORMAT=<ID=GT,", header, re.MULTILINE) and in_vcf:
        calls = bcftools("query", "-f", "[%SAMPLE=%GT\t]\n", str(path)).stdout.splitlines()
    else:  # no FORMAT/GT declared (bcftools query refuses it) or no samples: no genotypes
        calls = [""] * len(records)
    assert len(calls) == len(records), f"bcftools view and query disagree on {path}"
    rows: Counter = Counter()
    for (chrom, pos, ref, alts), line in zip(records, calls, strict=True):
        gts = dict(call.rsplit("=", 1) for call in line.split("\t") if call)
        alt_list = alts.split(",")
        for index, alt in enumerate(alt_list, start=1):
            if not analysable(alt):
                continue
            tally = Counter()
            for member in members:
                if member.id in in_vcf:
                    ploidy = expected_ploidy(member, chrom, pos, build)
                    state = carrier_state(gts.get(member.id, "."), index, len(alt_list), ploidy)
                else:
                    state = "missing"
                column = {"carrier": "carriers", "noncarrier": "noncarriers",
                          "missing": "missing"}[state]
                tally[f"{member.phenotype}_{column}"] += 1
            key = (bare(chrom), *trimmed(pos, ref, alt))
            rows[key + tuple(tally[c] for c in COUNT_COLUMNS)] += 1
    return rows


def observed_rows(tsv: Path) -> Counter:
    """The same multiset read from cmmvar's TSV (stdlib only: no pandas type guessing)."""
    lines = tsv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows: Counter = Counter()
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        rows[(bare(row["chrom"]), int(row["pos"]), row["ref"].upper(), row["alt"].upper())
             + tuple(int(row[c]) for c in COUNT_COLUMNS)] += 1
    return rows


def describe_difference(expected: Counter, observed: Counter, shown: int = 6) -> str:
    lines = [f"rows differ (chrom, pos, ref, alt) ({', '.join(COUNT_COLUMNS)}):"]
    for title, rows in (("expected, not given", expected - observed),
                        ("given, not expected", observed - expected)):
        items = sorted(rows.items())
        lines += [f"  {title}: {k[:4]} {k[4:]}" + (f" x{n}" if n > 1 else "")
                  for k, n in items[:shown]]
        if len(items) > shown:
            lines.append(f"  {title}: ... and {len(items) - shown} more")
    return "\n".join(lines)


# ----------------------------------------------------------- inputs the test writes

PANEL_COLUMNS = ("symbol", "hgnc_id", "ensembl_gene", "mane_transcript", "chrom",
                 "start_grch38", "end_grch38", "start_grch37", "end_grch37", "strand",
                 "inheritance", "penetrance", "phenocopy_rate", "max_allele_frequency", "tier",
                 "evidence", "source")


def write_panel(path: Path, spans: dict[str, tuple[int, int]]) -> Path:
    """A panel with one made-up gene per contig spanning [first, last] record position, the
    same span on both builds (config/panels/cmm.tsv columns; cmmvar/io/panel.py checks them)."""
    spans = spans or {"1": (1, 1000)}  # a panel needs a gene; header-only files have none
    lines = ["\t".join(PANEL_COLUMNS)]
    for n, (chrom, (start, end)) in enumerate(spans.items(), start=1):
        values = {"symbol": f"TESTGENE{n}", "hgnc_id": f"HGNC:{90000 + n}",
                  "ensembl_gene": f"ENSG{n:011d}", "mane_transcript": f"ENST{n:011d}.1",
                  "chrom": chrom, "start_grch38": start, "end_grch38": end,
                  "start_grch37": start, "end_grch37": end, "strand": "+",
                  "inheritance": "AD", "penetrance": 0.9, "phenocopy_rate": 0.01,
                  "max_allele_frequency": 0.001, "tier": "candidate",
                  "evidence": "robustness test gene", "source": "tests/robustness"}
        lines.append("\t".join(str(values[c]) for c in PANEL_COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


PED_SEX = {"male": "1", "female": "2", "unknown": "0"}
PED_PHENOTYPE = {"affected": "2", "unaffected": "1", "unknown": "0"}


def family_of(sample_names: list[str]) -> tuple[list[Member], list[tuple[str, str]]]:
    """A pedigree over a file's samples, every member listed (so cmmvar adds nobody): with
    three or more samples the first two are the parents of the others, with fewer all are
    founders. Phenotypes cycle affected, unaffected, affected, unknown, so the likelihood has
    an affected member and every group is used. Returns the members and (father, mother)."""
    cycle = ("affected", "unaffected", "affected", "unknown")
    trio = len(sample_names) > 2
    members, parents = [], []
    for n, name in enumerate(sample_names):
        sex = "female" if n % 2 else "male"
        members.append(Member(name, sex, cycle[n % len(cycle)]))
        parents.append((sample_names[0], sample_names[1]) if trio and n > 1 else ("0", "0"))
    return members, parents


def write_ped(path: Path, members: list[Member], parents: list[tuple[str, str]],
              family: str = "FAM1") -> Path:
    lines = [f"{family}\t{m.id}\t{father}\t{mother}\t{PED_SEX[m.sex]}\t{PED_PHENOTYPE[m.phenotype]}"
             for m, (father, mother) in zip(members, parents, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def segregate_argv(vcf: Path, ped: Path, out: Path, build: str, inheritance: str = "AD",
                   ) -> list[str]:
    """`cmmvar segregate` with quality thresholds off (the counter applies none)."""
    return ["segregate", "--vcf", str(vcf), "--ped", str(ped), "--out", str(out),
            "--inheritance", inheritance, "--penetrance", "0.9", "--phenocopy", "0.01",
            "--allele-frequency", "0.001", "--min-gq", "0", "--min-dp", "0", "--build", build]


def extract_argv(vcf: Path, panel: Path, out: Path, build: str) -> list[str]:
    return ["extract", "--vcf", str(vcf), "--panel", str(panel), "--build", build,
            "--out", str(out), "--padding", "0", "--quiet"]


# ------------------------------------------------------- expectations and checks

@dataclass(frozen=True)
class Result:
    """The command must succeed; for segregate, `rows` are the expected rows (default: the
    independent counter's, from bcftools); `note`, a case-insensitive regex that one
    `cmmvar: note:` line on stderr must match (what the user must be told)."""

    rows: Counter | None = None
    note: str | None = None


@dataclass(frozen=True)
class Error:
    """The command must stop with one clear error line that names `file` and matches
    `pattern` (a case-insensitive regex for the distinctive part of the message)."""

    pattern: str
    file: Path | None = None  # default: the VCF


def check(name: str, command: str, argv: list[str], workdir: Path, output: Path,
          expect: Result | Error, named: Path,
          verify: Callable[[], str | None] | None = None) -> Outcome:
    """Run one command, record it in the tally, and fail unless the outcome is `expect`:
    for a result, `verify()` (None when the output is right, else what is wrong); for an
    error, one clear line, and nothing left in the output folder (no half-written file)."""
    outdir = output.parent
    outdir.mkdir(parents=True, exist_ok=True)
    outcome = run_cmmvar(argv, workdir, output)
    problem = _mismatch(outcome, expect, named, outdir)
    if problem is None and isinstance(expect, Result) and verify is not None:
        problem = verify()
    TALLY.add(name, command, outcome.kind, problem is None)
    if problem:
        raise AssertionError(f"{name}: {problem}\n{outcome.describe()}")
    return outcome


def _mismatch(outcome: Outcome, expect: Result | Error, named: Path, outdir: Path) -> str | None:
    if isinstance(expect, Result):
        if outcome.kind != "result":
            return f"expected a result, got {outcome.kind}"
        notes = [line for line in outcome.stderr.splitlines() if line.startswith("cmmvar: note:")]
        if expect.note and not any(re.search(expect.note, n, re.IGNORECASE) for n in notes):
            return f"no 'cmmvar: note:' line matches {expect.note!r}"
        return None
    if outcome.kind != "error":
        return f"expected one clear error matching {expect.pattern!r}, got {outcome.kind}"
    line = outcome.error_lines[0]
    file = expect.file or named
    if str(file) not in line and file.name not in line:
        return f"the error does not name the file {file.name}"
    if not re.search(expect.pattern, line, re.IGNORECASE):
        return f"the error does not match {expect.pattern!r}"
    left = sorted(p.name for p in outdir.iterdir())
    if left:
        return f"the failed run left {left} in its output folder"
    return None


def check_extract_result(vcf: Path, out: Path) -> str | None:
    """A successful extraction over a panel covering every record keeps every record that
    bcftools reads, in a file bcftools reads, with an index."""
    readable, complaint = bcftools_reads(out)
    if not readable:
        return f"bcftools cannot read the extracted file: {complaint[-300:]}"
    if not (Path(f"{out}.tbi").exists() or Path(f"{out}.csi").exists()):
        return "the extracted file has no index"
    kept, total = record_count(out), record_count(vcf)
    if kept != total:
        return f"extraction kept {kept} of the {total} records (the panel covers them all)"
    return None


def rows_problem(expected: Counter, tsv: Path) -> str | None:
    """None when cmmvar's segregate table has exactly the `expected` rows."""
    observed = observed_rows(tsv)
    return None if observed == expected else describe_difference(expected, observed)


# ------------------------------------------------------------------- the tally

@dataclass
class Tally:
    """Per input, the outcome of each command and whether it was the expected one; the
    conftest prints the summary line from it."""

    inputs: dict[str, dict[str, tuple[str, bool]]] = field(default_factory=dict)

    def add(self, name: str, command: str, kind: str, as_expected: bool) -> None:
        self.inputs.setdefault(name, {})[command] = (kind, as_expected)

    def summary(self) -> str:
        kinds = Counter()
        for commands in self.inputs.values():
            seen = {kind for kind, _ in commands.values()}
            worst = next(k for k in ("traceback", "unclear", "error", "result") if k in seen)
            kinds[worst] += 1
        runs = sum(len(c) for c in self.inputs.values())
        differ = sum(not ok for c in self.inputs.values() for _, ok in c.values())
        text = (f"robustness: {len(self.inputs)} inputs, {kinds['result']} results, "
                f"{kinds['error']} clear errors, {kinds['traceback']} tracebacks")
        if kinds["unclear"]:
            text += f", {kinds['unclear']} unclear endings"
        return text + f" ({runs} cmmvar runs, {differ} not as expected)"


TALLY = Tally()
