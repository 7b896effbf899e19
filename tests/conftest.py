"""Load ``customer_relations/engine`` by path as the package ``cr_engine``.

The addon's own ``__init__`` imports Odoo; loading the engine directory directly keeps these
tests free of Odoo and proves the engine never needs it.
"""

import importlib.util
import os
import pathlib
import sys

from hypothesis import settings

ENGINE_DIR = pathlib.Path(__file__).resolve().parent.parent / "customer_relations" / "engine"


def _load_engine():
    if "cr_engine" in sys.modules:
        return sys.modules["cr_engine"]
    spec = importlib.util.spec_from_file_location(
        "cr_engine", ENGINE_DIR / "__init__.py", submodule_search_locations=[str(ENGINE_DIR)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["cr_engine"] = module
    spec.loader.exec_module(module)
    return module


_load_engine()


# Property tests: the "engine" profile draws new examples each run; tools/mutation.py selects
# "mutation" (the same 25 examples for every mutant, nothing stored): comparable and quick.
settings.register_profile("engine", deadline=None, max_examples=60)
settings.register_profile("mutation", deadline=None, derandomize=True, database=None, max_examples=25)
settings.load_profile(os.environ.get("CR_HYPOTHESIS_PROFILE", "engine"))
