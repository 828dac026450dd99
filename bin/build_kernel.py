"""Compile the compliance checker's C kernel (content/compliance/_kernel.pyx) in place.

Run by bin/run and bin/test; cheap when the module is up to date (Cython compares the
times of the .pyx and its .c). The checker runs without the kernel, only slower (and says
so), so a machine without a C compiler still runs Siyu.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Distribution, Extension

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "content/compliance/_kernel.pyx"


def main() -> int:
    extension = Extension("content.compliance._kernel", [SOURCE], extra_compile_args=["-O2"])
    # An explicit, empty package list: setuptools must not go looking for packages in the
    # repository (it finds several top-level folders and refuses).
    dist = Distribution(
        {
            "name": "siyu-kernel",
            "packages": [],
            "py_modules": [],
            "ext_modules": cythonize([extension], language_level=3, quiet=True),
            "script_args": ["build_ext", "--inplace", "--build-temp", "build/kernel"],
        }
    )
    dist.parse_command_line()
    dist.run_commands()
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
