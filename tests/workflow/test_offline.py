"""Offline mode needs no network and opens no socket: the demo run inside a network namespace
(`unshare -n`: only a loopback that is down) with an audit hook in every Python process of the
run (Snakemake and each rule's script), and under strace, finishes with the outputs of a plain
run.

The hook (SITECUSTOMIZE, loaded through PYTHONPATH by every Python process the run starts)
records every socket event and refuses, by raising, every name lookup, connect and send.
Snakemake's own process creates Unix socket pairs (local IPC) and, importing requests, the
socket urllib3 binds to ::1 port 0 at import to learn whether IPv6 exists; neither reaches a
network, and both are accepted there only. The workflow's scripts, which are cmmvar, open
no socket of any kind. The hook sees Python's sockets only; strace (system calls, every
process) sees those htslib or any C library would open: no IP socket beyond the hook's, no
connection or send to an IP address. (Unix sockets below Python are local: glibc asks nscd
for user names when bash starts.) One exception is set apart and named: with the `slurm` extra
installed on a machine that has SLURM's client programs, Snakemake's SLURM executor plugin
runs `scontrol show config` when it loads, even for a local run, and scontrol looks up its
controller's name (DNS). That is SLURM's own program, started by Snakemake, before any input
is read; it carries nothing of the run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.workflow.helpers.demo import copy_project, snakemake

SITECUSTOMIZE = '''
import json, os, sys

_LOG = os.environ.get("CMMVAR_SOCKET_LOG")
_REFUSED = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
            "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getnameinfo",
            "socket.sendto", "socket.sendmsg"}


def _record(event, detail):
    with open("/proc/self/cmdline", "rb") as handle:
        command = [a.decode(errors="replace") for a in handle.read().split(b"\\0") if a]
    with open(_LOG, "a") as out:
        out.write(json.dumps({"pid": os.getpid(), "command": command, "event": event,
                              "detail": detail}) + "\\n")


def _hook(event, args):
    if event == "socket.__new__":
        _record(event, {"family": int(args[1]) if args[1] is not None else None})
    elif event == "socket.bind":
        _record(event, {"address": repr(args[1])})
    elif event in _REFUSED:
        _record(event, {"args": repr(args)})
        raise PermissionError(f"offline test: {event} refused")


if _LOG:
    _record("start", {})
    sys.addaudithook(_hook)
'''
# Jobs of a demo run: extract, normalise, annotate per distinct VCF; segregate and report
# per batch of families of one VCF (families_per_job 100: one batch per VCF); the cohort
# (test_data/families.tsv: 6 families, 5 VCFs).
DEMO_JOBS = 5 * 3 + 5 * 2 + 1
STAGES = ("extract", "normalise", "annotate", "segregate", "report", "cohort")
# ISO times the outputs carry (generated, file dates, log lines)
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:\+00:00)?")


def network_namespace() -> tuple[str, ...]:
    """`unshare -n` as root (CI), `unshare -rn` in a user namespace, or () if neither works."""
    for command in (("unshare", "-n"), ("unshare", "-rn")):
        try:
            if subprocess.run([*command, "true"], capture_output=True).returncode == 0:
                return command
        except FileNotFoundError:
            return ()
    return ()


def hooked_env(folder: Path) -> tuple[dict, Path]:
    """An environment whose Python processes load the audit hook, and its log file."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = folder / "sockets.jsonl"
    log.touch()
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "CMMVAR_SOCKET_LOG": str(log)}, log


def events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def stage_of(record: dict) -> str | None:
    """The rule whose script a process runs (.snakemake/scripts/tmpXXXX.<stage>.py)."""
    for word in record["command"]:
        if "/.snakemake/scripts/" in word:
            return word.rsplit(".", 2)[-2]
    return None


def tracer(output: Path) -> tuple[str, ...]:
    """strace of every process's network system calls into `output`, or () without strace
    (`make system-deps` installs it) or where ptrace is not permitted."""
    command = ("strace", "-f", "--seccomp-bpf", "-o", str(output),
               "-e", "trace=socket,socketpair,connect,bind,sendto,sendmsg,sendmmsg,execve")
    if shutil.which("strace") and subprocess.run(
            [*command, "true"], capture_output=True).returncode == 0:
        return command
    return ()


class Offline(NamedTuple):
    results: Path
    namespace: tuple[str, ...]  # the unshare command used, or ()
    records: list[dict]  # the audit hook's
    trace: Path | None  # strace's output, when strace ran


