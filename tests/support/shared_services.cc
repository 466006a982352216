#include "tests/support/shared_services.h"

#include <memory>

namespace lokahi::testing {

SharedServices& Services() {
  // Destroyed at exit, which stops both servers and removes their data.
  static const auto services = std::make_unique<SharedServices>();
  return *services;
}

}  // namespace lokahi::testing
