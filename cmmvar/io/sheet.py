"""The families sheet (family_id, vcf, ped [, proband, parentage_confirmed]) and the
configuration: reading, checks that name the row or key at fault, and one key per VCF so a
joint VCF shared by several families is read once."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd

from cmmvar.errors import ConfigError

REQUIRED = ("family_id", "vcf", "ped")
# A family ID names output folders and files ({outdir}/families/{id}/, logs/*/{id}.log):
# ASCII letters and digits first, so no '.', '..', hidden or option-like name, no '/', no
# shell or quote character, no space; short enough for a file name with its suffixes.
_FAMILY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_FAMILY_ID_MAX = 100
_VCF_SUFFIXES = (".vcf.gz", ".vcf.bgz", ".vcf", ".bcf")


def read_sheet(path: str | Path) -> pd.DataFrame:
    """The sheet as strings, comment lines skipped; checks columns, IDs and file presence."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("families sheet not found", path=path,
                          hint="set the families key of the config to a TSV file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the families sheet ({exc})", path=path) from None
    # Whole-line comments and blank lines are dropped here, not by pandas, so that the
    # line numbers in messages are the file's and a '#' inside a path is kept. Lines end at
    # \r\n, \r or \n only: str.splitlines would also end one at \x0b, \x0c, \x1c-\x1e
    # or \x85 inside a cell, and shift the numbers of every later line.
    numbered = [(n, raw.rstrip()) for n, raw in
                enumerate(re.split(r"\r\n|\r|\n", text), start=1)
                if raw.strip() and not raw.lstrip().startswith("#")]
    if not numbered:
        raise ConfigError("families sheet is empty (no header line)", path=path,
                          hint="columns: family_id, vcf, ped [, proband, parentage_confirmed]")
    (header_line, header), *rows = numbered
    lines = [n for n, _ in rows]
    # pandas would take a row longer than the header as an index and shift every column.
    width = header.count("\t") + 1
    for number, raw in rows:
        cells = raw.count("\t") + 1
        if cells > width:
            raise ConfigError(f"row has {cells} tab-separated cells but the header has {width}",
                              path=path, line=number, hint="separate columns by single tabs")
    sheet = pd.read_csv(io.StringIO("\n".join(raw for _, raw in numbered) + "\n"),
                        sep="\t", dtype=str, keep_default_na=False, skip_blank_lines=False,
                        index_col=False, quoting=csv.QUOTE_NONE)
    sheet.columns = [c.strip() for c in sheet.columns]
    missing = [c for c in REQUIRED if c not in sheet.columns]
    if missing:
        raise ConfigError(f"families sheet lacks column(s) {', '.join(missing)} "
                          f"(it has {', '.join(sheet.columns)})", path=path, line=header_line,
                          hint="columns: family_id, vcf, ped [, proband, parentage_confirmed]")
    if sheet.empty:
        raise ConfigError("families sheet has no families", path=path)
    sheet = sheet.apply(lambda column: column.str.strip())
    seen: dict[str, tuple[str, int]] = {}  # by the ID in lower case: folder names
    for row, record in enumerate(sheet.to_dict("records")):
        line = lines[row]
        family_id = record["family_id"]
        if not family_id:
            raise ConfigError("family_id is empty", path=path, line=line,
                              hint="give every row the family's ID, as in its PED file")
        if not _FAMILY_ID.fullmatch(family_id):
            raise ConfigError(f"family_id {family_id!r} must be letters, digits, '.', '_' or "
                              f"'-', starting with a letter or digit (it names output "
                              f"folders)", path=path, line=line)
        if len(family_id) > _FAMILY_ID_MAX:
            raise ConfigError(f"family_id {family_id[:20]}... is {len(family_id)} characters "
                              f"long; at most {_FAMILY_ID_MAX} (it names output folders)",
                              path=path, line=line)
        first = seen.get(family_id.lower())
        if first and first[0] == family_id:
            raise ConfigError(f"family_id {family_id!r} is listed twice (lines {first[1]} "
                              f"and {line})", path=path, line=line)
        if first:
            raise ConfigError(
                f"family_id {family_id!r} differs from {first[0]!r} (line {first[1]}) only "
                f"in case: on a case-insensitive file system (macOS, Windows) they would "
                f"share one output folder", path=path, line=line,
                hint="give the families IDs that differ in more than case")
        seen[family_id.lower()] = (family_id, line)
        for column in ("vcf", "ped"):
            if not record[column]:
                raise ConfigError(f"family {family_id}: the {column} column is empty",
                                  path=path, line=line)
            if not Path(record[column]).is_file():
                raise ConfigError(f"family {family_id}: {column} file {record[column]} "
                                  f"not found", path=path, line=line,
                                  hint="paths are relative to the directory snakemake runs in")
    return sheet.set_index("family_id", drop=False)


def vcf_keys(vcf_paths) -> dict[str, str]:
    """A short, unique, file-name-safe key per distinct VCF path (same path, same key)."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for vcf in dict.fromkeys(vcf_paths):
        name = Path(vcf).name
        for suffix in _VCF_SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "vcf"
        key = stem
        # compared in lower case: the keys name files, on file systems that may ignore case
        if key.lower() in taken:
            key = f"{stem}-{hashlib.sha1(str(vcf).encode()).hexdigest()[:8]}"
        taken.add(key.lower())
        keys[vcf] = key
    return keys


def validate(data, schema: str | Path, source) -> None:
    """Validate the config (a dict) or a sheet (a DataFrame, row by row) through
    snakemake.utils.validate, which also fills schema defaults; on failure raise a
    ConfigError naming the key or row and column instead of the schema dump. `source` names
    the file, or is a function of the key's path that names the file setting that key."""
    import jsonschema
    import yaml
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate as snakemake_validate

    try:
        snakemake_validate(data, str(schema))
    except WorkflowError:
        schema_doc = yaml.safe_load(Path(schema).read_text())
        rows = data.to_dict("records") if isinstance(data, pd.DataFrame) else [data]
        for number, row in enumerate(rows):
            error = jsonschema.exceptions.best_match(
                jsonschema.Draft202012Validator(schema_doc).iter_errors(row))
            if error is None:
                continue
            key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            where = f"row {number + 1}, column" if isinstance(data, pd.DataFrame) else "key"
            raise ConfigError(f"{where} {key}: {error.message}",
                              path=source(tuple(error.absolute_path)) if callable(source)
                              else source,
                              hint="see config/README.md for the allowed values") from None
        raise
