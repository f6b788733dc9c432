"""Run a callback once some modules have finished importing.

TensorFlow imports Keras during its own import, so "Keras is imported" is
only a safe moment to import TensorFlow-using code once the outermost of
the watched imports has finished. The finder below wraps the loaders of the
watched modules and fires the callback when the last one completes.

The imports of a package's own submodules are tracked the same way (the
`within` prefix): when one of them imports Keras (`seqkit.layers` does),
the callback waits until that outermost import has finished, since the
callback imports the package's modules and must not find them half
initialised.
"""

import importlib.abc
import importlib.util
import sys


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, names, callback, within, ready):
        self.names = set(names)
        self.within = tuple(f"{prefix}." for prefix in within)
        self.callback = callback
        self.ready = ready
        self.depth = 0
        self.done = False

    def find_spec(self, fullname, path, target=None):
        if self.done:
            return None
        if fullname not in self.names and not fullname.startswith(self.within):
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
        if self.finder.depth == 0 and self.finder.ready():
            self.finder.fire()

    def __getattr__(self, name):
        return getattr(self.loader, name)


def after_import(names, callback, within=(), ready=lambda: True):
    """Calls `callback()` once an import of any of `names` has finished.

    Args:
        names: module names to watch (top-level modules).
        callback: a function of no arguments, called once.
        within: package names whose submodules' imports are tracked too:
            the callback fires only once the outermost tracked import is
            done.
        ready: a function of no arguments; at the end of an outermost
            import the callback fires only if it returns True.
    """
    sys.meta_path.insert(0, _Finder(names, callback, within, ready))


class _AroundFinder(importlib.abc.MetaPathFinder):
    def __init__(self, name, wrap):
        self.name = name
        self.wrap = wrap

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        # One import only: the finder leaves for good, then lets the other
        # finders locate the module and wraps its loader.
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _AroundLoader(spec.loader, self.wrap)
        return spec


class _AroundLoader(importlib.abc.Loader):
    def __init__(self, loader, wrap):
        self.loader = loader
        self.wrap = wrap

    def create_module(self, spec):
        with self.wrap():
            return self.loader.create_module(spec)

    def exec_module(self, module):
        with self.wrap():
            self.loader.exec_module(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def around_import(name, wrap):
    """Runs the next import of the top-level module `name` inside `wrap()`.

    Args:
        name: a top-level module name that is not imported yet.
        wrap: a function of no arguments that returns a context manager;
            the module's creation and its execution each run inside one.
    """
    sys.meta_path.insert(0, _AroundFinder(name, wrap))
