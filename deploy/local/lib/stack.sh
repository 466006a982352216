# shellcheck shell=bash
# shellcheck source-path=SCRIPTDIR
# Loads every piece of the native stack's scripts.
_lokahi_lib_dir="$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=settings.sh
. "$_lokahi_lib_dir/settings.sh"
# shellcheck source=process.sh
. "$_lokahi_lib_dir/process.sh"
# shellcheck source=postgres.sh
. "$_lokahi_lib_dir/postgres.sh"
# shellcheck source=components.sh
. "$_lokahi_lib_dir/components.sh"
# shellcheck source=build.sh
. "$_lokahi_lib_dir/build.sh"
