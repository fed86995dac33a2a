"""Atomic writes (cmmvar.atomic, cmmvar.io.vcf.write_indexed): a write that fails or is killed
half-way leaves no file under the target's name, and the next write clears what it left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pysam
import pytest

from cmmvar.atomic import atomic_path, scratch_dir, write_json, write_text
from cmmvar.io import vcf as vcf_module
from cmmvar.io.vcf import write_indexed

VCF = textwrap.dedent("""\
    ##fileformat=VCFv4.2
    ##contig=<ID=chr1,length=1000>
    #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
    chr1\t{pos}\t.\tA\tG\t.\tPASS\t.
    """)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_write_that_raises_half_way_leaves_no_target_and_no_temporary(tmp_path):
    target = tmp_path / "out" / "candidates.tsv"
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as tmp:
        tmp.write_text("family_id\tchrom\nDCC1\t")
        raise RuntimeError("disk full")
    assert not target.exists()
    assert hidden(target.parent) == []


def test_a_write_that_raises_keeps_the_previous_complete_file(tmp_path):
    target = tmp_path / "report.json"
    write_json(target, {"family_id": "DCC1"})
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_text('{"family_id": "TR')
        raise ValueError("not serialisable")
    assert target.read_text() == '{\n  "family_id": "DCC1"\n}\n'
    assert hidden(tmp_path) == ["report.json"]


KILLED_WRITER = """
import os, signal, sys
from cmmvar.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    with open(tmp, "w") as out:
        out.write("first half\\n")
        out.flush()
        os.kill(os.getpid(), signal.SIGKILL)
        out.write("second half\\n")
"""


def test_a_writer_killed_half_way_leaves_no_target_and_the_next_write_clears_its_leftover(
        tmp_path):
    target = tmp_path / "qc.json"
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)])
    assert killed.returncode == -signal.SIGKILL
    assert not target.exists()
    # SIGKILL runs no `finally`: the half-written temporary file is all that is left
    [leftover] = tmp_path.iterdir()
    assert leftover.name.startswith(".qc.json.") and leftover.name.endswith(".tmp")
    assert leftover.read_text() == "first half\n"
    write_text(target, "complete\n")
    assert hidden(tmp_path) == ["qc.json"]
    assert target.read_text() == "complete\n"


def test_only_the_targets_own_leftovers_are_removed(tmp_path):
    kept = [".candidates.tsv.gz.abcd1234.tmp",  # a leftover of another target
            ".other.tsv.abcd1234.tmp", ".candidates.tsv.keep", "candidates.tsv.abcd1234.tmp",
            ".candidates.tsv..tmp", ".candidates.tsv.ABCD1234.tmp"]
    for name in kept:
        (tmp_path / name).write_text("not ours")
    (tmp_path / ".candidates.tsv.k1ll3d_x.tmp").write_text("half")
    (tmp_path / ".candidates.tsv.dir_left.tmp").mkdir()
    (tmp_path / ".candidates.tsv.dir_left.tmp" / "body.vcf").write_text("half")
    write_text(tmp_path / "candidates.tsv", "full\n")
    assert hidden(tmp_path) == sorted([*kept, "candidates.tsv"])


def test_scratch_dir_is_beside_the_target_and_removed_on_error_and_after_a_kill(tmp_path):
    target = tmp_path / "work" / "x.vcf.gz"
    with pytest.raises(OSError), scratch_dir(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".x.vcf.gz.")
        (tmp / "body.vcf").write_text("half")
        raise OSError("broken pipe")
    assert hidden(target.parent) == []
    left = target.parent / ".x.vcf.gz.abc_1234.tmp"  # as a killed extract leaves it
    left.mkdir()
    (left / "body.vcf").write_text("half")
    with scratch_dir(target) as tmp:
        assert hidden(target.parent) == [tmp.name]
    assert hidden(target.parent) == []


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_an_atomic_write_gets_the_mode_a_plain_write_gets(tmp_path, umask):
    previous = os.umask(umask)
    try:
        (tmp_path / "plain.tsv").write_text("x\n")
        write_text(tmp_path / "candidates.tsv", "x\n")
        assert os.umask(umask) == umask  # left as it was
    finally:
        os.umask(previous)
    mode = (tmp_path / "candidates.tsv").stat().st_mode & 0o777
    assert mode == (tmp_path / "plain.tsv").stat().st_mode & 0o777 == 0o666 & ~umask


def plain_vcf(folder: Path, pos: int) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "plain.vcf"
    path.write_text(VCF.format(pos=pos))
    return path


def test_write_indexed_index_is_not_older_than_its_data(tmp_path):
    out = tmp_path / "x.vcf.gz"
    assert write_indexed(plain_vcf(tmp_path / "s", 10), out, 10) == ".tbi"
    assert os.stat(f"{out}.tbi").st_mtime_ns >= os.stat(out).st_mtime_ns
    with pysam.VariantFile(str(out)) as vcf:
        assert [r.pos for r in vcf.fetch("chr1")] == [10]


def test_write_indexed_interrupted_between_renames_leaves_no_stale_index(tmp_path, monkeypatch):
    out = tmp_path / "x.vcf.gz"
    write_indexed(plain_vcf(tmp_path / "s1", 10), out, 10)
    real_replace, calls = os.replace, []

    def replace_then_fail(source, target):
        calls.append(target)
        if len(calls) == 2:  # the index's rename
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(vcf_module.os, "replace", replace_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_indexed(plain_vcf(tmp_path / "s2", 20), out, 20)
    # the new data is in place, and the first run's index (of position 10) is gone with
    # it: nothing pairs the new data with an index that does not match it
    assert not Path(f"{out}.tbi").exists() and not Path(f"{out}.csi").exists()
    with pysam.VariantFile(str(out)) as vcf:
        assert [r.pos for r in vcf] == [20]


def test_write_json_writes_the_text_of_the_standard_library(tmp_path):
    """write_json uses simplejson's C encoder for speed (issue 14); its text must stay the
    standard library's json.dumps(indent=2, default=str): tuples and namedtuples as lists,
    non-ASCII escaped, NaN and infinities as the standard library writes them, floats by
    repr, key order kept, objects it cannot encode through str()."""
    import json
    from collections import namedtuple

    point = namedtuple("point", "x y")
    data = {"z": 1, "a": [1.5, 1e-05, 0.1 + 0.2, float("nan"), float("inf"), -float("inf")],
            "tuple": (1, "two"), "named": point(3, 4), "text": "Ménière \u2014 \"q\"\n",
            "path": tmp_path, "nested": {"empty": {}, "list": [], "none": None, "yes": True},
            "big": 2**70, "negative": -0.0}
    target = tmp_path / "out.json"
    write_json(target, data)
    assert target.read_text() == json.dumps(data, indent=2, default=str) + "\n"
