# shellcheck shell=bash
# Installs the Debian packages and builds the binaries the stack runs, unless told not to.

LOKAHI_STACK_TARGETS=(lokahid healthworker webhookworker lokahictl sample_hook discord_hook slack_hook
                      duke-of-york)

build_stack() {
  if [ "${LOKAHI_SKIP_BUILD:-0}" = 1 ]; then
    echo "LOKAHI_SKIP_BUILD=1: using the binaries in $LOKAHI_BUILD_DIR as they are"
    return 0
  fi
  "$LOKAHI_REPO_DIR/scripts/install-deps"
  if [ ! -f "$LOKAHI_BUILD_DIR/build.ninja" ]; then
    # Tests are left out of a fresh build for speed; a build dir configured with them keeps them.
    cmake -G Ninja -S "$LOKAHI_REPO_DIR" -B "$LOKAHI_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
      -DLOKAHI_BUILD_TESTS=OFF >/dev/null
  fi
  local target targets=()
  for target in "${LOKAHI_STACK_TARGETS[@]}"; do
    if ninja -C "$LOKAHI_BUILD_DIR" -t query "$target" >/dev/null 2>&1; then
      targets+=("$target")
    else
      echo "warning: the build has no target $target (yet); it will be skipped" >&2
    fi
  done
  echo "building ${targets[*]} in $LOKAHI_BUILD_DIR"
  ninja -C "$LOKAHI_BUILD_DIR" "${targets[@]}"
}
