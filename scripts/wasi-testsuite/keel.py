"""Adapter for the official WASI test suite (https://github.com/WebAssembly/wasi-testsuite):
runs each preview1 test with `keel run`, as the suite's Wasmtime adapter runs `wasmtime run`.

Usage, from a wasi-testsuite checkout (Keel built, `keel` on PATH or KEEL set):

    KEEL="node /path/to/keel/bin/keel.js" python3 test-runner/wasi_test_runner.py \
        -t ./tests/rust/testsuite ./tests/c/testsuite ./tests/assemblyscript/testsuite \
        -r /path/to/keel/scripts/wasi-testsuite/keel.py

Keel grants nothing by default. To run programs as Wasmtime's CLI does, this adapter grants the
terminal's stdio and exit (keel run's defaults), the environment and arguments of the test,
clocks and randomness, and each test directory read-write with hard links (`:rw+links`).
"""
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple

KEEL = shlex.split(os.getenv("KEEL", "keel"))

# What Wasmtime's CLI gives a program without asking, beyond keel run's own defaults.
GRANTS = ["--grant", "wasi:clocks/*", "--grant", "wasi:random/*"]


def get_name() -> str:
    return "keel"


def get_version() -> str:
    result = subprocess.run(KEEL + ["--version"], encoding="UTF-8", capture_output=True, check=False)
    words = result.stdout.split()
    return words[-1] if words else "0.0.0"


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def compute_argv(test_path: str, args_env_dirs: Tuple[List[str], Dict[str, str], Any], *_: Any) -> List[str]:
    args, env, dirs = args_env_dirs
    argv = KEEL + ["run", test_path] + GRANTS
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    # Newer runners give one root directory (a path), older ones (host, guest) pairs.
    if isinstance(dirs, (str, Path)):
        dirs = [(dirs, "/")]
    for host, guest in dirs or []:
        argv += ["--dir", f"{host}::{guest}:rw+links"]
    return argv + ["--"] + list(args)
