"""Fetching each offline resource of one genome build from its public server: the panel's
MANE transcripts (GFF3), the reference around the panel genes, ClinVar, and the gnomAD sites of
the panel regions only; each step stages its files and says where they came from (the
manifest entries of cmmvar.manifest). cmmvar.annotate.resources runs the steps and moves
the files in.

Knows the public files and how to take only what the panel needs; nothing about samples or
variants (no sample data is read or sent). Remote indexed files are read with htslib, which
fetches only the blocks a region needs (HTTP range requests).
"""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pysam
import requests
from Bio import bgzf

from cmmvar.annotate.databases import Clinvar, Gnomad
from cmmvar.annotate.online_http import Http, ServiceError
from cmmvar.errors import BuildMismatchError, InputError
from cmmvar.io.genome import check_build, resolve
from cmmvar.io.panel import Gene, Region, regions
from cmmvar.manifest import FILES, download_entry, http_version

log = logging.getLogger("cmmvar.annotate.resources")
_HTSLIB = pysam.version.__htslib_version__

# The reference reaches this far beyond the padded genes: room to left-align indels near the
# edges and to call upstream/downstream consequences (VEP's default distance is 5 kb).
REFERENCE_FLANK = 10_000
# Ensembl REST /sequence/region serves at most 10 Mb a request; stay well under it.
_REST_CHUNK = 1_000_000
# gnomAD INFO fields kept in the slice: those cmmvar reads (v4 names, v2 names, the joint
# file's `_joint` suffix) and the per-group AFs. The rest (VEP strings, histograms, age and
# quality metrics) would make a panel slice hundreds of MB.
_GNOMAD_GROUPS = ("afr", "ami", "amr", "asj", "eas", "fin", "mid", "nfe", "oth", "remaining",
                  "sas")
_GNOMAD_BASE = (
    "AC", "AN", "AF", "nhomalt", "grpmax", "AF_grpmax", "AC_grpmax", "AN_grpmax",
    "nhomalt_grpmax", "fafmax_faf95_max", "fafmax_faf95_max_gen_anc", "fafmax_faf99_max",
    "fafmax_faf99_max_gen_anc", "faf95", "faf99", "popmax", "AF_popmax", "AC_popmax",
    "AN_popmax", "nhomalt_popmax", "faf95_popmax",
    *(f"AF_{group}" for group in _GNOMAD_GROUPS),
)
GNOMAD_INFO_KEPT = frozenset(name + suffix for name in _GNOMAD_BASE for suffix in ("", "_joint"))

# How a user replaces a source: by hand, or in the workflow.
OVERRIDE = "--base-urls of scripts/build_resources.py, or resource_sources in the config"


# (a) GFF3 of the panel's MANE transcripts
def _gff3(http, sources, build, genes, padding, staging):
    listing = http.request("GET", sources.gff3_dir, service="Ensembl FTP").text
    wanted = {g.mane_transcript.split(".")[0]: g for g in genes}
    header: list[str] = []
    body: list[str] = []
    urls, releases, found, notes = [], set(), {}, []
    for chrom in _chromosomes(genes):
        pattern = rf"Homo_sapiens\.{build}\.(\d+)\.chromosome\.{re.escape(chrom)}\.gff3\.gz"
        match = re.search(pattern, listing)
        if match is None:
            raise InputError(f"no GFF3 file of chromosome {chrom} is listed at "
                             f"{sources.gff3_dir} (looked for {pattern})",
                             hint="point gff3_dir at an Ensembl gff3/homo_sapiens/ folder")
        url = sources.gff3_dir.rstrip("/") + "/" + match.group(0)
        urls.append(url)
        releases.add(match.group(1))
        response = http.request("GET", url, service="Ensembl FTP")
        try:
            lines = gzip.decompress(response.content).decode().splitlines()
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise InputError(f"not a gzipped GFF3 ({exc})", path=url) from None
        notes += _check_build(_sequence_regions(lines), build, url, "gff3_dir")
        kept_header, kept, versions = _panel_gff3(lines, set(wanted))
        header = header or [h for h in kept_header if not h.startswith("##sequence-region")]
        header += [h for h in kept_header if h.startswith("##sequence-region")]
        body += kept
        found.update(versions)
    for stable, gene in wanted.items():
        if stable not in found:
            notes.append(f"{gene.symbol}: transcript {gene.mane_transcript} is not in the "
                         f"Ensembl {build} GFF3; it has no gene model in transcripts.gff3")
        elif "." in gene.mane_transcript and found[stable] != gene.mane_transcript:
            notes.append(f"{gene.symbol}: the panel names {gene.mane_transcript}, Ensembl "
                         f"{build} has {found[stable]}")
    lines = [h for h in header if h.startswith("##gff-version")] \
        + [h for h in header if not h.startswith("##gff-version")] + body
    (staging / FILES["gff3"]).write_text("\n".join(lines) + "\n")
    return {FILES["gff3"]: download_entry(urls, "Ensembl " + "/".join(sorted(releases)),
                                  response.headers)}, notes


