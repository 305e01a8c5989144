"""nnviz.dataclass_cache: nnviz's dataclasses made from code compiled at an earlier start are
the classes compiled now; a second start compiles nothing; bad files and other packages."""

import dataclasses
import inspect
import marshal
import sys
import types
from importlib.util import MAGIC_NUMBER

import pytest

from nnviz import dataclass_cache
from nnviz.dataclass_cache import CodeCache

SOURCE = '''
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Point:
    """A point."""
    x: float
    y: float = 0.0
    tags: tuple = field(default_factory=tuple)

@dataclass
class Box:
    corner: Point
    size: "int" = 1
'''


def make_module(name: str, monkeypatch, cache: CodeCache | None):
    """Module ``name`` made from SOURCE, its dataclasses compiled through ``cache`` (None: by
    the builtin exec)."""
    if cache is None:
        monkeypatch.delattr(dataclasses, "exec", raising=False)
    else:
        monkeypatch.setattr(dataclasses, "exec", cache.exec, raising=False)
    module = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, module)
    exec(compile(SOURCE, f"<{name}>", "exec"), module.__dict__)
    return module


def names(annotations: dict) -> dict:
    """Annotations with classes by name (each module made has its own Point)."""
    return {k: getattr(v, "__qualname__", v) for k, v in annotations.items()}


METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


def test_classes_from_the_cache_are_the_classes_compiled_now(tmp_path, monkeypatch):
    plain = make_module("nnviz._dc_probe", monkeypatch, None)
    cache = CodeCache(tmp_path / "c.marshal")
    cached = make_module("nnviz._dc_probe", monkeypatch, cache)
    assert cache.compiled > 0
    again = make_module("nnviz._dc_probe", monkeypatch, CodeCache(tmp_path / "c.marshal"))
    assert cache.save()
    reloaded = CodeCache(tmp_path / "c.marshal")
    from_file = make_module("nnviz._dc_probe", monkeypatch, reloaded)
    assert reloaded.compiled == 0 and reloaded.codes
    for module in (cached, again, from_file):
        for cls in ("Point", "Box"):
            ours, theirs = getattr(module, cls), getattr(plain, cls)
            for name in METHODS:
                a, b = ours.__dict__.get(name), theirs.__dict__.get(name)
                assert (a is None) == (b is None), (cls, name)
                if a is not None:
                    a, b = inspect.unwrap(a), inspect.unwrap(b)  # (__repr__'s recursion guard)
                    assert a.__code__ == b.__code__, (cls, name)
                    assert a.__code__.co_filename == b.__code__.co_filename == "<string>"
                    assert names(a.__annotations__) == names(b.__annotations__), (cls, name)
        p = module.Point(1.0, tags=("a",))
        assert repr(p) == "Point(x=1.0, y=0.0, tags=('a',))"
        assert p == module.Point(1.0, 0.0, ("a",)) and hash(p) == hash(module.Point(1.0, 0, ("a",)))
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.x = 2.0
        assert module.Point.__init__.__annotations__["x"] is float  # (types, not strings)
        assert module.Box(p).size == 1 and module.Box(p) == module.Box(p, 1)


def test_a_second_start_compiles_nothing_and_the_file_keeps_what_was_used(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "c.marshal"
    first = CodeCache(path)
    assert not first.codes and not first.save()  # nothing compiled: nothing written
    make_module("nnviz._dc_probe", monkeypatch, first)
    assert first.save() and path.exists()
    assert not first.save()  # written already
    second = CodeCache(path)
    compiles = []
    real_compile = compile
    monkeypatch.setattr(dataclass_cache, "compile", lambda *a, **k: compiles.append(a)
                        or real_compile(*a, **k), raising=False)
    make_module("nnviz._dc_probe", monkeypatch, second)
    assert compiles == [] and second.compiled == 0 and not second.save()
    assert set(second.codes) == second.used == first.used


def test_other_packages_compile_as_before(tmp_path, monkeypatch):
    cache = CodeCache(tmp_path / "c.marshal")
    for name in ("nnvizzz", "other.nnviz", "numpy_like"):
        make_module(name, monkeypatch, cache)
    assert cache.codes == {} and cache.compiled == 0
    make_module("nnviz", monkeypatch, cache)  # the package itself counts
    assert cache.compiled > 0


@pytest.mark.parametrize("content", [
    b"", b"garbage", b"\x00\x00\x00\x00" + marshal.dumps({}),
    MAGIC_NUMBER + b"\xff\xfe not marshal", MAGIC_NUMBER + marshal.dumps([1, 2]),
    MAGIC_NUMBER + marshal.dumps({"def f(): pass": "not code", 3: (lambda: 0).__code__}),
])
def test_a_file_that_does_not_match_is_ignored_and_rewritten(tmp_path, monkeypatch, content):
    path = tmp_path / "c.marshal"
    path.write_bytes(content)
    cache = CodeCache(path)
    assert cache.codes == {}
    make_module("nnviz._dc_probe", monkeypatch, cache)
    assert cache.save() and CodeCache(path).codes.keys() == cache.used


def test_a_folder_that_cannot_be_written_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    cache = CodeCache(blocker / "nnviz" / "c.marshal")
    make_module("nnviz._dc_probe", monkeypatch, cache)
    assert cache.save() is False
    assert list(tmp_path.iterdir()) == [blocker]


def test_the_cache_file_is_in_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = dataclass_cache.default_path()
    assert path.parent == tmp_path / "nnviz"
    assert sys.implementation.cache_tag in path.name


def test_the_window_package_installs_it_once(monkeypatch):
    import nnviz.gui  # noqa: F401  (installs it)

    cache = dataclass_cache.installed()
    assert cache is not None and dataclasses.exec == cache.exec
    assert dataclass_cache.install() is cache
    monkeypatch.setattr(dataclasses, "exec", cache.exec, raising=False)  # restored after
    dataclass_cache.uninstall()
    assert dataclass_cache.installed() is None and not hasattr(dataclasses, "exec")


def test_no_home_folder_means_no_file(monkeypatch):
    """Without HOME (and no user entry to find it), classes compile as usual, nothing is
    read or written."""
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(dataclass_cache.Path, "home", staticmethod(no_home))
    assert dataclass_cache.default_path() is None
    cache = CodeCache(None)
    make_module("nnviz._dc_probe", monkeypatch, cache)
    assert cache.compiled > 0 and cache.save() is False
