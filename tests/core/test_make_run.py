"""`make run` serves the app where it says it does: honcho numbers its processes' ports from its own -p (5000 unless
told), so without it the web process listened on 5000 while `make run` printed 8000."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_starts_honcho_from_the_port_it_prints():
    recipe = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    printed = re.search(r"http://\$\{HOST:-127\.0\.0\.1\}:(\$\{PORT:-\d+\})/login/", recipe).group(1)
    honcho = next(line for line in recipe.splitlines() if "honcho start" in line)
    assert f"-p {printed}" in honcho
    # The web process is the first of the Procfile: it is the one given that port.
    assert (ROOT / "Procfile").read_text().splitlines()[0].startswith("web:")


def test_honcho_gives_the_first_process_the_port_it_starts_from(tmp_path):
    (tmp_path / "Procfile").write_text("web: echo port=$PORT\nworker: echo other=$PORT\n")
    honcho = Path(sys.executable).with_name("honcho")
    output = subprocess.run([str(honcho), "start", "-f", "Procfile", "-p", "8123"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60).stdout
    assert "port=8123" in output and "other=8123" not in output
