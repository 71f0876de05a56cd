"""Compiled templates kept between processes.

Rule: every Jinja2 environment of the engine (the emails', the web pages') shares Jinja2's
file bytecode cache in the user's temporary folder. Jinja2 makes that folder private to the
user (mode 0700, refused otherwise) and files a template's compiled code under its name and
file, valid only for the same source (checksum) and Python version, written atomically. A
daemon, a catch-up or a web worker starting up then loads its templates instead of compiling
them (compiling the emails' took 0.7 s of a day run's 2 s in a new process). When no private
folder can be had, templates are compiled as before.
"""

from __future__ import annotations

from functools import cache

from jinja2 import BytecodeCache, FileSystemBytecodeCache


@cache
def bytecode_cache() -> BytecodeCache | None:
    """The process's shared bytecode cache, or None when none can be made safely."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None
