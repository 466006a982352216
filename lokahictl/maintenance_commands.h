#pragma once
// `lokahictl maintenance create|list|delete`: the command's flags and the requests they make.
// Pure (no I/O): Commands sends the requests and prints the answers.

#include <string>

#include "lokahictl/cli_args.h"
#include "maintenance.pb.h"

namespace lokahi::lokahictl {

CommandSpec MaintenanceCommand();

// The Create request of `maintenance create`'s flags: --selector and/or --check, and exactly one
// of --start with --end (RFC 3339), --duration (30m, 1h30m) or --weekly ('Sun 02:00-04:00
// Europe/Paris'). Throws UsageError naming the flag at fault.
github::xe::lokahi::MaintenanceWindow MaintenanceCreateRequest(const ParsedArgs& args);

}  // namespace lokahi::lokahictl
