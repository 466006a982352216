# Sourced by scripts/test-sanitizers and scripts/fuzz: the clang build directories they share.
# The ASan+UBSan build carries fuzzer-no-link, so the fuzzers link against the same objects.
asan_dir="${LOKAHI_ASAN_BUILD_DIR:-build-asan}"
tsan_dir="${LOKAHI_TSAN_BUILD_DIR:-build-tsan}"
jobs="${LOKAHI_BUILD_JOBS:-$(nproc)}"

# configure DIR SANITIZE [FUZZERS]: a clang build with -fsanitize=SANITIZE, without jemalloc (a
# sanitizer must see every malloc). -O1 keeps stacks honest and builds fast; line tables are
# enough for symbolized reports.
configure() {
  local dir=$1 sanitize=$2 fuzzers=${3:-OFF}
  local launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    "${launcher[@]}" -DLOKAHI_BUILD_TESTS=ON -DLOKAHI_USE_JEMALLOC=OFF \
    -DLOKAHI_SANITIZE="$sanitize" -DLOKAHI_BUILD_FUZZERS="$fuzzers" >/dev/null
}

configure_asan() { configure "$asan_dir" address,undefined,fuzzer-no-link ON; }
configure_tsan() { configure "$tsan_dir" thread; }

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:report_error_type=1"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp"
