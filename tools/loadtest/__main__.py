"""`make loadtest`: serve the benchmark province with gunicorn and drive each main list endpoint and the
supervisor's dashboard with 20 concurrent clients (locust, headless), each list beside its raw-SQL floor.

Prints `name value` lines: loadtest.<endpoint>.rps, .p50_ms, .p99_ms, .failures and, for a list with a floor,
loadtest.<endpoint>.floor_rps (and its p50/p99) and loadtest.<endpoint>.vs_floor (floor req/s ÷ the list's:
1.0 is as fast as the plain SQL; issue 14 asks at most 2), and .single_ms / .floor_single_ms / .single_vs_floor: the
median of 20 requests one at a time (no queueing), the list's and its floor's taken in turn. dashboard_province is the region dashboard alone,
home_province the supervisor's whole home page. Variables: BENCH_LOAD_* sizes (tools/loadtest/seed.py),
BENCH_LOAD_CLIENTS (20), BENCH_LOAD_SECONDS (15 per endpoint), BENCH_LOAD_WORKERS (gunicorn workers, 4),
BENCH_LOAD_PORT (8765), BENCH_LOAD_ONLY (comma-separated endpoint names). DATABASE_URL as for `make bench`.
"""
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tools.loadtest.settings"


def _env(name: str, default: int) -> int:
    return int(os.environ.get(f"BENCH_LOAD_{name}", default))


def targets(people: dict) -> list[dict]:
    """Each endpoint: its path, who calls it, and its floor (lists only)."""
    province, county = people["province"], people["county"]

    def api(name, path, who, floor=None):
        target = {"name": name, "path": path, "token": who["token"]}
        if floor:
            target["floor"] = f"/loadtest/floor/{floor}/?user={who['user']}"
        return target

    return [
        api("accounts_county", "/api/v1/accounts/", county, floor="accounts"),
        api("accounts_province", "/api/v1/accounts/", province, floor="accounts"),
        api("columns_province", "/api/v1/columns/", province, floor="columns"),
        api("findings_province", "/api/v1/findings/", province, floor="findings"),
        api("posts_province", "/api/v1/posts/", province),
        api("review_tasks_province", "/api/v1/review-tasks/", province),
        {"name": "dashboard_province", "path": "/loadtest/dashboard/", "session": province["session"]},
        {"name": "home_province", "path": "/", "session": province["session"]},  # the dashboard in the 工作台
    ]


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before serving (see its output above)")
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within a minute")


def _check(base: str, target: dict, path: str) -> None:
    """One request first: a list that answers an error would make fast, meaningless figures."""
    request = urllib.request.Request(base + path)
    if target.get("token"):
        request.add_header("Authorization", f"Token {target['token']}")
    if target.get("session"):
        request.add_header("Cookie", f"sessionid={target['session']}")
    with urllib.request.urlopen(request, timeout=120) as response:
        if response.status != 200 or response.url.rstrip("/") != (base + path).rstrip("/"):
            raise SystemExit(f"{path}: {response.status} at {response.url}, not the page itself")


def _serial_ms(base: str, calls: list[tuple[dict, str]], repeat: int = 20) -> list[float]:
    """The median time of one request to each (target, path) with nobody else asking, the paths taken in turn: a
    figure that neither queueing nor the machine's load drifting between two measurements blurs."""
    requests = []
    for target, path in calls:
        request = urllib.request.Request(base + path)
        if target.get("token"):
            request.add_header("Authorization", f"Token {target['token']}")
        if target.get("session"):
            request.add_header("Cookie", f"sessionid={target['session']}")
        requests.append(request)
    times: list[list[float]] = [[] for _ in requests]
    for _ in range(repeat):
        for request, taken in zip(requests, times):
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
            taken.append((time.perf_counter() - started) * 1000)
    return [statistics.median(taken) for taken in times]


def _drive(base: str, name: str, path: str, target: dict, workdir: str) -> dict:
    clients, seconds = _env("CLIENTS", 20), _env("SECONDS", 15)
    prefix = os.path.join(workdir, name)
    env = {**os.environ, "LOADTEST_NAME": name, "LOADTEST_PATH": path,
           "LOADTEST_TOKEN": target.get("token", ""), "LOADTEST_SESSION": target.get("session", "")}
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(
            [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless", "--only-summary",
             "-u", str(clients), "-r", str(clients), "-t", f"{seconds}s", "--host", base, "--csv", prefix,
             "--loglevel", "WARNING"],
            env=env, check=False, stdout=log, stderr=subprocess.STDOUT,
        )
    if not os.path.exists(f"{prefix}_stats.csv"):
        raise SystemExit(f"locust wrote no figures for {name}:\n" + Path(f"{prefix}.log").read_text()[-3000:])
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == name)
    return {"rps": float(row["Requests/s"]), "p50_ms": float(row["50%"]), "p99_ms": float(row["99%"]),
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"])}


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tools.loadtest.seed import seed, sizes

    call_command("migrate", verbosity=0)
    size = sizes()
    started = time.perf_counter()
    people = seed(size)
    print(f"loadtest.seed_s {time.perf_counter() - started:.1f} ({connection.vendor}; "
          + ", ".join(f"{k} {v}" for k, v in size.items()) + ")", flush=True)
    connection.close()

    port, workers = _env("PORT", 8765), _env("WORKERS", 4)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "govmedia.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "120", "--log-level", "warning", "--chdir", str(ROOT)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS},
    )
    only = {n for n in os.environ.get("BENCH_LOAD_ONLY", "").split(",") if n}
    try:
        _wait_until_up(base, server)
        print(f"loadtest.clients {_env('CLIENTS', 20)} (gunicorn workers {workers}, "
              f"{_env('SECONDS', 15)} s per endpoint)", flush=True)
        with tempfile.TemporaryDirectory() as workdir:
            for target in targets(people):
                if only and target["name"] not in only:
                    continue
                name = target["name"]
                _check(base, target, target["path"])
                figures = _drive(base, name, target["path"], target, workdir)
                for key in ("rps", "p50_ms", "p99_ms", "failures"):
                    print(f"loadtest.{name}.{key} {figures[key]:g}", flush=True)
                if "floor" not in target:
                    [single] = _serial_ms(base, [(target, target["path"])])
                    print(f"loadtest.{name}.single_ms {single:.1f}", flush=True)
                else:
                    _check(base, target, target["floor"])
                    floor = _drive(base, f"{name}_floor", target["floor"], {}, workdir)
                    # The list and its floor one request at a time, taken in turn.
                    single, floor_single = _serial_ms(base, [(target, target["path"]), ({}, target["floor"])])
                    print(f"loadtest.{name}.single_ms {single:.1f}", flush=True)
                    for key in ("rps", "p50_ms", "p99_ms"):
                        print(f"loadtest.{name}.floor_{key} {floor[key]:g}", flush=True)
                    print(f"loadtest.{name}.floor_single_ms {floor_single:.1f}", flush=True)
                    ratio = floor["rps"] / figures["rps"] if figures["rps"] else float("inf")
                    print(f"loadtest.{name}.vs_floor {ratio:.2f}", flush=True)
                    print(f"loadtest.{name}.single_vs_floor {single / floor_single:.2f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