@pytest.fixture(scope="module")
def offline(tmp_path_factory) -> Offline:
    namespace = network_namespace()
    workdir = copy_project(tmp_path_factory.mktemp("offline"))
    env, log = hooked_env(tmp_path_factory.mktemp("hook") / "site")
    trace = workdir.parent / "strace.txt"
    strace = tracer(trace)
    run = snakemake(workdir, prefix=(*namespace, *strace), env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    return Offline(workdir / "results", namespace, events(log), trace if strace else None)


def test_the_network_namespace_has_no_network():
    """What `unshare -n` gives: a connection to a server listening on this machine fails
    inside it and succeeds outside."""
    namespace = network_namespace()
    if not namespace:
        pytest.skip("unshare -n is not permitted here (CI runs as root, where it is)")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        probe = [sys.executable, "-c",
                 f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5)"]
        assert subprocess.run(probe, capture_output=True).returncode == 0
        inside = subprocess.run([*namespace, *probe], capture_output=True, text=True)
    assert inside.returncode != 0 and "Network is unreachable" in inside.stderr


def test_the_hook_records_and_refuses_a_network_call(tmp_path):
    """The hook itself: a Python process started with its environment that looks up a name
    fails with the refusal, and the log names the call."""
    env, log = hooked_env(tmp_path / "site")
    run = subprocess.run([sys.executable, "-c",
                          "import socket; socket.getaddrinfo('variants.example', 443)"],
                         env=env, capture_output=True, text=True)
    assert run.returncode != 0 and "offline test: socket.getaddrinfo refused" in run.stderr
    assert [r["event"] for r in events(log)] == ["start", "socket.getaddrinfo"]


def test_offline_run_ran_in_a_network_namespace(offline):
    if not offline.namespace:
        pytest.skip("unshare -n is not permitted here: the audit hook alone was checked")
    assert offline.namespace[0] == "unshare"


def test_every_python_process_of_the_run_carried_the_hook(offline):
    started = [r for r in offline.records if r["event"] == "start"]
    scripts = [stage_of(r) for r in started if stage_of(r)]
    assert len(scripts) == DEMO_JOBS and set(scripts) == set(STAGES)
    assert any(Path(r["command"][1]).name == "snakemake" for r in started
               if len(r["command"]) > 1)


def test_no_process_of_the_offline_run_looked_up_connected_or_sent(offline):
    sockets = [r for r in offline.records if r["event"] != "start"]
    scripts = [r for r in sockets if stage_of(r)]
    assert scripts == []  # cmmvar opens no socket of any kind
    for record in sockets:  # Snakemake's own: local socket pairs and urllib3's IPv6 probe
        assert Path(record["command"][1]).name == "snakemake", record
        if record["event"] == "socket.__new__":
            assert record["detail"]["family"] in (socket.AF_UNIX, socket.AF_INET6), record
        else:
            assert (record["event"], record["detail"]) == (
                "socket.bind", {"address": "('::1', 0)"}), record


# strace lines: `PID call(fd, {sa_family=AF_X, ...` or `PID socket(AF_X, ...`
SYSCALL = re.compile(r"^(\d+)\s+(\w+)\((?:\d+, \{sa_family=)?(AF_\w+)")
# `PID execve("/usr/bin/scontrol", ...`: the program each process runs
EXECVE = re.compile(r'^(\d+)\s+execve\("([^"]+)"')
# SLURM's client programs, run by Snakemake's SLURM plugin when it loads (module docstring)
SLURM_CLIENTS = {"scontrol", "sinfo", "squeue", "sacct"}


def test_below_python_no_ip_socket_but_the_one_the_hook_accepted(offline):
    """Every system call that makes or uses a socket, in every process, C libraries
    included: IP sockets are exactly the hook's (urllib3's probe, bound to ::1 port 0 and
    nothing else), and none connects or sends."""
    if offline.trace is None:
        pytest.skip("strace is not installed or ptrace is not permitted here")
    lines = offline.trace.read_text().splitlines()
    slurm = {m[1] for line in lines
             if (m := EXECVE.match(line)) and Path(m[2]).name in SLURM_CLIENTS}
    calls = [(m[2], m[3], line) for line in lines
             if (m := SYSCALL.match(line)) and m[1] not in slurm]
    assert calls  # the trace caught Snakemake's socket pairs at least
    ip = [(name, line) for name, family, line in calls if family in ("AF_INET", "AF_INET6")]
    hooked = [r for r in offline.records if r["event"] == "socket.__new__"
              and r["detail"]["family"] in (socket.AF_INET, socket.AF_INET6)]
    assert Counter(name for name, _ in ip) == Counter(socket=len(hooked), bind=len(hooked))
    for name, line in ip:
        assert name == "socket" or ('"::1"' in line and "sin6_port=htons(0)" in line), line
    assert {family for _, family, _ in calls} <= {"AF_UNIX", "AF_INET6"}


def normalised(path: Path) -> bytes:
    return TIMESTAMP.sub(b"<time>", path.read_bytes())


def test_offline_outputs_equal_a_plain_runs_apart_from_timestamps(offline, shared_demo):
    results = offline.results

    def files(folder: Path) -> set[Path]:
        # benchmarks hold the measured times of each job, nothing else
        return {p.relative_to(folder) for p in folder.rglob("*")
                if p.is_file() and p.relative_to(folder).parts[0] != "benchmarks"}

    assert files(results) == files(shared_demo)
    assert len(files(results)) > 60
    for relative in sorted(files(results)):
        assert normalised(results / relative) == normalised(shared_demo / relative), relative


def test_the_run_was_in_offline_mode(offline):
    info = json.loads((offline.results / "run_info.json").read_text())
    assert info["config"]["annotation"]["mode"] == "offline"
