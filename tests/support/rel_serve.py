"""``waarom serve`` as a real process on a loopback port, for fault tests and the soak
benchmark: started with a clean environment of its own, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientError, ClientSession

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(database_url: str, **values: str) -> dict[str, str]:
    """The parent's environment without any Waarom, Slack or Teams setting, plus ``values``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_", "WAAROM_", "DATABASE_URL", "PORT"))
    }
    env.update(DATABASE_URL=database_url, WAAROM_LANGUAGE="en", MICROSOFT_APP_ID="", **values)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def pg_isready() -> bool:
    done = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False, capture_output=True
    )
    return done.returncode == 0


def restart_postgres() -> None:
    """Restart the machine's one cluster (fast shutdown: open connections are cut)."""
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def wait_for_postgres(within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not pg_isready():
        if time.monotonic() > deadline:
            raise AssertionError("PostgreSQL did not come back")
        time.sleep(0.2)


class Server:
    """One ``waarom serve`` process; its log goes to a file (a full pipe would stall it)."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.env = env
        self.port = port or free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="waarom-serve-"))
        self.log_path = self.workdir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def launch(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("wb") as log:
            # The working directory is empty, so no stray .env is read.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self.process

    async def start(self, http: ClientSession, within: float = 60.0) -> None:
        self.process = self.launch()
        deadline = time.monotonic() + within
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"waarom serve exited:\n{self.log()[-3000:]}")
            with contextlib.suppress(ClientError, OSError):
                async with http.get(self.url + "/healthz") as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise AssertionError(f"waarom serve did not get healthy:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.1)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rss_kib(self) -> int:
        """The process's resident memory now, from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    async def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.process.wait, 30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait, 10)
        return self.process.returncode
