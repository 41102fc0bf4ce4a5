"""One module per typology (issue 15 item 5): each is known to the checkpoint registry, has
its docstring, and the feature layer holds one instance of each."""

from __future__ import annotations

import importlib
import pkgutil

from regtech_engine.monitor import checkpoint as ckpt
from regtech_engine.monitor import typologies
from regtech_engine.monitor.features import Features

MODULES = sorted(m.name for m in pkgutil.iter_modules(typologies.__path__))


def test_every_typology_module_is_a_checkpoint_state_module() -> None:
    listed = {m.__name__ for m in ckpt.STATE_MODULES}
    for name in MODULES:
        module = importlib.import_module(f"{typologies.__name__}.{name}")
        assert module.__name__ in listed, f"{name} is missing from checkpoint.STATE_MODULES"
        assert module.__doc__ and module.__doc__.strip(), f"{name} has no docstring"


def test_the_feature_layer_holds_each_typology_and_the_checkpoint_names_them() -> None:
    features = Features()
    names = set(ckpt._state_classes())
    public = [n for n in MODULES if not n.startswith("_")]
    assert len(public) == 9  # fan-in and fan-out share fan.py
    for name in public:
        held = getattr(features, name)
        qualified = f"typologies.{name}.{type(held).__qualname__}"
        assert qualified in names, qualified
    assert "typologies._graph.Graph" in names and "typologies._graph.Edge" in names