def _panel_gff3(lines: list[str], transcripts: set[str]) -> tuple[list[str], list[str], dict]:
    """Header lines; the gene, transcript and child (exon, CDS, UTR) lines of the wanted
    transcripts (stable IDs); and the versioned ID of each wanted transcript found."""
    header = [line for line in lines if line.startswith("##") and line != "###"
              or line.startswith("#!")]
    rows = [(line, _attributes(line)) for line in lines if line and not line.startswith("#")]
    ids, genes, versions = set(), set(), {}
    for _, attrs in rows:
        stable = attrs.get("ID", "").removeprefix("transcript:")
        if attrs.get("ID", "").startswith("transcript:") and stable in transcripts:
            ids.add(attrs["ID"])
            genes.update(attrs.get("Parent", "").split(","))
            versions[stable] = f"{stable}.{attrs['version']}" if "version" in attrs else stable
    kept = [line for line, attrs in rows
            if attrs.get("ID") in ids | genes
            or ids.intersection(attrs.get("Parent", "").split(","))]
    return header, kept, versions


def _sequence_regions(lines: list[str]) -> dict[str, int]:
    """Contig lengths from the GFF3 `##sequence-region seqid start end` directives."""
    lengths = {}
    for line in lines:
        if line.startswith("##sequence-region"):
            fields = line.split()
            if len(fields) == 4 and fields[3].isdigit():
                lengths[fields[1]] = int(fields[3])
        elif line and not line.startswith("#"):
            break  # directives come first
    return lengths


def _attributes(line: str) -> dict[str, str]:
    fields = line.split("\t")
    if len(fields) < 9:
        return {}
    return dict(item.split("=", 1) for item in fields[8].split(";") if "=" in item)


# (b) Reference sequence around the panel genes
def _reference(http, sources, build, genes, padding, staging):
    windows = regions(genes, padding + REFERENCE_FLANK)
    index = {}
    for suffix in (".fai", ".gzi"):
        response = http.request("GET", sources.fasta + suffix, service="Ensembl FTP",
                                accept=(200, 403, 404))
        if response.status_code != 200:
            break
        index[suffix] = staging / f".remote{suffix}"
        index[suffix].write_bytes(response.content)
    if len(index) == 2:
        headers = http.request("HEAD", sources.fasta, service="Ensembl FTP").headers
        pieces, lengths, notes = _remote_faidx(sources.fasta, index, windows, build)
        urls, version = [sources.fasta], f"{build}; {http_version(headers)}"
    else:
        log.info("%s has no .fai/.gzi to read remotely: using %s/sequence/region",
                 sources.fasta, sources.ensembl_rest)
        pieces, lengths, urls, version, headers = _rest_sequence(http, sources, build, windows)
        notes = []
    target = staging / FILES["fasta"]
    _write_padded_fasta(target, pieces, lengths)
    pysam.faidx(str(target))
    made = {FILES["fasta"]: download_entry(urls, version, headers)}
    for suffix in (".fai", ".gzi"):
        made[FILES["fasta"] + suffix] = {"derived_from": FILES["fasta"], "made_by":
                                         f"pysam.faidx (htslib {_HTSLIB})"}
    return made, notes


def _remote_faidx(url: str, index: dict[str, Path], windows: list[Region], build: str):
    log.info("reading %s by HTTP range requests (htslib)", url)
    try:
        fasta = pysam.FastaFile(url, filepath_index=str(index[".fai"]),
                                filepath_index_compressed=str(index[".gzi"]))
    except (OSError, ValueError) as exc:
        raise InputError(f"its index ({url}.fai, {url}.gzi) is corrupt, or not that of this "
                         f"FASTA ({exc})", path=url,
                         hint="check the URL; the .fai and .gzi must be those htslib made "
                              "for this bgzipped FASTA") from None
    pieces: dict[str, list[tuple[int, str]]] = {}
    lengths: dict[str, int] = {}
    with fasta:
        notes = _check_build(dict(zip(fasta.references, fasta.lengths, strict=True)), build,
                             url, "fasta")
        for window in windows:
            contig = resolve(window.chrom, fasta.references)
            if contig is None:
                raise InputError(f"the FASTA {url} has no chromosome {window.chrom}")
            lengths[contig] = fasta.get_reference_length(contig)
            end = min(window.end, lengths[contig])
            try:
                sequence = fasta.fetch(contig, window.start - 1, end)
            except (OSError, ValueError) as exc:
                raise ServiceError(f"cannot read {contig}:{window.start}-{end} of {url} ({exc})",
                                   service="Ensembl FTP", url=url) from None
            pieces.setdefault(contig, []).append((window.start, sequence.upper()))
    return pieces, lengths, notes


