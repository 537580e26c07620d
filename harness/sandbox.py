"""Parent side: every process that runs problem or candidate code runs sandboxed.

Problem and candidate code is untrusted: an LLM wrote it, or it came from a
file the user opened. It runs only in processes started through `Sandbox.wrap`
(harness workers, which also run reference capture and ncu's target, and the
language server's recorded-run command), on an existing isolation mechanism:

- **bubblewrap** (`bwrap`, Debian package `bubblewrap`), when it is installed
  and works here: new PID, network, IPC and UTS namespaces; the whole file
  system read-only; `/tmp`, `$HOME`, `/run` and kernelwright's own config,
  cache and data folders replaced by empty ones; one private folder writable;
  the GPU's device nodes passed through; every capability dropped; the
  sandbox dies with its parent, and its PID namespace takes every process of
  the evaluation with it (`setsid` and double forks included).
- **unshare** (util-linux), when bubblewrap is missing: the same namespaces;
  harness/sandbox_boot.py hides the same folders, remounts the rest read-only
  and drops capabilities before it execs the worker. `/tmp` stays visible
  (read-only) there.
- **none**, when neither works (a container that forbids namespaces): a
  one-line warning, and `--require-sandbox` refuses to run.

In every mode the environment is built from an allowlist (`worker_environment`):
no API keys, tokens or credentials reach a worker; `$HOME`, `$TMPDIR` and the
compilers' caches point into the private folder.

`KERNELWRIGHT_SANDBOX=auto|bubblewrap|unshare|none` picks a mode (auto: the
strongest that works).
"""

from __future__ import annotations

import functools
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kernelwright.harness.paths import cache_dir, config_dir, data_dir
from kernelwright.harness.secrets import SECRET_NAME

MODES = ("bubblewrap", "unshare", "none")
PROBE_TIMEOUT_S = 10.0

# What torch, triton, CUDA and Python need from the environment; nothing else passes.
_ALLOWED_NAMES = {
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TERM",
    "USER",
    "LOGNAME",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "LD_LIBRARY_PATH",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "KERNELWRIGHT_NCU",
}
_ALLOWED_PREFIXES = (
    "LC_",
    "CUDA_",
    "NVIDIA_",
    "TRITON_",
    "TORCH_",
    "TORCHINDUCTOR_",
    "PYTORCH_",
    "CUBLAS_",
    "CUDNN_",
    "NCCL_",
    "NV_",
)
# Set by the sandbox to private places, whatever the user had.
_PRIVATE_NAMES = (
    "HOME",
    "TMPDIR",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "TRITON_CACHE_DIR",
    "TRITON_HOME",
    "TORCHINDUCTOR_CACHE_DIR",
)


@dataclass(frozen=True)
class Sandbox:
    mode: str  # one of MODES
    reason: str = ""  # why this mode and not a stronger one
    protects: tuple[str, ...] = field(default=())

    @property
    def active(self) -> bool:
        return self.mode != "none"

    @property
    def own_pid_namespace(self) -> bool:
        """Whether each wrapped process tree sees only its own processes (`--unshare-pid`,
        `unshare --pid`)."""
        return self.mode in ("bubblewrap", "unshare")

    def describe(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "active": self.active,
            "protects": list(self.protects),
            "reason": self.reason,
        }

    def warning(self) -> str | None:
        if self.active:
            return None
        return (
            "no sandbox: problem and candidate code runs with this user's files and "
            f"network ({self.reason}); install bubblewrap, or pass --require-sandbox to refuse"
        )

    def wrap(
        self, argv: list[str], private: Path, gpus: bool, expose: tuple[str, ...] = ()
    ) -> list[str]:
        """argv run inside this sandbox, with `private` as its one writable folder and
        `expose` (a recorded run's workspace) readable even inside a hidden folder."""
        if self.mode == "bubblewrap":
            return _bwrap_args(private, gpus, expose) + ["--"] + argv
        if self.mode == "unshare":
            hidden = _hidden_roots()
            boot = [sys.executable, "-m", "kernelwright.harness.sandbox_boot", str(private)]
            boot += ["--hide", *hidden, "--expose", *_exposed_paths(hidden, expose)]
            boot += ["--cover", *(f"{a}={b}" for a, b in account_files(private))]
            return _dies_with_parent() + _unshare_args() + boot + ["--", *argv]
        return _dies_with_parent() + argv


