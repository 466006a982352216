#pragma once
// What `lokahictl apply` will do: the checks of a file against the checks on the server, as a plan
// of creates, field-by-field updates and (with --prune) deletes. Pure: the caller lists the
// server's checks and carries the plan out.

#include <string>
#include <vector>

#include "lokahi.pb.h"
#include "lokahictl/check_file.h"

namespace lokahi::lokahictl {

struct FieldChange {
  std::string field;
  std::string from;  // as CanonicalValue shows it; secrets as "(set)"/"(none)"
  std::string to;
};

struct PlanStep {
  enum class Kind { kCreate, kUpdate, kDelete };
  Kind kind = Kind::kCreate;
  std::string title;                      // `name "api"` or `url "https://…"`
  const DesiredCheck* desired = nullptr;  // create, update
  github::xe::lokahi::Check current;      // update, delete
  std::vector<FieldChange> changes;       // create: every option not at its default
};

struct Plan {
  std::vector<PlanStep> steps;  // creates, then updates, then deletes
  int unchanged = 0;
  bool empty() const { return steps.empty(); }
};

// Throws CheckFileError when the file cannot be matched to the server unambiguously (two checks
// on the server with the url an entry is keyed on), or when a create needs a secret whose ${VAR}
// is unset. `current` is every check on the server; with `prune`, those matching `selector`
// that no entry names are deleted.
Plan MakePlan(const std::vector<DesiredCheck>& desired,
              const std::vector<github::xe::lokahi::Check>& current, bool prune,
              const Selector& selector);

// The plan as a diff, one block per step and a summary line:
//   + create url "https://api.example.com/"
//       every: 30
//   ~ update name "web"
//       every: 60 -> 120
//       webhook_secret: (changed)
//   - delete url "http://old.example.com/"
//   Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged.
std::string FormatPlan(const Plan& plan);

// The Put request of an update step: the changed fields and an update_mask naming them.
github::xe::lokahi::Check UpdateRequest(const PlanStep& step);

}  // namespace lokahi::lokahictl
