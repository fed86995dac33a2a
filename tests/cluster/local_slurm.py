"""A single-node SLURM on localhost for the cluster test: munged, slurmctld and slurmd, run in
the foreground as children of this process, with a configuration and state of their own in one
folder (nothing under /etc is read or changed) and free ports, so that they can run beside
another SLURM or munge and be stopped by their process ids.

Settings that work without systemd or cgroups: process tracking through /proc, no task
plugin, no accounting. Without accounting `sacct` has nothing to say, so the test runs the
executor plugin with `--slurm-status-command squeue`, which sees a finished job only while
slurmctld keeps it (MinJobAge, seconds)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

PARTITION = "debug"
MIN_JOB_AGE = 3600  # finished jobs stay visible to squeue for the whole test
SUBMITTED = "_slurm_rpc_submit_batch_job: JobId="  # slurmctld's log line for each sbatch
MARKER = "CMMVAR_LOCAL_SLURM"
PROGRAMS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "srun", "squeue", "scancel",
            "sinfo", "scontrol")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mib() -> int:
    """MemTotal in MiB (what slurmd reports as the node's memory)."""
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no MemTotal in /proc/meminfo")


class LocalSlurm:
    """Start with `start()`, always end with `stop()` (it stops whatever was started)."""

    def __init__(self) -> None:
        # munged needs every folder above its socket searchable by all (0755), which a
        # pytest tmp_path (under a 0700 folder) is not
        self.root = Path(tempfile.mkdtemp(prefix="cmmvar-slurm-"))
        self.root.chmod(0o755)
        self.conf = self.root / "slurm.conf"
        self.socket = self.root / "munge" / "munge.socket"
        self.ctld_log = self.root / "slurmctld.log"
        self.host = socket.gethostname().split(".")[0]
        self.daemons: dict[str, subprocess.Popen] = {}
        # MARKER is inherited by every process of this SLURM (daemons, job steps, the jobs:
        # sbatch exports the submitter's environment), which is how leftovers are found. The
        # srun on PATH is bin/srun (see _write_config).
        self.path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
        self.env = {**os.environ, "SLURM_CONF": str(self.conf), MARKER: str(self.root),
                    "PATH": f"{self.root / 'bin'}{os.pathsep}{self.path}"}

    def start(self, timeout: float = 60) -> None:
        missing = [c for c in PROGRAMS if not shutil.which(c, path=self.path)]
        if missing:
            raise RuntimeError(f"not installed: {missing} (Debian slurm-wlm and munge; "
                               "make cluster-test installs them)")
        self._write_config()
        self._spawn("munged", ["munged", "--foreground", f"--socket={self.socket}",
                               f"--key-file={self.root / 'key' / 'munge.key'}",
                               f"--pid-file={self.root / 'munge' / 'munged.pid'}",
                               f"--log-file={self.root / 'munge' / 'munged.log'}",
                               f"--seed-file={self.root / 'munge' / 'munged.seed'}"])
        self._wait(lambda: self.socket.exists(), timeout, "munged's socket")
        self._spawn("slurmctld", ["slurmctld", "-D", "-f", str(self.conf)])
        self._wait(lambda: self._run(["scontrol", "ping"], check=False).returncode == 0,
                   timeout, "slurmctld answering scontrol ping")
        self._spawn("slurmd", ["slurmd", "-D", "-f", str(self.conf)])
        self._wait(lambda: self.node_state() == "idle", timeout, "the node idle in sinfo")

    def node_state(self) -> str:
        return self._run(["sinfo", "-h", "-N", "-o", "%T"], check=False).stdout.strip()

    def submitted_job_ids(self) -> list[int]:
        """Every job submitted through sbatch, from slurmctld's log (job steps started by
        srun inside a job are not jobs and are not counted)."""
        return [int(line.split(SUBMITTED)[1].split()[0])
                for line in self.ctld_log.read_text().splitlines() if SUBMITTED in line]

    def jobs_by_comment(self) -> Counter:
        """squeue's record of every job slurmctld still holds, finished ones included: how many
        carry each --comment (the executor plugin's `rule_<name>_wildcards_<...>`)."""
        out = self._run(["squeue", "-h", "-t", "all", "-o", "%i|%T|%k"]).stdout
        return Counter(line.split("|", 2)[2] for line in out.splitlines() if line)

    def stop(self, timeout: float = 30) -> list[str]:
        """Cancel every job, stop the daemons, end any process left from them; what had to be
        ended after the daemons stopped (empty when all went as it should)."""
        if "slurmctld" in self.daemons and self.daemons["slurmctld"].poll() is None:
            self._run(["scancel", "--partition", PARTITION], check=False)
            self._wait(lambda: not self._run(["squeue", "-h"], check=False).stdout.strip(),
                       timeout, "cancelled jobs gone", fail=False)
        for name in ("slurmd", "slurmctld", "munged"):
            daemon = self.daemons.get(name)
            if daemon is None or daemon.poll() is not None:
                continue
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        left = self.leftover_processes()
        for pid, _command in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return [f"{pid} {command}" for pid, command in left]

    def leftover_processes(self) -> list[tuple[int, str]]:
        """Live processes that belong to this SLURM: their environment holds our MARKER."""
        marker = f"{MARKER}={self.root}".encode() + b"\0"
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == os.getpid():
                continue
            try:
                if marker in (proc / "environ").read_bytes() + b"\0":
                    state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state != "Z":
                        command = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
                        found.append((int(proc.name), command.decode(errors="replace")))
            except OSError:  # ended meanwhile, or not ours to read
                continue
        return found

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _write_config(self) -> None:
        (self.root / "munge").mkdir(mode=0o755)
        (self.root / "key").mkdir(mode=0o700)
        subprocess.run(["mungekey", "--create", "--keyfile", str(self.root / "key" / "munge.key")],
                       check=True, capture_output=True)
        for name in ("state", "spool", "bin"):
            (self.root / name).mkdir()
        # Inside each job, snakemake-executor-plugin-slurm-jobstep (0.6.1) starts the rule
        # with srun after removing SLURM_* variables, SLURM_CONF included: srun would then
        # look for /etc/slurm/slurm.conf. This srun puts our configuration back.
        srun = self.root / "bin" / "srun"
        real = shutil.which("srun", path=self.path)
        srun.write_text(f'#!/bin/sh\nSLURM_CONF={self.conf} exec {real} "$@"\n')
        srun.chmod(0o755)
        # leave the system some memory, or slurmd reports less than configured and the node
        # drains; jobs asking for more than RealMemory are refused at sbatch, never left waiting
        memory = max(memory_mib() - 1024, 1024)
        self.conf.write_text(f"""\
ClusterName=cmmvartest
SlurmctldHost={self.host}
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.socket}
SlurmUser=root
SlurmdUser=root
StateSaveLocation={self.root / 'state'}
SlurmdSpoolDir={self.root / 'spool'}
SlurmctldPidFile={self.root / 'slurmctld.pid'}
SlurmdPidFile={self.root / 'slurmd.pid'}
SlurmctldLogFile={self.ctld_log}
SlurmdLogFile={self.root / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MinJobAge={MIN_JOB_AGE}
ReturnToService=2
NodeName={self.host} CPUs={os.cpu_count()} RealMemory={memory} State=UNKNOWN
PartitionName={PARTITION} Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
""")

    def _spawn(self, name: str, command: list[str]) -> None:
        log = (self.root / f"{name}.console").open("w")
        self.daemons[name] = subprocess.Popen(command, env=self.env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True)

    def _run(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(command, env=self.env, capture_output=True, text=True,
                              check=check, timeout=30)

    def _wait(self, ready, timeout: float, what: str, fail: bool = True) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [name for name, p in self.daemons.items() if p.poll() is not None]
            if fail and (dead or time.monotonic() > deadline):
                logs = {p.name: p.read_text()[-1500:] for p in self.root.glob("*.log")}
                logs |= {p.name: p.read_text()[-1500:] for p in self.root.glob("*.console")}
                raise RuntimeError(f"waiting for {what}: daemons ended {dead}; {logs}")
            if time.monotonic() > deadline:
                return
            time.sleep(0.5)