def _dies_with_parent() -> list[str]:
    """A prefix that has the kernel SIGKILL the process when its parent dies, so a
    search killed with -9 leaves no worker behind (bubblewrap's --die-with-parent does
    this itself). util-linux's setpriv, not a preexec_fn: Python code run between fork
    and exec in a threaded parent (torch's, pytest's) can deadlock on a lock another
    thread held at the fork, and the parent then waits for an exec that never comes."""
    return ["setpriv", "--pdeathsig", "KILL", "--"] if _setpriv_installed() else []


@functools.cache
def _setpriv_installed() -> bool:  # looked up once, not at every worker's start
    return shutil.which("setpriv") is not None


_PROTECTS = {
    "bubblewrap": (
        "no network",
        "read-only file system",
        "private /tmp and $HOME",
        "no capabilities",
        "PID namespace",
        "environment allowlist",
    ),
    "unshare": (
        "no network",
        "read-only file system",
        "private $HOME",
        "no capabilities",
        "PID namespace",
        "environment allowlist",
    ),
    "none": ("environment allowlist",),
}


class SandboxUnavailable(RuntimeError):
    """A sandbox was required and none can be had here."""


def private_folder() -> Path:
    """The one folder a sandboxed process may write: its log, $HOME, $TMPDIR, caches.

    Named after the process that owns it: one killed with -9 cannot remove its
    folders, so the first new folder of a later process sweeps those."""
    if not _swept:
        _sweep_orphans()
    folder = Path(tempfile.mkdtemp(prefix=f"kw-sandbox-{os.getpid()}-"))
    for sub in ("home", "tmp", "cache", "triton", "inductor"):
        (folder / sub).mkdir()
    return folder


def remove_private_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


_swept: list[bool] = []


def _sweep_orphans() -> None:
    _swept.append(True)
    for folder in Path(tempfile.gettempdir()).glob("kw-sandbox-*-*"):
        owner = folder.name.split("-")[2]
        if owner.isdigit() and not process_alive(int(owner)):
            remove_private_folder(folder)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: alive, and not ours to remove
        return True
    return True