def _rest_sequence(http, sources, build, windows: list[Region]):
    rest = sources.ensembl_rest.rstrip("/")
    info = http.request("GET", f"{rest}/info/software?content-type=application/json",
                        service="Ensembl REST")
    lengths: dict[str, int] = {}
    for chrom in dict.fromkeys(w.chrom for w in windows):
        # The server's own chromosome lengths: a host of the other build is refused here.
        url = f"{rest}/info/assembly/homo_sapiens/{chrom}?content-type=application/json"
        lengths[chrom] = int(http.request("GET", url, service="Ensembl REST").json()["length"])
    _check_build(lengths, build, f"{rest}/info/assembly/homo_sapiens", "ensembl_rest")
    pieces: dict[str, list[tuple[int, str]]] = {}
    urls = []
    for window in windows:
        end = min(window.end, lengths[window.chrom])
        for start in range(window.start, end + 1, _REST_CHUNK):
            stop = min(start + _REST_CHUNK - 1, end)
            url = (f"{rest}/sequence/region/human/{window.chrom}:{start}..{stop}:1"
                   f"?content-type=text/plain")
            urls.append(url)
            text = http.request("GET", url, service="Ensembl REST").text.strip()
            if len(text) != stop - start + 1:
                raise ServiceError(f"{url} returned {len(text)} bases, not {stop - start + 1}",
                                   service="Ensembl REST", url=url)
            pieces.setdefault(window.chrom, []).append((start, text.upper()))
    return pieces, lengths, urls, f"{build}; Ensembl {info.json()['release']}", info.headers


def _write_padded_fasta(target: Path, pieces: dict[str, list[tuple[int, str]]],
                        lengths: dict[str, int]) -> None:
    """Contigs keep their real coordinates: N everywhere but the fetched windows, up to the
    last window's end (N runs compress to almost nothing in BGZF)."""
    block = 60 * 16_384  # whole lines per block
    with bgzf.BgzfWriter(str(target), "wb") as out:
        for contig, spans in pieces.items():
            length = min(lengths[contig], max(start + len(seq) - 1 for start, seq in spans))
            out.write(f">{contig}\n".encode())
            for offset in range(0, length, block):
                chunk = bytearray(b"N" * min(block, length - offset))
                for start, seq in spans:
                    low = max(start - 1, offset)
                    high = min(start - 1 + len(seq), offset + len(chunk))
                    if low < high:
                        chunk[low - offset:high - offset] = \
                            seq[low - start + 1:high - start + 1].encode()
                lines = (chunk[i:i + 60] for i in range(0, len(chunk), 60))
                out.write(b"\n".join(lines) + b"\n")


# (c) ClinVar
def _clinvar(http, sources, build, genes, padding, staging):
    made = {}
    for name, url in ((FILES["clinvar"], sources.clinvar),
                      (FILES["clinvar"] + ".tbi", sources.clinvar + ".tbi")):
        headers = _download(http, url, staging / name, service="NCBI ClinVar FTP")
        made[name] = download_entry([url], http_version(headers), headers)
    notes = _check_resource(Clinvar, staging / FILES["clinvar"], build, sources.clinvar,
                            "clinvar")
    with pysam.VariantFile(str(staging / FILES["clinvar"])) as vcf:
        dates = [r.value for r in vcf.header.records if r.key == "fileDate"]
    if dates:
        made[FILES["clinvar"]]["version"] = f"fileDate {dates[0]}"
    return made, notes


