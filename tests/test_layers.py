"""The layers import one way (README, "Layers"): import-linter's contracts in ``.importlinter``."""

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_every_layer_contract_is_kept():
    assert LINT_IMPORTS.exists(), "import-linter is a test dependency: make install"
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 7 kept, 0 broken." in done.stdout, done.stdout


def test_a_broken_layer_is_caught(tmp_path):
    """The contracts do fail: storage importing the crawler is reported."""
    for package in ("nianbao_core", "crawler", "spiders", "pipelines", "storage"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "crawler" / "warc.py").write_text("")
    (tmp_path / "storage" / "db.py").write_text("import crawler.warc\n")
    contracts = configparser.ConfigParser()
    contracts.read(ROOT / ".importlinter")
    for section in contracts.sections():
        if section not in ("importlinter", "importlinter:contract:storage"):
            contracts.remove_section(section)
    config = tmp_path / "contracts.ini"
    with open(config, "w") as out:
        contracts.write(out)
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "storage.db -> crawler.warc" in done.stdout, done.stdout