def worker_environment(private: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a sandboxed process gets: the allowlist, minus anything secret."""
    source = os.environ if environ is None else environ
    env = {
        name: value
        for name, value in source.items()
        if (name in _ALLOWED_NAMES or name.startswith(_ALLOWED_PREFIXES))
        and not SECRET_NAME.search(name)
    }
    env.update(
        {
            "HOME": str(private / "home"),
            "TMPDIR": str(private / "tmp"),
            "XDG_CACHE_HOME": str(private / "cache"),
            "XDG_CONFIG_HOME": str(private / "home"),
            "XDG_DATA_HOME": str(private / "home"),
            "TRITON_CACHE_DIR": str(private / "triton"),
            "TRITON_HOME": str(private / "home"),
            "TORCHINDUCTOR_CACHE_DIR": str(private / "inductor"),
        }
    )
    env.setdefault("PATH", os.defpath)
    env.setdefault("USER", _user_name())
    env.setdefault("LOGNAME", env["USER"])
    return env


def _user_name() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return "kernelwright"


def _home_folders() -> set[str]:
    homes = {os.path.expanduser("~")}
    try:
        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    return {os.path.realpath(h) for h in homes if h and h != "/"}


def _hidden_roots() -> list[str]:
    """Folders replaced by empty ones: credentials live there, and nothing the worker needs
    except what `_exposed_paths` puts back."""
    roots = set(_home_folders())
    roots |= {str(p) for p in (config_dir(), cache_dir(), data_dir()) if p.exists()}
    roots.add("/run")
    return sorted(os.path.realpath(r) for r in roots if os.path.isdir(r))


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _exposed_paths(hidden: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    """What the worker needs from inside a hidden folder (read-only): the interpreter,
    its libraries, kernelwright itself, and PYTHONPATH's entries (a checkout run
    through scripts/device_env.sh links its packages from /tmp)."""
    wanted = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
        str(Path(__file__).resolve().parents[1]),
    }
    wanted |= {p for p in sys.path if p}
    wanted |= {p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    wanted |= set(extra)
    exposed = set()
    for path in wanted:
        for variant in (os.path.abspath(path), os.path.realpath(path)):
            if os.path.exists(variant) and _inside(variant, hidden):
                if variant not in hidden:  # never put a whole $HOME back
                    exposed.add(variant)
    return sorted(exposed)


def _gpu_nodes() -> list[str]:
    return sorted(glob.glob("/dev/nvidia*") + glob.glob("/dev/dri"))


def _bwrap_args(private: Path, gpus: bool, expose: tuple[str, ...] = ()) -> list[str]:
    hidden = _hidden_roots() + ["/tmp", "/var/tmp"]
    args = [
        "bwrap",
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/dev/shm",
    ]
    for root in hidden:
        if os.path.isdir(root):
            args += ["--tmpfs", root]
    for path in _exposed_paths(hidden, expose):
        args += ["--ro-bind", path, path]
    if gpus:
        for node in _gpu_nodes():
            args += ["--dev-bind", node, node]
    args += ["--bind", str(private), str(private)]
    for replacement, original in account_files(private):
        args += ["--ro-bind", replacement, original]
    return args  # the working directory is the caller's (bwrap keeps it where visible)


def account_files(private: Path) -> list[tuple[str, str]]:
    """(replacement, original) pairs: only this user in /etc/passwd and /etc/group, and
    empty shadow files. The host's accounts are none of a candidate's business."""
    passwd, group = private / "passwd", private / "group"
    passwd.write_text(
        f"{_user_name()}:x:{os.getuid()}:{os.getgid()}::{private / 'home'}:/usr/sbin/nologin\n"
    )
    group.write_text(f"{_user_name()}:x:{os.getgid()}:\n")
    pairs = [(str(passwd), "/etc/passwd"), (str(group), "/etc/group")]
    pairs += [
        ("/dev/null", shadow)
        for shadow in ("/etc/shadow", "/etc/gshadow")
        if os.path.exists(shadow)
    ]
    return pairs


def _unshare_args() -> list[str]:
    args = [
        "unshare",
        "--fork",
        "--pid",
        "--kill-child",
        "--mount-proc",
        "--net",
        "--ipc",
        "--uts",
        "--mount",
        "--propagation",
        "private",
    ]
    if os.getuid() != 0:
        args.insert(1, "--map-root-user")
    return args


def _probe(sandbox: Sandbox) -> str | None:
    """None when a trivial command runs in this sandbox, else why not."""
    folder = private_folder()
    try:
        argv = sandbox.wrap([sys.executable, "-S", "-c", "pass"], folder, gpus=False)
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            env=worker_environment(folder),
        )
    except FileNotFoundError:
        return f"{sandbox.mode} is not installed"
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{sandbox.mode} could not start: {err}"
    finally:
        remove_private_folder(folder)
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        return f"{sandbox.mode} failed here: {lines[-1] if lines else f'status {done.returncode}'}"
    return None


@functools.cache
def detect(preference: str | None = None) -> Sandbox:
    """The strongest sandbox that works on this machine (or the one asked for)."""
    wanted = (preference or os.environ.get("KERNELWRIGHT_SANDBOX") or "auto").strip().lower()
    if wanted not in ("auto", *MODES):
        return Sandbox(
            "none",
            f"KERNELWRIGHT_SANDBOX={wanted!r} is not one of auto, {', '.join(MODES)}",
            _PROTECTS["none"],
        )
    if wanted == "none":
        return Sandbox("none", "KERNELWRIGHT_SANDBOX=none", _PROTECTS["none"])
    reasons = []
    for mode in ("bubblewrap", "unshare"):
        if wanted not in ("auto", mode):
            continue
        if shutil.which("bwrap" if mode == "bubblewrap" else "unshare") is None:
            reasons.append(f"{mode} is not installed")
            continue
        failure = _probe(Sandbox(mode))
        if failure is None:
            return Sandbox(mode, "; ".join(reasons), _PROTECTS[mode])
        reasons.append(failure)
    return Sandbox("none", "; ".join(reasons), _PROTECTS["none"])


def require(sandbox: Sandbox) -> None:
    if not sandbox.active:
        raise SandboxUnavailable(f"a sandbox is required and none works here ({sandbox.reason})")
