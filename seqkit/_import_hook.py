"""Run a callback once some modules have finished importing.

TensorFlow imports Keras during its own import, so "Keras is imported" is
only a safe moment to import TensorFlow-using code once the outermost of
the watched imports has finished. The finder below wraps the loaders of the
watched modules and fires the callback when the last one completes.
"""

import importlib.abc
import importlib.util
import sys


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, names, callback):
        self.names = set(names)
        self.callback = callback
        self.depth = 0
        self.done = False

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.names or self.done:
            return None
        # Let the other finders locate the module, then wrap its loader.
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Loader(spec.loader, self)
        return spec

    def fire(self):
        if self.done:
            return
        self.done = True
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        self.callback()


class _Loader(importlib.abc.Loader):
    def __init__(self, loader, finder):
        self.loader = loader
        self.finder = finder

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.finder.depth += 1
        try:
            self.loader.exec_module(module)
        finally:
            self.finder.depth -= 1
        if self.finder.depth == 0:
            self.finder.fire()

    def __getattr__(self, name):
        return getattr(self.loader, name)


def after_import(names, callback):
    """Calls `callback()` once an import of any of `names` has finished.

    Args:
        names: module names to watch (top-level modules).
        callback: a function of no arguments, called once.
    """
    sys.meta_path.insert(0, _Finder(names, callback))
