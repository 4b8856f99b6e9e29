"""Each area (app) contributes its routes, pages, navigation, schedule and demo data through small modules
of its own, so that the project files list nothing area-specific."""
import importlib
import importlib.util

# A dotted entry is a sub-package of an app with plug-in modules of its own (reporting lives in inspections).
AREAS = ["organisations", "accounts", "sites", "publishing", "review", "notifications", "inspections", "reports"]


def area_modules(name: str):
    """Yield `<area>.<name>` for every area that has such a module, in AREAS order."""
    for area in AREAS:
        module_name = f"{area}.{name}"
        if importlib.util.find_spec(module_name) is not None:
            yield importlib.import_module(module_name)
