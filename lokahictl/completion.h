#pragma once
// Shell completion scripts generated from lokahictl's CLI11 app: its commands, each command's flags
// and operands, and the values a flag accepts (from a type name "a|b|c").

#include <string>

namespace CLI {
class App;
}

namespace lokahi::lokahictl {

// `source <(lokahictl completion bash)`
std::string BashCompletion(const CLI::App& app);
// `source <(lokahictl completion zsh)`, or saved as _lokahictl on $fpath.
std::string ZshCompletion(const CLI::App& app);

}  // namespace lokahi::lokahictl
