"""``scripts/setup-test-env.sh``: the machine set-up ``make test`` and ``.ci/run`` run first.

The suite runs after it, so on this machine every listed package is installed
and the services answer: it must then succeed and change nothing. Run as a
user who cannot install, it must name what is missing and the command that
installs it, and fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT / "scripts" / "setup-test-env.sh"
PACKAGES = PROJECT / "scripts" / "test-packages.txt"


def listed_packages() -> list[str]:
    lines = (line.split("#", 1)[0].split() for line in PACKAGES.read_text().splitlines())
    return [words[0] for words in lines if words]


def run_unprivileged(packages: str) -> subprocess.CompletedProcess:
    """The script as user ``nobody`` (or as ourselves when not root) with this package list."""
    with tempfile.TemporaryDirectory() as tmp:
        # Copies nobody may read: the clone may live under a private home directory.
        os.chmod(tmp, 0o755)
        (Path(tmp) / "scripts").mkdir()
        script = Path(tmp) / "scripts" / SCRIPT.name
        shutil.copy(SCRIPT, script)
        listing = Path(tmp) / "packages.txt"
        listing.write_text(packages)
        env = {**os.environ, "NIANBAO_TEST_PACKAGES": str(listing)}
        env.pop("NIANBAO_SKIP_TEST_SETUP", None)
        command = ["bash", str(script)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "nobody", "--", *command]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_the_package_list_names_what_the_suite_needs():
    packages = listed_packages()
    assert len(packages) == len(set(packages))
    for needed in ("chromium", "fonts-wqy-zenhei", "fonts-arphic-uming", "fonts-arphic-ukai",
                   "fonts-arphic-gbsn00lp", "postgresql", "redis-server"):
        assert needed in packages


def test_on_a_set_up_machine_it_does_nothing_and_succeeds():
    done = subprocess.run([str(SCRIPT)], env={
        k: v for k, v in os.environ.items() if k != "NIANBAO_SKIP_TEST_SETUP"},
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "" and done.stderr == ""


def test_without_root_it_names_what_to_install_and_fails():
    done = run_unprivileged("chromium   # installed here\nnianbao-no-such-package\n")
    assert done.returncode == 1
    assert "nianbao-no-such-package" in done.stderr and "chromium" not in done.stderr
    assert "apt-get update && apt-get install -y nianbao-no-such-package\n" in done.stderr
