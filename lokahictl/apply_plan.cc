#include "lokahictl/apply_plan.h"

#include <map>

#include "lib/checks/quote.h"

namespace lokahi::lokahictl {

namespace pb = github::xe::lokahi;

namespace {

std::string Title(bool by_name, const std::string& key) {
  return std::string(by_name ? "name " : "url ") + checks::Quote(key);
}

std::string Shown(const std::string& field, const std::string& canonical) {
  if (IsSecretField(field)) return canonical.empty() ? "(none)" : "(set)";
  return canonical.empty() ? "\"\"" : canonical;
}

}  // namespace

Plan MakePlan(const std::vector<DesiredCheck>& desired, const std::vector<pb::Check>& current,
              bool prune, const Selector& selector) {
  // The server's checks by the keys entries may use.
  std::map<std::string, std::vector<const pb::Check*>> by_name, by_url;
  for (const auto& check : current) {
    if (KeyedByName(check)) {
      by_name[KeyOf(check)].push_back(&check);
    } else {
      by_url[check.url()].push_back(&check);
    }
  }
  const pb::CreateOpts defaults;
  std::vector<std::string> problems;
  std::map<std::string, bool> claimed;  // server ids an entry matched
  Plan plan;
  std::vector<PlanStep> updates, deletes;
  for (const auto& entry : desired) {
    const auto& candidates = (entry.keyed_by_name ? by_name : by_url)[entry.key];
    if (candidates.size() > 1) {
      problems.push_back(entry.where + ": " + std::to_string(candidates.size()) +
                         " checks on the server have this " +
                         (entry.keyed_by_name ? "name" : "url") +
                         "; delete all but one (or give them names) first");
      continue;
    }
    PlanStep step;
    step.title = Title(entry.keyed_by_name, entry.key);
    step.desired = &entry;
    if (candidates.empty()) {
      if (!entry.unset_secrets.empty()) {
        const auto& [field, variable] = *entry.unset_secrets.begin();
        problems.push_back(entry.where + ": " + field + ": ${" + variable +
                           "} is not set in the environment (needed to create the check)");
        continue;
      }
      step.kind = PlanStep::Kind::kCreate;
      for (const auto& field : ManagedFields()) {
        const std::string value = CanonicalValue(entry.options, field);
        if (field == "url" || value != CanonicalValue(defaults, field)) {
          step.changes.push_back({field, "", Shown(field, value)});
        }
      }
      plan.steps.push_back(std::move(step));
      continue;
    }
    const pb::Check& check = *candidates.front();
    claimed[check.id()] = true;
    step.kind = PlanStep::Kind::kUpdate;
    step.current = check;
    for (const auto& field : ManagedFields()) {
      if (entry.unset_secrets.contains(field)) continue;  // kept as it is
      const std::string want = CanonicalValue(entry.options, field);
      const std::string have = CanonicalValue(check, field);
      if (want == have) continue;
      if (IsSecretField(field)) {
        step.changes.push_back({field, Shown(field, have),
                                want.empty()   ? "(none)"
                                : have.empty() ? "(set)"
                                               : "(changed)"});
      } else {
        step.changes.push_back({field, Shown(field, have), Shown(field, want)});
      }
    }
    if (step.changes.empty()) {
      ++plan.unchanged;
    } else {
      updates.push_back(std::move(step));
    }
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& problem : problems) message += (message.empty() ? "" : "\n") + problem;
    throw CheckFileError(message);
  }
  if (prune) {
    for (const auto& check : current) {
      if (claimed.contains(check.id()) || !selector.Matches(check)) continue;
      PlanStep step;
      step.kind = PlanStep::Kind::kDelete;
      step.title = Title(KeyedByName(check), KeyOf(check));
      step.current = check;
      deletes.push_back(std::move(step));
    }
  }
  for (auto& step : updates) plan.steps.push_back(std::move(step));
  for (auto& step : deletes) plan.steps.push_back(std::move(step));
  return plan;
}

std::string FormatPlan(const Plan& plan) {
  std::string text;
  int creates = 0, updates = 0, deletes = 0;
  for (const auto& step : plan.steps) {
    switch (step.kind) {
      case PlanStep::Kind::kCreate:
        ++creates;
        text += "+ create " + step.title + "\n";
        for (const auto& change : step.changes) {
          text += "    " + change.field + ": " + change.to + "\n";
        }
        break;
      case PlanStep::Kind::kUpdate:
        ++updates;
        text += "~ update " + step.title + " (id " + step.current.id() + ")\n";
        for (const auto& change : step.changes) {
          text += "    " + change.field + ": " + change.from + " -> " + change.to + "\n";
        }
        break;
      case PlanStep::Kind::kDelete:
        ++deletes;
        text += "- delete " + step.title + " (id " + step.current.id() + ")\n";
        break;
    }
  }
  text += "Plan: " + std::to_string(creates) + " to create, " + std::to_string(updates) +
          " to update, " + std::to_string(deletes) + " to delete, " +
          std::to_string(plan.unchanged) + " unchanged.\n";
  return text;
}

pb::Check UpdateRequest(const PlanStep& step) {
  pb::Check request;
  request.set_id(step.current.id());
  for (const auto& change : step.changes) {
    CopyField(step.desired->options, change.field, &request);
    request.mutable_update_mask()->add_paths(change.field);
  }
  return request;
}

}  // namespace lokahi::lokahictl
