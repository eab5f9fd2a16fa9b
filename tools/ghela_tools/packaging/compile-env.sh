#!/bin/sh
# The bytecode the five components load, compiled once where they look for it.
#
#   sh compile-env.sh ENV [FOLDER...]
#
# The components run with PYTHONOPTIMIZE=2 (python -OO: no docstrings and no asserts in
# memory, about 11 MiB less for the five, bench/e2e.py) and PYTHONPYCACHEPREFIX=ENV/pycache
# (their recipes' Setenv). Python then reads and writes all bytecode under that prefix
# (https://docs.python.org/3/using/cmdline.html#envvar-PYTHONPYCACHEPREFIX), including the
# standard library's: Debian's /usr/lib/python3.11 holds only unoptimised bytecode and is
# root's, so without the prefix every component would compile its standard modules again
# at every start. Compiling them here, once per environment, keeps starts as fast as before.
# Called by install-env.sh on the Pi and by ./dev for the developer's .venv (which the local
# runtime uses in place of the environment), with the checked-out components/ as FOLDER: the
# local runtime runs them from there, where on the Pi they come from each component's
# artifact and are compiled into the prefix at their first start.
set -eu

env=$1
shift
python="$env/bin/python3"
stdlib=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
# -x: what no component imports (test suites, GUIs, the 2to3 test data that does not
# compile); matched in the path below the standard library or site-packages only.
skip='/python3\.[0-9]+/(test|idlelib|tkinter|turtledemo|lib2to3|ensurepip|pydoc_data)/|/site-packages/.+/tests?/'
if ! PYTHONPYCACHEPREFIX="$env/pycache" "$python" -OO -m compileall -q -j 0 -x "$skip" \
  "$stdlib" "$env/lib" "$@"; then
  # A module left out is compiled (and kept) by the first component that imports it.
  echo "compile-env: some modules did not compile; the components compile them when first imported" >&2
fi
