"""`make bench`: runs every `benchmarks/bench_*.py` module's `main()` and prints its figures.

Benchmarks use their own database (DATABASE_URL if set, else a SQLite file under var/bench/), never the
demo's, and print one line per figure.
"""
import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govmedia.settings.bench")
    import django

    django.setup()
    wanted = set(argv[1:])
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        if wanted and info.name not in wanted:
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        print(f"== {info.name}: {(module.__doc__ or '').strip().splitlines()[0] if module.__doc__ else ''}", flush=True)
        module.main()


if __name__ == "__main__":
    main(sys.argv)
