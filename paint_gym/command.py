"""A ``paint-gym`` command: a function of one config dataclass, and how tyro reads it.

The contract, for the library's commands and for plug-ins alike::

    @dataclass
    class Args:
        out: str = "painted.png"
        '''PNG to write.'''            # the attribute docstring is the flag's help

    def paint(config: Args) -> int:
        '''Paint something.'''         # its first line is the command's line in `paint-gym --help`

Every field becomes a flag (``save_actions`` -> ``--save-actions``; a ``bool`` gives
``--save-actions``/``--no-save-actions``), with the field's type, default and docstring; tyro's
markers in the field's type apply (``Annotated[str, tyro.conf.Positional]``,
``tyro.conf.arg(name=..., metavar=...)``), a ``cli_aliases`` class variable adds short
spellings (``{"n_actions": ("-n",)}``) and a renamed field keeps its old flag (the config's
``renamed`` table, :class:`paint_gym.validation.ValidatedConfig`: ``--dataset`` for ``--task``).
The rule declared in a field's type
(:class:`paint_gym.validation.Bound`, ``OneOf``, ``Check``) is printed after its docstring
(``--batch INT  Samples per step. (>= 1)``). A command that needs options beyond a library
config subclasses it with them and passes :func:`base_config` of its argument to the library.

A ``cli_outputs`` class variable names the fields that are paths the command writes, each with
its kind (``{"out": "image", "json": "json", "run_dir": "folder"}``; kinds in
:data:`paint_gym.outputs.OUTPUT_KINDS`): they are checked (extension known to the writer,
folder creatable, nothing created at the filesystem root) before the command runs, so a bad
``--out`` is refused at once instead of after the work. A config whose command also writes
paths it derives (``OUT_mypaint.png`` beside ``--out``, the ``checkpoint.pt`` and ``log.csv`` of
a run folder, the default folder of a flag left None) lists them in a ``derived_outputs()``
method returning :class:`paint_gym.outputs.Output` items; they are checked with the flags
(:func:`paint_gym.outputs.declared_outputs`).

:func:`tyro_command` turns a command into the keyword-argument function tyro parses: it builds
the config itself, so a ``ValueError`` from the config's validation, or from the check of its
``cli_outputs``, is the command's error (one line, exit code 2, see :func:`paint_gym.cli.main`)
rather than a parse error.

What is left here is what tyro does not do: that error handling, the output checks, the
aliases of inherited fields, and the help's plain text and rules. The field docstrings are read
with ``docstring_parser``, the reader tyro uses, because tyro reads them only from a class it
builds itself, and tyro building the config would make its ``ValueError`` a usage error.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import typing
from collections.abc import Callable
from typing import Annotated, Any

import docstring_parser  # tyro's own docstring reader (a dependency of tyro)
import tyro

from .outputs import check_outputs
from .validation import rules_text

#: A command: a function of one config dataclass, returning an exit code (``None`` means 0).
Command = Callable[[Any], "int | None"]


def base_config(config: Any, cls: type, **changes: Any) -> Any:
    """The plain ``cls`` (a config dataclass) holding the fields of ``config`` (an instance of a
    command's subclass of it, which adds run options), with ``changes`` applied; validates."""
    values = {f.name: getattr(config, f.name) for f in dataclasses.fields(cls) if f.init}
    return cls(**{**values, **changes})


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """The attribute docstrings of a dataclass's fields (the string literal under each field),
    inherited ones included: ``{"batch": "Samples per step."}``. Fields without one are absent."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):  # a subclass's docstring of a field wins
        if dataclasses.is_dataclass(klass):
            params = docstring_parser.parse_from_object(klass).params  # no source (made at runtime): none
            docs.update({p.arg_name: inspect.cleandoc(p.description) for p in params if p.description})
    return {f.name: docs[f.name] for f in dataclasses.fields(cls) if f.name in docs}


def plain(doc: str) -> str:
    """A docstring as help text: Sphinx roles and literals as plain text
    (``:data:`~paint_gym.data.DATASETS``` -> ``DATASETS``, double backquotes -> single)."""
    doc = re.sub(r":[a-z]+:`(~?)([^`]+)`", lambda m: m.group(2).rpartition(".")[2] if m.group(1) else m.group(2), doc)
    return doc.replace("``", "`")


def config_type(command: Command) -> type:
    """The config dataclass a command takes (the annotation of its single parameter).
    ``TypeError`` if it does not take exactly one dataclass."""
    params = list(inspect.signature(command).parameters.values())
    name = getattr(command, "__qualname__", repr(command))
    if len(params) != 1:
        raise TypeError(f"command function {name} must take one config dataclass; it takes {len(params)} parameters")
    cls = typing.get_type_hints(command).get(params[0].name)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"command function {name} must annotate its parameter with a config dataclass; got {cls!r}")
    return cls


def help_text(cls: type, name: str) -> str:
    """A field's help: its docstring as plain text, then the rule declared in its type."""
    doc, rule = plain(field_docs(cls).get(name, "")), rules_text(cls, name)
    return f"{doc} ({rule})" if doc and rule else doc or rule


def cli_fields(cls: type) -> list[tuple[dataclasses.Field, Any]]:
    """The fields of a config dataclass that become flags, each with its type for tyro: the
    field's type, its :func:`help_text`, its ``cli_aliases`` and the old flag of a renamed field
    (``renamed``: ``--dataset`` for ``task``), then the field's own tyro markers."""
    hints = typing.get_type_hints(cls, include_extras=True)
    aliases = {name: list(spellings) for name, spellings in getattr(cls, "cli_aliases", {}).items()}
    for old, new in getattr(cls, "renamed", {}).items():  # a renamed field keeps its old flag
        aliases.setdefault(new, []).append("--" + old.replace("_", "-"))
    out = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        hint = hints[f.name]
        base, *meta = typing.get_args(hint) if typing.get_origin(hint) is Annotated else (hint,)
        arg = tyro.conf.arg(help=help_text(cls, f.name), aliases=tuple(aliases[f.name]) if f.name in aliases else None)
        out.append((f, Annotated[(base, arg, *meta)]))  # the field's own markers come last: they win
    return out


def tyro_command(command: Command) -> Callable[..., Any]:
    """``command`` as a function of keyword arguments, one per field of its config dataclass,
    for tyro to read: it builds the config from them (validation errors are the command's
    errors, reported on one line, not tyro's), checks every output path it declares in
    ``cli_outputs`` or derives in ``derived_outputs()`` (:func:`paint_gym.outputs.check_outputs`),
    and only then runs the command."""
    cls = config_type(command)
    params = []
    for f, annotation in cli_fields(cls):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = inspect.Parameter.empty
        params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation))

    def run(**values: Any) -> int | None:
        config = cls(**values)
        check_outputs(config)  # before any work: a bad --out must not cost the run
        return command(config)

    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    run.__doc__ = inspect.getdoc(command)
    run.__name__ = run.__qualname__ = getattr(command, "__name__", "command")
    return run


def summary(command: Command) -> str:
    """The first line of a command's docstring: its line in ``paint-gym --help``."""
    return (inspect.getdoc(command) or "").strip().split("\n")[0]