# (d) gnomAD sites of the panel regions
def _gnomad(http, sources, build, genes, padding, staging):
    header: list[str] = []
    records: list[str] = []
    urls, notes, headers = [], [], {}
    spans = regions(genes, padding)
    for chrom in _chromosomes(genes):
        url = sources.gnomad.format(chrom=chrom)
        if url in urls:  # one file for every chromosome
            continue
        urls.append(url)
        headers = http.request("HEAD", url, service="gnomAD").headers
        # A local copy of the index: given a remote one, htslib saves it into the working
        # directory and reuses it there later, stale or not.
        index = staging / f".remote-{len(urls)}.tbi"
        _download(http, url + ".tbi", index, service="gnomAD")
        log.info("reading %s by HTTP range requests (htslib)", url)
        try:
            tabix = pysam.TabixFile(url, index=str(index))
        except OSError as exc:
            raise InputError(f"corrupt, or not the tabix index of {url} ({exc})",
                             path=url + ".tbi",
                             hint="check the URL; the index must be the one made for this "
                                  "bgzipped VCF") from None
        with tabix:
            header = header or list(tabix.header)
            wanted = [s for s in spans if s.chrom == chrom or "{chrom}" not in sources.gnomad]
            for span in wanted:
                contig = resolve(span.chrom, tabix.contigs)
                if contig is None:
                    notes.append(f"{url} has no records on chromosome {span.chrom}")
                    continue
                # A record reaching across two regions is fetched twice: write it once.
                before = set(records[-1000:])
                records += [line for line in map(_slim_gnomad_line,
                                                 _fetch(tabix, url, contig, span))
                            if line not in before]
    if not header:
        raise InputError(f"the gnomAD file {urls[0]} has no header")
    target = staging / FILES["gnomad"]
    with bgzf.BgzfWriter(str(target), "wb") as out:
        kept = [line for line in header[:-1] if _info_id(line) in (None, *GNOMAD_INFO_KEPT)]
        kept.append("\t".join(header[-1].split("\t")[:8]))  # #CHROM ... INFO, no samples
        out.write(("\n".join(kept + records) + "\n").encode())
    pysam.tabix_index(str(target), preset="vcf", force=True)
    notes += _check_resource(Gnomad, target, build, urls[0], "gnomad")
    release = re.search(r"/release/([^/]+)/", urls[0])
    version = f"gnomAD {release.group(1)}" if release else http_version(headers)
    entry = download_entry(urls, version, headers)
    entry["regions"] = [f"{s.chrom}:{s.start}-{s.end}" for s in spans]
    entry["info_fields_kept"] = sorted(k for k in GNOMAD_INFO_KEPT
                                       if any(_info_id(h) == k for h in header))
    return {FILES["gnomad"]: entry,
            FILES["gnomad"] + ".tbi": {"derived_from": FILES["gnomad"], "made_by":
                                       f"pysam.tabix_index (htslib {_HTSLIB})"}
            }, notes


def _fetch(tabix: pysam.TabixFile, url: str, contig: str, span: Region) -> Iterable[str]:
    try:
        yield from tabix.fetch(contig, span.start - 1, span.end)
    except (OSError, ValueError) as exc:
        raise ServiceError(f"cannot read {contig}:{span.start}-{span.end} of {url} ({exc})",
                           service="gnomAD", url=url) from None


def _slim_gnomad_line(line: str) -> str:
    fields = line.split("\t")
    if len(fields) > 7:
        kept = [item for item in fields[7].split(";")
                if item.split("=", 1)[0] in GNOMAD_INFO_KEPT]
        fields[7] = ";".join(kept) or "."
    return "\t".join(fields[:8])  # a sites file: no FORMAT or samples


def _info_id(header_line: str) -> str | None:
    match = re.match(r"##INFO=<ID=([^,>]+)", header_line)
    return match.group(1) if match else None


# Shared
def _check_build(lengths: Mapping[str, int | None], build: str, url: str,
                 source: str) -> list[str]:
    """cmmvar.io.genome.check_build on what a server sent, its error naming the URL and the way
    out: another source, or the other build."""
    try:
        return check_build(lengths, build, url)
    except BuildMismatchError as exc:
        raise BuildMismatchError(exc.message, path=url, hint=_other_build_hint(build, source)) \
            from None


def _check_resource(kind: Callable, staged: Path, build: str, url: str,
                    source: str) -> list[str]:
    """Open a downloaded VCF as the annotate stage will (cmmvar.annotate.databases): its index must
    load and its header must not name or measure the other build. Errors and notes name
    the URL, not the staging file."""
    try:
        with kind(staged, build) as resource:
            return [note.replace(str(staged), url) for note in resource.notes]
    except BuildMismatchError as exc:
        raise BuildMismatchError(exc.message, path=url, hint=_other_build_hint(build, source)) \
            from None
    except InputError as exc:
        about_index = "index" in exc.message
        raise InputError(exc.message.replace(str(staged), url), path=url,
                         hint="check the URL; the index must be the one made for this "
                              "bgzipped VCF" if about_index else
                              "check the URL: it must name a bgzipped VCF") from None


def _other_build_hint(build: str, source: str) -> str:
    other = "GRCh37" if build == "GRCh38" else "GRCh38"
    return (f"give the {build} file as source {source} ({OVERRIDE}), or build the {other} "
            f"resources")


def _chromosomes(genes: list[Gene]) -> list[str]:
    return list(dict.fromkeys(r.chrom for r in regions(genes, 0)))


def _download(http: Http, url: str, target: Path, service: str) -> Mapping[str, str]:
    response = http.request("GET", url, service=service, stream=True)
    try:
        with target.open("wb") as out:
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)
    except requests.RequestException as exc:
        raise ServiceError(f"the download of {url} broke off ({exc})", service=service,
                           url=url) from None
    return response.headers


# What build_resources runs, in this order: each step is (http, sources, build, genes, padding,
# staging folder) -> ({file name: manifest entry}, notes).
STEPS = (_gff3, _reference, _clinvar, _gnomad)
