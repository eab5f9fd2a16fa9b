#!/bin/sh
# com.ghelamco.alert.PythonEnv's Install: the one Python environment the five components
# run in, made offline from the wheels and the hashed lock beside this script
# (tools/ghela_tools/packaging/wheels.py explains the lock and the choice of Python 3.11).
#
#   sh install-env.sh WORK_PATH KEY
#
# KEY is the lock's hash, filled into the recipe by `ghela gdk build`; the environment is
# WORK_PATH/env-KEY. It is built under a temporary name and renamed when complete, so a
# failed Install is retried rather than skipped (the recipe's Skipif checks env-KEY).
# Environments of older locks are removed, except the newest one, which a component of the
# previous deployment may still be running from.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work=$1
key=$2
lock="$here/device.lock"

actual=$(sha256sum "$lock" | cut -c1-16)
if [ "$actual" != "$key" ]; then
  echo "PythonEnv: the lock's hash is $actual, the recipe expects $key: rebuild with ghela gdk build" >&2
  exit 1
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  echo "PythonEnv: needs python3 3.11 (Raspberry Pi OS bookworm, 64-bit); this is $(python3 -V 2>&1)" >&2
  exit 1
fi

env="$work/env-$key"
rm -rf "$env.partial"
# --system-site-packages: Debian's python3-lgpio (gpiozero's pin library on a Pi 4 and 5)
# comes from the system; every locked package is installed here (--ignore-installed).
python3 -m venv --system-site-packages "$env.partial"
"$env.partial/bin/python3" -m pip install --no-index --find-links "$here/wheels" --require-hashes \
  --only-binary=:all: --ignore-installed --no-deps --disable-pip-version-check --no-input \
  --requirement "$lock"
# The venv's scripts name their own path; the interpreter symlink does not, so a rename
# keeps it working (the components run env-KEY/bin/python3 -m ...).
mv "$env.partial" "$env"
# After the rename: the bytecode prefix holds each module under its source's final path.
sh "$here/compile-env.sh" "$env"

keep=$(ls -1dt "$work"/env-* 2>/dev/null | grep -v -e "/env-$key\$" -e '\.partial$' | head -n 1 || true)
for old in "$work"/env-*; do
  [ -e "$old" ] || continue
  if [ "$old" != "$env" ] && [ "$old" != "$keep" ]; then
    rm -rf "$old"
  fi
done
echo "PythonEnv: environment env-$key ready"
